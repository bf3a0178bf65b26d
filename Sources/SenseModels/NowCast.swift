/// The EPA NowCast (physics reference §A2): a real-time stand-in for the 24-h (PM) or 8-h (ozone)
/// average, weighting recent hours more when concentrations change fast.
package enum NowCast {
    package enum Kind: Sendable, Hashable {
        /// PM2.5 or PM10: 12 hours, weight floor 0.5, truncated to 0.1 µg/m³.
        case particulate
        /// Ozone (AirNow, since 2016): 8 hours, no weight floor, truncated to 1 ppb.
        case ozone

        package var hours: Int { self == .particulate ? 12 : 8 }
        var weightFloor: Double { self == .particulate ? 0.5 : 0 }
        var step: Double { self == .particulate ? 0.1 : 1 }
    }

    package struct Result: Sendable, Hashable {
        package var weight: Double
        package var unrounded: Double
        /// Truncated as the AQI table wants it.
        package var value: Double
    }

    /// `hourly[0]` is the most recent complete hour (c1), `hourly[1]` the one before, …; nil
    /// for an hour without a valid average. Extra hours beyond the window are ignored. Nil when
    /// fewer than 2 of the 3 most recent hours are valid (no NowCast then).
    package static func compute(_ kind: Kind, hourly: [Double?]) -> Result? {
        let window = Array(hourly.prefix(kind.hours))
        guard window.prefix(3).compactMap({ $0 }).count >= 2 else { return nil }
        let valid = window.compactMap { $0 }
        guard let cMin = valid.min(), let cMax = valid.max() else { return nil }
        let w = cMax > 0 ? min(1, max(cMin / cMax, kind.weightFloor)) : 1
        var numerator = 0.0
        var denominator = 0.0
        var factor = 1.0  // w^(i-1)
        for c in window {
            if let c {
                numerator += factor * c
                denominator += factor
            }
            factor *= w
        }
        let unrounded = numerator / denominator
        return Result(weight: w, unrounded: unrounded, value: AirQualityIndex.truncate(unrounded, step: kind.step))
    }
}
