/// One value of one channel at one moment, as it leaves a driver and travels the pipeline.
/// A `bad` sample has no value: a fault is never turned into a plausible number.
package struct Sample: Sendable, Hashable {
    /// The sensor's configured name, e.g. `outdoor`.
    package var sensor: String
    /// The quantity, e.g. `temperature`.
    package var quantity: String
    package var value: Double?
    package var unit: Unit
    package var quality: Quality
    package var reason: QualityReason?
    package var monotonic: MonotonicInstant
    package var wall: WallTime
    /// Text that belongs with the value (an AQI's category, colour and responsible pollutant);
    /// nil for plain readings.
    package var attributes: [String: String]?

    package init(sensor: String, quantity: String, value: Double?, unit: Unit, quality: Quality,
                reason: QualityReason? = nil, monotonic: MonotonicInstant, wall: WallTime) {
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
