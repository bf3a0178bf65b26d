import SenseAnalysis
import SenseCore
import SenseWire

/// Decoding of `commands:`: whether commands must be signed, the clock window, and the keys.
enum CommandsDecoding {
    static let keyLimit = 256
    /// Secrets of 32 to 64 bytes, written as 64 to 128 hex digits (`openssl rand -hex 32`).
    static let secretBytes = 32...64

    static var verbs: [String] { ActuatorVerb.allCases.map(\.rawValue) + AlarmDefinition.Command.allCases.map(\.rawValue) }

    static func settings(_ n: YAMLNode, actuators: Set<String>, alarms: Set<String>, sink: DiagnosticSink) -> CommandSigning? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "commands", sink: sink) else { return nil }
        let required = m.node("require_signature").flatMap { s.bool($0, m.child("require_signature")) } ?? false
        let window =
            m.node("clock_window").flatMap {
                s.duration(
                    $0, m.child("clock_window"), in: CommandSigning.windowRange,
                    why: "must be between 5s and 1h: how far a command's ts may be from the gateway's clock")
            } ?? CommandSigning.defaultWindow
        var keys: [String: CommandKey] = [:]
        var declared = false
        if let k = m.node("keys") {
            if case let .mapping(entries, _) = k { declared = !entries.isEmpty }
            keys = decodeKeys(k, path: m.child("keys"), actuators: actuators, alarms: alarms, sink: sink)
        }
        // Keys that were declared and refused have their own errors: one mistake, one error.
        if required, !declared {
            sink.error(m.keyMark("require_signature"), m.child("require_signature"), "signed commands need at least one key under commands.keys")
        }
        m.finish()
        return CommandSigning(required: required, window: window, keys: keys)
    }

    static func decodeKeys(
        _ n: YAMLNode, path: String, actuators: Set<String>, alarms: Set<String>, sink: DiagnosticSink
    ) -> [String: CommandKey] {
        guard case let .mapping(entries, mark) = n else {
            sink.error(n.mark, path, "expected a mapping of key ids to their file and permissions, got \(n.kindName)")
            return [:]
        }
        guard entries.count <= keyLimit else {
            sink.error(mark, path, "\(entries.count) keys; at most \(keyLimit)")
            return [:]
        }
        var keys: [String: CommandKey] = [:]
        for (id, keyMark, value) in entries {
            let here = "\(path).\(QuotedText.shown(id))"
            guard CommandKey.validID(id) else {
                sink.error(keyMark, here, "'\(QuotedText.shown(id))' is not a key id: 1–64 letters, digits and ._-")
                continue
            }
            if let key = decodeKey(id, value, path: here, actuators: actuators, alarms: alarms, sink: sink) { keys[id] = key }
        }
        return keys
    }

    static func decodeKey(
        _ id: String, _ n: YAMLNode, path: String, actuators: Set<String>, alarms: Set<String>, sink: DiagnosticSink
    ) -> CommandKey? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        var secret: [UInt8]?
        if let f = m.required("file"), let file = s.string(f, m.child("file")) {
            secret = readSecret(file, at: f.mark, path: m.child("file"), sink: sink)
        }
        let actuatorScope = m.node("actuators").flatMap { scope($0, path: m.child("actuators"), known: actuators, what: "actuator", sink: sink) }
        let alarmScope = m.node("alarms").flatMap { scope($0, path: m.child("alarms"), known: alarms, what: "alarm", sink: sink) }
        let commands = m.node("commands").flatMap { scope($0, path: m.child("commands"), known: Set(verbs), what: "command", sink: sink) } ?? .all
        if m.node("actuators") == nil, m.node("alarms") == nil {
            sink.error(n.mark, path, "this key may command nothing: list the actuators or alarms it may command (or \"*\" for all)")
        }
        m.finish()
        guard let secret else { return nil }
        return CommandKey(
            id: id, secret: secret, actuators: actuatorScope ?? .only([]), alarms: alarmScope ?? .only([]), commands: commands)
    }

    /// The hex secret of a key file that only its owner and group may read.
    static func readSecret(_ file: String, at mark: SourceMark, path: String, sink: DiagnosticSink) -> [UInt8]? {
        let bytes: [UInt8]
        do {
            bytes = try SourceFile.read(file, secret: true)
        } catch {
            sink.error(mark, path, "cannot use \(file): \(error)")
            return nil
        }
        let blank: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        let text = String(decoding: bytes.drop { blank.contains($0) }.reversed().drop { blank.contains($0) }.reversed(), as: UTF8.self)
        guard let secret = SignedEnvelope.hexBytes(text), secretBytes.contains(secret.count) else {
            // The content is a secret: never quoted back.
            sink.error(
                mark, path,
                "\(file) must hold the key as \(secretBytes.lowerBound * 2)–\(secretBytes.upperBound * 2) hex digits "
                    + "(e.g. from `openssl rand -hex 32`), and it holds \(bytes.count) bytes of something else")
            return nil
        }
        return secret
    }

    /// `"*"` for all, or a list of names that exist.
    static func scope(_ n: YAMLNode, path: String, known: Set<String>, what: String, sink: DiagnosticSink) -> CommandKey.Scope? {
        let s = ScalarReader(sink)
        if case let .scalar(text, _, _) = n, text == "*" { return .all }
        guard let items = s.list(n, path) else { return nil }
        var names = Set<String>()
        for (i, item) in items.enumerated() {
            guard let name = s.string(item, "\(path)[\(i)]") else { continue }
            if name == "*" { return .all }
            guard known.contains(name) else {
                sink.error(
                    item.mark, "\(path)[\(i)]",
                    known.isEmpty
                        ? "no \(what) named '\(QuotedText.shown(name))': none is configured"
                        : "no \(what) named '\(QuotedText.shown(name))'; there are: \(listed(known.sorted()))")
                continue
            }
            names.insert(name)
        }
        return .only(names)
    }
}
