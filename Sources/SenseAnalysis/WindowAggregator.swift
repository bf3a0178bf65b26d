import SenseCore
import SenseModels

/// Aggregates of one channel over time windows. Tumbling windows are aligned to civil time
/// (an hourly window runs from :00 to :00, as air-quality reporting expects); a sliding window
/// reports every `every` over the last `length`. Only usable samples count: `bad` ones are
/// left out (and lower completeness).
package struct WindowAggregator: Sendable {
    /// The `sensor` of samples made from aggregates (`quantity` is `<window>.<function>`), so
    /// alarms can watch them: an alarm on a window's `rate` is a rate-of-rise limit.
    package static let sensorName = "aggregate"

    package enum Function: String, Sendable, Hashable, CaseIterable {
        case mean, min, max, sum, count, last
        /// Change per hour between the first and last sample of the window.
        case rate
        /// Least-squares change per hour over every sample of the window: a rate of rise that one
        /// noisy sample (a wave, a gust on an ultrasonic sensor) barely moves.
        case slope
    }

    package struct Settings: Sendable, Hashable {
        package var length: Duration
        /// nil: tumbling; else sliding, reporting this often.
        package var every: Duration?
        package var functions: [Function]
        /// Samples a full window should hold (length / interval); completeness = usable / expected.
        package var expected: Int
        /// Below this completeness the aggregate is `uncertain`.
        package var minimumCompleteness: Double

        package init(
            length: Duration, every: Duration? = nil, functions: [Function], expected: Int,
            minimumCompleteness: Double = 0.75
        ) {
            precondition(length > .zero && expected > 0, "a window has a length and expects samples")
            self.length = length
            self.every = every
            self.functions = functions
            self.expected = expected
            self.minimumCompleteness = minimumCompleteness
        }
    }

    /// One closed window.
    package struct Result: Sendable, Hashable {
        package var from: WallTime
        package var to: WallTime
        package var values: [Function: Double]
        package var completeness: Double
        package var quality: Quality
        package var reason: QualityReason?
        package var unit: Unit
    }

    /// The aggregates of a closed window as samples, one per function, stamped at the window's end.
    package static func samples(
        window name: String, _ r: Result, functions: [Function],
        at monotonic: MonotonicInstant
    ) -> [Sample] {
        functions.map { f in
            let v = r.values[f]
            let quality: Quality = v == nil ? .bad : r.quality
            return Sample(
                sensor: sensorName, quantity: "\(name).\(f.rawValue)", value: quality == .bad ? nil : v,
                unit: f == .count ? .count : (f == .rate || f == .slope) && r.unit == .metre ? .metrePerHour : r.unit,
                quality: quality,
                reason: v == nil ? (r.reason ?? .noData) : r.reason, monotonic: monotonic, wall: r.to)
        }
    }

    package let settings: Settings
    private var samples: [(wall: WallTime, value: Double)] = []
    private var windowEnd: WallTime?
    private var unit: Unit = .none

    package init(_ settings: Settings) { self.settings = settings }

    private var step: Int64 { (settings.every ?? settings.length).nanoseconds }

    /// The end of the reporting period that contains `t`, aligned to the epoch.
    private func periodEnd(after t: WallTime) -> WallTime {
        let n = t.nanosecondsSinceEpoch
        let floor = n >= 0 ? n / step * step : ((n + 1) / step - 1) * step
        return WallTime(nanosecondsSinceEpoch: floor + step)
    }

    /// Adds a sample; returns the windows it closed (at most one per period passed).
    package mutating func add(_ s: Sample) -> [Result] {
        let closed = close(upTo: s.wall)
        if windowEnd == nil { windowEnd = periodEnd(after: s.wall) }
        unit = s.unit
        if let v = s.value, s.quality != .bad { samples.append((s.wall, v)) }
        return closed
    }

    /// Closes every window whose end has passed by `now` (call on a timer so that a silent
    /// channel still reports its empty or partial windows).
    package mutating func close(upTo now: WallTime) -> [Result] {
        var out: [Result] = []
        while let end = windowEnd, now >= end {
            out.append(result(endingAt: end))
            let next = WallTime(nanosecondsSinceEpoch: end.nanosecondsSinceEpoch + step)
            let keepFrom = WallTime(nanosecondsSinceEpoch: next.nanosecondsSinceEpoch - settings.length.nanoseconds)
            samples.removeAll { $0.wall < keepFrom }
            // After a long silence: one empty window has been reported; resume at the current period.
            windowEnd = now >= next && samples.isEmpty ? periodEnd(after: now) : next
        }
        return out
    }

    private func result(endingAt end: WallTime) -> Result {
        let from = WallTime(nanosecondsSinceEpoch: end.nanosecondsSinceEpoch - settings.length.nanoseconds)
        let inWindow = samples.filter { $0.wall >= from && $0.wall < end }
        let completeness = min(1, Double(inWindow.count) / Double(settings.expected))
        guard let first = inWindow.first, let last = inWindow.last else {
            return Result(from: from, to: end, values: [:], completeness: 0, quality: .bad, reason: .noData, unit: unit)
        }
        var values: [Function: Double] = [:]
        let vs = inWindow.map(\.value)
        for f in settings.functions {
            switch f {
            case .mean: values[f] = vs.reduce(0, +) / Double(vs.count)
            case .min: values[f] = vs.min()
            case .max: values[f] = vs.max()
            case .sum: values[f] = vs.reduce(0, +)
            case .count: values[f] = Double(vs.count)
            case .last: values[f] = last.value
            case .rate:
                let dt = Double(last.wall.nanosecondsSinceEpoch - first.wall.nanosecondsSinceEpoch) / 3.6e12
                if dt > 0 { values[f] = (last.value - first.value) / dt }
            case .slope:
                let t0 = first.wall.nanosecondsSinceEpoch
                values[f] = FloodLogic.riseByLeastSquares(inWindow.map { (Double($0.wall.nanosecondsSinceEpoch - t0) / 3.6e12, $0.value) })
            }
        }
        let complete = completeness >= settings.minimumCompleteness
        return Result(
            from: from, to: end, values: values, completeness: completeness,
            quality: complete ? .good : .uncertain, reason: complete ? nil : .incomplete, unit: unit)
    }
}
