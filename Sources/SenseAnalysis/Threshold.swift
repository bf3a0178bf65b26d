import SenseCore

/// A limit with hysteresis (deadband) and time qualification (physics reference §D1): a high
/// limit becomes active at value ≥ `limit` held for the on-delay, and clears at value ≤ `limit −
/// deadband` held for the off-delay (a low limit mirrors this). With no deadband it clears as
/// soon as the value is back below the limit.
package struct Threshold: Sendable {
    package enum Direction: String, Sendable, Hashable { case high, low }

    /// A qualification delay: consecutive samples, or a time the condition must hold.
    package enum Delay: Sendable, Hashable {
        case samples(Int)
        case time(Duration)
    }

    package struct Settings: Sendable, Hashable {
        package var direction: Direction
        package var limit: Double
        package var deadband: Double
        package var onDelay: Delay?
        package var offDelay: Delay?

        package init(direction: Direction, limit: Double, deadband: Double = 0, onDelay: Delay? = nil, offDelay: Delay? = nil) {
            precondition(deadband >= 0, "a deadband is not negative")
            self.direction = direction
            self.limit = limit
            self.deadband = deadband
            self.onDelay = onDelay
            self.offDelay = offDelay
        }
    }

    package let settings: Settings
    package private(set) var isActive = false
    private var pending: (count: Int, since: MonotonicInstant)?

    package init(_ settings: Settings) { self.settings = settings }

    /// A change is waiting for its delay: the last value crossed, but not for long enough yet.
    package var isQualifying: Bool { pending != nil }

    /// Feeds one sample; returns whether the limit is active afterwards. A `bad` sample changes
    /// nothing and restarts any qualification in progress (a fault is not evidence either way).
    @discardableResult
    package mutating func update(_ value: Double?, quality: Quality = .good, at time: MonotonicInstant) -> Bool {
        guard let v = value, quality != .bad else {
            pending = nil
            return isActive
        }
        let wantsChange = isActive ? clears(v) : sets(v)
        guard wantsChange else {
            pending = nil
            return isActive
        }
        let p = pending.map { ($0.count + 1, $0.since) } ?? (1, time)
        pending = p
        let delay = isActive ? settings.offDelay : settings.onDelay
        let qualified: Bool =
            switch delay {
            case nil: true
            case let .samples(n)?: p.0 >= n
            case let .time(d)?: time - p.1 >= d
            }
        if qualified {
            isActive.toggle()
            pending = nil
        }
        return isActive
    }

    private func sets(_ v: Double) -> Bool {
        settings.direction == .high ? v >= settings.limit : v <= settings.limit
    }

    private func clears(_ v: Double) -> Bool {
        let d = settings.deadband
        switch settings.direction {
        case .high: return d > 0 ? v <= settings.limit - d : v < settings.limit
        case .low: return d > 0 ? v >= settings.limit + d : v > settings.limit
        }
    }
}
