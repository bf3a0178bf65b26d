/// A message from a subscription, as far as it is trusted: its payload is copied only up to
/// the MQTT client's copy limit (a larger one arrives empty, with its length), and `retained`
/// says whether the broker delivered it from its retained store.
package struct IncomingMessage: Sendable, Hashable {
    package var topic: String
    package var payload: [UInt8]
    package var retained: Bool
    /// The payload's length on the wire; larger than `payload.count` when it was not copied.
    package var length: Int

    package init(topic: String, payload: [UInt8], retained: Bool, length: Int? = nil) {
        self.topic = topic
        self.payload = payload
        self.retained = retained
        self.length = length ?? payload.count
    }

    /// Whether the payload was too large to copy.
    package var isOversized: Bool { length > payload.count }
}
