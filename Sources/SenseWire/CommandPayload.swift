import SenseCore

/// The JSON object of an operator command, with the fields every command shares (`id`, `by`,
/// `note`) checked, and typed readers for the rest. Refusals are plain reasons; the command
/// types add what the reply needs.
package struct CommandPayload {
    /// Larger payloads are refused unread: no command needs more.
    package static let sizeLimit = 4096

    package let object: [String: JSONValue]
    package let id: String?
    package let by: String?

    /// Why a retained command is refused: it would act again at every reconnect and restart.
    package static let retainedReason =
        "a retained command is never executed: a command acts once, when it is sent, and the broker would "
        + "deliver a retained one again at every reconnect; publish it without the retain flag, and delete the retained copy "
        + "(an empty retained message on the same topic)"

    /// An empty (or blank) payload is `{}`. `allowed` are the fields this command takes besides
    /// `id`, `by` and `note`; `verb` names it in messages. A retained message is refused (with its
    /// `id` when the payload has one, so the sender can match the answer).
    package init(_ message: IncomingMessage, verb: String, allowed: Set<String>) throws(Reason) {
        let payload = message.payload
        guard message.length <= Self.sizeLimit, !message.isOversized else {
            throw Reason(id: nil, "the payload (\(message.length) bytes) is larger than \(Self.sizeLimit) bytes")
        }
        if payload.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            object = [:]
        } else {
            let value: JSONValue
            do {
                value = try JSONValue.parse(payload)
            } catch {
                throw Reason(id: nil, message.retained ? Self.retainedReason : error.description)
            }
            guard case let .object(o) = value else {
                throw Reason(id: nil, message.retained ? Self.retainedReason : "the payload must be a JSON object")
            }
            object = o
        }
        var id: String?
        if let v = object["id"] {
            guard case let .string(s) = v, s.utf8.count <= 128 else { throw Reason(id: nil, "'id' must be a string of at most 128 bytes") }
            id = s
        }
        self.id = id
        if message.retained { throw Reason(id: id, Self.retainedReason) }
        let fields = allowed.union(["id", "by", "note"])
        for key in object.keys.sorted() where !fields.contains(key) {
            throw Reason(id: id, "unknown field '\(key)'; \(verb) takes: \(fields.sorted().joined(separator: ", "))")
        }
        var by: String?
        for key in ["by", "note"] {
            guard let v = object[key] else { continue }
            guard case let .string(s) = v, s.utf8.count <= 256 else { throw Reason(id: id, "'\(key)' must be a string of at most 256 bytes") }
            if key == "by" { by = s }
        }
        self.by = by
    }

    package struct Reason: Error, Equatable {
        package var id: String?
        package var text: String
        package init(id: String?, _ text: String) {
            self.id = id
            self.text = text
        }
    }

    package func refuse(_ text: String) -> Reason { Reason(id: id, text) }

    /// A duration field: `"30m"` or a number of seconds; nil when absent.
    package func duration(_ key: String) throws(Reason) -> Duration? {
        switch object[key] {
        case nil:
            return nil
        case let .number(seconds)?:
            // The actuator or alarm applies its own limit (max_override, max_shelve); this one
            // only keeps the number a duration at all.
            guard seconds > 0, let d = Duration(checkedSeconds: seconds) else {
                throw refuse("'\(key)' must be a positive number of seconds, at most \(DurationText.longest.limitText)")
            }
            return d
        case let .string(text)?:
            switch DurationText.parse(text) {
            case let .failure(problem): throw refuse("'\(key)': \(problem)")
            case let .success(d):
                guard d > .zero else { throw refuse("'\(key)' must be longer than 0") }
                return d
            }
        default:
            throw refuse("'\(key)' must be a duration string such as \"30s\" or a number of seconds")
        }
    }
}

/// The outcome of an operator command, on the alarm's `/reply` or the actuator's `/ack` topic.
package enum CommandReply {
    package static func payload(
        command: String, id: String?, ok: Bool, state: String?, reason: String?, wall: WallTime,
        seq: UInt64
    ) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("command", command)
        if let id { w.field("id", id) }
        w.field("ok", ok)
        if let state { w.field("state", state) }
        if let reason { w.field("reason", reason) }
        w.field("t", wall.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }
}
