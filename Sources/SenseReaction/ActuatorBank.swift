import SenseCore

/// The actuators of a gateway with their interlocks: in each exclusive group at most one output
/// is on; when two want to be on, the one declared first wins and the other is interlocked off
/// until it is released. Pure, deterministic.
package struct ActuatorBank: Sendable {
    package struct Event: Sendable, Hashable {
        package var actuator: String
        package var change: Actuator.Change
    }

    package enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        case unknownActuator(String)
        case refused(Actuator.Refusal)
        case interlocked(String, by: String)
        case notPermitted(String, reason: String)
        case inFailsafe(String, reason: String)

        package var description: String {
            switch self {
            case let .unknownActuator(n): "no actuator named '\(n)'"
            case let .refused(r): r.description
            case let .interlocked(n, by): "\(n) is interlocked with \(by), which is on"
            case let .notPermitted(n, reason): "\(n) may not be on now: \(reason)"
            case let .inFailsafe(n, reason): "\(n) is held at its failsafe level (\(reason)); commands wait until that ends"
            }
        }
    }

    package let names: [String]
    private var actuators: [String: Actuator]
    private let exclusive: [[String]]
    /// Actuators held off because their `only_while` condition does not hold, with why.
    private var forbidden: [String: String] = [:]

    package init(_ definitions: [(name: String, settings: Actuator.Settings)], exclusive: [[String]], at now: MonotonicInstant) {
        names = definitions.map(\.name)
        actuators = Dictionary(uniqueKeysWithValues: definitions.map { ($0.name, Actuator($0.settings, at: now)) })
        self.exclusive = exclusive
    }

    package func actuator(_ name: String) -> Actuator? { actuators[name] }

    package mutating func setRule(_ name: String, _ request: (level: Bool, rule: String)?, at now: MonotonicInstant) -> [Event] {
        guard actuators[name] != nil else { return [] }
        var events = record(name, actuators[name]!.setRule(request, at: now))
        events += settle(at: now)
        return events
    }

    /// An operator's command. Turning on an interlocked output is refused (it would not happen).
    package mutating func override(
        _ name: String, level: Bool, for duration: Duration?, detail: String,
        at now: MonotonicInstant
    ) throws(Refusal) -> [Event] {
        guard let a = actuators[name] else { throw .unknownActuator(name) }
        if a.isFailsafe { throw .inFailsafe(name, reason: a.detail) }
        if level, let by = onPeer(of: name) { throw .interlocked(name, by: by) }
        if level, let why = forbidden[name] { throw .notPermitted(name, reason: why) }
        let change: Actuator.Change?
        do throws(Actuator.Refusal) {
            change = try actuators[name]!.override(level, for: duration, detail: detail, at: now)
        } catch {
            throw .refused(error)
        }
        return record(name, change) + settle(at: now)
    }

    package mutating func release(_ name: String, at now: MonotonicInstant) throws(Refusal) -> [Event] {
        guard actuators[name] != nil else { throw .unknownActuator(name) }
        let change: Actuator.Change?
        do throws(Actuator.Refusal) {
            change = try actuators[name]!.release(at: now)
        } catch {
            throw .refused(error)
        }
        return record(name, change) + settle(at: now)
    }

    /// Every output to its failsafe level (SIGTERM, bad inputs), or back to normal operation.
    package mutating func setFailsafe(_ on: Bool, reason: String, at now: MonotonicInstant) -> [Event] {
        var events: [Event] = []
        for n in names { events += record(n, actuators[n]!.setFailsafe(on, reason: reason, at: now)) }
        return events + settle(at: now)
    }

    /// Per output: its failsafe reason (at failsafe) or nil (normal operation). All are set
    /// before any interlock is re-evaluated, so no output passes through another level on the way.
    package mutating func setFailsafe(_ reasons: [(name: String, reason: String?)], at now: MonotonicInstant) -> [Event] {
        var events: [Event] = []
        for (name, reason) in reasons {
            guard let isFailsafe = actuators[name]?.isFailsafe else { continue }
            if isFailsafe == (reason != nil) {
                // Already at failsafe for another reason (a hold has begun): the reason said is
                // the current one; the level does not move.
                if let reason { events += record(name, actuators[name]!.setFailsafe(true, reason: reason, at: now)) }
                continue
            }
            events += record(name, actuators[name]!.setFailsafe(reason != nil, reason: reason ?? "", at: now))
        }
        return events.isEmpty ? [] : events + settle(at: now)
    }

    /// An `only_while` condition: nil permits the output, a reason holds it off (as an interlock).
    package mutating func setPermission(_ name: String, forbiddenBecause reason: String?, at now: MonotonicInstant) -> [Event] {
        guard actuators[name] != nil, forbidden[name] != reason else { return [] }
        forbidden[name] = reason
        return settle(at: now)
    }

    /// Re-evaluates timing (min on/off, max on, override expiry); call at `nextDeadline`.
    package mutating func evaluate(at now: MonotonicInstant) -> [Event] {
        var events: [Event] = []
        for n in names { events += record(n, actuators[n]!.evaluate(at: now)) }
        return events + settle(at: now)
    }

    package func nextDeadline(after now: MonotonicInstant) -> MonotonicInstant? { names.compactMap { actuators[$0]!.nextDeadline(after: now) }.min() }

    /// Applies interlocks until nothing changes: an output whose exclusive peer is on is held off.
    private mutating func settle(at now: MonotonicInstant) -> [Event] {
        var events: [Event] = []
        for _ in 0...names.count {
            var changed = false
            for n in names {
                let change = actuators[n]!.setInterlock(onPeer(of: n).map { "interlocked with \($0)" } ?? forbidden[n], at: now)
                if change != nil { changed = true }
                events += record(n, change)
            }
            if !changed { break }
        }
        return events
    }

    /// The first exclusive peer of `name` that is on.
    private func onPeer(of name: String) -> String? {
        for group in exclusive where group.contains(name) {
            if let peer = group.first(where: { $0 != name && actuators[$0]?.level == true }) { return peer }
        }
        return nil
    }

    private func record(_ name: String, _ change: Actuator.Change?) -> [Event] {
        change.map { [Event(actuator: name, change: $0)] } ?? []
    }
}
