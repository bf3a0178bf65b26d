import SenseWire

/// One line of the command audit log, in a stable `key=value` form that a journal query or a
/// log shipper can parse:
///
///     command result=accepted target=actuator/pump command=on key=ops-anna by="anna" id="c-17" state=on
///     command result=refused target=alarm/flood command=ack key=- by=- id=- reason="…"
///
/// `result` is `accepted`, `refused` or `failed` (accepted, but the line could not be set);
/// `key` is the signing key's id (`-` for an unsigned command); `by`, `id` and `reason` are JSON
/// strings (at most 200 bytes of outside text each), `-` when absent. Fields keep this order.
struct CommandAudit: Equatable {
    enum Result: String { case accepted, refused, failed }

    var result: Result
    var target: String
    var command: String
    var key: String?
    var by: String?
    var id: String?
    var reason: String?
    /// The actuator's or alarm's state after an accepted command.
    var state: String?

    init(result: Result, target: String, command: String, key: String?, by: String?, id: String?, reason: String?) {
        self.result = result
        self.target = target
        self.command = command
        self.key = key
        self.by = by
        self.id = id
        self.reason = reason
    }

    var line: String {
        var out = "command result=\(result.rawValue) target=\(Self.token(target)) command=\(Self.token(command))"
        out += " key=\(key.map(Self.token) ?? "-") by=\(by.map(Self.quoted) ?? "-") id=\(id.map(Self.quoted) ?? "-")"
        if let state { out += " state=\(Self.token(state))" }
        if let reason { out += " reason=\(Self.quoted(reason))" }
        return out
    }

    /// Bare when it is a plain word (names, verbs, key ids), quoted otherwise; `""` when empty.
    static func token(_ text: String) -> String {
        let plain =
            !text.isEmpty && text.utf8.count <= 200
            && text.utf8.allSatisfy { c in
                (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 95 || c == 47 || c == 44
            }
        return plain ? text : quoted(text)
    }

    static func quoted(_ text: String) -> String {
        var w = JSONWriter()
        w.value(QuotedText.shown(text))
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
