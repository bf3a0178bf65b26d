import SenseAnalysis
import SenseCore
import SenseHardware
import SenseReaction
import SenseWire

/// A declared output: which line, how it is driven, and what may drive it.
package struct ActuatorDefinition: Sendable, Hashable {
    /// The commands an operator may send on `<root>/actuator/<name>/set`.
    package typealias Command = ActuatorVerb

    package var name: String
    package var line: Board.Line
    package var pinName: String
    /// The output is active (on) when the line is low.
    package var activeLow: Bool
    package var settings: Actuator.Settings
    package var commands: Set<Command>
    /// Never on together with these (in either direction; the one declared first wins).
    package var exclusiveWith: [String]
    /// Held off unless this condition is true (unknown counts as not true).
    package var onlyWhile: Condition?
    /// At the failsafe level while any of these channels is bad or has not reported yet.
    package var failsafeWhenBad: [ChannelRef]
    /// How long those channels must be good again before the output leaves its failsafe level.
    package var failsafeHold: Duration
    package var description: String
    /// The length of the pulse Home Assistant's button sends (`pulse:`); nil: none configured.
    package var pulse: Duration? = nil
}

/// Decoding of `actuators:`.
enum ActuatorDecoding {
    /// `on` or `off`.
    static func level(_ n: YAMLNode, _ path: String, _ sink: DiagnosticSink) -> Bool? {
        guard case let .scalar(text, _, _) = n, text == "on" || text == "off" else {
            sink.error(n.mark, path, "expected on or off")
            return nil
        }
        return text == "on"
    }

