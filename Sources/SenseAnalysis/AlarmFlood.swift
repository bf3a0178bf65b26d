import SenseCore

/// Alarm-flood detection for one operator (the gateway's subscribers), per ISA-18.2 practice
/// (physics reference §D2, vector D2-FLOOD-01): a flood starts when more than `activations`
/// alarms activate within `window`, and ends when fewer than `endBelow` did in the last window.
/// During a flood the lower priorities are not annunciated, so the important ones stand out.
package struct AlarmFlood: Sendable {
    package struct Settings: Sendable, Hashable {
        package var activations: Int
        package var window: Duration
        package var endBelow: Int
        /// Priorities whose transitions wait until the flood ends.
        package var suppress: Set<Alarm.Priority>

        package init(
            activations: Int = 10, window: Duration = .seconds(600), endBelow: Int = 5,
            suppress: Set<Alarm.Priority> = [.low, .medium]
        ) {
            self.activations = activations
            self.window = window
            self.endBelow = endBelow
            self.suppress = suppress
        }
    }

    package let settings: Settings
    package private(set) var isFlooding = false
    package private(set) var since: MonotonicInstant?
    private var times: [MonotonicInstant] = []

    package init(_ settings: Settings = Settings()) { self.settings = settings }

    /// Activations within the window ending at `t`.
    package func count(at t: MonotonicInstant) -> Int { times.filter { t - $0 < settings.window }.count }

    /// Records an activation; returns whether the flood state changed.
    package mutating func activation(at t: MonotonicInstant) -> Bool {
        times.append(t)
        return update(at: t)
    }

    /// Re-evaluates at `t` (the window slides); returns whether the flood state changed.
    package mutating func update(at t: MonotonicInstant) -> Bool {
        times.removeAll { t - $0 >= settings.window }
        let n = times.count
        if !isFlooding, n > settings.activations {
            isFlooding = true
            since = t
            return true
        }
        if isFlooding, n < settings.endBelow {
            isFlooding = false
            since = nil
            return true
        }
        return false
    }
}
