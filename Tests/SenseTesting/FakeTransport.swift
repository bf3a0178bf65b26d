import SenseCore
import SenseMQTT

/// A hand-written stand-in for the MQTT client: it records what the outbox hands over, is
/// connected or not as the test says, and acknowledges when the test says (through the outbox's
/// link, as libmosquitto's network thread would).
package final class FakeTransport: MessageTransport {
    package struct Handed: Sendable, Hashable {
        package var message: MQTTMessage
        package var mid: Int32
        /// The `seq` field of the JSON payload, if any.
        package var seq: UInt64? { SeqField.of(String(decoding: message.payload, as: UTF8.self)) }
    }

    private struct State {
        var connected = false
        var nextMid: Int32 = 0
        var handed: [Handed] = []
        var unacked: [Int32] = []
        var refuseTopics: Set<String> = []
    }

    private let state = Locked(State())
    private let observer: any DeliveryObserver

    package init(observer: any DeliveryObserver) { self.observer = observer }

    package var isConnected: Bool { state.withLock { $0.connected } }

    package func publish(tracked message: MQTTMessage) -> (outcome: PublishOutcome, mid: Int32) {
        state.withLock { s in
            guard s.connected else { return (.notConnected, 0) }
            if s.refuseTopics.contains(message.topic) {
                return (.failed(.library(operation: "mosquitto_publish", code: 25, message: "payload too large")), 0)
            }
            s.nextMid = s.nextMid == 65535 ? 1 : s.nextMid + 1
            s.handed.append(Handed(message: message, mid: s.nextMid))
            s.unacked.append(s.nextMid)
            return (.sent, s.nextMid)
        }
    }

    /// Connects or disconnects, telling the outbox as the client would.
    package func setConnected(_ up: Bool) {
        state.withLock { $0.connected = up }
        observer.connectionChanged(up: up)
    }

    /// Messages on `topic` are refused by the "library" (as an oversize message would be).
    package func refuse(topic: String) { state.withLock { _ = $0.refuseTopics.insert(topic) } }

    /// Acknowledges up to `count` of the oldest unacknowledged messages; returns how many.
    @discardableResult
    package func acknowledge(_ count: Int = .max) -> Int {
        let mids = state.withLock { s -> [Int32] in
            let n = min(count, s.unacked.count)
            defer { s.unacked.removeFirst(n) }
            return Array(s.unacked.prefix(n))
        }
        for mid in mids { observer.acknowledged(mid: mid) }
        return mids.count
    }

    /// Forgets the unacknowledged ones, as libmosquitto forgets unsent QoS 0 packets on a disconnect.
    package func loseUnacknowledged() { state.withLock { $0.unacked = [] } }

    package var handed: [Handed] { state.withLock { $0.handed } }
    package var unacknowledged: Int { state.withLock { $0.unacked.count } }
}
