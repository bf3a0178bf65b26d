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
