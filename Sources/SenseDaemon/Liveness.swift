import SenseCore

/// Each poller promises when it will next report progress; the watchdog is fed only while every
/// promise is kept, so a hung bus transaction or a stuck task gets the daemon restarted.
package final class Liveness: Sendable {
    private let deadlines = Locked<[String: MonotonicInstant]>([:])
    private let firstCycle = Locked<Set<String>>([])

    package init() {}

    package func expect(_ name: String, by deadline: MonotonicInstant) {
        deadlines.withLock { $0[name] = deadline }
    }

    package func completedCycle(_ name: String) {
        _ = firstCycle.withLock { $0.insert(name) }
    }

    package func remove(_ name: String) {
        _ = deadlines.withLock { $0.removeValue(forKey: name) }
    }

    package func reset() {
        deadlines.withLock { $0.removeAll() }
        firstCycle.withLock { $0.removeAll() }
    }

    /// Names whose promise has expired.
    package func overdue(at now: MonotonicInstant) -> [String] {
        deadlines.withLock { $0.filter { $0.value < now }.map(\.key).sorted() }
    }

    /// Whether each of `names` has completed at least one cycle.
    package func allCompletedFirstCycle(_ names: [String]) -> Bool {
        firstCycle.withLock { done in names.allSatisfy(done.contains) }
    }
}
