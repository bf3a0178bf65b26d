import SenseCore

/// Wakes the reaction at its next deadline (a `for:` maturing, a minimum time ending, a pulse or
/// override expiring), or earlier when the engine schedules an earlier one. One sleeper.
final class ReactionTimer: Sendable {
    private struct State {
        /// What the current sleep waits for; nil between sleeps.
        var target: MonotonicInstant?
        var continuation: CheckedContinuation<Void, Never>?
        var woken = false
        /// The earliest deadline rescheduled between sleeps, for the next sleep to honour.
        var pending: MonotonicInstant?
    }

    private let state = Locked(State())

    init() {}

    /// A new deadline: wakes the sleeper if it is earlier than the one it sleeps for.
    func reschedule(_ deadline: MonotonicInstant?) {
        guard let deadline else { return }
        let c = state.withLock { s -> CheckedContinuation<Void, Never>? in
            guard let t = s.target else {
                // Not sleeping (the reaction is being evaluated): the next sleep starts from this.
                // Waking now would end that sleep at once, and the loop would spin.
                s.pending = min(s.pending ?? deadline, deadline)
                return nil
            }
            if t <= deadline { return nil }
            return Self.take(&s)
        }
        c?.resume()
    }

    /// Sleeps until `deadline` (at most `limit` from now), an earlier reschedule, or cancellation.
    func sleep(until deadline: MonotonicInstant?, clock: any SenseClock, limit: Duration) async {
        let latest = clock.monotonicNow + limit
        let target = state.withLock { s in
            s.target = [deadline, s.pending, latest].compactMap { $0 }.min()!
            s.pending = nil
            return s.target!
        }
        let sleeper = Task { [self] in
            do { try await clock.sleep(until: target) } catch { return }
            wake()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = state.withLock { s -> Bool in
                    if s.woken { return true }
                    s.continuation = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            wake()
        }
        sleeper.cancel()
        // The caller re-evaluates now, which covers any wake that arrived meanwhile.
        state.withLock { s in
            s.woken = false
            s.target = nil
        }
    }

    private func wake() {
        state.withLock { Self.take(&$0) }?.resume()
    }

    private static func take(_ s: inout State) -> CheckedContinuation<Void, Never>? {
        s.woken = true
        defer { s.continuation = nil }
        return s.continuation
    }
}
