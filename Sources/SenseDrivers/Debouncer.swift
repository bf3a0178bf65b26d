import SenseCore

/// Turns a contact's raw edges into stable level changes: a new level counts only once it has
/// held for `holdTime` (measured between kernel edge timestamps, not wake-up times).
public struct Debouncer: Sendable {
    public let holdTime: Duration
    public private(set) var stableLevel: Bool
    private var candidate: (level: Bool, since: MonotonicInstant)?

    public init(initialLevel: Bool, holdTime: Duration) {
        stableLevel = initialLevel
        self.holdTime = holdTime
    }

    /// Feeds an edge (the line's new level at `time`). Returns a confirmed change, if the
    /// previous candidate held long enough before this edge.
    public mutating func edge(level: Bool, at time: MonotonicInstant) -> (level: Bool, at: MonotonicInstant)? {
        let confirmed = settle(at: time)
        candidate = level == stableLevel ? nil : (level, time)
        if holdTime == .zero { return settle(at: time) ?? confirmed }
        return confirmed
    }

    /// Confirms the pending level if it has held until `time` (call on a timer after the last edge).
    public mutating func settle(at time: MonotonicInstant) -> (level: Bool, at: MonotonicInstant)? {
        guard let c = candidate, time - c.since >= holdTime else { return nil }
        stableLevel = c.level
        candidate = nil
        return (c.level, c.since)
    }

    /// When the pending level will be confirmed if no edge comes first.
    public var pendingDeadline: MonotonicInstant? { candidate.map { $0.since + holdTime } }
}
