import Dispatch
import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// The outbox's thread: commits, replays, bounds and expiry, i.e. everything that touches the disk.
extension Outbox {
    func runWorker() {
        let real = SystemClock()
        var nextFlush = real.monotonicNow + settings.flushInterval
        var storageRetry = real.monotonicNow
        while true {
            let wait = max(.zero, nextFlush - real.monotonicNow)
            _ = wake.wait(timeout: .now() + .nanoseconds(Int(wait.nanoseconds)))
            clearPoke()
            let (closing, soon, beforePump) = state.withLock { s in
                defer {
                    s.flushSoon = false
                    s.flushBeforePump = false
                }
                return (s.closing, s.flushSoon, s.flushBeforePump)
            }
            let now = real.monotonicNow
            if closing {
                flush()
                return
            }
            if now >= nextFlush || soon || beforePump {
                let failing = state.withLock { $0.storageFailing }
                if !failing || now >= storageRetry || beforePump {
                    flush()
                    enforceBounds()
                    refreshOldest()
                    expireIfDue()
                    if state.withLock({ $0.storageFailing }) { storageRetry = now + .seconds(10) }
                }
                nextFlush = now + settings.flushInterval
            }
            pump()
        }
    }

    /// Commits the pending messages that are not yet acknowledged and deletes the acknowledged
    /// stored ones, in one transaction. On failure everything stays in memory for the next try.
    func flush() {
        guard let store = storage.store else {
            state.withLock { s in
                for k in s.lanes.indices { s.lanes[k].pending.removeAll { $0.acked } }
            }
            return
        }
        let (batch, deletes) = state.withLock { s -> ([OutboxMessage], [Deletion]) in
            var batch: [OutboxMessage] = []
            for k in s.lanes.indices {
                var lane = s.lanes[k]
                for e in lane.pending {
                    if e.acked {
                        s.counters.elided += 1
                        continue
                    }
                    batch.append(e.message)
                    lane.storedCount += 1
                    lane.storedBytes += e.message.size
                    if e.message.seq > lane.cursor { lane.storedUnhanded += 1 }
                    if lane.storedCount == 1 { lane.storedOldestMs = e.message.createdMs }
                }
                lane.pending = []
                s.lanes[k] = lane
            }
            defer { s.deletes = [] }
            return (batch, s.deletes)
        }
        guard !batch.isEmpty || !deletes.isEmpty else { return }
        do throws(OutboxStorageError) {
            try store.commit(append: batch, delete: deletes.map { ($0.kind, $0.seq) })
            state.withLock { s in
                s.counters.written += batch.count
                for d in deletes {
                    s.lanes[d.kind.rawValue].storedCount -= 1
                    s.lanes[d.kind.rawValue].storedBytes -= d.size
                }
                if s.storageFailing {
                    s.storageFailing = false
                    s.counters.storageError = nil
                    logger.notice("outbox: the disk takes writes again")
                }
            }
        } catch {
            state.withLock { s in restore(batch, deletes, after: error, &s) }
        }
    }

    /// A failed commit: the batch goes back in front of what was queued since, as it was.
    private func restore(_ batch: [OutboxMessage], _ deletes: [Deletion], after error: OutboxStorageError, _ s: inout State) {
        var ackedSince = Set<UInt64>()
        s.deletes.removeAll { d in
            guard batch.contains(where: { $0.seq == d.seq && $0.kind == d.kind }) else { return false }
            ackedSince.insert(d.seq)
            return true
        }
        for k in s.lanes.indices {
            let kind = MessageClass.durable[k]
            var lane = s.lanes[k]
            let mine = batch.filter { $0.kind == kind }
            lane.pending = mine.map { Entry(message: $0, acked: ackedSince.contains($0.seq)) } + lane.pending
            lane.storedCount -= mine.count
            lane.storedBytes -= mine.reduce(0) { $0 + $1.size }
            lane.storedUnhanded = max(0, lane.storedUnhanded - mine.filter { $0.seq > lane.cursor }.count)
            s.lanes[k] = lane
        }
        s.deletes = deletes + s.deletes
        if !s.storageFailing {
            logger.error(
                "outbox: cannot write to disk: \(error); messages wait in memory (at most \(settings.memoryLimit)) and the disk is tried again every 10 s"
            )
        }
        s.storageFailing = true
        s.counters.storageError = error.description
        enforceMemoryLimit(&s)
    }

