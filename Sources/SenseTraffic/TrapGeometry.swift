/// How a lane's detectors are laid out and what a plausible vehicle is, in metres and m/s.
public struct TrapGeometry: Sendable, Hashable {
    /// Leading edge to leading edge of the two detectors (0 for a single-detector lane).
    public var spacing: Double
    /// The detection zone's effective length along the lane (the loop plus its field's reach).
    public var detectorLength: Double
    /// Slower vehicles are not matched across the trap (a stop between the detectors longer than
    /// spacing ÷ this); they are still counted.
    public var minSpeed: Double
    public var maxSpeed: Double
    /// Plausible vehicle lengths; a pair implying another length is not the same vehicle.
    public var minLength: Double
    public var maxLength: Double
    /// Leading- and trailing-edge speeds further apart than this fraction mark the vehicle as
    /// changing speed over the trap (its speed is `uncertain` and its length not computed).
    public var consistency: Double

    public init(spacing: Double, detectorLength: Double, minSpeed: Double = 1 / 3.6, maxSpeed: Double = 250 / 3.6,
                minLength: Double = 1.2, maxLength: Double = 30, consistency: Double = 0.1) {
        self.spacing = spacing
        self.detectorLength = detectorLength
        self.minSpeed = minSpeed
        self.maxSpeed = maxSpeed
        self.minLength = minLength
        self.maxLength = maxLength
        self.consistency = consistency
    }

    public var isTrap: Bool { spacing > 0 }

    /// The longest a front can take from one detector to the other.
    public var maxTravel: Duration { .nanoseconds(Int64(spacing / minSpeed * 1e9)) }
    public var minTravel: Duration { .nanoseconds(Int64(spacing / maxSpeed * 1e9)) }
    /// Free space between the zones: a vehicle no longer than this can be on neither at once.
    public var gap: Double { spacing - detectorLength }
}
