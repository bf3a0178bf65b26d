import SenseCore

/// One channel of one fetch, before it is named and timestamped as a `Sample`.
package struct ChannelReading: Sendable, Hashable {
    package var quantity: String
    package var value: Double?
    package var unit: Unit
    package var quality: Quality
    package var reason: QualityReason?

    package init(quantity: String, value: Double?, unit: Unit, quality: Quality, reason: QualityReason?) {
        self.quantity = quantity
        self.value = value
        self.unit = unit
        self.quality = quality
        self.reason = reason
    }

    package static func good(_ quantity: String, _ value: Double, _ unit: Unit) -> Self {
        Self(quantity: quantity, value: value, unit: unit, quality: .good, reason: nil)
    }

    package static func bad(_ quantity: String, _ unit: Unit, _ reason: QualityReason) -> Self {
        Self(quantity: quantity, value: nil, unit: unit, quality: .bad, reason: reason)
    }
}

/// A polled sensor: `initialize` once (and again after a fault), then one `fetch` per interval,
/// which performs the bus transactions of one measurement and returns every channel.
package protocol PolledSensorDriver: Sendable {
    /// The quantities every fetch returns, with their units.
    var channels: [(quantity: String, unit: Unit)] { get }
    mutating func initialize() async throws(SensorFault)
    mutating func fetch() async throws(SensorFault) -> [ChannelReading]
}
