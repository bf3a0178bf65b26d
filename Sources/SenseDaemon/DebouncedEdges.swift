import Logging
import SenseCore
import SenseDrivers
import SenseHardware

/// The edges of one input line, in kernel order and with kernel timestamps, through a debouncer:
/// calls `changed` with each confirmed level change — on the edge that confirms it, or once the
/// level has held for the hold time with no further edge (judged `settleLag` behind the clock, for a
/// reader that may lag); `raw` sees every edge first (for
/// chatter and lost-edge checks). Returns when the line's events end.
enum DebouncedEdges {
    static func watch(
        _ input: any GPIOInput, debouncer: Shared<Debouncer>, activeLow: Bool, clock: any SenseClock,
        logger: Logger, name: String, settleLag: Duration = .zero, raw: (@Sendable (EdgeEvent) -> Void)? = nil,
        changed: @escaping @Sendable ((level: Bool, at: MonotonicInstant)) -> Void
    ) async {
        let (kicks, kick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await event in input.edges() {
                        raw?(event)
                        let high = event.edge == .rising
                        if let c = debouncer.withLock({ $0.edge(level: high != activeLow, at: event.timestamp) }) { changed(c) }
                        kick.yield()
                    }
                } catch {
                    logger.error("\(name): edge events failed: \(error)")
                }
                kick.finish()
            }
            group.addTask {  // confirms a level once it has held for the debounce time
                for await _ in kicks {
                    while let deadline = debouncer.withLock({ $0.pendingDeadline }) {
                        // An edge stamped before now may still wait unread; confirming by the clock
                        // then would take a bounce for a level. Waiting `settleLag` longer lets the
                        // reader catch up (the next edge still decides exactly, by timestamps).
                        do { try await clock.sleep(until: deadline + settleLag) } catch { return }
                        if let c = debouncer.withLock({ $0.settle(at: clock.monotonicNow + (.zero - settleLag)) }) { changed(c) }
                    }
                }
            }
            await group.waitForAll()
        }
    }
}
