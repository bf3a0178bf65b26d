/// Traffic from point detectors (physics reference §C1, §C3): speed traps, lengths, flow,
/// occupancy, density and the relations between them. Speeds in m/s unless named `…Kmh`.
package enum Traffic {
    package static let metresPerMile = 1609.344

    /// Speed over a trap: leading-edge spacing over the time between the two detectors' edges.
    package static func trapSpeed(spacing: Double, seconds: Double) -> Double { spacing / seconds }

    /// A vehicle's length from the time it occupied a detector: speed × on-time is the vehicle
    /// plus the detection zone (its effective length), so the zone comes off.
    package static func vehicleLength(speed: Double, onTime: Double, detectorLength: Double) -> Double {
        speed * onTime - detectorLength
    }

    /// Vehicles per hour from a count over `seconds`.
    package static func flow(count: Int, seconds: Double) -> Double { 3600 * Double(count) / seconds }

    /// The fraction of the time a detector was occupied.
    package static func occupancy(onTime: Double, seconds: Double) -> Double { onTime / seconds }

    /// Density (veh/km) from the fundamental identity q = k·v, with the space-mean speed in km/h.
    package static func density(flow: Double, speedKmh: Double) -> Double { flow / speedKmh }

    /// Density (veh/km) from one detector's occupancy and a mean effective length (vehicle plus
    /// zone, m): the "g-factor" method.
    package static func density(occupancy: Double, effectiveLength: Double) -> Double { 1000 * occupancy / effectiveLength }

    /// Speed (km/h) a single loop implies from flow and occupancy with an assumed mean effective
    /// length; biased whenever the fleet's mix of lengths changes.
    package static func singleLoopSpeed(flow: Double, occupancy: Double, effectiveLength: Double) -> Double {
        flow * effectiveLength / (1000 * occupancy)
    }

    /// Veh/km/lane to passenger cars per mile per lane (HCM's unit), with a passenger-car
    /// equivalent for the mix (1 for cars only).
    package static func passengerCarsPerMile(vehiclesPerKilometre k: Double, pce: Double = 1) -> Double {
        k * pce * metresPerMile / 1000
    }

    /// The time-mean speed: the plain mean of spot speeds.
    package static func timeMeanSpeed(_ speeds: [Double]) -> Double? {
        speeds.isEmpty ? nil : speeds.reduce(0, +) / Double(speeds.count)
    }

    /// The space-mean speed: the harmonic mean of spot speeds (Wardrop), the one that satisfies
    /// q = k·v; always at most the time-mean speed.
    package static func spaceMeanSpeed(_ speeds: [Double]) -> Double? {
        guard !speeds.isEmpty, speeds.allSatisfy({ $0 > 0 }) else { return nil }
        return Double(speeds.count) / speeds.reduce(0) { $0 + 1 / $1 }
    }

    /// A percentile (0…100) by linear interpolation between order statistics (the "inclusive"
    /// definition, as spreadsheets' PERCENTILE.INC), e.g. the 85th-percentile speed.
    package static func percentile(_ p: Double, of values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let s = values.sorted()
        let h = (Double(s.count) - 1) * min(max(p, 0), 100) / 100
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, s.count - 1)
        return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
    }

    /// How a timing error δ on the trap's time difference turns into a speed error (§C3).
    package struct TimingError: Sendable, Hashable {
        /// The time the trap measures, s.
        package var interval: Double
        /// δ/Δt: the relative speed error, as a fraction.
        package var relative: Double
        /// The speed read (km/h) minus the true one when Δt reads δ short.
        package var speedErrorKmhIfShort: Double
    }

    package static func timingError(spacing: Double, speedKmh: Double, error: Double) -> TimingError {
        let v = speedKmh / 3.6
        let dt = spacing / v
        return TimingError(interval: dt, relative: error / dt, speedErrorKmhIfShort: (spacing / (dt - error) - v) * 3.6)
    }
}

/// Greenshields' linear speed–density model (1935): a teaching model, with capacity at half the
/// jam density.
package struct Greenshields: Sendable, Hashable {
    /// Free-flow speed, km/h.
    package var freeFlowSpeed: Double
    /// Jam density, veh/km.
    package var jamDensity: Double

    package init(freeFlowSpeed: Double, jamDensity: Double) {
        self.freeFlowSpeed = freeFlowSpeed
        self.jamDensity = jamDensity
    }

    package func speed(density k: Double) -> Double { freeFlowSpeed * (1 - k / jamDensity) }
    package func flow(density k: Double) -> Double { freeFlowSpeed * k * (1 - k / jamDensity) }
    package var criticalDensity: Double { jamDensity / 2 }
    package var criticalSpeed: Double { freeFlowSpeed / 2 }
    package var capacity: Double { freeFlowSpeed * jamDensity / 4 }
}

/// HCM level of service of a basic freeway segment, by density in pc/mi/ln (§C2): A ≤ 11,
/// B ≤ 18, C ≤ 26, D ≤ 35, E ≤ 45, F above (or whenever demand exceeds capacity).
package enum LevelOfService: String, Sendable, Hashable, CaseIterable, Comparable {
    case a = "A", b = "B", c = "C", d = "D", e = "E", f = "F"

    package static let freewayDensityLimits: [(LevelOfService, Double)] = [(.a, 11), (.b, 18), (.c, 26), (.d, 35), (.e, 45)]

    package init(freewayDensity pcPerMilePerLane: Double) {
        self = Self.freewayDensityLimits.first { pcPerMilePerLane <= $0.1 }?.0 ?? .f
    }

    /// 1 for A … 6 for F, for comparisons in rules.
    package var rank: Int { Self.allCases.firstIndex(of: self)! + 1 }

    package static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}