    static func actuators(
        _ list: [YAMLNode], board: Board?, inputs: [Board.Line: String], busLines: [Board.Line: (bus: String, role: String)],
        conditions: ConditionDecoder, sink: DiagnosticSink
    ) -> [ActuatorDefinition] {
        let s = ScalarReader(sink)
        var out: [ActuatorDefinition] = []
        var taken: Set<String> = []
        var driven: [Board.Line: String] = [:]
        var exclusiveMarks: [(Int, YAMLNode)] = []
        for (i, item) in list.enumerated() {
            guard var m = MappingReader(item, path: "actuators[\(i)]", sink: sink) else { continue }
            let name = AnalysisDecoding.uniqueName(&m, kind: "actuator", taken: &taken, sink: sink)
            var line: (Board.Line, String)?
            if let p = m.required("pin"), let pin = s.string(p, m.child("pin")), let board {
                if let l = board.line(named: pin) {
                    if let sensor = inputs[l] {
                        sink.error(p.mark, m.child("pin"), "\(pin) is already the input of sensor '\(sensor)'")
                    } else if let (bus, role) = busLines[l] {
                        sink.error(
                            p.mark, m.child("pin"),
                            "\(pin) is \(role.uppercased()) of \(bus), which "
                                + "\(ConfigLoader.users(of: bus, conditions.sensors.all)) uses: choose another pin")
                    } else if let other = driven[l] {
                        sink.error(p.mark, m.child("pin"), "\(pin) is already driven by actuator '\(other)'")
                    } else {
                        line = (l, pin)
                    }
                } else {
                    sink.error(
                        p.mark, m.child("pin"), "board '\(board.name)' has no pin '\(pin)'; name a line such as GPIO17 or a header pin such as pin11")
                }
            }
            let activeLow = m.node("active_low").flatMap { s.bool($0, m.child("active_low")) } ?? false
            var settings = Actuator.Settings()
            if let n = m.node("failsafe"), let v = level(n, m.child("failsafe"), sink) { settings.failsafe = v }
            settings.initial = settings.failsafe
            if let n = m.node("initial"), let v = level(n, m.child("initial"), sink) { settings.initial = v }
            if let n = m.node("default"), let v = level(n, m.child("default"), sink) { settings.defaultLevel = v }
            func time(_ key: String, max: Duration) -> Duration? {
                m.node(key).flatMap { s.duration($0, m.child(key), in: .zero...max) }
            }
            settings.minimumOn = time("min_on", max: .seconds(86400)) ?? .zero
            settings.minimumOff = time("min_off", max: .seconds(86400)) ?? .zero
            settings.maximumOn = time("max_on", max: .seconds(7 * 86400))
            settings.maximumOverride = time("max_override", max: .seconds(7 * 86400)) ?? .seconds(3600)
            if let maxOn = settings.maximumOn, maxOn <= settings.minimumOn {
                sink.error(m.keyMark("max_on"), m.child("max_on"), "must be longer than min_on")
            }
            if settings.maximumOverride <= .zero {
                sink.error(m.keyMark("max_override"), m.child("max_override"), "must be longer than 0")
            }
            var commands = Set(ActuatorDefinition.Command.allCases)
            if let c = m.node("commands"), let items = s.list(c, m.child("commands")) {
                commands = Set(items.enumerated().compactMap { s.choice($1, m.child("commands[\($0)]"), ActuatorDefinition.Command.allCases) })
            }
            var exclusive: [String] = []
            if let e = m.node("exclusive_with"), let items = s.list(e, m.child("exclusive_with")) {
                exclusive = items.enumerated().compactMap { s.string($1, m.child("exclusive_with[\($0)]")) }
                exclusiveMarks.append((i, e))
            }
            let onlyWhile = m.node("only_while").flatMap { conditions.condition($0, path: m.child("only_while")) }
            var failsafeWhenBad: [ChannelRef] = []
            if let f = m.node("failsafe_when_bad"), let items = s.list(f, m.child("failsafe_when_bad")) {
                failsafeWhenBad = items.enumerated().compactMap {
                    AnalysisDecoding.existingChannel(
                        $1, path: m.child("failsafe_when_bad[\($0)]"), sensors: conditions.sensors,
                        derived: conditions.derived, windows: conditions.windows, sink: sink)?.ref
                }
            }
            let failsafeHold = time("failsafe_hold", max: .seconds(3600)) ?? .zero
            let description = m.node("description").flatMap { s.string($0, m.child("description")) } ?? ""
            let pulse = time("pulse", max: .seconds(7 * 86400))
            if let pulse, pulse <= .zero || pulse > settings.maximumOverride {
                sink.error(
                    m.keyMark("pulse"), m.child("pulse"),
                    "must be longer than 0 and at most max_override (\(settings.maximumOverride.configText))")
            }
            if pulse != nil, !commands.contains(.pulse) {
                sink.error(m.keyMark("pulse"), m.child("pulse"), "'pulse' is not among this actuator's commands")
            }
            m.finish()
            guard let name, let line else { continue }
            driven[line.0] = name
            out.append(
                ActuatorDefinition(
                    name: name, line: line.0, pinName: line.1, activeLow: activeLow, settings: settings,
                    commands: commands, exclusiveWith: exclusive, onlyWhile: onlyWhile,
                    failsafeWhenBad: failsafeWhenBad, failsafeHold: failsafeHold, description: description, pulse: pulse))
        }
        let names = Set(out.map(\.name))
        for (i, node) in exclusiveMarks {
            guard out.indices.contains(i) else { continue }
            for peer in out[i].exclusiveWith where !names.contains(peer) || peer == out[i].name {
                sink.error(
                    node.mark, "actuators[\(i)].exclusive_with",
                    peer == out[i].name ? "an actuator cannot exclude itself" : "no actuator named '\(peer)'")
            }
        }
        return out
    }
}

extension ActuatorDefinition {
    /// Exclusive pairs as the bank wants them: each pair once, in declaration order.
    package static func exclusiveGroups(_ actuators: [ActuatorDefinition]) -> [[String]] {
        var groups: [[String]] = []
        var seen: Set<[String]> = []
        var position: [String: Int] = [:]
        for (i, a) in actuators.enumerated() where position[a.name] == nil { position[a.name] = i }
        for a in actuators {
            for peer in a.exclusiveWith {
                guard let p = position[peer], let q = position[a.name], p != q else { continue }
                let pair = q < p ? [a.name, peer] : [peer, a.name]
                if seen.insert(pair).inserted { groups.append(pair) }
            }
        }
        return groups
    }
}
