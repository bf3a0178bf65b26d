import SenseCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The per-node message counter `seq`, which must never repeat, even across restarts and power
/// loss. Writing it on every message would wear an SD card, so the store reserves blocks: it
/// durably records "next start = n + block" before handing out n…n+block−1. A crash skips at
/// most one block (a gap a subscriber sees as such), and never repeats a number.
public final class SequenceStore: Sendable {
    public static let block: UInt64 = 1000
    /// The largest start a `seq` file may hold: a block must fit below `SequenceNumber.largest`.
    public static let largestStart = SequenceNumber.largest - block

    public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
        case unusable(path: String, operation: String, errno: Int32)
        case corrupt(path: String)

        public var description: String {
            switch self {
            case let .unusable(path, op, e): "\(path): cannot \(op): \(Errno.describe(e))"
            case let .corrupt(path): "\(path): not a sequence number file (it must hold one number from 1 to \(SequenceStore.largestStart)); "
                + "delete it to start a new sequence"
            }
        }
    }

    public let path: String
    /// False when the previous run did not reach a clean stop (a crash, a kill, a power cut):
    /// its `running` marker was still there.
    public let previousRunEndedCleanly: Bool
    private let markerPath: String
    private let state: Mutex<(next: UInt64, reservedUntil: UInt64)>

    /// Opens (or creates) `<directory>/seq`, reserving the first block.
    public init(directory: String) throws(StoreError) {
        path = directory + "/seq"
        if mkdir(directory, 0o750) != 0, errno != EEXIST {
            throw .unusable(path: directory, operation: "create directory", errno: errno)
        }
        var start: UInt64 = 1
        if let f = fopen(path, "r") {
            var buf = [CChar](repeating: 0, count: 32)
            let line = fgets(&buf, 32, f)
            fclose(f)
            let text = line == nil ? "" : String(decoding: buf.prefix { $0 != 0 && $0 != 10 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            // 0 would hand out seq 0 (and `current` would underflow); beyond 2^53-1 JSON readers lose digits.
            guard let v = UInt64(text), v >= 1, v <= Self.largestStart else { throw .corrupt(path: path) }
            start = v
        } else if errno != ENOENT {
            throw .unusable(path: path, operation: "read", errno: errno)
        }
        state = Mutex((start, start))
        markerPath = directory + "/running"
        previousRunEndedCleanly = access(markerPath, F_OK) != 0
        try state.withLock { s throws(StoreError) in try reserve(&s) }
        let marker = open(markerPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        guard marker >= 0 else { throw .unusable(path: markerPath, operation: "create", errno: errno) }
        Glibc.close(marker)
    }

    /// The next number; persists a new reservation when a block is used up. If that write fails
    /// (disk full, card read-only) numbering goes on in memory — a message is worth more than a
    /// perfect counter — and the error is returned so it can be logged and shown on health.
    public func next() -> (value: UInt64, persistError: StoreError?) {
        state.withLock { s in
            var failure: StoreError?
            if s.next >= s.reservedUntil {
                do throws(StoreError) {
                    try reserve(&s)
                } catch {
                    failure = error
                    s.reservedUntil = s.next + Self.block
                }
            }
            defer { s.next += 1 }
            return (s.next, failure)
        }
    }

    /// Moves numbering above `n` if it is not already (messages numbered up to `n` wait in the
    /// outbox while this counter's file was lost or restored from an old backup); returns whether
    /// it moved.
    public func ensureAbove(_ n: UInt64) throws(StoreError) -> Bool {
        try state.withLock { s throws(StoreError) -> Bool in
            guard s.next <= n else { return false }
            s.next = n + 1
            try reserve(&s)
            return true
        }
    }

    /// The last number handed out (0 if none).
    public var current: UInt64 { state.withLock { $0.next - 1 } }

    /// On a clean stop: records the exact next number, so a clean restart leaves no gap (only a
    /// crash skips the rest of its block).
    public func close() throws(StoreError) {
        try state.withLock { s throws(StoreError) in try persist(s.next) }
        guard unlink(markerPath) == 0 || errno == ENOENT else { throw .unusable(path: markerPath, operation: "remove", errno: errno) }
    }

    private func reserve(_ s: inout (next: UInt64, reservedUntil: UInt64)) throws(StoreError) {
        let until = s.next + Self.block
        try persist(until)
        s.reservedUntil = until
    }

    private func persist(_ until: UInt64) throws(StoreError) {
        do throws(DurableFile.Failure) {
            try DurableFile.replace(path, with: "\(until)\n")
        } catch {
            throw .unusable(path: error.path, operation: error.operation, errno: error.errno)
        }
    }

}
