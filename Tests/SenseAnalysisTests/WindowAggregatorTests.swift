import SenseAnalysis
import SenseCore
import Testing

@Suite struct WindowAggregatorTests {
    /// 2026-11-23T00:00:00Z
    static let midnight: Int64 = 1_795_392_000_000_000_000

    func s(_ v: Double?, _ seconds: Double, quality: Quality = .good) -> Sample {
        Sample(
            sensor: "outdoor", quantity: "temperature", value: quality == .bad ? nil : v, unit: .celsius, quality: quality,
            reason: quality == .bad ? .nack : nil, monotonic: MonotonicInstant(nanoseconds: Int64(seconds * 1e9)),
            wall: WallTime(nanosecondsSinceEpoch: Self.midnight + Int64(seconds * 1e9)))
    }

    @Test func tumblingHourlyWindowsAreAlignedToTheClock() throws {
        var w = WindowAggregator(
            .init(
                length: .seconds(3600), functions: [.mean, .min, .max, .sum, .count, .last, .rate],
                expected: 360))
        // Starts at 00:20 (not aligned), one sample every 10 s with a rising value, until 01:00:05.
        var closed: [WindowAggregator.Result] = []
        var t = 1200.0
        while t <= 3605 {
            closed += w.add(s(t / 100, t))
            t += 10
        }
        let r = try #require(closed.first)
        #expect(closed.count == 1)
        #expect(r.from.rfc3339 == "2026-11-23T00:00:00.000Z" && r.to.rfc3339 == "2026-11-23T01:00:00.000Z")
        #expect(r.values[.count] == 240)  // 00:20 … 00:59:50
        #expect(abs(r.completeness - 240.0 / 360) < 1e-12)
        #expect(r.quality == .uncertain && r.reason == .incomplete)  // under 75 %
        #expect(r.values[.min] == 12 && r.values[.max] == 35.9 && r.values[.last] == 35.9)
        #expect(abs(r.values[.mean]! - (12 + 35.9) / 2) < 1e-9)
        #expect(abs(r.values[.rate]! - 36) < 1e-9)  // 0.01 per second = 36 per hour
        #expect(r.unit == .celsius)
    }

    @Test func aCompleteWindowIsGoodAndBadSamplesDoNotCount() throws {
        var w = WindowAggregator(.init(length: .seconds(60), functions: [.mean, .count], expected: 6))
        var closed: [WindowAggregator.Result] = []
        for i in 0..<6 { closed += w.add(s(Double(i), Double(i * 10))) }
        closed += w.add(s(nil, 55, quality: .bad))
        closed += w.add(s(100, 61))
        let r = try #require(closed.first)
        #expect(r.values[.count] == 6 && r.values[.mean] == 2.5 && r.quality == .good && r.completeness == 1)
    }

    @Test func silenceReportsOneEmptyWindowThenResumes() {
        var w = WindowAggregator(.init(length: .seconds(60), functions: [.mean], expected: 6))
        _ = w.add(s(1, 5))
        let first = w.close(upTo: WallTime(nanosecondsSinceEpoch: Self.midnight + 61_000_000_000))
        #expect(first.count == 1 && first[0].values[.mean] == 1)
        let silent = w.close(upTo: WallTime(nanosecondsSinceEpoch: Self.midnight + 600_000_000_000))
        #expect(silent.count == 1)
        #expect(silent[0].quality == .bad && silent[0].reason == .noData && silent[0].values.isEmpty)
        #expect(w.close(upTo: WallTime(nanosecondsSinceEpoch: Self.midnight + 650_000_000_000)).isEmpty)
    }

    @Test func slidingWindowsReportEveryStepOverTheLength() {
        var w = WindowAggregator(.init(length: .seconds(60), every: .seconds(20), functions: [.count, .mean], expected: 6))
        var closed: [WindowAggregator.Result] = []
        for i in 0..<13 { closed += w.add(s(Double(i), Double(i * 10))) }  // 0 … 120 s
        #expect(closed.map { Int($0.to.nanosecondsSinceEpoch - Self.midnight) / 1_000_000_000 } == [20, 40, 60, 80, 100, 120])
        #expect(closed.map { $0.values[.count]! } == [2, 4, 6, 6, 6, 6])
        #expect(closed[3].values[.mean] == 4.5)  // samples at 20 … 70 s: values 2 … 7
    }
}
