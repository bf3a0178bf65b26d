/// One value of one channel at one moment, as it leaves a driver and travels the pipeline.
/// A `bad` sample has no value: a fault is never turned into a plausible number.
public struct Sample: Sendable, Hashable {
    /// The sensor's configured name, e.g. `outdoor`.
    public var sensor: String
    /// The quantity, e.g. `temperature`.
    public var quantity: String
    public var value: Double?
    public var unit: Unit
    public var quality: Quality
    public var reason: QualityReason?
    public var monotonic: MonotonicInstant
    public var wall: WallTime
    /// Text that belongs with the value (an AQI's category, colour and responsible pollutant);
    /// nil for plain readings.
    public var attributes: [String: String]?

    public init(
        sensor: String, quantity: String, value: Double?, unit: Unit, quality: Quality,
        reason: QualityReason? = nil, monotonic: MonotonicInstant, wall: WallTime
    ) {
        precondition(quality != .bad || value == nil, "a bad sample carries no value")
        self.sensor = sensor
        self.quantity = quantity
        self.value = value
        self.unit = unit
        self.quality = quality
        self.reason = reason
        self.monotonic = monotonic
        self.wall = wall
    }
}
