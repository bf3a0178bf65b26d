import SenseCore

/// Three-valued (Kleene) truth: a condition over a faulty or silent channel is `unknown`, not
/// false, so `not` of a fault is not a reason to act.
package enum Truth: String, Sendable, Hashable {
    case `true`, `false`, unknown

    package init(_ b: Bool) { self = b ? .true : .false }

    package static prefix func ! (t: Truth) -> Truth {
        switch t {
        case .true: .false
        case .false: .true
        case .unknown: .unknown
        }
    }
}

/// A comparison of a channel's latest value with a constant, with optional hysteresis: `above`
/// becomes true at value > limit and false again only at value ≤ limit − deadband.
package struct Comparison: Sendable, Hashable {
    package enum Operator: String, Sendable, Hashable, CaseIterable { case above, below, equals }

    package var op: Operator
    package var value: Double
    package var deadband: Double

    package init(_ op: Operator, _ value: Double, deadband: Double = 0) {
        precondition(deadband >= 0, "a deadband is not negative")
        self.op = op
        self.value = value
        self.deadband = deadband
    }

    /// Whether `x` satisfies the comparison, given whether it did before (for the deadband).
    package func holds(_ x: Double, wasTrue: Bool) -> Bool {
        switch op {
        case .above: wasTrue ? x > value - deadband : x > value
        case .below: wasTrue ? x < value + deadband : x < value
        case .equals: abs(x - value) <= max(deadband, 1e-9)
        }
    }
}

/// A daily period in the site's local time (a fixed UTC offset: a board has no time-zone
/// database to trust), optionally on some weekdays only. `from` > `to` wraps past midnight.
package struct DailyWindow: Sendable, Hashable {
    package enum Weekday: String, Sendable, Hashable, CaseIterable, Comparable {
        case mon, tue, wed, thu, fri, sat, sun
        var index: Int { Self.allCases.firstIndex(of: self)! }
        package static func < (a: Self, b: Self) -> Bool { a.index < b.index }
    }

    /// Minutes after local midnight.
    package var from: Int
    package var to: Int
    package var days: Set<Weekday>
    package var utcOffsetMinutes: Int

    package init(from: Int, to: Int, days: Set<Weekday> = Set(Weekday.allCases), utcOffsetMinutes: Int = 0) {
        precondition((0..<1440).contains(from) && (0..<1440).contains(to) && from != to, "a non-empty daily window")
        self.from = from
        self.to = to
        self.days = days
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// Whether `wall` lies in the window. A window past midnight belongs to the day it starts on.
    package func contains(_ wall: WallTime) -> Bool {
        let (day, minute) = local(wall)
        if from < to { return minute >= from && minute < to && days.contains(Self.weekday(day)) }
        if minute >= from { return days.contains(Self.weekday(day)) }
        return minute < to && days.contains(Self.weekday(day - 1))
    }

    /// How long until the next minute at which the window may open or close.
    package func untilNextBoundary(_ wall: WallTime) -> Duration {
        let localNanos = wall.nanosecondsSinceEpoch + Int64(utcOffsetMinutes) * 60_000_000_000
        let dayNanos: Int64 = 86_400_000_000_000
        let intoDay = ((localNanos % dayNanos) + dayNanos) % dayNanos
        let candidates = [Int64(from), Int64(to), Int64(from) + 1440, Int64(to) + 1440].map { $0 * 60_000_000_000 }
        let next = candidates.filter { $0 > intoDay }.min()!
        return .nanoseconds(next - intoDay)
    }

    private func local(_ wall: WallTime) -> (day: Int64, minute: Int) {
        let seconds = wall.nanosecondsSinceEpoch / 1_000_000_000 + Int64(utcOffsetMinutes) * 60
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        return (day, Int((seconds - day * 86_400) / 60))
    }

    /// Day 0 (1970-01-01) was a Thursday.
    static func weekday(_ day: Int64) -> Weekday { Weekday.allCases[Int(((day + 3) % 7 + 7) % 7)] }
}

/// What a rule (or an actuator's permission) tests: alarms, channel comparisons, time of day,
/// other rules, combined with `all` / `any` / `not`; `sustained` is YAML's `for:`.
package indirect enum Condition: Sendable, Hashable {
    case all([Condition])
    case any([Condition])
    case not(Condition)
    /// The alarm's condition is active (acknowledged or not; shelving hides, it does not clear).
    case alarm(String)
    case compare(ChannelRef, Comparison)
    case rule(String)
    case time(DailyWindow)
    /// True once the inner condition has been true without interruption for the duration.
    case sustained(Condition, Duration)

    /// Rules this condition refers to.
    package var ruleReferences: [String] {
        switch self {
        case let .all(cs), let .any(cs): cs.flatMap(\.ruleReferences)
        case let .not(c), let .sustained(c, _): c.ruleReferences
        case let .rule(r): [r]
        case .alarm, .compare, .time: []
        }
    }

    package var channelReferences: [ChannelRef] {
        switch self {
        case let .all(cs), let .any(cs): cs.flatMap(\.channelReferences)
        case let .not(c), let .sustained(c, _): c.channelReferences
        case let .compare(ref, _): [ref]
        case .alarm, .rule, .time: []
        }
    }
}
