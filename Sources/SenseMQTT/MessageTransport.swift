/// What the outbox hands messages to: the MQTT client, or a fake in tests.
package protocol MessageTransport: AnyObject, Sendable {
    var isConnected: Bool { get }
    /// Hands one message over and returns its outcome and message id; the id comes back through
    /// `DeliveryObserver.acknowledged` when the broker has it (QoS 1) or it was written (QoS 0).
    func publish(tracked message: MQTTMessage) -> (outcome: PublishOutcome, mid: Int32)
}

/// Told by the transport, synchronously on its network thread, of acknowledgements and of the
/// connection coming and going.
package protocol DeliveryObserver: AnyObject, Sendable {
    func acknowledged(mid: Int32)
    func connectionChanged(up: Bool)
}
