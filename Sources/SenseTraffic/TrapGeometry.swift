/// How a lane's detectors are laid out and what a plausible vehicle is, in metres and m/s.
package struct TrapGeometry: Sendable, Hashable {
    /// Leading edge to leading edge of the two detectors (0 for a single-detector lane).
    package var spacing: Double
    /// The detection zone's effective length along the lane (the loop plus its field's reach).
    package var detectorLength: Double
    /// Slower vehicles are not matched across the trap (a stop between the detectors longer than
    /// spacing ÷ this); they are still counted.
    package var minSpeed: Double
    package var maxSpeed: Double
    /// Plausible vehicle lengths; a pair implying another length is not the same vehicle.
    package var minLength: Double
    package var maxLength: Double
    /// Leading- and trailing-edge speeds further apart than this fraction mark the vehicle as
    /// changing speed over the trap (its speed is `uncertain` and its length not computed).
    package var consistency: Double

    package init(
        spacing: Double, detectorLength: Double, minSpeed: Double = 1 / 3.6, maxSpeed: Double = 250 / 3.6,
        minLength: Double = 1.2, maxLength: Double = 30, consistency: Double = 0.1
    ) {
        self.spacing = spacing
        self.detectorLength = detectorLength
        self.minSpeed = minSpeed
        self.maxSpeed = maxSpeed
        self.minLength = minLength
        self.maxLength = maxLength
        self.consistency = consistency
    }

    package var isTrap: Bool { spacing > 0 }

    /// The longest a front can take from one detector to the other.
    /// A day when a speed of zero (or an absurd geometry) makes it unbounded: the config allows
    /// 0.5 km/h at the least, so only a geometry built elsewhere reaches it.
    package var maxTravel: Duration { Duration(checkedSeconds: spacing / minSpeed).map { min($0, .seconds(86_400)) } ?? .seconds(86_400) }
    package var minTravel: Duration { Duration(checkedSeconds: spacing / maxSpeed) ?? .zero }
    /// Free space between the zones: a vehicle no longer than this can be on neither at once.
    package var gap: Double { spacing - detectorLength }
}
