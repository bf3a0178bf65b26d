import SenseAnalysis
import SenseCore
import Testing

/// Samples at given seconds from a fixed origin.
func sample(_ v: Double?, at seconds: Double, quality: Quality = .good, reason: QualityReason? = nil) -> Sample {
    Sample(
        sensor: "s", quantity: "q", value: quality == .bad ? nil : v, unit: .celsius, quality: quality, reason: reason,
        monotonic: MonotonicInstant(nanoseconds: 1_000_000_000_000 + Int64(seconds * 1e9)),
        wall: WallTime(nanosecondsSinceEpoch: 1_795_406_839_000_000_000 + Int64(seconds * 1e9)))
}

func run(_ settings: ChannelPipeline.Settings, _ values: [Double], spacing: Double = 1) -> [Sample?] {
    var p = ChannelPipeline(settings)
    return values.enumerated().map { i, v in p.process(sample(v, at: Double(i) * spacing)) }
}

@Suite struct QualityGateTests {
    @Test func rangeRejectsAsInVectorD1Range01() {
        // rh 104.2 ∉ [0, 100], t −60 ∉ [−40, 85], p 1013.2 ∈ [300, 1100], co2 −5 ∉ [0, ∞)
        for (value, lo, hi, valid) in [
            (104.2, 0.0, Optional(100.0), false), (-60, -40, 85, false),
            (1013.2, 300, 1100, true), (-5, 0, nil, false),
        ] {
            var g = QualityGate(.init(minimum: lo, maximum: hi))
            let out = g.apply(sample(value, at: 0))
            #expect((out.quality == .good) == valid)
            if !valid { #expect(out.value == nil && out.reason == .outOfRange) }
        }
    }

    @Test func rateOfChangeAsInVectorD1Roc01() {
        // 10.0, 10.4, 11.5, 13.1 at 60 s spacing; limit 1.0 per minute → alarm on the 2nd and 3rd steps.
        var g = QualityGate(.init(maxRatePerSecond: 1.0 / 60))
        let out = [10.0, 10.4, 11.5, 13.1].enumerated().map { g.apply(sample($1, at: Double($0) * 60)) }
        #expect(out.map { $0.reason == .implausibleRate } == [false, false, true, true])
        #expect(out[2].value == nil && out[2].quality == .bad)
    }

    @Test func aSpikeIsRejectedAndAStepIsFollowed() {
        var g = QualityGate(.init(maxRatePerSecond: 1))
        let out = [20.0, 20.5, 90, 20.6, 20.7, 40, 40.2, 40.4].enumerated().map { g.apply(sample($1, at: Double($0))) }
        #expect(out.map(\.quality) == [.good, .good, .bad, .bad, .good, .bad, .good, .good])
    }

    @Test func stuckAsInVectorD1Stuck01() {
        var g = QualityGate(.init(stuckSamples: 12, stuckMinStd: 0.005))
        let out = (0..<12).map { g.apply(sample(21.37, at: Double($0))) }
        #expect(out.prefix(11).allSatisfy { $0.quality == .good })
        #expect(out[11].quality == .uncertain && out[11].reason == .stuck && out[11].value == 21.37)
        #expect(QualityGate.standardDeviation(Array(repeating: 21.37, count: 12)) == 0)
        // A live signal is not stuck.
        var live = QualityGate(.init(stuckSamples: 12, stuckMinStd: 0.005))
        #expect((0..<30).map { live.apply(sample(21 + Double($0 % 3) * 0.01, at: Double($0))) }.allSatisfy { $0.quality == .good })
    }

    @Test func driverFaultsPassThroughUntouched() {
        var g = QualityGate(.init(minimum: 0, maximum: 1, maxRatePerSecond: 0.1, stuckSamples: 2, stuckMinStd: 1))
        let fault = sample(nil, at: 0, quality: .bad, reason: .nack)
        #expect(g.apply(fault) == fault)
    }
}

@Suite struct FilterTests {
    @Test func emaAsInVectorD1Ema01() {
        let out = run(.init(filters: [.ema(tau: .seconds(10))]), [0, 10, 10, 10, 10])
        let expected = [0, 0.951626, 1.812692, 2.591818, 3.2968]
        for (o, e) in zip(out, expected) { #expect(abs(o!.value! - e) < 1e-6) }
    }

    @Test func emaUsesTheRealSpacing() {
        // Two seconds apart: α = 1 − e^(−0.2).
        let out = run(.init(filters: [.ema(tau: .seconds(10))]), [0, 10], spacing: 2)
        #expect(abs(out[1]!.value! - 10 * (1 - 0.8187307531)) < 1e-6)
    }

    @Test func medianIsTheTrailingFormOfVectorD1Median01() {
        // The vector is centred (window 3, shrinking at the edges): [2, 2, 3, 4, 4]. A live filter
        // sees only the past, so its output is the same series one sample later.
        let out = run(.init(filters: [.median(3)]), [1, 2, 100, 3, 4]).map { $0!.value! }
        #expect(out == [1, 2, 2, 3, 4])
        #expect(Array(out.dropFirst()) == [2, 2, 3, 4])
    }

    @Test func movingAverageShrinksAtStart() {
        #expect(run(.init(filters: [.movingAverage(3)]), [3, 6, 9, 12]).map { $0!.value! } == [3, 4.5, 6, 9])
    }

    @Test func calibrationOffsetMultiplyPolynomialClampInOrder() {
        // Two-point: raw 0.2 → 0, raw 39.6 → 40; then ×2; then +1; then clamp to [0, 50].
        let s = ChannelPipeline.Settings(filters: [
            .calibrateLinear(raw1: 0.2, true1: 0, raw2: 39.6, true2: 40),
            .multiply(2), .offset(1), .clamp(0, 50),
        ])
        let out = run(s, [0.2, 39.6, 20, 100]).map { $0!.value! }
        #expect(abs(out[0] - 1) < 1e-9)
        #expect(abs(out[1] - 50) < 1e-9)  // 81 clamped
        #expect(abs(out[2] - (1 + 2 * (20 - 0.2) * 40 / 39.4)) < 1e-9)
        #expect(out[3] == 50)
        let poly = run(.init(filters: [.polynomial([1, -2, 0.5])]), [4])  // 1 − 2·4 + 0.5·16
        #expect(poly[0]?.value == 1.0)
    }

    @Test func deltaDropsSmallChanges() {
        let out = run(.init(filters: [.delta(0.5)]), [10, 10.2, 10.4, 10.6, 10.7, 11.2])
        #expect(out.map { $0?.value } == [10, nil, nil, 10.6, nil, 11.2])
    }

    @Test func throttlePassesOnePerPeriod() {
        let out = run(.init(filters: [.throttle(.seconds(3))]), [1, 2, 3, 4, 5, 6, 7])
        #expect(out.map { $0?.value } == [1, nil, nil, 4, nil, nil, 7])
    }

    @Test func heartbeatBoundsTheSilenceOfDroppingFilters() {
        let out = run(.init(filters: [.delta(100), .heartbeat(.seconds(4))]), [1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(out.map { $0?.value } == [1, nil, nil, nil, 1, nil, nil, nil, 1])
    }

    @Test func badSamplesBypassFiltersAndDoNotFeedThem() {
        var p = ChannelPipeline(.init(filters: [.movingAverage(2), .delta(1000)]))
        #expect(p.process(sample(10, at: 0))?.value == 10)
        let bad = p.process(sample(nil, at: 1, quality: .bad, reason: .nack))
        #expect(bad?.quality == .bad && bad?.reason == .nack)  // published although delta would drop
        #expect(p.process(sample(20, at: 2)) == nil)  // 15 differs from 10 by less than 1000
        // Without delta: the window holds only the good values, (10 + 20) / 2.
        var q = ChannelPipeline(.init(filters: [.movingAverage(2)]))
        _ = q.process(sample(10, at: 0))
        _ = q.process(sample(nil, at: 1, quality: .bad, reason: .nack))
        #expect(q.process(sample(20, at: 2))?.value == 15)
    }

    @Test func gateRunsBeforeFilters() {
        let out = run(.init(quality: .init(maximum: 50), filters: [.movingAverage(2)]), [10, 99, 20])
        #expect(out.map { $0?.value } == [10, nil, 15])
        #expect(out[1]?.reason == .outOfRange)
    }

    @Test func staleOnceAfterSilence() {
        var p = ChannelPipeline(.init(staleAfter: .seconds(30)))
        _ = p.process(sample(1, at: 0))
        let t = { (s: Double) in MonotonicInstant(nanoseconds: 1_000_000_000_000 + Int64(s * 1e9)) }
        let wall = WallTime(nanosecondsSinceEpoch: 0)
        #expect(p.checkStale(at: t(29), wall: wall) == nil)
        let stale = p.checkStale(at: t(31), wall: wall)
        #expect(stale?.quality == .bad && stale?.reason == .stale && stale?.value == nil)
        #expect(p.checkStale(at: t(60), wall: wall) == nil)  // reported once
        _ = p.process(sample(2, at: 61))
        #expect(p.checkStale(at: t(95), wall: wall)?.reason == .stale)
    }
}
