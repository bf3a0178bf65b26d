import SenseAnalysis
import SenseCore

/// Decoding of a condition (a rule's `when:`, an actuator's `only_while:`): exactly one of
/// `all`, `any`, `not`, `alarm`, `rule`, `channel` (with `above`/`below`/`equals`) or `time`,
/// optionally with `for:`. Every reference is resolved here, so `check` names what is wrong.
struct ConditionDecoder {
    var sensors: Named<SensorConfig>
    var derived: Named<DerivedDefinition>
    var windows: Named<WindowDefinition>
    var alarms: Set<String>
    var rules: Set<String>
    var utcOffsetMinutes: Int
    let sink: DiagnosticSink

    static let kinds = ["all", "any", "not", "alarm", "rule", "channel", "time"]

    func condition(_ n: YAMLNode, path: String) -> Condition? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        let present = m.entries.map(\.key).filter(Self.kinds.contains)
        guard present.count == 1, let kind = present.first else {
            sink.error(
                m.mark, path,
                present.isEmpty
                    ? "a condition needs one of: \(Self.kinds.joined(separator: ", ")) (and may add for:)"
                    : "a condition has exactly one of \(present.joined(separator: ", ")); combine them with all: or any:")
            for k in Self.kinds { _ = m.node(k) }
            _ = m.node("for")
            return nil
        }
        var result: Condition?
        let node = m.node(kind)!
        switch kind {
        case "all", "any":
            if let items = s.list(node, m.child(kind)) {
                if items.isEmpty { sink.error(node.mark, m.child(kind), "\(kind) needs at least one condition") }
                let cs = items.enumerated().compactMap { condition($1, path: m.child("\(kind)[\($0)]")) }
                if cs.count == items.count, !items.isEmpty { result = kind == "all" ? .all(cs) : .any(cs) }
            }
        case "not":
            result = condition(node, path: m.child("not")).map(Condition.not)
        case "alarm":
            if let name = s.string(node, m.child("alarm")) {
                if alarms.contains(name) {
                    result = .alarm(name)
                } else {
                    let hint = rules.contains(name) ? ": '\(name)' is a rule, write rule: \(name)" : ""
                    sink.missing(.alarm, name, node.mark, m.child("alarm"), hint: hint)
                }
            }
        case "rule":
            if let name = s.string(node, m.child("rule")) {
                if rules.contains(name) {
                    result = .rule(name)
                } else {
                    let hint = alarms.contains(name) ? ": '\(name)' is an alarm, write alarm: \(name)" : ""
                    sink.missing(.rule, name, node.mark, m.child("rule"), hint: hint)
                }
            }
        case "channel":
            result = comparison(node, &m)
        default:
            result = time(node, path: m.child("time"))
        }
        if let f = m.node("for"), let d = s.duration(f, m.child("for"), in: .milliseconds(1)...(.seconds(7 * 86400))) {
            result = result.map { .sustained($0, d) }
        }
        m.finish()
        return result
    }

    /// `channel: REF` with one of `above`, `below`, `equals`, and an optional `deadband`.
    private func comparison(_ node: YAMLNode, _ m: inout MappingReader) -> Condition? {
        let s = ScalarReader(sink)
        let resolved = AnalysisDecoding.existingChannel(
            node, path: m.child("channel"), sensors: sensors, derived: derived,
            windows: windows, sink: sink)
        var ops: [(Comparison.Operator, YAMLNode)] = []
        for op in Comparison.Operator.allCases { if let v = m.node(op.rawValue) { ops.append((op, v)) } }
        let deadbandNode = m.node("deadband")
        guard ops.count == 1, let (op, valueNode) = ops.first else {
            sink.error(m.mark, m.child("channel"), "compare the channel with exactly one of: above, below, equals")
            return nil
        }
        guard case let .scalar(text, plain, _) = valueNode, let value = ScalarReader.parseNumber(text), value.isFinite,
            value.magnitude <= ScalarReader.largestNumber
        else {
            sink.error(valueNode.mark, m.child(op.rawValue), "type mismatch: \(op.rawValue) takes a number, got \(describe(valueNode))")
            return nil
        }
        guard plain else {
            sink.error(valueNode.mark, m.child(op.rawValue), ScalarReader.quoted(text, "a number"))
            return nil
        }
        var deadband = 0.0
        if let d = deadbandNode, let v = s.number(d, m.child("deadband")) {
            if v < 0 { sink.error(d.mark, m.child("deadband"), "must not be negative") } else { deadband = v }
        }
        guard let ref = resolved?.ref else { return nil }
        // A contact's state is 0 or 1: comparing it with anything else is a type mismatch.
        if case let .sensor(sensor, quantity) = ref, quantity == "state",
            sensors[sensor]?.kind.driverName == "digital_input"
        {
            let fine = op == .equals ? (value == 0 || value == 1) : (0..<1).contains(value)
            if !fine {
                sink.error(
                    valueNode.mark, m.child(op.rawValue),
                    "type mismatch: \(ref) is a contact (0 or 1); write equals: 1 (active) or equals: 0")
                return nil
            }
        }
        return .compare(ref, Comparison(op, value, deadband: deadband))
    }

    /// `time: {from: "07:00", to: "19:00", days: [mon, tue, wed, thu, fri]}` in local time.
    private func time(_ node: YAMLNode, path: String) -> Condition? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(node, path: path, sink: sink) else { return nil }
        func clock(_ key: String) -> Int? {
            guard let n = m.required(key), let text = s.string(n, m.child(key)) else { return nil }
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[1].count == 2, let h = Int(parts[0]), let mm = Int(parts[1]),
                (0..<24).contains(h), (0..<60).contains(mm)
            else {
                sink.error(n.mark, m.child(key), "expected a time of day such as \"07:30\", got '\(text)'")
                return nil
            }
            return h * 60 + mm
        }
        let from = clock("from")
        let to = clock("to")
        var days = Set(DailyWindow.Weekday.allCases)
        if let d = m.node("days"), let items = s.list(d, m.child("days")) {
            days = Set(items.enumerated().compactMap { s.choice($1, m.child("days[\($0)]"), DailyWindow.Weekday.allCases) })
            if items.isEmpty { sink.error(d.mark, m.child("days"), "at least one day") }
        }
        m.finish()
        guard let from, let to, !days.isEmpty else { return nil }
        guard from != to else {
            sink.error(m.mark, path, "from and to are the same time: the window would be empty")
            return nil
        }
        return .time(DailyWindow(from: from, to: to, days: days, utcOffsetMinutes: utcOffsetMinutes))
    }

    private func describe(_ n: YAMLNode) -> String {
        if case let .scalar(text, _, _) = n { return "'\(text)'" }
        return n.kindName
    }
}

