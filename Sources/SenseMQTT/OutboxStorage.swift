/// Where the outbox keeps messages that are not yet acknowledged. Called from the outbox's own
/// thread only, never from the reflex path.
package protocol OutboxStorage: AnyObject {
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

package struct StoredInventory: Sendable, Hashable {
    package var count: Int
    package var bytes: Int
    /// The highest `seq` stored (0 when empty).
    package var highestSeq: UInt64 = 0
    /// Creation time of the oldest, milliseconds since the epoch (nil when empty).
    package var oldestMs: Int64?

    package init(count: Int = 0, bytes: Int = 0, oldestMs: Int64? = nil) {
        self.count = count
        self.bytes = bytes
        self.oldestMs = oldestMs
    }
}

package enum OutboxStorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// An SQLite call failed: the operation, SQLite's extended result code and its message.
    case sqlite(path: String, operation: String, code: Int32, message: String)

    package var description: String {
        switch self {
        case let .sqlite(path, op, code, message): "\(path): \(op): \(message) (SQLite error \(code))"
        }
    }
}
