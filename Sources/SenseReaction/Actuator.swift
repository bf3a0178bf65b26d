import SenseCore

/// Who asks an actuator for a level, strongest first: a safety failsafe, an interlock, an
/// operator's manual override (with an expiry), a rule, and the configured default.
package enum ActuatorSource: String, Sendable, Hashable, Comparable, CaseIterable {
    case failsafe, interlock, maxOn = "max_on", manual, rule, `default`

    private var rank: Int {
        switch self {
        case .failsafe: 0
        case .interlock: 1
        case .maxOn: 2
        case .manual: 3
        case .rule: 4
        case .default: 5
        }
    }

    package static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// One output (relay, siren, pump, beacon, signal-plan selector) as a pure state machine:
/// requests come in, the level that wins by priority goes out, within the equipment's timing
/// limits. Time is injected; `nextDeadline` says when to evaluate again without a new request.
package struct Actuator: Sendable {
    package struct Settings: Sendable, Hashable {
        package var initial: Bool
        package var failsafe: Bool
        package var defaultLevel: Bool
        /// Once on, stay on at least this long (a pump motor); failsafe and interlocks override.
        package var minimumOn: Duration
        /// Once off, stay off at least this long (a compressor); failsafe and interlocks override.
        package var minimumOff: Duration
        /// On longer than this → forced off until the request that held it on is released.
        package var maximumOn: Duration?
        /// The longest manual override or pulse an operator may ask for.
        package var maximumOverride: Duration

        package init(
            initial: Bool = false, failsafe: Bool = false, defaultLevel: Bool = false, minimumOn: Duration = .zero,
            minimumOff: Duration = .zero, maximumOn: Duration? = nil, maximumOverride: Duration = .seconds(3600)
        ) {
            self.initial = initial
            self.failsafe = failsafe
            self.defaultLevel = defaultLevel
            self.minimumOn = minimumOn
            self.minimumOff = minimumOff
            self.maximumOn = maximumOn
            self.maximumOverride = maximumOverride
        }
    }

    /// The output changed.
    package struct Change: Sendable, Hashable {
        package var level: Bool
        package var source: ActuatorSource
        /// Which rule or command, or why.
        package var detail: String
        package var at: MonotonicInstant

        package init(level: Bool, source: ActuatorSource, detail: String, at: MonotonicInstant) {
            self.level = level
            self.source = source
            self.detail = detail
            self.at = at
        }
    }

    package enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        case overrideTooLong(maximum: Duration)
        case notOverridden
        /// The equipment's minimum on or off time has not passed yet.
        case minimumTime(on: Bool, remaining: Duration)
        case maximumOnReached

        package var description: String {
            switch self {
            case let .overrideTooLong(max): "an override or pulse lasts more than 0 s and at most \(Int(max.seconds)) s for this actuator"
            case .notOverridden: "no manual override to release"
            case let .minimumTime(on, remaining):
                "it must stay \(on ? "on" : "off") for another \(Self.seconds(remaining)) s (min_\(on ? "on" : "off"))"
            case .maximumOnReached: "it was on for its max_on and stays off until what held it on is released"
            }
        }

        private static func seconds(_ d: Duration) -> String {
            let tenths = (d.nanoseconds + 99_999_999) / 100_000_000
            return "\(tenths / 10).\(tenths % 10)"
        }
    }

    package let settings: Settings
    package private(set) var level: Bool
    package private(set) var source: ActuatorSource = .default
    package private(set) var detail = "initial level"
    package private(set) var since: MonotonicInstant

    private var failsafeActive = false
    private var failsafeReason = "failsafe"
    private var interlockedOff: String?
    private var manual: (level: Bool, until: MonotonicInstant?, detail: String)?
    private var ruleRequest: (level: Bool, rule: String)?
    /// Forced off after max on; holds until the request that kept it on is released.
    private var maxOnLatched = false

    package init(_ settings: Settings, at now: MonotonicInstant) {
        self.settings = settings
        level = settings.initial
        since = now
    }

    // MARK: requests

    package mutating func setFailsafe(_ on: Bool, reason: String, at now: MonotonicInstant) -> Change? {
        failsafeActive = on
        if on { failsafeReason = reason }
        return evaluate(at: now)
    }

    /// An interlock forbids the output, saying why (nil: allowed again).
    package mutating func setInterlock(_ blockedBy: String?, at now: MonotonicInstant) -> Change? {
        interlockedOff = blockedBy
        return evaluate(at: now)
    }

    /// A rule asks for a level (nil: the rule no longer holds, it asks for nothing).
    package mutating func setRule(_ request: (level: Bool, rule: String)?, at now: MonotonicInstant) -> Change? {
        ruleRequest = request
        return evaluate(at: now)
    }

    /// An operator's override: a level until `until` (nil: until released), or a pulse.
    package mutating func override(
        _ level: Bool, for duration: Duration?, detail: String,
        at now: MonotonicInstant
    ) throws(Refusal) -> Change? {
        if let d = duration, d > settings.maximumOverride || d <= .zero { throw .overrideTooLong(maximum: settings.maximumOverride) }
        // A command that could not take effect now is refused, not left pending.
        if level != self.level, !failsafeActive, interlockedOff == nil {
            let held = now - since
            let minimum = self.level ? settings.minimumOn : settings.minimumOff
            if held < minimum { throw .minimumTime(on: self.level, remaining: minimum - held) }
        }
        if level, maxOnLatched { throw .maximumOnReached }
        manual = (level, duration.map { now + $0 }, detail)
        return evaluate(at: now)
    }

    package mutating func release(at now: MonotonicInstant) throws(Refusal) -> Change? {
        guard manual != nil else { throw .notOverridden }
        manual = nil
        return evaluate(at: now)
    }

    /// Whether a manual override is in force, and until when (nil: until released).
    package var isOverridden: Bool { manual != nil }
    package var overrideUntil: MonotonicInstant? { manual?.until }
    package var isFailsafe: Bool { failsafeActive }

    // MARK: evaluation

    /// Re-evaluates (call at `nextDeadline` and after any request); returns a change of the output.
    package mutating func evaluate(at now: MonotonicInstant) -> Change? {
        if let m = manual, let until = m.until, now >= until { manual = nil }
        if let maxOn = settings.maximumOn, level, now - since >= maxOn, source != .failsafe {
            maxOnLatched = true
        }
        // The latch ends when nothing asks for "on" any more.
        if maxOnLatched, manual?.level != true, ruleRequest?.level != true { maxOnLatched = false }
        let (wanted, src, why) = decide()
        guard wanted != level else {
            // Same level: record who holds it now (a rule taking over from an ended pulse).
            source = src
            detail = why
            return nil
        }
        // Minimum times protect equipment from ordinary sources; safety sources override them.
        if src > .interlock {
            let held = now - since
            if level, held < settings.minimumOn { return nil }
            if !level, held < settings.minimumOff { return nil }
        }
        level = wanted
        source = src
        detail = why
        since = now
        return Change(level: wanted, source: src, detail: why, at: now)
    }

    private func decide() -> (Bool, ActuatorSource, String) {
        if failsafeActive { return (settings.failsafe, .failsafe, failsafeReason) }
        if let why = interlockedOff { return (false, .interlock, why) }
        if maxOnLatched { return (false, .maxOn, "on longer than its maximum; waiting for the request to be released") }
        if let m = manual { return (m.level, .manual, m.detail) }
        if let r = ruleRequest { return (r.level, .rule, r.rule) }
        return (settings.defaultLevel, .default, "no request")
    }

    /// When the state may change without a new request (min on/off ending, max on, override expiry).
    package func nextDeadline(after now: MonotonicInstant) -> MonotonicInstant? {
        var deadlines: [MonotonicInstant] = []
        if let until = manual?.until { deadlines.append(until) }
        if level, let maxOn = settings.maximumOn, !maxOnLatched { deadlines.append(since + maxOn) }
        if level, settings.minimumOn > .zero { deadlines.append(since + settings.minimumOn) }
        if !level, settings.minimumOff > .zero { deadlines.append(since + settings.minimumOff) }
        // A limit already reached is no deadline: returning it would wake the timer at once, forever.
        return deadlines.filter { $0 > now }.min()
    }
}
