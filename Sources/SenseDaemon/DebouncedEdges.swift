import Logging
import SenseCore
import SenseDrivers
import SenseHardware

/// The edges of one input line, in kernel order and with kernel timestamps, through a debouncer:
/// calls `changed` with each confirmed level change — on the edge that confirms it, or once the
/// level has held for the hold time with no further edge; `raw` sees every edge first (for
/// chatter and lost-edge checks). Returns when the line's events end.
enum DebouncedEdges {
    static func watch(_ input: any GPIOInput, debouncer: Shared<Debouncer>, activeLow: Bool, clock: any SenseClock,
                      logger: Logger, name: String, raw: (@Sendable (EdgeEvent) -> Void)? = nil,
                      changed: @escaping @Sendable ((level: Bool, at: MonotonicInstant)) -> Void) async {
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
            group.addTask {   // confirms a level once it has held for the debounce time
                for await _ in kicks {
                    while let deadline = debouncer.withLock({ $0.pendingDeadline }) {
                        do { try await clock.sleep(until: deadline) } catch { return }
                        // Let the reader take edges already queued first: a level confirmed by the
                        // clock while an earlier-stamped edge waits unread would count a bounce.
                        for _ in 0..<3 { await Task.yield() }
                        if let c = debouncer.withLock({ $0.settle(at: clock.monotonicNow) }) { changed(c) }
                    }
                }
            }
            await group.waitForAll()
        }
    }
}
