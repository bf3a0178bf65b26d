import SenseCore

/// Turns a contact's raw edges into stable level changes: a new level counts only once it has
/// held for its hold time (measured between kernel edge timestamps, not wake-up times). The
/// holds may differ by level: a detector drops occupations shorter than its minimum pulse and
/// bridges dropouts shorter than its minimum gap.
package struct Debouncer: Sendable {
    /// How long a rise to the active level must hold, and a fall back.
    package let riseHold: Duration
    package let fallHold: Duration
    package private(set) var stableLevel: Bool
    private var candidate: (level: Bool, since: MonotonicInstant)?

    package init(initialLevel: Bool, holdTime: Duration) {
        self.init(initialLevel: initialLevel, riseHold: holdTime, fallHold: holdTime)
    }

    package init(initialLevel: Bool, riseHold: Duration, fallHold: Duration) {
        stableLevel = initialLevel
        self.riseHold = riseHold
        self.fallHold = fallHold
    }

    package var holdTime: Duration { max(riseHold, fallHold) }

    /// Feeds an edge (the line's new level at `time`). Returns a confirmed change, if the
    /// previous candidate held long enough before this edge.
    package mutating func edge(level: Bool, at time: MonotonicInstant) -> (level: Bool, at: MonotonicInstant)? {
        let confirmed = settle(at: time)
        candidate = level == stableLevel ? nil : (level, time)
        if hold(level) == .zero { return settle(at: time) ?? confirmed }
        return confirmed
    }

    /// Confirms the pending level if it has held until `time` (call on a timer after the last edge).
    package mutating func settle(at time: MonotonicInstant) -> (level: Bool, at: MonotonicInstant)? {
        guard let c = candidate, time - c.since >= hold(c.level) else { return nil }
        stableLevel = c.level
        candidate = nil
        return (c.level, c.since)
    }

    /// When the pending level will be confirmed if no edge comes first.
    package var pendingDeadline: MonotonicInstant? { candidate.map { $0.since + hold($0.level) } }

    private func hold(_ level: Bool) -> Duration { level ? riseHold : fallHold }
}
