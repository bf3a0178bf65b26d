/// Where the outbox keeps messages that are not yet acknowledged. Called from the outbox's own
/// thread only, never from the reflex path.
public protocol OutboxStorage: AnyObject {
    /// How many messages of each class are stored, their bytes and the oldest creation time.
    func inventory() throws(OutboxStorageError) -> [MessageClass: StoredInventory]
    /// The oldest stored messages of `kind` with `seq > after`, in `seq` order.
    func load(_ kind: MessageClass, after: UInt64, limit: Int) throws(OutboxStorageError) -> [OutboxMessage]
    /// Appends and deletes in one durable transaction.
    func commit(append: [OutboxMessage], delete: [(MessageClass, UInt64)]) throws(OutboxStorageError)
    /// Deletes the `count` oldest messages of `kind` with `seq > after`; returns how many and their bytes.
    func dropOldest(_ kind: MessageClass, after: UInt64, count: Int) throws(OutboxStorageError) -> StoredInventory
    /// Deletes the messages of `kind` with `seq > after` created before `cutoffMs` (at least the
    /// oldest of them; the outbox calls again while the oldest is still too old).
    func expire(_ kind: MessageClass, after: UInt64, createdBefore cutoffMs: Int64) throws(OutboxStorageError) -> StoredInventory
}

public struct StoredInventory: Sendable, Hashable {
    public var count: Int
    public var bytes: Int
    /// The highest `seq` stored (0 when empty).
    public var highestSeq: UInt64 = 0
    /// Creation time of the oldest, milliseconds since the epoch (nil when empty).
    public var oldestMs: Int64?

    public init(count: Int = 0, bytes: Int = 0, oldestMs: Int64? = nil) {
        self.count = count
        self.bytes = bytes
        self.oldestMs = oldestMs
    }
}

public enum OutboxStorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An SQLite call failed: the operation, SQLite's extended result code and its message.
    case sqlite(path: String, operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .sqlite(path, op, code, message): "\(path): \(op): \(message) (SQLite error \(code))"
        }
    }
}