/// Decoding of `rules:`.
enum RuleDecoding {
    static func rules(_ list: [YAMLNode], conditions: ConditionDecoder, actuators: [String], sink: DiagnosticSink) -> [RuleDefinition] {
        let s = ScalarReader(sink)
        var out: [(RuleDefinition, YAMLNode)] = []
        var taken: Set<String> = []
        let actuatorSet = Set(actuators)
        for (i, item) in list.enumerated() {
            guard var m = MappingReader(item, path: "rules[\(i)]", sink: sink) else { continue }
            let name = AnalysisDecoding.uniqueName(&m, kind: "rule", taken: &taken, sink: sink)
            if let name, conditions.alarms.contains(name) {
                sink.error(m.keyMark("name"), m.child("name"), "'\(name)' is already an alarm's name; rules and alarms need distinct names")
            }
            let condition = m.required("when").flatMap { conditions.condition($0, path: m.child("when")) }
            var actions: [RuleDefinition.Action] = []
            if let t = m.node("then"), var tm = MappingReader(t, path: m.child("then"), sink: sink) {
                for e in tm.entries {
                    _ = tm.node(e.key)
                    guard actuatorSet.contains(e.key) else {
                        sink.missing(
                            .actuator, e.key, e.keyMark, tm.child(e.key),
                            hint: actuators.isEmpty ? " (no actuators are configured)" : "; actuators: \(listed(actuators))")
                        continue
                    }
                    if let level = ActuatorDecoding.level(e.value, tm.child(e.key), sink) {
                        actions.append(.init(actuator: e.key, level: level))
                    }
                }
                tm.finish()
            }
            let description = m.node("description").flatMap { s.string($0, m.child("description")) } ?? ""
            m.finish()
            guard let name, let condition else { continue }
            out.append((RuleDefinition(name: name, condition: condition, actions: actions, description: description), item))
        }
        let result = out.map(\.0)
        do throws(RuleEngine.CycleError) {
            _ = try RuleEngine(result)
        } catch {
            let first = out.first { $0.0.name == error.cycle.first }?.1.mark ?? SourceMark(line: 1, column: 1)
            sink.error(first, "rules", error.description)
        }
        return result
    }
}
