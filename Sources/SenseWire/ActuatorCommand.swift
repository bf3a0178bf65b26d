/// An operator command on `<root>/actuator/<name>/set`, parsed and checked before it reaches
/// the actuator: `{"command": "on" | "off" | "pulse" | "override" | "release", ...}`.
package struct ActuatorCommand: Sendable, Equatable {
    package typealias Verb = ActuatorVerb

    package var actuator: String
    package var verb: Verb
    /// `override`'s level; `pulse` is always on.
    package var level: Bool?
    /// How long: required for `pulse` and `override`, optional for `on`/`off` (then max_override).
    package var duration: Duration?
    package var id: String?
    package var by: String?

    package struct Refusal: Error, Equatable {
        package var actuator: String
        package var command: String
        package var id: String?
        package var reason: String
    }

    package func refusal(_ reason: String) -> Refusal { Refusal(actuator: actuator, command: verb.rawValue, id: id, reason: reason) }

    package static let fields: [Verb: Set<String>] = [
        .on: ["command", "for"], .off: ["command", "for"], .pulse: ["command", "for"],
        .override: ["command", "for", "level"], .release: ["command"],
    ]

    /// The message's topic is `<root>/actuator/<name>/set`.
    package static func parse(_ message: IncomingMessage, root: String) throws(Refusal) -> ActuatorCommand {
        let rest = message.topic.dropFirst(root.count + "/actuator/".count).split(separator: "/", omittingEmptySubsequences: false)
        let actuator = rest.first.map(String.init) ?? ""
        var verbText = ""
        func refuse(_ r: CommandPayload.Reason) -> Refusal { Refusal(actuator: actuator, command: verbText, id: r.id, reason: r.text) }
        guard rest.count == 2, rest[1] == "set" else {
            throw Refusal(actuator: actuator, command: "", id: nil, reason: "commands go to <root>/actuator/<name>/set")
        }
        // No configured name is longer than 48 bytes; a topic level may be 64 KiB, and is not
        // quoted back whole into the answer and the log.
        guard actuator.utf8.count <= 48 else {
            throw Refusal(actuator: actuator, command: "", id: nil, reason: "no actuator has a name of \(actuator.utf8.count) bytes")
        }
        // `ON` / `OFF`, as Home Assistant's and mqtt-io's switches send them: `on` / `off`.
        if let level = plainLevel(message) {
            verbText = level ? "on" : "off"
            if message.retained { throw Refusal(actuator: actuator, command: verbText, id: nil, reason: CommandPayload.retainedReason) }
            return ActuatorCommand(actuator: actuator, verb: level ? .on : .off, level: nil, duration: nil, id: nil, by: nil)
        }
        // The verb decides which fields are allowed, so read it first.
        let all = Set(fields.values.joined())
        do throws(CommandPayload.Reason) {
            let p = try CommandPayload(message, verb: "an actuator command", allowed: all)
            guard case let .string(v)? = p.object["command"] else {
                throw p.refuse("the payload needs \"command\": one of \(Verb.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            verbText = v
            guard let verb = Verb(rawValue: v) else {
                throw p.refuse("unknown command '\(v)': use \(Verb.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            for key in p.object.keys.sorted() where !fields[verb]!.union(["id", "by", "note"]).contains(key) {
                throw p.refuse(
                    "unknown field '\(key)' for \(v); it takes: \(fields[verb]!.union(["id", "by", "note"]).sorted().joined(separator: ", "))")
            }
            let duration = try p.duration("for")
            var level: Bool?
            switch verb {
            case .pulse:
                guard duration != nil else { throw p.refuse("pulse needs 'for', e.g. \"5s\"") }
            case .override:
                guard duration != nil else { throw p.refuse("override needs 'for': every override expires") }
                guard case let .string(l)? = p.object["level"], l == "on" || l == "off" else {
                    throw p.refuse("override needs 'level': \"on\" or \"off\"")
                }
                level = l == "on"
            default:
                break
            }
            return ActuatorCommand(actuator: actuator, verb: verb, level: level, duration: duration, id: p.id, by: p.by)
        } catch {
            throw refuse(error)
        }
    }

    /// A plain payload that names a level: `ON` or `OFF` in any case, with surrounding blanks;
    /// nil for anything else (JSON, or a word that is not one of the two).
    static func plainLevel(_ message: IncomingMessage) -> Bool? {
        guard message.length <= 16, !message.isOversized else { return nil }
        let blank: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        let word = message.payload.drop { blank.contains($0) }.reversed().drop { blank.contains($0) }.reversed()
        switch String(decoding: word, as: UTF8.self).lowercased() {
        case "on": return true
        case "off": return false
        default: return nil
        }
    }
}
