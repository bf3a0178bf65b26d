import SenseAnalysis
import SenseConfig
import SenseCore
import SenseMQTT

/// An operator command on `<root>/alarm/<name>/<ack|shelve|unshelve>`, parsed and checked
/// before it reaches an alarm.
struct AlarmCommand: Sendable, Equatable {
    var alarm: String
    var command: AlarmDefinition.Command
    var id: String?
    var by: String?
    var shelveFor: Duration?

    struct Refusal: Error, Equatable {
        var alarm: String
        var command: String
        var id: String?
        var reason: String
    }

    /// Fields each command accepts.
    static let fields: [AlarmDefinition.Command: Set<String>] = [
        .ack: ["id", "by", "note"], .shelve: ["id", "by", "note", "for"], .unshelve: ["id", "by", "note"],
    ]

    /// `topic` is below `<root>/alarm/`. An empty payload means `{}`.
    static func parse(topic: String, root: String, payload: [UInt8]) throws(Refusal) -> AlarmCommand {
        let rest = topic.dropFirst(root.count + "/alarm/".count).split(separator: "/", omittingEmptySubsequences: false)
        let alarm = rest.first.map(String.init) ?? ""
        let verb = rest.count == 2 ? String(rest[1]) : ""
        guard rest.count == 2, let command = AlarmDefinition.Command(rawValue: verb) else {
            throw Refusal(alarm: alarm, command: verb, id: nil, reason: "unknown command '\(verb)': use ack, shelve or unshelve")
        }
        let object: [String: JSONValue]
        if payload.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            object = [:]
        } else {
            let value: JSONValue
            do {
                value = try JSONValue.parse(payload)
            } catch {
                throw Refusal(alarm: alarm, command: verb, id: nil, reason: error.description)
            }
            guard case let .object(o) = value else {
                throw Refusal(alarm: alarm, command: verb, id: nil, reason: "the payload must be a JSON object")
            }
            object = o
        }
        var id: String?
        if let v = object["id"] {
            guard case let .string(s) = v, s.utf8.count <= 128 else {
                throw Refusal(alarm: alarm, command: verb, id: nil, reason: "'id' must be a string of at most 128 bytes")
            }
            id = s
        }
        func refuse(_ reason: String) -> Refusal { Refusal(alarm: alarm, command: verb, id: id, reason: reason) }
        for key in object.keys.sorted() where !fields[command]!.contains(key) {
            throw refuse("unknown field '\(key)'; \(verb) takes: \(fields[command]!.sorted().joined(separator: ", "))")
        }
        var by: String?
        for key in ["by", "note"] {
            guard let v = object[key] else { continue }
            guard case let .string(s) = v, s.utf8.count <= 256 else { throw refuse("'\(key)' must be a string of at most 256 bytes") }
            if key == "by" { by = s }
        }
        var shelveFor: Duration?
        if command == .shelve {
            switch object["for"] {
            case nil: throw refuse("shelve needs 'for', a duration such as \"30m\" or a number of seconds")
            case let .number(seconds)?:
                guard seconds > 0, seconds <= 86400 * 365 else { throw refuse("'for' must be a positive number of seconds") }
                shelveFor = .milliseconds(Int64(seconds * 1000))
            case let .string(text)?:
                guard let d = ScalarReader.parseDuration(text), d > .zero else { throw refuse("'for' is not a duration: '\(text)'") }
                shelveFor = d
            default:
                throw refuse("'for' must be a duration string or a number of seconds")
            }
        }
        return AlarmCommand(alarm: alarm, command: command, id: id, by: by, shelveFor: shelveFor)
    }
}

enum AlarmPayloads {
    /// The retained state on `<root>/alarm/<name>`.
    static func state(_ a: AlarmSnapshot, seq: UInt64) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("state", a.state.rawValue)
        w.field("active", a.state.isActive)
        w.field("priority", a.priority.rawValue)
        w.field("channel", a.channel.description)
        w.field("direction", a.direction.rawValue)
        w.field("limit", a.limit)
        w.field("deadband", a.deadband)
        w.field("value", a.value)
        w.field("q", a.quality.rawValue)
        if let since = a.since { w.field("since", since.rfc3339) }
        w.field("shelved", a.shelved)
        w.field("chattering", a.chattering)
        if !a.description.isEmpty { w.field("description", a.description) }
        w.field("t", a.time.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }

    /// The outcome of a command on `<root>/alarm/<name>/reply`.
    static func reply(command: String, id: String?, ok: Bool, state: Alarm.State?, reason: String?, wall: WallTime,
                      seq: UInt64) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("command", command)
        if let id { w.field("id", id) }
        w.field("ok", ok)
        if let state { w.field("state", state.rawValue) }
        if let reason { w.field("reason", reason) }
        w.field("t", wall.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }
}

enum AggregatePayloads {
    /// `{"from":…,"to":…,"u":"Cel","q":"good","completeness":1,"mean":…,"min":…,"t":…,"seq":…}`;
    /// every configured function is present, `null` when the window had no usable sample.
    static func aggregate(_ a: Analysis.Aggregate, seq: UInt64) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("from", a.result.from.rfc3339)
        w.field("to", a.result.to.rfc3339)
        if a.result.unit != .none { w.field("u", a.result.unit.rawValue) }
        w.field("q", a.result.quality.rawValue)
        if let r = a.result.reason { w.field("r", r.rawValue) }
        w.field("completeness", (a.result.completeness * 1000).rounded() / 1000)
        for f in a.functions {
            w.field(f.rawValue, a.result.values[f].map { abs($0) < 1e12 ? ($0 * 1e6).rounded() / 1e6 : $0 })
        }
        w.field("t", a.result.to.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }
}
