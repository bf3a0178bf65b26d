import SenseCore

package struct RuleDefinition: Sendable, Hashable {
    /// A level an actuator is asked for while the rule is true.
    package struct Action: Sendable, Hashable {
        package var actuator: String
        package var level: Bool
        package init(actuator: String, level: Bool) {
            self.actuator = actuator
            self.level = level
        }
    }

    package var name: String
    package var condition: Condition
    package var actions: [Action]
    package var description: String
    /// False for conditions evaluated like rules but not published (an actuator's `only_while`).
    package var published: Bool

    package init(name: String, condition: Condition, actions: [Action] = [], description: String = "", published: Bool = true) {
        self.name = name
        self.condition = condition
        self.actions = actions
        self.description = description
        self.published = published
    }
}

/// What `<root>/rule/<name>` carries after a change.
package struct RuleSnapshot: Sendable, Hashable {
    package var name: String
    package var truth: Truth
    package var since: WallTime?
    package var description: String
    package var time: WallTime
}

/// The rules of a configuration: conditions over alarms, channels, time of day and other rules,
/// evaluated in dependency order (cycles refused at construction, so `check` reports them).
/// Pure: time comes from the caller.
package struct RuleEngine: Sendable {
    package struct CycleError: Error, Sendable, Hashable, CustomStringConvertible {
        package var cycle: [String]
        package init(cycle: [String]) { self.cycle = cycle }
        package var description: String { "rules depend on each other in a cycle: " + cycle.joined(separator: " → ") }
    }

    /// A condition flattened into nodes, so each `for:` and each deadband keeps its own state.
    private enum Node: Sendable {
        case all([Int]), any([Int]), not(Int)
        case alarm(String), compare(ChannelRef, Comparison), rule(String), time(DailyWindow)
        case sustained(Int, Duration)
    }

    private struct NodeState: Sendable {
        var wasTrue = false
        var trueSince: MonotonicInstant?
    }

    private struct Compiled: Sendable {
        var definition: RuleDefinition
        var nodes: [Node] = []
        var states: [NodeState] = []
        var root = 0
        var truth: Truth = .unknown
        var since: WallTime?
        var evaluated = false
    }

    package let order: [String]
    private var rules: [String: Compiled] = [:]
    private var latest: [ChannelRef: (value: Double?, quality: Quality)] = [:]

    package init(_ definitions: [RuleDefinition]) throws(CycleError) {
        let sorted: [RuleDefinition]
        do throws(DependencyOrder.Cycle) {
            sorted = try DependencyOrder.sorted(definitions, name: \.name) { $0.condition.ruleReferences }
        } catch {
            throw CycleError(cycle: error.path)
        }
        order = sorted.map(\.name)
        for d in sorted {
            var c = Compiled(definition: d)
            c.root = Self.compile(d.condition, into: &c.nodes)
            c.states = Array(repeating: NodeState(), count: c.nodes.count)
            rules[d.name] = c
        }
    }

    package func truth(_ name: String) -> Truth { rules[name]?.truth ?? .unknown }

    /// A reload keeps what did not change: a rule whose definition is the same keeps its truth,
    /// since when, and every `for:` timer running inside it (a rule `hot for 10m` reloaded 8
    /// minutes in fires 2 minutes later, not 10); the latest channel values stay, so carried rules
    /// go on comparing. What changed starts afresh. Returns the rules kept.
    @discardableResult
    package mutating func carryOver(from old: RuleEngine) -> [String] {
        var kept: [String] = []
        for name in order {
            guard let previous = old.rules[name], previous.definition == rules[name]?.definition else { continue }
            rules[name] = previous
            kept.append(name)
        }
        latest.merge(old.latest) { current, _ in current }
        return kept
    }

    /// The latest quality of a channel, nil before its first sample.
    package func quality(of ref: ChannelRef) -> Quality? { latest[ref]?.quality }

    /// Records the latest value of every channel a condition may compare.
    package mutating func record(_ samples: [Sample]) {
        for s in samples { latest[ChannelRef(s)] = (s.quality == .bad ? nil : s.value, s.quality) }
    }

    /// Evaluates every rule; returns the published rules whose truth changed (all of them, the
    /// first time).
    package mutating func evaluate(alarmActive: (String) -> Bool, at now: MonotonicInstant, wall: WallTime) -> [RuleSnapshot] {
        var changed: [RuleSnapshot] = []
        for name in order {
            var c = rules[name]!
            let t = evaluate(&c, c.root, alarmActive, now, wall)
            let first = !c.evaluated
            c.evaluated = true
            if t != c.truth || first {
                if t != c.truth { c.since = wall }
                c.truth = t
                if c.definition.published { changed.append(snapshot(c, wall: wall)) }
            }
            rules[name] = c
        }
        return changed
    }

    package func snapshots(wall: WallTime) -> [RuleSnapshot] {
        order.compactMap { rules[$0]!.definition.published ? snapshot(rules[$0]!, wall: wall) : nil }
    }

    /// When a rule may change without new input: a `for:` maturing or a daily window's edge.
    package func nextDeadline(now: MonotonicInstant, wall: WallTime) -> MonotonicInstant? {
        var best: MonotonicInstant?
        for name in order {
            let c = rules[name]!
            for (i, node) in c.nodes.enumerated() {
                var d: MonotonicInstant?
                switch node {
                case let .sustained(_, duration):
                    if let since = c.states[i].trueSince, now - since < duration { d = since + duration }
                case let .time(window):
                    d = now + window.untilNextBoundary(wall)
                default:
                    break
                }
                if let d, best == nil || d < best! { best = d }
            }
        }
        return best
    }

    private func snapshot(_ c: Compiled, wall: WallTime) -> RuleSnapshot {
        RuleSnapshot(name: c.definition.name, truth: c.truth, since: c.since, description: c.definition.description, time: wall)
    }

    private func evaluate(
        _ c: inout Compiled, _ i: Int, _ alarmActive: (String) -> Bool, _ now: MonotonicInstant,
        _ wall: WallTime
    ) -> Truth {
        switch c.nodes[i] {
        case let .all(children):
            var result = Truth.true
            for child in children {  // every child is evaluated: `for:` timers run regardless
                switch evaluate(&c, child, alarmActive, now, wall) {
                case .false: result = .false
                case .unknown: if result == .true { result = .unknown }
                case .true: break
                }
            }
            return result
        case let .any(children):
            var result = Truth.false
            for child in children {
                switch evaluate(&c, child, alarmActive, now, wall) {
                case .true: result = .true
                case .unknown: if result == .false { result = .unknown }
                case .false: break
                }
            }
            return result
        case let .not(child):
            return !evaluate(&c, child, alarmActive, now, wall)
        case let .alarm(name):
            return Truth(alarmActive(name))
        case let .rule(name):
            return rules[name]?.truth ?? .unknown
        case let .time(window):
            return Truth(window.contains(wall))
        case let .compare(ref, comparison):
            guard let x = latest[ref]?.value else { return .unknown }
            let holds = comparison.holds(x, wasTrue: c.states[i].wasTrue)
            c.states[i].wasTrue = holds
            return Truth(holds)
        case let .sustained(child, duration):
            let inner = evaluate(&c, child, alarmActive, now, wall)
            guard inner == .true else {
                c.states[i].trueSince = nil
                return inner
            }
            let since = c.states[i].trueSince ?? now
            c.states[i].trueSince = since
            return Truth(now - since >= duration)
        }
    }

    private static func compile(_ condition: Condition, into nodes: inout [Node]) -> Int {
        let node: Node
        switch condition {
        case let .all(cs): node = .all(cs.map { compile($0, into: &nodes) })
        case let .any(cs): node = .any(cs.map { compile($0, into: &nodes) })
        case let .not(c): node = .not(compile(c, into: &nodes))
        case let .sustained(c, d): node = .sustained(compile(c, into: &nodes), d)
        case let .alarm(n): node = .alarm(n)
        case let .compare(r, cmp): node = .compare(r, cmp)
        case let .rule(n): node = .rule(n)
        case let .time(w): node = .time(w)
        }
        nodes.append(node)
        return nodes.count - 1
    }
}
