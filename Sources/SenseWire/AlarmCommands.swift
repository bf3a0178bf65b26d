import SenseAnalysis
import SenseCore

/// An operator command on `<root>/alarm/<name>/<ack|shelve|unshelve>`, parsed and checked
/// before it reaches an alarm.
package struct AlarmCommand: Sendable, Equatable {
    package var alarm: String
    package var command: AlarmDefinition.Command
    package var id: String?
    package var by: String?
    package var shelveFor: Duration?

    package init(alarm: String, command: AlarmDefinition.Command, id: String? = nil, by: String? = nil, shelveFor: Duration? = nil) {
        self.alarm = alarm
        self.command = command
        self.id = id
        self.by = by
        self.shelveFor = shelveFor
    }

    package struct Refusal: Error, Equatable {
        package var alarm: String
        package var command: String
        package var id: String?
        package var reason: String

        package init(alarm: String, command: String, id: String?, reason: String) {
            self.alarm = alarm
            self.command = command
            self.id = id
            self.reason = reason
        }
    }

    /// Fields each command accepts.
    package static let fields: [AlarmDefinition.Command: Set<String>] = [
        .ack: [], .shelve: ["for"], .unshelve: [],
    ]

    /// The message's topic is below `<root>/alarm/`. An empty payload means `{}`.
    package static func parse(_ message: IncomingMessage, root: String) throws(Refusal) -> AlarmCommand {
        let rest = message.topic.dropFirst(root.count + "/alarm/".count).split(separator: "/", omittingEmptySubsequences: false)
        let alarm = rest.first.map(String.init) ?? ""
        let verb = rest.count == 2 ? String(rest[1]) : ""
        guard rest.count == 2, let command = AlarmDefinition.Command(rawValue: verb) else {
            throw Refusal(
                alarm: alarm, command: QuotedText.shown(verb), id: nil,
                reason: "unknown command '\(QuotedText.shown(verb))': use ack, shelve or unshelve")
        }
        // No configured name is longer than 48 bytes; a topic level may be 64 KiB (see ActuatorCommand).
        guard alarm.utf8.count <= 48 else {
            throw Refusal(alarm: alarm, command: verb, id: nil, reason: "no alarm has a name of \(alarm.utf8.count) bytes")
        }
        do throws(CommandPayload.Reason) {
            let p = try CommandPayload(message, verb: verb, allowed: fields[command]!)
            var shelveFor: Duration?
            if command == .shelve {
                shelveFor = try p.duration("for")
                guard shelveFor != nil else { throw p.refuse("shelve needs 'for', a duration such as \"30m\" or a number of seconds") }
            }
            return AlarmCommand(alarm: alarm, command: command, id: p.id, by: p.by, shelveFor: shelveFor)
        } catch {
            throw Refusal(alarm: alarm, command: verb, id: error.id, reason: error.text)
        }
    }
}
