import SenseCore
import SenseModels

/// The aggregates of one lane or one direction over one interval (§C1, §C2). Speeds in km/h,
/// densities in veh/km (per lane for a lane, all lanes for a direction), occupancy as a fraction.
/// A `bad` summary carries no measures: a stuck detector's 100 % occupancy is not a jam.
package struct TrafficSummary: Sendable, Hashable {
    package enum Scope: String, Sendable, Hashable {
        case lane
        case direction
    }

    package var station: String
    package var group: String
    package var scope: Scope
    package var period: Duration
    package var start: MonotonicInstant
    package var end: MonotonicInstant
    package var lanes: Int

    package var count: Int?
    package var flow: Double?
    package var occupancy: Double?
    package var speedMean: Double?
    package var speedSpaceMean: Double?
    package var speedP85: Double?
    package var speedSamples: Int = 0
    package var density: Double?
    package var densityFromOccupancy: Double?
    /// Passenger cars per mile per lane, HCM's unit for LOS.
    package var densityPcPerMileLane: Double?
    package var los: LevelOfService?
    package var congested = false
    package var classes: [String: Int] = [:]
    package var headwayMean: Double?
    package var unmatchedUpstream = 0
    package var unmatchedDownstream = 0
    /// Which detector counted (the downstream one when the upstream one is faulty).
    package var countedBy: DetectorRole = .upstream
    package var quality: Quality = .good
    /// `detector:fault` (e.g. `upstream:stuck_on`) or `lane:fault`, sorted.
    package var faults: [String] = []

    package var seconds: Double { (end - start).seconds }

    /// Count, flow, speeds, classes and headways of `vehicles`; occupancy from `onTime`.
    /// `effectiveLength` (m) is used for the occupancy density when the interval has fewer than
    /// three steady vehicles to measure it from.
    mutating func measure(vehicles: [Vehicle], onTime: Duration, effectiveLength: Double, lanes: Int) {
        let t = seconds
        guard t > 0 else { return }
        count = vehicles.count
        flow = Traffic.flow(count: vehicles.count, seconds: t)
        occupancy = Traffic.occupancy(onTime: onTime.seconds, seconds: t) / Double(lanes)
        let speeds = vehicles.compactMap(\.speed).map { $0 * 3.6 }
        speedSamples = speeds.count
        speedMean = Traffic.timeMeanSpeed(speeds)
        speedSpaceMean = Traffic.spaceMeanSpeed(speeds)
        speedP85 = Traffic.percentile(85, of: speeds)
        // Effective lengths measured from vehicles with a plausible length (vehicle + zone).
        let measured = vehicles.compactMap { v in v.length.map { _ in v.speed! * v.onTime.seconds } }
        let lEff = measured.count >= 3 ? measured.reduce(0, +) / Double(measured.count) : effectiveLength
        densityFromOccupancy = Traffic.density(occupancy: occupancy!, effectiveLength: lEff) * Double(lanes)
        // q/v holds when vehicles pass at steady speeds; in stop-and-go the spot speeds are those
        // of vehicles that moved, and vehicles standing on the loops are missing from q: then
        // the occupancy says more.
        let steady = vehicles.filter(\.steady).count
        if let v = speedSpaceMean, v > 0, let flow, speeds.count >= 3 || speeds.count == vehicles.count, steady * 5 >= speeds.count * 4 {
            density = Traffic.density(flow: flow, speedKmh: v)
        } else {
            density = densityFromOccupancy
        }
        let pce = vehicles.isEmpty ? 1 : vehicles.map(\.pce).reduce(0, +) / Double(vehicles.count)
        let pc = Traffic.passengerCarsPerMile(vehiclesPerKilometre: density! / Double(lanes), pce: pce)
        densityPcPerMileLane = pc
        los = LevelOfService(freewayDensity: pc)
        classes = Dictionary(vehicles.map { ($0.vehicleClass, 1) }, uniquingKeysWith: +)
        let headways = vehicles.compactMap(\.headway).map(\.seconds)
        headwayMean = headways.isEmpty ? nil : headways.reduce(0, +) / Double(headways.count)
    }

    /// Withholds every measure (the data cannot be trusted at all).
    mutating func withhold() {
        count = nil
        flow = nil
        occupancy = nil
        speedMean = nil
        speedSpaceMean = nil
        speedP85 = nil
        speedSamples = 0
        density = nil
        densityFromOccupancy = nil
        densityPcPerMileLane = nil
        los = nil
        classes = [:]
        headwayMean = nil
        quality = .bad
    }
}
