import SenseCore

/// A clock that moves only when told: tests advance it and sleepers wake deterministically.
/// With `autoAdvance`, a sleep moves the clock by its own duration at once, so code that waits
/// (a driver's conversion time) runs instantly yet sees the time pass.
package final class ManualClock: SenseClock {
    private struct Sleeper {
        var deadline: MonotonicInstant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: MonotonicInstant
        var wallAtZero: WallTime
        var sleepers: [Int: Sleeper] = [:]
        var nextID = 0
    }

    private let state: Locked<State>
    package let autoAdvance: Bool

    package init(
        start: MonotonicInstant = MonotonicInstant(nanoseconds: 1_000_000_000),
        wall: WallTime = WallTime(nanosecondsSinceEpoch: 1_785_000_000_000_000_000),
        autoAdvance: Bool = false
    ) {
        state = Locked(
            State(
                now: start,
                wallAtZero: WallTime(
                    nanosecondsSinceEpoch:
                        wall.nanosecondsSinceEpoch - start.nanoseconds)))
        self.autoAdvance = autoAdvance
    }

    package var monotonicNow: MonotonicInstant { state.withLock { $0.now } }

    package var wallNow: WallTime {
        state.withLock { WallTime(nanosecondsSinceEpoch: $0.wallAtZero.nanosecondsSinceEpoch + $0.now.nanoseconds) }
    }

    /// The number of tasks waiting in `sleep`.
    package var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    package func advance(by duration: Duration) {
        let due: [CheckedContinuation<Void, any Error>] = state.withLock { s in
            s.now = s.now + duration
            let ready = s.sleepers.filter { $0.value.deadline <= s.now }
            for id in ready.keys { s.sleepers[id] = nil }
            return ready.sorted { $0.value.deadline < $1.value.deadline }.map(\.value.continuation)
        }
        for c in due { c.resume() }
    }

    package func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        if autoAdvance {
            advance(by: duration)
            return
        }
        let id = state.withLock { s -> Int in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow: Bool = state.withLock { s in
                    let deadline = s.now + duration
                    if deadline <= s.now { return true }
                    s.sleepers[id] = Sleeper(deadline: deadline, continuation: c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c = state.withLock { $0.sleepers.removeValue(forKey: id) }
            c?.continuation.resume(throwing: CancellationError())
        }
    }
}
