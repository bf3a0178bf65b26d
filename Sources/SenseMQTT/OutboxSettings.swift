/// Bounds and pace of the outbox (`mqtt.outbox` in the config; docs/outbox.md).
package struct OutboxSettings: Sendable, Hashable {
    /// Messages kept at most (on disk and pending); beyond, the oldest of the lowest class go first.
    package var maxMessages = 1_000_000
    /// Topic and payload bytes kept at most.
    package var maxBytes = 256 * 1024 * 1024
    /// Older messages are discarded (counted as expired).
    package var maxAge: Duration = .seconds(7 * 86_400)
    /// How often pending messages are committed to disk: what a power cut can lose at most.
    package var flushInterval: Duration = .seconds(1)
    /// Messages handed to the MQTT client and not yet acknowledged, at most. It bounds
    /// libmosquitto's own queue, which would otherwise grow without limit while disconnected.
    package var window = 1000
    /// Messages held in memory at most while the disk cannot be written.
    package var memoryLimit = 10_000

    package init() {}
}

/// What the outbox has done and holds, for `<root>/health`.
package struct OutboxCounters: Sendable, Hashable {
    /// Messages waiting or in flight, by class (health is not counted: only its newest is kept).
    package var depth: [MessageClass: Int] = [:]
    /// Their topic and payload bytes.
    package var bytes = 0
    /// Creation time of the oldest waiting message, milliseconds since the epoch.
    package var oldestMs: Int64?
    package var inFlight = 0
    package var enqueued = 0
    /// Handed to the client (a message handed again after a restart counts again).
    package var sent = 0
    /// Acknowledged by the broker (PUBACK), or written to the socket for QoS 0.
    package var acked = 0
    /// Discarded to respect `max_messages` / `max_size` (or the memory limit), by class.
    package var dropped: [MessageClass: Int] = [:]
    /// Discarded for being older than `max_age`.
    package var expired = 0
    /// Refused by the client library (e.g. larger than the broker accepts): never retried.
    package var failed = 0
    /// Messages committed to disk, and those acknowledged before their flush, never written.
    package var written = 0
    package var elided = 0
    package var connects = 0
    package var connected = false
    /// Whether messages go to disk (false: `mqtt.outbox.enabled: false`, or the disk failed).
    package var durable = false
    /// Why the disk is not used (then messages wait in memory, bounded by `memoryLimit`).
    package var storageError: String?

    package var totalDepth: Int { depth.values.reduce(0, +) }
    package var totalDropped: Int { dropped.values.reduce(0, +) }

    package init() {}
}
