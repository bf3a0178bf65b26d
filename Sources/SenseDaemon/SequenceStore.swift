import Logging
import SenseCore
import SenseOS

#if canImport(Glibc)
    import Glibc
#endif

/// The per-node message counter `seq`, which must never repeat, even across restarts and power
/// loss. Writing it on every message would wear an SD card, so the store reserves ranges: the
/// file says "the next run starts at r", and numbers below r are handed out. A crash skips the
/// rest of the range (a gap a subscriber sees as such) and never repeats a number.
///
/// `next()` is on the reflex path and never waits for the disk: the next reservation is written
/// by the `StateFileWriter` while half of the current one is still unused. The range doubles
/// (up to `largestReservation`) whenever a write lands with less than a quarter left, so the card
/// would have to stall for as long as numbering half a range takes before numbering outruns what
/// is on disk; then numbering goes on in memory, says so on health, and a crash in that time
/// could repeat numbers (docs/mqtt.md, "seq").
package final class SequenceStore: Sendable, StateWriteObserver {
    /// The first reservation's size, and the smallest.
    package static let block: UInt64 = 1000
    /// The largest reservation: a crash skips at most this many numbers.
    package static let largestReservation: UInt64 = 1_048_576
    /// The largest start a `seq` file may hold: a block must fit below `SequenceNumber.largest`.
    package static let largestStart = SequenceNumber.largest - block

    package enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
        case unusable(path: String, operation: String, errno: Int32)
        case corrupt(path: String)

        package var description: String {
            switch self {
            case let .unusable(path, op, e): "\(path): cannot \(op): \(Errno.describe(e))"
            case let .corrupt(path):
                "\(path): not a sequence number file (it must hold one number from 1 to \(SequenceStore.largestStart)); "
                    + "delete it to start a new sequence"
            }
        }
    }

    struct Counter {
        var next: UInt64
        /// Numbers below this are reserved on disk.
        var durable: UInt64
        /// A reservation being written.
        var requested: UInt64?
        var size = SequenceStore.block
        /// After a failed write, the next attempt waits until numbering reaches this.
        var retryAt: UInt64 = 0
        var failure: StoreError?
        /// The highest number handed out beyond `durable` since that was last reported.
        var outranTo: UInt64?
        var outrunNow: Bool { next > durable }
    }

    package let path: String
    /// False when the previous run did not reach a clean stop (a crash, a kill, a power cut):
    /// its `running` marker was still there.
    package let previousRunEndedCleanly: Bool
    private let markerPath: String
    private let writer: StateFileWriter
    private let logger: Logger
    private let state: Locked<Counter>

    /// Opens (or creates) `<directory>/seq`, reserving the first range before it returns.
    package init(directory: String, writer: StateFileWriter, logger: Logger) throws(StoreError) {
        path = directory + "/seq"
        self.writer = writer
        self.logger = logger
        if mkdir(directory, 0o750) != 0, errno != EEXIST {
            throw .unusable(path: directory, operation: "create directory", errno: errno)
        }
        let text: String?
        do throws(DurableFile.Failure) {
            text = try DurableFile.read(path)
        } catch  where error.errno == EFBIG {
            throw .corrupt(path: path)
        } catch {
            throw .unusable(path: error.path, operation: error.operation, errno: error.errno)
        }
        var start: UInt64 = 1
        if let text {
            // 0 would hand out seq 0 (and `current` would underflow); beyond 2^53-1 JSON readers lose digits.
            guard let v = UInt64(text.prefix { $0 != "\n" }), v >= 1, v <= Self.largestStart else { throw .corrupt(path: path) }
            start = v
        }
        state = Locked(Counter(next: start, durable: start))
        markerPath = directory + "/running"
        previousRunEndedCleanly = access(markerPath, F_OK) != 0
        try state.withLock { s throws(StoreError) in try persist(&s, until: start + Self.block) }
        let marker = open(markerPath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o640)
        guard marker >= 0 else { throw .unusable(path: markerPath, operation: "create", errno: errno) }
        Glibc.close(marker)
    }

    /// The next number. Never waits for the disk.
    package func next() -> UInt64 {
        let (n, request) = state.withLock { s -> (UInt64, UInt64?) in
            let n = s.next
            s.next += 1
            if n >= s.durable { s.outranTo = n }
            let left = s.durable > s.next ? s.durable - s.next : 0
            guard s.requested == nil, left <= s.size / 2, s.next >= s.retryAt else { return (n, nil) }
            let until = min(s.next + s.size, SequenceNumber.largest)
            s.requested = until
            return (n, until)
        }
        if let request { writer.submit(path, "\(request)\n", observer: self) }
        return n
    }

    package func stateWritten(_ path: String, text: String, failure: DurableFile.Failure?) {
        enum Report { case failed(StoreError), outran(UInt64, durable: UInt64), recovered }
        let (again, reports) = state.withLock { s -> (UInt64?, [Report]) in
            guard let until = s.requested else { return (nil, []) }
            s.requested = nil
            if let failure {
                let error = StoreError.unusable(path: failure.path, operation: failure.operation, errno: failure.errno)
                let first = s.failure == nil
                s.failure = error
                s.retryAt = s.next + s.size
                return (nil, first ? [.failed(error)] : [])
            }
            var reports: [Report] = []
            if s.failure != nil { reports.append(.recovered) }
            s.failure = nil
            if let n = s.outranTo {
                reports.append(.outran(n, durable: s.durable))
                s.outranTo = nil
            }
            s.durable = max(s.durable, until)
            let left = s.durable > s.next ? s.durable - s.next : 0
            if left < s.size / 4 { s.size = min(s.size * 2, Self.largestReservation) }
            guard left <= s.size / 2 else { return (nil, reports) }
            let next = min(s.next + s.size, SequenceNumber.largest)
            s.requested = next
            return (next, reports)
        }
        for report in reports {
            switch report {
            case let .failed(error): logger.error("seq: \(error); numbering continues in memory, and a crash now could repeat numbers")
            case .recovered: logger.notice("seq: \(self.path) is written again")
            case let .outran(n, durable):
                logger.warning(
                    "seq: numbering reached \(n) while the disk held a reservation up to \(durable) (a slow or failing write); a crash then could have repeated numbers; reserving \(state.withLock { $0.size }) at a time now"
                )
            }
        }
        if let again { writer.submit(self.path, "\(again)\n", observer: self) }
    }

    /// What health shows: the reservation cannot be written, or numbering is ahead of it.
    package var problem: String? {
        state.withLock { s in
            if let f = s.failure { return "\(f); numbering continues in memory" }
            if s.outrunNow { return "numbering is ahead of its reservation on disk (\(s.durable)): the disk is slow" }
            return nil
        }
    }

    /// Moves numbering above `n` if it is not already (messages numbered up to `n` wait in the
    /// outbox while this counter's file was lost or restored from an old backup); returns whether
    /// it moved. At start-up, before numbering: it writes before it returns.
    package func ensureAbove(_ n: UInt64) throws(StoreError) -> Bool {
        writer.settle()
        return try state.withLock { s throws(StoreError) -> Bool in
            guard s.next <= n else { return false }
            s.next = n + 1
            try persist(&s, until: s.next + s.size)
            return true
        }
    }

    /// The last number handed out (0 if none).
    package var current: UInt64 { state.withLock { $0.next - 1 } }

    /// Waits until the reservations asked for are written (a test).
    package func settle() { writer.settle() }

    /// On a clean stop: records the exact next number, so a clean restart leaves no gap (only a
    /// crash skips the rest of its range).
    package func close() throws(StoreError) {
        writer.settle()
        try state.withLock { s throws(StoreError) in try persist(&s, until: s.next) }
        guard unlink(markerPath) == 0 || errno == ENOENT else { throw .unusable(path: markerPath, operation: "remove", errno: errno) }
    }

    /// Writes `until` now, on the caller's thread: only at start and stop, never while numbering.
    private func persist(_ s: inout Counter, until: UInt64) throws(StoreError) {
        do throws(DurableFile.Failure) {
            try writer.files.replace(path, with: "\(until)\n")
        } catch {
            throw .unusable(path: error.path, operation: error.operation, errno: error.errno)
        }
        s.durable = until
    }
}
