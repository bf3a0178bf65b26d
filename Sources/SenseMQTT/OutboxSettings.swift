/// Bounds and pace of the outbox (`mqtt.outbox` in the config; docs/outbox.md).
public struct OutboxSettings: Sendable, Hashable {
    /// Messages kept at most (on disk and pending); beyond, the oldest of the lowest class go first.
    public var maxMessages = 1_000_000
    /// Topic and payload bytes kept at most.
    public var maxBytes = 256 * 1024 * 1024
    /// Older messages are discarded (counted as expired).
    public var maxAge: Duration = .seconds(7 * 86_400)
    /// How often pending messages are committed to disk: what a power cut can lose at most.
    public var flushInterval: Duration = .seconds(1)
    /// Messages handed to the MQTT client and not yet acknowledged, at most. It bounds
    /// libmosquitto's own queue, which would otherwise grow without limit while disconnected.
    public var window = 1000
    /// Messages held in memory at most while the disk cannot be written.
    public var memoryLimit = 10_000

    public init() {}
}

/// What the outbox has done and holds, for `<root>/health`.
public struct OutboxCounters: Sendable, Hashable {
    /// Messages waiting or in flight, by class (health is not counted: only its newest is kept).
    public var depth: [MessageClass: Int] = [:]
    /// Their topic and payload bytes.
    public var bytes = 0
    /// Creation time of the oldest waiting message, milliseconds since the epoch.
    public var oldestMs: Int64?
    public var inFlight = 0
    public var enqueued = 0
    /// Handed to the client (a message handed again after a restart counts again).
    public var sent = 0
    /// Acknowledged by the broker (PUBACK), or written to the socket for QoS 0.
    public var acked = 0
    /// Discarded to respect `max_messages` / `max_size` (or the memory limit), by class.
    public var dropped: [MessageClass: Int] = [:]
    /// Discarded for being older than `max_age`.
    public var expired = 0
    /// Refused by the client library (e.g. larger than the broker accepts): never retried.
    public var failed = 0
    /// Messages committed to disk, and those acknowledged before their flush, never written.
    public var written = 0
    public var elided = 0
    public var connects = 0
    public var connected = false
    /// Whether messages go to disk (false: `mqtt.outbox.enabled: false`, or the disk failed).
    public var durable = false
    /// Why the disk is not used (then messages wait in memory, bounded by `memoryLimit`).
    public var storageError: String?

    public var totalDepth: Int { depth.values.reduce(0, +) }
    public var totalDropped: Int { dropped.values.reduce(0, +) }

    public init() {}
}
