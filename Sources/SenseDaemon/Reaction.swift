import SenseAnalysis
import SenseConfig
import SenseCore
import SenseReaction
import SenseWire

/// The configured actuators driven by the rules: each evaluation turns rule truths, `only_while`
/// conditions and channel qualities into requests on the interlocked bank. Pure: the Outlet runs
/// it under its lock, with the time the decision is made.
package struct Reaction: Sendable {
    package private(set) var bank: ActuatorBank
    let definitions: [ActuatorDefinition]
    private var rules: [RuleDefinition]
    private var restartHoldUntil: MonotonicInstant?
    /// Per actuator: the last bad input and until when it keeps the output at failsafe
    /// (`failsafe_hold` after the input is good again, so an intermittent fault cannot toggle it).
    private var badHolds: [String: (reason: String, until: MonotonicInstant)] = [:]
    private var stopping = false

    /// The hidden rule that evaluates an actuator's `only_while` (a name no rule can take).
    static func permitRule(_ actuator: String) -> String { "\(actuator).only_while" }

    static func permitRules(_ actuators: [ActuatorDefinition]) -> [RuleDefinition] {
        actuators.compactMap { a in
            a.onlyWhile.map { RuleDefinition(name: permitRule(a.name), condition: $0, published: false) }
        }
    }

    /// After an unclean stop every output starts, and stays for `restartFailsafe`, at its
    /// failsafe level: a crash loop must not cycle a pump.
    package init(_ config: SensegateConfig, uncleanRestart: Bool, at now: MonotonicInstant) {
        definitions = config.actuators
        rules = config.rules
        let settings = config.actuators.map { a in
            var s = a.settings
            if uncleanRestart { s.initial = s.failsafe }
            return (name: a.name, settings: s)
        }
        bank = ActuatorBank(settings, exclusive: ActuatorDefinition.exclusiveGroups(config.actuators), at: now)
        if uncleanRestart, config.restartFailsafe > .zero { restartHoldUntil = now + config.restartFailsafe }
    }

    /// A reload's rules (the actuators and their state stay).
    mutating func replaceRules(_ rules: [RuleDefinition]) { self.rules = rules }

    /// Applies the current truths and qualities; returns the outputs that changed.
    package mutating func apply(_ engine: RuleEngine, at now: MonotonicInstant) -> [ActuatorBank.Event] {
        if let until = restartHoldUntil, now >= until { restartHoldUntil = nil }
        var reasons: [(name: String, reason: String?)] = []
        for d in definitions { reasons.append((d.name, failsafeReason(d, engine, at: now))) }
        var events = bank.setFailsafe(reasons, at: now)
        for d in definitions {
            if d.onlyWhile != nil {
                let t = engine.truth(Self.permitRule(d.name))
                events += bank.setPermission(d.name, forbiddenBecause: t == .true ? nil : "only_while is \(t.rawValue)", at: now)
            }
            // The first rule (in the order declared) that holds and names this actuator decides.
            let request = rules.lazy.compactMap { r -> (level: Bool, rule: String)? in
                guard let action = r.actions.first(where: { $0.actuator == d.name }), engine.truth(r.name) == .true else { return nil }
                return (action.level, "rule \(r.name)")
            }.first
            events += bank.setRule(d.name, request, at: now)
        }
        return events + bank.evaluate(at: now)
    }

    /// Every output to its failsafe level, for good: the daemon is stopping.
    package mutating func stop(at now: MonotonicInstant) -> [ActuatorBank.Event] {
        stopping = true
        return bank.setFailsafe(true, reason: "sensegate stopping", at: now)
    }

    package func nextDeadline(after now: MonotonicInstant) -> MonotonicInstant? {
        ([bank.nextDeadline(after: now), restartHoldUntil] + badHolds.values.map(\.until)).compactMap { $0 }.min()
    }

    private mutating func failsafeReason(_ d: ActuatorDefinition, _ engine: RuleEngine, at now: MonotonicInstant) -> String? {
        if stopping { return "sensegate stopping" }
        if restartHoldUntil != nil { return "restarted after an unclean stop" }
        for ref in d.failsafeWhenBad {
            let reason: String
            switch engine.quality(of: ref) {
            case nil: reason = "no reading yet from \(ref)"
            case .bad?: reason = "\(ref) is bad"
            default: continue
            }
            if d.failsafeHold > .zero { badHolds[d.name] = (reason, now + d.failsafeHold) }
            return reason
        }
        if let hold = badHolds[d.name] {
            if now < hold.until { return hold.reason + "; holding until good for \(d.failsafeHold)" }
            badHolds[d.name] = nil
        }
        return nil
    }

    // MARK: operator commands

    /// Applies a checked command; the events it caused, or why it was refused.
    package mutating func command(_ c: ActuatorCommand, at now: MonotonicInstant) throws(ActuatorCommand.Refusal) -> [ActuatorBank.Event] {
        guard let d = definitions.first(where: { $0.name == c.actuator }) else {
            throw c.refusal("no actuator named '\(c.actuator)'")
        }
        guard d.commands.contains(c.verb) else {
            throw c.refusal(
                "'\(c.verb.rawValue)' is not allowed for actuator '\(d.name)' by its configuration; it accepts: "
                    + d.commands.map(\.rawValue).sorted().joined(separator: ", "))
        }
        let who = "command \(c.verb.rawValue) by \(c.by ?? "unnamed operator")"
        do throws(ActuatorBank.Refusal) {
            switch c.verb {
            case .on, .off:
                return try bank.override(d.name, level: c.verb == .on, for: c.duration ?? d.settings.maximumOverride, detail: who, at: now)
            case .pulse, .override:
                return try bank.override(d.name, level: c.level ?? true, for: c.duration, detail: who, at: now)
            case .release:
                return try bank.release(d.name, at: now)
            }
        } catch {
            throw c.refusal(error.description)
        }
    }
}
