/// A message from a subscription, as far as it is trusted: its payload is copied only up to
/// the MQTT client's copy limit (a larger one arrives empty, with its length), and `retained`
/// says whether the broker delivered it from its retained store.
public struct IncomingMessage: Sendable, Hashable {
    public var topic: String
    public var payload: [UInt8]
    public var retained: Bool
    /// The payload's length on the wire; larger than `payload.count` when it was not copied.
    public var length: Int

    public init(topic: String, payload: [UInt8], retained: Bool, length: Int? = nil) {
        self.topic = topic
        self.payload = payload
        self.retained = retained
        self.length = length ?? payload.count
    }

    /// Whether the payload was too large to copy.
    public var isOversized: Bool { length > payload.count }
}
