import SenseCore
import SenseMQTT

#if canImport(Glibc)
    import Glibc
#endif

/// The outbox file as a previous run (or a power cut, a full card, another program) left it →
/// opened as the gateway opens it at start, its backlog read in replay order, one message added.
/// A damaged or foreign file is moved aside or refused with a reason; rows that cannot be real
/// are removed with a reason; the rest is kept.
enum OutboxFuzzing {
    static func run(_ bytes: [UInt8]) {
        let dir = FuzzTargets.scratch + "/outbox"
        _ = mkdir(dir, 0o700)
        let path = dir + "/outbox.db"
        for suffix in ["", "-wal", "-shm", "-journal"] { unlink(path + suffix) }
        StateFileFuzzing.write(path, bytes)
        // The outbox as the daemon opens it (moving a damaged file aside), then closed again.
        do throws(OutboxError) {
            let outbox = try Outbox(path: path, settings: OutboxSettings(), clock: SystemClock(), logger: FuzzTargets.quiet)
            precondition(outbox.highestStoredSeq <= SequenceNumber.largest, "a stored seq beyond 2^53-1 was kept")
            outbox.close()
        } catch {
            _ = error.description
        }
        // The storage as the replay reads it, on whatever file is there now.
        do throws(OutboxStorageError) {
            let store = try SQLiteOutboxStorage(path: path)
            let inventory = try store.inventory()
            for kind in MessageClass.durable {
                var after: UInt64 = 0
                var rounds = 0
                while rounds < 64 {
                    let batch = try store.load(kind, after: after, limit: 64)
                    guard let last = batch.last else { break }
                    for m in batch {
                        precondition(m.seq > after && m.seq <= SequenceNumber.largest && (0...2).contains(m.qos), "an impossible row was loaded")
                    }
                    after = last.seq
                    rounds += 1
                }
                _ = inventory[kind]
            }
            let next = (inventory.values.map(\.highestSeq).max() ?? 0) + 1
            try store.commit(
                append: [OutboxMessage(seq: next, kind: .data, topic: "t", payload: [1], qos: 1, retain: false, createdMs: 0)],
                delete: [])
        } catch {
            _ = error.description
        }
    }
}
