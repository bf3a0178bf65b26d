import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// Plausibility checks of one channel (physics reference §D1): reject values outside a physical
/// range and values that change faster than the quantity can; flag a flat-lined sensor. A fault
/// is never turned into a number: rejected samples become `bad` with no value.
package struct QualityGate: Sendable {
    package struct Settings: Sendable, Hashable {
        /// Values below `minimum` or above `maximum` are rejected (`out_of_range`).
        package var minimum: Double?
        package var maximum: Double?
        /// A change faster than this, per second, against the previous reading is rejected
        /// (`implausible_rate`). A genuine step is rejected once, then followed.
        package var maxRatePerSecond: Double?
        /// The last `stuckSamples` values with a standard deviation below `stuckMinStd` mark the
        /// channel `uncertain` (`stuck`): the value may be right, the sensor may be frozen.
        package var stuckSamples: Int?
        package var stuckMinStd: Double

        package init(
            minimum: Double? = nil, maximum: Double? = nil, maxRatePerSecond: Double? = nil,
            stuckSamples: Int? = nil, stuckMinStd: Double = 0
        ) {
            self.minimum = minimum
            self.maximum = maximum
            self.maxRatePerSecond = maxRatePerSecond
            self.stuckSamples = stuckSamples
            self.stuckMinStd = stuckMinStd
        }

        package var isEmpty: Bool { minimum == nil && maximum == nil && maxRatePerSecond == nil && stuckSamples == nil }
    }

    package let settings: Settings
    private var previous: (value: Double, time: MonotonicInstant)?
    private var recent: [Double] = []

    package init(_ settings: Settings) { self.settings = settings }

    package mutating func apply(_ sample: Sample) -> Sample {
        guard let v = sample.value, sample.quality != .bad else { return sample }
        var s = sample
        if let lo = settings.minimum, v < lo { return Self.reject(s, .outOfRange) }
        if let hi = settings.maximum, v > hi { return Self.reject(s, .outOfRange) }
        defer { previous = (v, sample.monotonic) }
        if let limit = settings.maxRatePerSecond, let p = previous {
            let dt = (sample.monotonic - p.time).seconds
            if dt > 0, abs(v - p.value) / dt > limit { return Self.reject(s, .implausibleRate) }
        }
        if let n = settings.stuckSamples {
            recent.append(v)
            if recent.count > n { recent.removeFirst(recent.count - n) }
            if recent.count == n, Self.standardDeviation(recent) < settings.stuckMinStd, s.quality == .good {
                s.quality = .uncertain
                s.reason = .stuck
            }
        }
        return s
    }

    static func reject(_ s: Sample, _ reason: QualityReason) -> Sample {
        Sample(
            sensor: s.sensor, quantity: s.quantity, value: nil, unit: s.unit, quality: .bad, reason: reason,
            monotonic: s.monotonic, wall: s.wall)
    }

    /// Population standard deviation.
    package static func standardDeviation(_ xs: [Double]) -> Double {
        guard !xs.isEmpty else { return 0 }
        let mean = xs.reduce(0, +) / Double(xs.count)
        return sqrt(xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count))
    }
}
