import SenseCore

/// Who may send which signed commands (`commands:` in the config): keys by id, each allowed a
/// set of actuators, alarms and verbs, and the clock window a signature is good for.
package struct CommandSigning: Sendable, Hashable {
    /// Unsigned commands are refused; without it, signed ones are checked and unsigned ones taken.
    package var required: Bool
    /// How far a command's `ts` may be from the gateway's clock, either way.
    package var window: Duration
    package var keys: [String: CommandKey]

    package static let defaultWindow = Duration.seconds(60)
    package static let windowRange = Duration.seconds(5)...Duration.seconds(3600)

    package init(required: Bool, window: Duration = defaultWindow, keys: [String: CommandKey]) {
        self.required = required
        self.window = window
        self.keys = keys
    }
}

/// One signing key: its secret (from a key file) and what it may command.
package struct CommandKey: Sendable, Hashable, CustomStringConvertible {
    /// Names a key may command: every one (`"*"`), or those listed.
    package enum Scope: Sendable, Hashable {
        case all
        case only(Set<String>)

        package func contains(_ name: String) -> Bool {
            switch self {
            case .all: true
            case let .only(names): names.contains(name)
            }
        }
    }

    package var id: String
    package var secret: [UInt8]
    package var actuators: Scope
    package var alarms: Scope
    package var commands: Scope

    package init(id: String, secret: [UInt8], actuators: Scope, alarms: Scope, commands: Scope) {
        self.id = id
        self.secret = secret
        self.actuators = actuators
        self.alarms = alarms
        self.commands = commands
    }

    /// Never the secret: a key may end up in a log line or a test's failure message.
    package var description: String { "key \(id) (\(secret.count)-byte secret)" }

    /// Key ids: what a log line and a JSON string carry unquoted.
    package static func validID(_ id: String) -> Bool {
        (1...64).contains(id.utf8.count) && id.utf8.allSatisfy { SignedEnvelope.isIDByte($0) }
    }

    /// Why this key may not send `command` to the actuator or alarm, or nil when it may.
    package func refusal(actuator: String? = nil, alarm: String? = nil, command: String) -> String? {
        if let actuator, !actuators.contains(actuator) { return "key '\(id)' may not command actuator '\(actuator)'" }
        if let alarm, !alarms.contains(alarm) { return "key '\(id)' may not command alarm '\(alarm)'" }
        if !commands.contains(command) { return "key '\(id)' may not send '\(command)'" }
        return nil
    }
}
