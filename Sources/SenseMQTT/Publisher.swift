import Logging
import Synchronization

/// Hands messages to the client in order, and holds them in a bounded in-memory queue while the
/// broker is away (oldest dropped first beyond the limit, counted). libmosquitto's own queue is
/// never fed while disconnected, so it stays bounded. (Durable, on-disk buffering: docs/roadmap.md.)
public final class Publisher: Sendable {
    public struct Counters: Sendable, Hashable {
        public var sent = 0
        public var queued = 0
        public var dropped = 0
        public var failed = 0
    }

    private struct State {
        var queue: [MQTTMessage] = []
        var head = 0
        var counters = Counters()
        var count: Int { queue.count - head }
    }

    private let client: MQTTClient
    private let limit: Int
    private let logger: Logger
    private let state = Mutex(State())

    public init(client: MQTTClient, limit: Int, logger: Logger) {
        precondition(limit > 0)
        self.client = client
        self.limit = limit
        self.logger = logger
    }

    public var counters: Counters { state.withLock { s in var c = s.counters; c.queued = s.count; return c } }

    public func send(_ message: MQTTMessage) {
        state.withLock { s in
            if s.count == 0, client.isConnected, deliver(message, &s) { return }
            enqueue(message, &s)
        }
    }

    /// Sends what was queued, oldest first, while the connection lasts. Call on `.connected`.
    public func flush() {
        state.withLock { s in
            let before = s.count
            while s.count > 0, client.isConnected {
                let m = s.queue[s.head]
                guard deliver(m, &s) else { break }
                s.head += 1
            }
            if s.head > 1024, s.head * 2 > s.queue.count {
                s.queue.removeFirst(s.head)
                s.head = 0
            }
            if before > 0 { logger.info("MQTT: sent \(before - s.count) queued messages, \(s.count) still queued") }
        }
    }

    /// true when the message is on its way (or held by libmosquitto for QoS 1).
    private func deliver(_ m: MQTTMessage, _ s: inout State) -> Bool {
        switch client.publish(m) {
        case .sent, .heldByLibrary:
            s.counters.sent += 1
            return true
        case .notConnected:
            return false
        case let .failed(error):
            // A message the library rejects (e.g. oversize) would fail forever: count and drop it.
            s.counters.failed += 1
            logger.error("MQTT publish to \(m.topic) failed: \(error)")
            return true
        }
    }

    private func enqueue(_ m: MQTTMessage, _ s: inout State) {
        if s.count >= limit {
            s.head += 1
            s.counters.dropped += 1
            if s.counters.dropped == 1 || s.counters.dropped % 1000 == 0 {
                logger.warning("MQTT queue full (\(limit) messages): dropping oldest; \(s.counters.dropped) dropped so far")
            }
        }
        if s.head > 1024, s.head * 2 > s.queue.count {
            s.queue.removeFirst(s.head)
            s.head = 0
        }
        s.queue.append(m)
    }
}
