import SenseAnalysis
import SenseCore

/// Decoding of `alarms:`.
enum AlarmDecoding {
    /// An alarm's `cap:` block, decoded once the top-level `cap:` section is known.
    struct PendingCAP {
        var alarm: AlarmDefinition
        var path: String
        var keyMark: SourceMark
        var node: YAMLNode
    }

    static func alarms(
        _ list: [YAMLNode], sensors: Named<SensorConfig>, derived: Named<DerivedDefinition>,
        windows: Named<WindowDefinition>, capNodes: inout [PendingCAP], sink: DiagnosticSink
    ) -> [AlarmDefinition] {
        let s = ScalarReader(sink)
        var out: [AlarmDefinition] = []
        var taken: Set<String> = []
        for (i, item) in list.enumerated() {
            guard var m = MappingReader(item, path: "alarms[\(i)]", sink: sink) else { continue }
            let name = AnalysisDecoding.uniqueName(&m, kind: "alarm", taken: &taken, sink: sink)
            let channel = m.required("channel").flatMap {
                AnalysisDecoding.existingChannel(
                    $0, path: m.child("channel"), sensors: sensors, derived: derived,
                    windows: windows, sink: sink)?.ref
            }
            let high = m.node("high").flatMap { s.number($0, m.child("high")) }
            let low = m.node("low").flatMap { s.number($0, m.child("low")) }
            if m.has("high") == m.has("low") {  // presence, not value: a malformed limit is its own error
                sink.error(item.mark, m.child("high"), "give exactly one limit: high or low (a second limit, e.g. high-high, is a second alarm)")
            }
            let deadband =
                m.node("deadband").flatMap { n -> Double? in
                    guard let v = s.number(n, m.child("deadband")) else { return nil }
                    guard v >= 0 else {
                        sink.error(n.mark, m.child("deadband"), "must not be negative")
                        return nil
                    }
                    return v
                } ?? 0
            let onDelay = m.node("on_delay").flatMap { delay($0, m.child("on_delay"), s, sink) }
            let offDelay = m.node("off_delay").flatMap { delay($0, m.child("off_delay"), s, sink) }
            let priority = m.node("priority").flatMap { s.choice($0, m.child("priority"), Alarm.Priority.allCases) } ?? .medium
            let latched = m.node("latch").flatMap { s.bool($0, m.child("latch")) } ?? false
            var suppressChatter = true
            var chatter = Alarm.Chatter()
            if let c = m.node("chatter"), var cm = MappingReader(c, path: m.child("chatter"), sink: sink) {
                if let n = cm.node("activations"), let v = s.integer(n, cm.child("activations"), in: 2...1000) {
                    chatter.activations = v
                }
                if let n = cm.node("window"), let v = s.duration(n, cm.child("window"), in: .seconds(1)...(.seconds(86_400))) {
                    chatter.window = v
                }
                if let n = cm.node("suppress"), let v = s.bool(n, cm.child("suppress")) { suppressChatter = v }
                cm.finish()
            }
            let maxShelve =
                m.node("max_shelve").flatMap { s.duration($0, m.child("max_shelve"), in: .seconds(1)...(.seconds(7 * 86400))) }
                ?? .seconds(8 * 3600)
            var commands = Set(AlarmDefinition.Command.allCases)
            if let c = m.node("commands"), let items = s.list(c, m.child("commands")) {
                commands = Set(items.enumerated().compactMap { s.choice($1, m.child("commands[\($0)]"), AlarmDefinition.Command.allCases) })
            }
            let description = m.node("description").flatMap { s.string($0, m.child("description")) } ?? ""
            let cap = m.node("cap")
            m.finish()
            guard let name, let channel, high != nil || low != nil, (high == nil) != (low == nil) else { continue }
            let threshold = Threshold.Settings(
                direction: high != nil ? .high : .low, limit: high ?? low!, deadband: deadband,
                onDelay: onDelay, offDelay: offDelay)
            if let bounds = AlarmReachability.readable(channel, sensors: sensors, derived: derived),
                let problem = AlarmReachability.problem(threshold, channel: channel, bounds: bounds)
            {
                sink.error(m.keyMark(problem.key), m.child(problem.key), problem.message)
                continue
            }
            let definition = AlarmDefinition(
                name: name, channel: channel, threshold: threshold, priority: priority, latched: latched,
                chatter: chatter, suppressChatter: suppressChatter, maximumShelve: maxShelve,
                allowedCommands: commands, description: description)
            out.append(definition)
            if let cap { capNodes.append(PendingCAP(alarm: definition, path: m.child("cap"), keyMark: m.keyMark("cap"), node: cap)) }
        }
        return out
    }

    /// `alarm_flood: {activations: 10, window: 10m, end_below: 5, suppress: [low, medium]}`.
    static func flood(_ n: YAMLNode, sink: DiagnosticSink) -> AlarmFlood.Settings? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "alarm_flood", sink: sink) else { return nil }
        var f = AlarmFlood.Settings()
        if let v = m.node("activations"), let k = s.integer(v, m.child("activations"), in: 2...10_000) { f.activations = k }
        if let v = m.node("window"), let d = s.duration(v, m.child("window"), in: .seconds(10)...(.seconds(86400))) { f.window = d }
        if let v = m.node("end_below"), let k = s.integer(v, m.child("end_below")) {
            if k >= 1, k <= f.activations {
                f.endBelow = k
            } else {
                sink.error(v.mark, m.child("end_below"), "between 1 and activations (\(f.activations))")
            }
        }
        if let v = m.node("suppress"), let items = s.list(v, m.child("suppress")) {
            f.suppress = Set(items.enumerated().compactMap { s.choice($1, m.child("suppress[\($0)]"), Alarm.Priority.allCases) })
        }
        m.finish()
        return f
    }

    /// A whole number of samples, or a duration.
    static func delay(_ n: YAMLNode, _ path: String, _ s: ScalarReader, _ sink: DiagnosticSink) -> Threshold.Delay? {
        if case let .scalar(text, true, _) = n, let k = ScalarReader.parseInteger(text) {
            guard (1...100_000).contains(k) else {
                sink.error(n.mark, path, "a count of 1…100000 samples, or a duration such as 5m")
                return nil
            }
            return .samples(k)
        }
        return s.duration(n, path, in: .zero...(.seconds(7 * 86400))).map(Threshold.Delay.time)
    }
}
