import Dispatch
import Logging
import SenseCore
import SenseOS
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The durable outbox between the pipeline and the MQTT client (docs/outbox.md).
///
/// Every message is queued in its class's lane, FIFO by `seq`. While the broker is up and a lane
/// has no backlog, a message is handed to the client at once (the fast path); its copy waits in
/// memory until the next flush, which writes it to disk only if the broker has not acknowledged it
/// by then, so a healthy link costs the SD card nothing. While the broker is away, messages are
/// committed every `flushInterval` and replayed from disk in order, state before replies before
/// data, within a bounded window of unacknowledged messages. `send` never touches the disk: all
/// I/O runs on the outbox's own thread.
package final class Outbox: Sendable {
    struct Entry {
        var message: OutboxMessage
        var acked = false
    }

    struct Flight {
        var kind: MessageClass
        var seq: UInt64
        var qos: Int
        var size: Int
    }

    struct Deletion {
        var kind: MessageClass
        var seq: UInt64
        var size: Int
    }

    /// One durable class's queue.
    struct Lane {
        /// Not yet on disk, in `seq` order; those with `seq > cursor` are not handed over yet.
        var pending: [Entry] = []
        /// The highest `seq` handed to the client; hand-over is in `seq` order.
        var cursor: UInt64 = 0
        /// A hint: more than zero while the disk may hold messages with `seq > cursor`.
        var storedUnhanded = 0
        var storedCount = 0
        var storedBytes = 0
        var storedOldestMs: Int64?
        /// Read from disk, not yet handed over (window full).
        var prefetched: [OutboxMessage] = []
        var prefetchHead = 0

        var hasPrefetched: Bool { prefetchHead < prefetched.count }
        var hasUnhandedPending: Bool { pending.last.map { $0.message.seq > cursor } ?? false }
        var hasBacklog: Bool { storedUnhanded > 0 || hasPrefetched || hasUnhandedPending }

        mutating func clearPrefetched() {
            prefetched = []
            prefetchHead = 0
        }

        /// The index of the pending entry with `seq`, if it is still pending.
        func pendingIndex(_ seq: UInt64) -> Int? {
            var lo = 0, hi = pending.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if pending[mid].message.seq < seq { lo = mid + 1 } else { hi = mid }
            }
            return lo < pending.count && pending[lo].message.seq == seq ? lo : nil
        }
    }

    struct State {
        var lanes = [Lane](repeating: Lane(), count: MessageClass.durable.count)
        var health: OutboxMessage?
        var transport: (any MessageTransport)?
        var generation = 0
        var inFlight: [Int32: Flight] = [:]
        /// QoS 1/2 messages from before a reconnect that libmosquitto sends again by itself, but
        /// only after the connect callback has returned: nothing new is handed over until they
        /// are acknowledged, else a new message can overtake them (libmosquitto 2.0's
        /// handle__connack calls on_connect before message__retry_check).
        var resending: Set<Int32> = []
        var deletes: [Deletion] = []
        var counters = OutboxCounters()
        var storageFailing = false
        var flushSoon = false
        var flushBeforePump = false
        var closing = false

        var isConnected: Bool { transport?.isConnected ?? false }
        var needsPump: Bool { health != nil || lanes.contains { $0.hasBacklog } }
        var pendingCount: Int { lanes.reduce(0) { $0 + $1.pending.count } }
    }

    /// Pending messages beyond which a flush does not wait for its interval.
    static let flushThreshold = 10_000
    /// Messages read from disk at a time during a replay.
    static let replayBatch = 512

    let settings: OutboxSettings
    let clock: any SenseClock
    let logger: Logger
    let state = Locked(State())
    let wake = DispatchSemaphore(value: 0)
    private let wakePending = Atomic<Bool>(false)
    let storage: StorageBox
    private let worker = Locked<OSThread?>(nil)
    private let highestStored = Atomic<UInt64>(0)
    /// The highest `seq` a previous run left on disk: numbering must continue above it.
    package var highestStoredSeq: UInt64 { highestStored.load(ordering: .acquiring) }

    /// Opens the outbox at `path` (SQLite), or in memory when `path` is nil. A file that cannot be
    /// opened does not stop the gateway: messages then wait in memory and health says why; a
    /// damaged file is moved aside (`<path>.damaged-<seconds>`) and a new one started.
    package convenience init(path: String?, settings: OutboxSettings, clock: any SenseClock, logger: Logger) throws(OutboxError) {
        let opened = Self.openStorage(path, clock: clock, logger: logger)
        try self.init(storage: opened.store, openError: opened.error, settings: settings, clock: clock, logger: logger)
    }

    /// An outbox on a given storage (a test's failing disk), or in memory when it is nil.
    package init(
        storage: (any OutboxStorage)?, openError: String? = nil, settings: OutboxSettings, clock: any SenseClock,
        logger: Logger
    ) throws(OutboxError) {
        self.settings = settings
        self.clock = clock
        self.logger = logger
        self.storage = StorageBox((storage, openError))
        state.withLock { s in
            if let error = self.storage.openError {
                s.storageFailing = true
                s.counters.storageError = error
            }
        }
        if let store = self.storage.store { highestStored.store(loadInventory(from: store), ordering: .releasing) }
        // Its own thread, so the blocking disk I/O never pins one of the (two, on a Raspberry
        // Pi-class board, often one) cooperative threads.
        let thread: OSThread
        do throws(OSThread.StartError) {
            thread = try OSThread(name: "outbox") { [self] in runWorker() }
        } catch {
            throw .noThread(errno: error.errno)
        }
        worker.withLock { $0 = thread }
    }

    private static func openStorage(_ path: String?, clock: any SenseClock, logger: Logger) -> (store: (any OutboxStorage)?, error: String?) {
        guard let path else { return (nil, nil) }
        do {
            let store = try SQLiteOutboxStorage(path: path)
            if store.removedAtOpen > 0 {
                logger.error(
                    """
                    outbox: \(path): removed \(store.removedAtOpen) stored row(s) no sensegate writes (seq beyond 1…\(SequenceNumber.largest), \
                    QoS beyond 0–2 or an impossible time); the rest is kept and delivered
                    """)
            }
            return (store, nil)
        } catch  where SQLiteOutboxStorage.isDamaged(error) {
            let aside = "\(path).damaged-\(clock.wallNow.nanosecondsSinceEpoch / 1_000_000_000)"
            logger.error("outbox: \(error); moving it to \(aside) and starting a new one")
            rename(path, aside)
            rename(path + "-wal", aside + "-wal")  // its last commits stay with it
            unlink(path + "-shm")
            do {
                let store = try SQLiteOutboxStorage(path: path)
                let (copied, stopped) = store.salvage(from: aside)
                if copied > 0 || stopped != nil {
                    logger.notice(
                        "outbox: \(copied) message(s) salvaged from \(aside)\(stopped.map { "; reading stopped at \($0)" } ?? ""); the file is kept")
                }
                return (store, nil)
            } catch {
                logger.error("outbox: \(error); messages wait in memory only (at most the memory limit)")
                return (nil, error.description)
            }
        } catch {
            logger.error("outbox: \(error); messages wait in memory only (at most the memory limit)")
            return (nil, error.description)
        }
    }

    /// What a previous run left: all of it is backlog, replayed from the start. Returns the
    /// highest `seq` found.
    private func loadInventory(from store: any OutboxStorage) -> UInt64 {
        do throws(OutboxStorageError) {
            let inventory = try store.inventory()
            state.withLock { s in
                for kind in MessageClass.durable {
                    guard let i = inventory[kind], i.count > 0 else { continue }
                    s.lanes[kind.rawValue].storedCount = i.count
                    s.lanes[kind.rawValue].storedBytes = i.bytes
                    s.lanes[kind.rawValue].storedUnhanded = i.count
                    s.lanes[kind.rawValue].storedOldestMs = i.oldestMs
                }
            }
            let total = inventory.values.reduce(0) { $0 + $1.count }
            if total > 0 { logger.notice("outbox: \(total) message(s) from before the restart will be delivered") }
            return inventory.values.map(\.highestSeq).max() ?? 0
        } catch {
            logger.error("outbox: \(error); the stored backlog cannot be read")
            state.withLock { s in
                s.storageFailing = true
                s.counters.storageError = error.description
            }
            return 0
        }
    }

    // MARK: the pipeline's side

    /// Queues a message; never waits for the disk or the network.
    package func send(_ m: OutboxMessage) {
        let signal = state.withLock { s -> Bool in
            s.counters.enqueued += 1
            if m.kind == .health {
                if s.health == nil, room(for: .health, s), hand(m, &s) { return false }
                s.health = m  // only the newest health report is worth sending
                return s.isConnected
            }
            let k = m.kind.rawValue
            let direct = !s.lanes[k].hasBacklog
            s.lanes[k].pending.append(Entry(message: m))
            if direct, room(for: m.kind, s), hand(m, &s) {
                // handed over; the copy waits for the flush or the acknowledgement
            }
            if s.storageFailing { enforceMemoryLimit(&s) }
            if s.pendingCount >= Self.flushThreshold {
                s.flushSoon = true
                return true
            }
            return s.isConnected && s.lanes[k].hasBacklog
        }
        if signal { poke() }
    }

    /// The replay's bookkeeping, for a test that finds delivery stuck.
    package var replayState: String {
        state.withLock { s in
            let lanes = MessageClass.durable.map { k -> String in
                let l = s.lanes[k.rawValue]
                return
                    "\(k.name): cursor \(l.cursor) stored \(l.storedCount) unhanded \(l.storedUnhanded) prefetched \(l.prefetchHead)/\(l.prefetched.count) pending \(l.pending.count)"
            }
            return
                "connected \(s.isConnected) inFlight \(s.inFlight.count) resending \(s.resending.count) deletes \(s.deletes.count) failing \(s.storageFailing); "
                + lanes.joined(separator: "; ")
        }
    }

    package var counters: OutboxCounters {
        state.withLock { s in
            var c = s.counters
            var oldest: Int64?
            c.bytes = 0
            for kind in MessageClass.durable {
                let lane = s.lanes[kind.rawValue]
                let waiting = lane.pending.filter { !$0.acked }
                c.depth[kind] = lane.storedCount + waiting.count
                c.bytes += lane.storedBytes + waiting.reduce(0) { $0 + $1.message.size }
                for candidate in [lane.storedCount > 0 ? lane.storedOldestMs : nil, waiting.first?.message.createdMs] {
                    if let t = candidate { oldest = min(oldest ?? t, t) }
                }
            }
            c.oldestMs = oldest
            c.inFlight = s.inFlight.count
            c.connected = s.isConnected
            c.durable = storage.store != nil && !s.storageFailing
            return c
        }
    }

    // MARK: the client's side

    /// A link for a new client: acknowledgements and connection changes come through it. The
    /// previous client's in-flight messages are handed over again to the new one.
    package func link() -> OutboxLink {
        let generation = state.withLock { s -> Int in
            rewindAll(&s)
            s.generation += 1
            s.transport = nil
            return s.generation
        }
        return OutboxLink(outbox: self, generation: generation)
    }

    func attach(_ transport: any MessageTransport, generation: Int) {
        state.withLock { s in
            guard s.generation == generation else { return }
            s.transport = transport
        }
        poke()
    }

    /// The client is going away: what it holds unacknowledged will be handed to the next one.
    package func detach() {
        state.withLock { s in
            rewindAll(&s)
            s.generation += 1
            s.transport = nil
        }
    }

    func acknowledged(mid: Int32, generation: Int) {
        let signal = state.withLock { s -> Bool in
            guard s.generation == generation, let f = s.inFlight.removeValue(forKey: mid) else {
                logger.trace("outbox: acknowledgement of unknown mid \(mid)")
                return false
            }
            logger.trace("outbox: mid \(mid) acknowledged: seq \(f.seq)")
            s.counters.acked += 1
            if f.kind != .health { markDone(f.kind, f.seq, f.size, &s) }
            s.resending.remove(mid)
            return s.needsPump
        }
        if signal { poke() }
    }

    func connectionChanged(up: Bool, generation: Int) {
        state.withLock { s in
            guard s.generation == generation else { return }
            if up {
                s.counters.connects += 1
                s.resending = Set(s.inFlight.keys)
            } else {
                s.resending = []
                // libmosquitto discards unsent QoS 0 packets on a disconnect (QoS 1 it resends):
                // those lanes are handed over again from the oldest lost message.
                let lost = Set(s.inFlight.values.filter { $0.qos == 0 && $0.kind != .health }.map(\.kind))
                for kind in lost { rewind(kind, &s) }
                s.inFlight = s.inFlight.filter { $0.value.qos > 0 }
            }
        }
        if up { poke() }
    }

    /// Commits what is pending and stops the outbox's thread (the last step of a clean stop).
    package func close() {
        state.withLock { $0.closing = true }
        poke()
        let thread = worker.withLock { t -> OSThread? in
            defer { t = nil }
            return t
        }
        thread?.join()
        // What the disk refused and the broker never acknowledged lives only in this process:
        // said once, with the count, so that a stop with neither card nor link is not silent.
        let unsaved = state.withLock { $0.pendingCount }
        if unsaved > 0 {
            logger.error(
                "outbox: \(unsaved) message(s) neither acknowledged by the broker nor on disk (the disk refused writes) are lost with this stop")
        }
    }

    func poke() {
        if !wakePending.exchange(true, ordering: .acquiringAndReleasing) { wake.signal() }
    }

    func clearPoke() { wakePending.store(false, ordering: .releasing) }

    // MARK: with the lock held

    /// Room in the window: data keeps a tenth of it free, so a live alarm or ack is never queued
    /// behind a replay of readings.
    func room(for kind: MessageClass, _ s: State) -> Bool {
        guard s.isConnected, s.resending.isEmpty else { return false }
        let limit = kind == .data ? settings.window - max(1, settings.window / 10) : settings.window
        return s.inFlight.count < limit
    }

    /// Hands one message to the client; false when it could not take it (not connected).
    func hand(_ m: OutboxMessage, _ s: inout State) -> Bool {
        guard let t = s.transport, t.isConnected else { return false }
        let (outcome, mid) = t.publish(tracked: m.mqtt)
        switch outcome {
        case .sent, .heldByLibrary:
            logger.trace("outbox: handed seq \(m.seq) as mid \(mid) (\(outcome))")
            s.inFlight[mid] = Flight(kind: m.kind, seq: m.seq, qos: m.qos, size: m.size)
            if m.kind != .health { s.lanes[m.kind.rawValue].cursor = m.seq }
            s.counters.sent += 1
            return true
        case .notConnected:
            return false
        case let .failed(error):
            // A message the library refuses (too large for the broker) would fail forever.
            s.counters.failed += 1
            logger.error("outbox: \(m.topic) (seq \(m.seq)) refused by the MQTT client and discarded: \(error)")
            if m.kind != .health {
                s.lanes[m.kind.rawValue].cursor = m.seq
                markDone(m.kind, m.seq, m.size, &s)
            }
            return true
        }
    }

    /// Acknowledged (or refused for good): a pending copy is never written, a stored one deleted.
    func markDone(_ kind: MessageClass, _ seq: UInt64, _ size: Int, _ s: inout State) {
        if let i = s.lanes[kind.rawValue].pendingIndex(seq) {
            s.lanes[kind.rawValue].pending[i].acked = true
        } else {
            s.deletes.append(Deletion(kind: kind, seq: seq, size: size))
        }
    }

    /// Everything of `kind` the client holds unacknowledged is handed over again, from the oldest.
    func rewind(_ kind: MessageClass, _ s: inout State) {
        let flights = s.inFlight.filter { $0.value.kind == kind }
        guard let oldest = flights.values.map(\.seq).min() else { return }
        for mid in flights.keys { s.inFlight.removeValue(forKey: mid) }
        var lane = s.lanes[kind.rawValue]
        lane.cursor = min(lane.cursor, oldest - 1)
        lane.clearPrefetched()
        if lane.storedCount > 0 { lane.storedUnhanded = max(lane.storedUnhanded, 1) }
        s.lanes[kind.rawValue] = lane
        s.flushBeforePump = true  // acknowledged rows must be deleted before the disk is read again
    }

    func rewindAll(_ s: inout State) {
        for kind in MessageClass.durable { rewind(kind, &s) }
        s.inFlight = [:]
        s.resending = []
    }

    /// With no usable disk, memory holds at most `memoryLimit` messages: the oldest of the lowest
    /// class that is not yet handed over goes first.
    func enforceMemoryLimit(_ s: inout State) {
        var excess = s.lanes.reduce(0) { $0 + $1.pending.filter { !$0.acked }.count } - settings.memoryLimit
        guard excess > 0 else { return }
        for kind in MessageClass.durable.reversed() where excess > 0 {
            var lane = s.lanes[kind.rawValue]
            while excess > 0, let i = lane.pending.firstIndex(where: { !$0.acked && $0.message.seq > lane.cursor }) {
                lane.pending.remove(at: i)
                excess -= 1
                noteDropped(kind, 1, &s)
            }
            s.lanes[kind.rawValue] = lane
        }
    }

    func noteDropped(_ kind: MessageClass, _ n: Int, _ s: inout State) {
        guard n > 0 else { return }
        let before = s.counters.totalDropped
        s.counters.dropped[kind, default: 0] += n
        if before == 0 || before / 1000 != s.counters.totalDropped / 1000 {
            logger.warning("outbox full: dropped \(s.counters.totalDropped) message(s) so far, oldest \(kind.name) messages first")
        }
    }
}

package enum OutboxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The outbox's thread could not be started (pthread_create's error number).
    case noThread(errno: Int32)

    package var description: String {
        switch self {
        case let .noThread(e): "outbox: cannot start its thread: \(Errno.describe(e))"
        }
    }
}

/// The outbox's end of one client: it carries the generation, so a replaced client's late
/// acknowledgements are ignored.
package final class OutboxLink: DeliveryObserver {
    let outbox: Outbox
    let generation: Int

    init(outbox: Outbox, generation: Int) {
        self.outbox = outbox
        self.generation = generation
    }

    /// Starts handing messages to `transport` (the client created with this link as observer).
    package func attach(_ transport: any MessageTransport) { outbox.attach(transport, generation: generation) }

    package func acknowledged(mid: Int32) { outbox.acknowledged(mid: mid, generation: generation) }
    package func connectionChanged(up: Bool) { outbox.connectionChanged(up: up, generation: generation) }
}

/// The storage, touched only by the outbox's thread (and by `init` before that thread starts).
final class StorageBox: @unchecked Sendable {
    let store: (any OutboxStorage)?
    let openError: String?
    init(_ opened: (store: (any OutboxStorage)?, error: String?)) {
        store = opened.store
        openError = opened.error
    }
}
