import SenseCore
import SenseModels

/// One vehicle past a lane's detectors: what can be known without knowing who it was.
package struct Vehicle: Sendable, Hashable {
    /// When its front reached the counting detector.
    package var arrival: MonotonicInstant
    /// How long it occupied the counting detector.
    package var onTime: Duration
    /// When its rear left the counting detector.
    package var departure: MonotonicInstant
    /// Spot speed over the trap, m/s (mean of the leading- and trailing-edge speeds); nil when
    /// only one detector saw it or the lane has one detector.
    package var speed: Double?
    package var leadingSpeed: Double?
    package var trailingSpeed: Double?
    /// Whether the two speeds agree within the lane's tolerance (a steady passage).
    package var steady: Bool
    /// Metres; nil without a steady speed or when implausible (it stopped on a zone).
    package var length: Double?
    package var vehicleClass: String
    package var pce: Double
    /// Front-to-front time since the previous vehicle in the lane.
    package var headway: Duration?
    /// Rear-to-front time since the previous vehicle left the counting detector.
    package var gap: Duration?

    /// A vehicle from the outcome of a trap, classified; headway and gap are the lane's to fill.
    package init(matched a: DetectorPulse, _ b: DetectorPulse, geometry: TrapGeometry, classes: VehicleClasses) {
        arrival = a.on
        onTime = a.onTime
        departure = a.off
        let lead = geometry.spacing / (b.on - a.on).seconds
        let trail = geometry.spacing / (b.off - a.off).seconds
        leadingSpeed = lead
        trailingSpeed = trail
        let v = (lead + trail) / 2
        speed = v
        steady = abs(lead - trail) / max(lead, trail) <= geometry.consistency
        let meanOnTime = (a.onTime.seconds + b.onTime.seconds) / 2  // both detectors saw the whole vehicle
        // A vehicle that stopped on a zone has a long on-time at a moving speed: no length then.
        let l = Traffic.vehicleLength(speed: v, onTime: meanOnTime, detectorLength: geometry.detectorLength)
        length = steady && l >= geometry.minLength && l <= geometry.maxLength ? l : nil
        let bin = classes.bin(length: length)
        vehicleClass = bin?.name ?? VehicleClasses.unclassified
        pce = bin?.pce ?? 1
    }

    /// A vehicle one detector saw: counted, with its occupancy, without speed or length.
    package init(single a: DetectorPulse) {
        arrival = a.on
        onTime = a.onTime
        departure = a.off
        steady = false
        vehicleClass = VehicleClasses.unclassified
        pce = 1
    }
}
