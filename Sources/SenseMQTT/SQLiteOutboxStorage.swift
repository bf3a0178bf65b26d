import CSQLite
import SenseCore

/// The outbox on disk: one SQLite database in WAL mode, one table per durable class, the row id
/// being the message's `seq`. Each commit is one transaction whose WAL frames are checksummed and
/// fsynced (`synchronous=FULL`), so after a crash or a power cut the database holds exactly the
/// commits that completed (docs/outbox.md).
package final class SQLiteOutboxStorage: OutboxStorage {
    package static let schemaVersion: Int32 = 1

    /// SQLite's version, e.g. `3.40.1`.
    package static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    package let path: String
    /// Rows found at open that no sensegate writes (a `seq` outside 1…2^53−1, a QoS other than
    /// 0–2, a creation time before 1970 or after 2255): removed, and counted here for the log.
    package private(set) var removedAtOpen = 0
    private let db: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    /// Opens or creates the database at `path`.
    package init(path: String) throws(OutboxStorageError) {
        self.path = path
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            if let handle { sqlite3_close_v2(handle) }
            throw .sqlite(path: path, operation: "open", code: rc, message: message)
        }
        db = handle
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, 2000)
        do throws(OutboxStorageError) {
            try prepareSchema()
            try verifySchema()
            try checkIntegrity()
            try removeImpossibleRows()
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    private var closed = false

    private func close() {
        guard !closed else { return }
        closed = true
        for s in statements.values { sqlite3_finalize(s) }
        statements = [:]
        sqlite3_close_v2(db)
    }

    /// Whether an error means the file itself is damaged, not a database, or not an outbox this
    /// version reads (then it is moved aside and a new one started, rather than refusing to
    /// buffer at all).
    package static func isDamaged(_ error: OutboxStorageError) -> Bool {
        switch error {
        case let .sqlite(_, _, code, _): (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB
        }
    }

    /// Every table this outbox reads has the columns it reads: a database of another program (or
    /// version) with the same table names is not taken for an outbox.
    private func verifySchema() throws(OutboxStorageError) {
        for kind in MessageClass.durable {
            var s: OpaquePointer?
            let sql = "SELECT seq, created_ms, qos, retain, topic, payload, schema FROM \(kind.name) LIMIT 0"
            let rc = sqlite3_prepare_v2(db, sql, -1, &s, nil)
            sqlite3_finalize(s)
            guard rc == SQLITE_OK else {
                throw .sqlite(
                    path: path, operation: "open", code: SQLITE_NOTADB,
                    message: "not a sensegate outbox: table \(kind.name): \(String(cString: sqlite3_errmsg(db)))")
            }
        }
    }

    /// SQLite reads a damaged b-tree without complaint (rows out of order, a NULL key, text where a
    /// number was: found by fuzzing); its structural check says so at once. One pass over the
    /// file, at open only.
    private func checkIntegrity() throws(OutboxStorageError) {
        let verdict = try scalarText("PRAGMA quick_check(1)")
        guard verdict == "ok" else {
            throw .sqlite(path: path, operation: "open", code: SQLITE_CORRUPT, message: "damaged: \(verdict.prefix(200))")
        }
    }

    /// The condition under which a stored row could not have been written by sensegate.
    static let impossibleRow =
        "seq < 1 OR seq > \(SequenceNumber.largest) OR qos NOT IN (0, 1, 2) "
        + "OR typeof(created_ms) != 'integer' OR created_ms < 0 OR created_ms > 9000000000000"

    /// Removes rows no sensegate writes, so nothing downstream meets a `seq` it cannot number
    /// above or an age it cannot compute; one pass over each table, at open only.
    private func removeImpossibleRows() throws(OutboxStorageError) {
        for kind in MessageClass.durable {
            try exec("DELETE FROM \(kind.name) WHERE \(Self.impossibleRow)")
            removedAtOpen += Int(sqlite3_changes(db))
        }
    }

    /// Copies what can still be read of a damaged outbox file (moved aside at `path`) into this
    /// one: the rows that could be real, until the first unreadable page of each class. Returns
    /// how many were copied, and what stopped the reading, if anything.
    package func salvage(from path: String) -> (copied: Int, stopped: String?) {
        var old: OpaquePointer?
        guard sqlite3_open_v2(path, &old, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let old else {
            let why = old.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let old { sqlite3_close_v2(old) }
            return (0, why)
        }
        defer { sqlite3_close_v2(old) }
        var copied = 0
        var stopped: String?
        for kind in MessageClass.durable {
            var read: OpaquePointer?
            let sql = "SELECT seq, created_ms, qos, retain, topic, payload, schema FROM \(kind.name) WHERE NOT (\(Self.impossibleRow))"
            guard sqlite3_prepare_v2(old, sql, -1, &read, nil) == SQLITE_OK, let read else {
                stopped = stopped ?? "\(kind.name): \(String(cString: sqlite3_errmsg(old)))"
                sqlite3_finalize(read)
                continue
            }
            defer { sqlite3_finalize(read) }
            do throws(OutboxStorageError) {
                try exec("BEGIN")
                let insert = try statement(
                    "INSERT OR IGNORE INTO \(kind.name)(seq, created_ms, qos, retain, topic, payload, schema) "
                        + "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                while true {
                    let rc = sqlite3_step(read)
                    guard rc == SQLITE_ROW else {
                        if rc != SQLITE_DONE { stopped = stopped ?? "\(kind.name): \(String(cString: sqlite3_errmsg(old)))" }
                        break
                    }
                    defer { sqlite3_reset(insert) }
                    for column in Int32(0)...6 { _ = sqlite3_bind_value(insert, column + 1, sqlite3_column_value(read, column)) }
                    if try step(insert, "salvage") == false, sqlite3_changes(db) > 0 { copied += 1 }
                }
                try exec("COMMIT")
            } catch {
                sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
                stopped = stopped ?? error.description
            }
        }
        return (copied, stopped)
    }

    private func prepareSchema() throws(OutboxStorageError) {
        // WAL: a commit appends checksummed frames and never rewrites the database in place;
        // FULL: the WAL is fsynced at each commit, i.e. once per flush interval.
        let mode = try scalarText("PRAGMA journal_mode=WAL")
        guard mode == "wal" else {
            throw .sqlite(
                path: path, operation: "PRAGMA journal_mode", code: SQLITE_ERROR, message: "the file system does not support WAL (mode \(mode))")
        }
        try exec("PRAGMA synchronous=FULL")
        try exec("PRAGMA cache_size=-512")  // 512 KiB of page cache, whatever the backlog (replay reads in key order)
        try exec("PRAGMA journal_size_limit=4194304")  // the WAL file shrinks back to 4 MiB after a checkpoint
        let version = Int32(try scalarInt("PRAGMA user_version"))
        switch version {
        case 0:
            // A database at version 0 is new only if it is empty: anything else is another program's.
            guard try scalarInt("SELECT count(*) FROM sqlite_master") == 0 else {
                throw .sqlite(path: path, operation: "open", code: SQLITE_NOTADB, message: "not a sensegate outbox: it holds other tables")
            }
            try exec("BEGIN")
            for kind in MessageClass.durable {
                try exec(
                    """
                    CREATE TABLE IF NOT EXISTS \(kind.name)(
                      seq INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL, qos INTEGER NOT NULL,
                      retain INTEGER NOT NULL, topic TEXT NOT NULL, payload BLOB NOT NULL, schema TEXT)
                    """)
            }
            try exec("PRAGMA user_version=\(Self.schemaVersion)")
            try exec("COMMIT")
        case Self.schemaVersion:
            break
        default:
            // Moved aside (kept, with its messages) rather than refused: the gateway needs an outbox now.
            throw .sqlite(
                path: path, operation: "open", code: SQLITE_NOTADB,
                message: "schema version \(version) was written by another sensegate version (this one reads \(Self.schemaVersion))")
        }
    }

    package func inventory() throws(OutboxStorageError) -> [MessageClass: StoredInventory] {
        var result: [MessageClass: StoredInventory] = [:]
        for kind in MessageClass.durable {
            let s = try statement(
                "SELECT count(*), coalesce(sum(length(topic) + length(payload)), 0), min(created_ms), coalesce(max(seq), 0) FROM \(kind.name)")
            defer { sqlite3_reset(s) }
            guard try step(s, "inventory") else { continue }
            var i = StoredInventory(
                count: Int(sqlite3_column_int64(s, 0)), bytes: Int(sqlite3_column_int64(s, 1)),
                oldestMs: sqlite3_column_type(s, 2) == SQLITE_NULL ? nil : sqlite3_column_int64(s, 2))
            i.highestSeq = UInt64(bitPattern: sqlite3_column_int64(s, 3))
            result[kind] = i
        }
        return result
    }

    package func load(_ kind: MessageClass, after: UInt64, limit: Int) throws(OutboxStorageError) -> [OutboxMessage] {
        let s = try statement("SELECT seq, created_ms, qos, retain, topic, payload, schema FROM \(kind.name) WHERE seq > ?1 ORDER BY seq LIMIT ?2")
        defer { sqlite3_reset(s) }
        sqlite3_bind_int64(s, 1, Int64(bitPattern: after))
        sqlite3_bind_int64(s, 2, Int64(limit))
        var out: [OutboxMessage] = []
        out.reserveCapacity(limit)
        var last = after
        while try step(s, "load") {
            // Ascending above `after`, always: the replay's cursor relies on it.
            let seq = UInt64(bitPattern: sqlite3_column_int64(s, 0))
            guard seq > last else { continue }
            last = seq
            let topic = sqlite3_column_text(s, 4).map { String(cString: $0) } ?? ""
            let n = Int(sqlite3_column_bytes(s, 5))
            let payload: [UInt8] = n > 0 ? Array(UnsafeRawBufferPointer(start: sqlite3_column_blob(s, 5), count: n)) : []
            out.append(
                OutboxMessage(
                    seq: UInt64(bitPattern: sqlite3_column_int64(s, 0)), kind: kind, topic: topic, payload: payload,
                    qos: Int(sqlite3_column_int(s, 2)), retain: sqlite3_column_int(s, 3) != 0,
                    createdMs: sqlite3_column_int64(s, 1), schema: sqlite3_column_text(s, 6).map { String(cString: $0) }))
        }
        return out
    }

    package func commit(append: [OutboxMessage], delete: [(MessageClass, UInt64)]) throws(OutboxStorageError) {
        guard !append.isEmpty || !delete.isEmpty else { return }
        try exec("BEGIN")
        do throws(OutboxStorageError) {
            for m in append {
                let s = try statement(
                    "INSERT INTO \(m.kind.name)(seq, created_ms, qos, retain, topic, payload, schema) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)")
                defer { sqlite3_reset(s) }
                sqlite3_bind_int64(s, 1, Int64(bitPattern: m.seq))
                sqlite3_bind_int64(s, 2, m.createdMs)
                sqlite3_bind_int(s, 3, Int32(m.qos))
                sqlite3_bind_int(s, 4, m.retain ? 1 : 0)
                _ = csqlite_bind_text_copy(s, 5, m.topic, -1)
                if let schema = m.schema { _ = csqlite_bind_text_copy(s, 7, schema, -1) } else { sqlite3_bind_null(s, 7) }
                m.payload.withUnsafeBytes { p in _ = csqlite_bind_blob_copy(s, 6, p.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, Int32(p.count)) }
                _ = try step(s, "insert")
            }
            for (kind, seq) in delete {
                let s = try statement("DELETE FROM \(kind.name) WHERE seq = ?1")
                defer { sqlite3_reset(s) }
                sqlite3_bind_int64(s, 1, Int64(bitPattern: seq))
                _ = try step(s, "delete")
            }
            try exec("COMMIT")
        } catch {
            sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }

    package func dropOldest(_ kind: MessageClass, after: UInt64, count: Int) throws(OutboxStorageError) -> StoredInventory {
        try deleteReporting(
            kind, where: "seq IN (SELECT seq FROM \(kind.name) WHERE seq > ?1 ORDER BY seq LIMIT ?2)",
            bind: { s in
                sqlite3_bind_int64(s, 1, Int64(bitPattern: after))
                sqlite3_bind_int64(s, 2, Int64(count))
            })
    }

    package func expire(_ kind: MessageClass, after: UInt64, createdBefore cutoffMs: Int64) throws(OutboxStorageError) -> StoredInventory {
        // Creation order follows seq order: look at the oldest 10,000 by key rather than scan all.
        try deleteReporting(
            kind, where: "seq IN (SELECT seq FROM \(kind.name) WHERE seq > ?1 ORDER BY seq LIMIT 10000) AND created_ms < ?2",
            bind: { s in
                sqlite3_bind_int64(s, 1, Int64(bitPattern: after))
                sqlite3_bind_int64(s, 2, cutoffMs)
            })
    }

    /// Counts, then deletes, the rows matching `condition`, in one transaction.
    private func deleteReporting(
        _ kind: MessageClass, where condition: String,
        bind: (OpaquePointer) -> Void
    ) throws(OutboxStorageError) -> StoredInventory {
        try exec("BEGIN")
        do throws(OutboxStorageError) {
            let count = try statement("SELECT count(*), coalesce(sum(length(topic) + length(payload)), 0) FROM \(kind.name) WHERE \(condition)")
            defer { sqlite3_reset(count) }
            bind(count)
            var result = StoredInventory()
            if try step(count, "count") {
                result = StoredInventory(count: Int(sqlite3_column_int64(count, 0)), bytes: Int(sqlite3_column_int64(count, 1)))
            }
            if result.count > 0 {
                let delete = try statement("DELETE FROM \(kind.name) WHERE \(condition)")
                defer { sqlite3_reset(delete) }
                bind(delete)
                _ = try step(delete, "delete")
            }
            try exec("COMMIT")
            return result
        } catch {
            sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }

    // MARK: SQLite plumbing

    private func statement(_ sql: String) throws(OutboxStorageError) -> OpaquePointer {
        if let s = statements[sql] { return s }
        var s: OpaquePointer?
        let rc = sqlite3_prepare_v2(db, sql, -1, &s, nil)
        guard rc == SQLITE_OK, let s else { throw failure("prepare", rc) }
        statements[sql] = s
        return s
    }

    /// true while a row is available, false when done.
    private func step(_ s: OpaquePointer, _ operation: String) throws(OutboxStorageError) -> Bool {
        let rc = sqlite3_step(s)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw failure(operation, rc)
        }
    }

    private func exec(_ sql: String) throws(OutboxStorageError) {
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw failure(String(sql.prefix(40)), rc) }
    }

    private func scalarText(_ sql: String) throws(OutboxStorageError) -> String {
        let s = try statement(sql)
        defer { sqlite3_reset(s) }
        guard try step(s, sql) else { return "" }
        return sqlite3_column_text(s, 0).map { String(cString: $0) } ?? ""
    }

    private func scalarInt(_ sql: String) throws(OutboxStorageError) -> Int64 {
        let s = try statement(sql)
        defer { sqlite3_reset(s) }
        guard try step(s, sql) else { return 0 }
        return sqlite3_column_int64(s, 0)
    }

    private func failure(_ operation: String, _ rc: Int32) -> OutboxStorageError {
        .sqlite(path: path, operation: operation, code: sqlite3_extended_errcode(db), message: String(cString: sqlite3_errmsg(db)))
    }
}