    /// Hands over what waits, class by class in priority order, while the window has room.
    func pump() {
        for kind in MessageClass.durable {
            while true {
                enum Next { case done, stop, load(after: UInt64) }
                let next = state.withLock { s -> Next in
                    guard s.isConnected else { return .stop }
                    var lane = s.lanes[kind.rawValue]
                    defer { s.lanes[kind.rawValue] = lane }
                    while lane.hasPrefetched {
                        guard room(for: kind, s) else { return .stop }
                        s.lanes[kind.rawValue] = lane
                        guard hand(lane.prefetched[lane.prefetchHead], &s) else { return .stop }
                        lane = s.lanes[kind.rawValue]
                        lane.prefetchHead += 1
                        lane.storedUnhanded = max(0, lane.storedUnhanded - 1)
                    }
                    if lane.storedUnhanded > 0 { return .load(after: lane.cursor) }
                    for i in lane.pending.indices where lane.pending[i].message.seq > lane.cursor {
                        if lane.pending[i].acked {
                            lane.cursor = lane.pending[i].message.seq  // done after a rewind: skip it
                            continue
                        }
                        guard room(for: kind, s) else { return .stop }
                        s.lanes[kind.rawValue] = lane
                        guard hand(lane.pending[i].message, &s) else { return .stop }
                        lane = s.lanes[kind.rawValue]
                    }
                    return .done
                }
                switch next {
                case .done: break
                case .stop: return
                case let .load(after):
                    guard let store = storage.store else {
                        state.withLock { $0.lanes[kind.rawValue].storedUnhanded = 0 }
                        continue
                    }
                    do throws(OutboxStorageError) {
                        let batch = try store.load(kind, after: after, limit: Self.replayBatch)
                        state.withLock { s in
                            guard s.lanes[kind.rawValue].cursor == after else { return }
                            s.lanes[kind.rawValue].prefetched = batch
                            s.lanes[kind.rawValue].prefetchHead = 0
                            if batch.count < Self.replayBatch { s.lanes[kind.rawValue].storedUnhanded = batch.count }
                        }
                    } catch {
                        logger.error("outbox: cannot read the backlog: \(error)")
                        return
                    }
                    continue
                }
                break
            }
        }
        state.withLock { s in
            if let h = s.health, room(for: .health, s), hand(h, &s) { s.health = nil }
        }
    }

    /// `max_messages` and `max_size`: the oldest stored messages not yet handed over go first,
    /// data before replies before states.
    func enforceBounds() {
        guard let store = storage.store else { return }
        for kind in MessageClass.durable.reversed() {
            // Newer messages of a lower class still in memory are stored at the next flush and
            // dropped then: a higher class is never dropped while they wait (found under load,
            // when the disk thread lags: a state went while data was pending).
            let lower = MessageClass.durable.reversed().prefix { $0 != kind }
            if state.withLock({ s in lower.contains { s.lanes[$0.rawValue].pending.contains { !$0.acked } } }) { return }
            let (excess, after) = state.withLock { s -> ((count: Int, bytes: Int), UInt64) in
                let count = s.lanes.reduce(0) { $0 + $1.storedCount + $1.pending.count }
                let bytes = s.lanes.reduce(0) { $0 + $1.storedBytes + $1.pending.reduce(0) { $0 + $1.message.size } }
                let excess = (count: count - settings.maxMessages, bytes: bytes - settings.maxBytes)
                // Rows about to be dropped may be among those read ahead for the replay. Only
                // then: clearing on every flush made a replay re-read its batch each cycle.
                if excess.count > 0 || excess.bytes > 0 { s.lanes[kind.rawValue].clearPrefetched() }
                return (excess, s.lanes[kind.rawValue].cursor)
            }
            guard excess.count > 0 || excess.bytes > 0 else { return }
            let lane = state.withLock { $0.lanes[kind.rawValue] }
            let average = max(1, lane.storedBytes / max(1, lane.storedCount))
            let n = max(excess.count, excess.bytes > 0 ? excess.bytes / average + 1 : 0)
            do throws(OutboxStorageError) {
                let dropped = try store.dropOldest(kind, after: after, count: n)
                state.withLock { s in
                    s.lanes[kind.rawValue].storedCount -= dropped.count
                    s.lanes[kind.rawValue].storedBytes -= dropped.bytes
                    noteDropped(kind, dropped.count, &s)
                }
            } catch {
                logger.error("outbox: cannot drop old messages: \(error)")
                return
            }
        }
    }

    /// `max_age`: stored messages not yet handed over and older than that are discarded. Checked
    /// after each flush against the oldest stored message, which is one indexed read.
    func expireIfDue() {
        guard let store = storage.store else { return }
        let cutoff = clock.wallNow.nanosecondsSinceEpoch / 1_000_000 - settings.maxAge.nanoseconds / 1_000_000
        for kind in MessageClass.durable {
            let after = state.withLock { s -> UInt64? in
                let lane = s.lanes[kind.rawValue]
                guard lane.storedCount > 0, let oldest = lane.storedOldestMs, oldest < cutoff else { return nil }
                s.lanes[kind.rawValue].clearPrefetched()
                return lane.cursor
            }
            guard let after else { continue }
            do throws(OutboxStorageError) {
                let gone = try store.expire(kind, after: after, createdBefore: cutoff)
                guard gone.count > 0 else { continue }
                state.withLock { s in
                    s.lanes[kind.rawValue].storedCount -= gone.count
                    s.lanes[kind.rawValue].storedBytes -= gone.bytes
                    s.counters.expired += gone.count
                }
                logger.warning("outbox: discarded \(gone.count) \(kind.name) message(s) older than \(settings.maxAge)")
            } catch {
                logger.error("outbox: cannot discard expired messages: \(error)")
            }
        }
        refreshOldest()
    }

    /// The creation time of the oldest stored message of each class, for health.
    func refreshOldest() {
        guard let store = storage.store else { return }
        for kind in MessageClass.durable {
            guard state.withLock({ $0.lanes[kind.rawValue].storedCount > 0 }) else { continue }
            do throws(OutboxStorageError) {
                let first = try store.load(kind, after: 0, limit: 1).first
                state.withLock { $0.lanes[kind.rawValue].storedOldestMs = first?.createdMs }
            } catch {
                return
            }
        }
    }
}
