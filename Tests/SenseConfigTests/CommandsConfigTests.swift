import Foundation
import SenseConfig
import SenseTesting
import SenseWire
import Testing

/// `commands:`: keys read from files only their owner and group may read, each allowed what
/// exists; every mistake named with its place, and a key's secret never quoted back.
@Suite struct CommandsConfigTests {
    static func keyFile(_ content: String, mode: mode_t = 0o640) -> String {
        let path = ConfigFixture.write(content, name: "key-" + UUID().uuidString)
        chmod(path, mode)
        return path
    }

    static let secret = String(repeating: "ab", count: 32)

    static func base(file: String) -> String {
        ConfigFixture.valid + """

            alarms:
              - {name: hot, channel: outdoor.temperature, high: 30}
            actuators:
              - {name: fan, pin: GPIO23, failsafe: off}
              - {name: pump, pin: GPIO24, failsafe: off}
            commands:
              require_signature: true
              clock_window: 30s
              keys:
                ops-anna:
                  file: \(file)
                  actuators: [fan]
                  commands: [on, off, ack]
                platform:
                  file: \(file)
                  actuators: "*"
                  alarms: [hot]
            """
    }

    @Test func theSectionDecodes() throws {
        let c = try ConfigFixture.load(Self.base(file: Self.keyFile(Self.secret + "\n")))
        let s = try #require(c.commandSigning)
        #expect(s.required && s.window == .seconds(30))
        #expect(s.keys["ops-anna"]?.secret == [UInt8](repeating: 0xab, count: 32))
        #expect(s.keys["ops-anna"]?.actuators == .only(["fan"]) && s.keys["ops-anna"]?.alarms == .only([]))
        #expect(s.keys["ops-anna"]?.commands == .only(["on", "off", "ack"]))
        #expect(s.keys["platform"]?.actuators == .all && s.keys["platform"]?.alarms == .only(["hot"]) && s.keys["platform"]?.commands == .all)
        #expect(try ConfigFixture.load(ConfigFixture.valid).commandSigning == nil)
    }

    @Test(arguments: [
        ("require_signature: true", "require_signature: yes", "commands.require_signature", "true or false"),
        ("clock_window: 30s", "clock_window: 2h", "commands.clock_window", "between 5s and 1h"),
        ("clock_window: 30s", "clock_window: -1s", "commands.clock_window", "negative"),
        ("actuators: [fan]", "actuators: [heater]", "commands.keys.ops-anna.actuators[0]", "no actuator named 'heater'"),
        ("alarms: [hot]", "alarms: [cold]", "commands.keys.platform.alarms[0]", "no alarm named 'cold'"),
        ("commands: [on, off, ack]", "commands: [on, explode]", "commands.keys.ops-anna.commands[1]", "no command named 'explode'"),
        ("    ops-anna:", "    ops anna:", "commands.keys.ops anna", "is not a key id"),
        ("      actuators: [fan]\n      commands: [on, off, ack]", "      commands: [on]", "commands.keys.ops-anna", "may command nothing"),
        ("  clock_window: 30s", "  clock_window: 30s\n  clock_windwo: 1s", "commands.clock_windwo", "unknown key"),
    ])
    func mistakesAreNamed(original: String, replacement: String, path: String, phrase: String) {
        let base = Self.base(file: Self.keyFile(Self.secret))
        #expect(base.contains(original), "fixture lacks \(original)")
        let (file, diagnostics) = ConfigFixture.errors(base.replacing(original, with: replacement))
        #expect(diagnostics.contains { $0.path == path && $0.message.contains(phrase) }, "\(diagnostics.map(\.description))")
        #expect(diagnostics.allSatisfy { $0.description.hasPrefix(file + ":") && $0.mark.line > 1 })
    }

    /// A key file others may read is refused (as ssh refuses a private key), and so is one that
    /// is not 32–64 bytes of hex; the message never contains the file's content.
    @Test func keyFilesAreCheckedAndNeverQuoted() {
        let cases: [(String, String)] = [
            (Self.keyFile(Self.secret, mode: 0o644), "others may access it (mode 644)"),
            (Self.keyFile(Self.secret, mode: 0o606), "others may access it"),
            (Self.keyFile("not-hex-" + Self.secret), "must hold the key as 64–128 hex digits"),
            (Self.keyFile(String(repeating: "ab", count: 31)), "must hold the key as 64–128 hex digits"),
            (Self.keyFile(String(repeating: "ab", count: 65)), "must hold the key as 64–128 hex digits"),
            (Self.keyFile(""), "must hold the key"),
            ("/nonexistent/key", "no such file or directory"),
            ("/dev/zero", "not a regular file"),
        ]
        for (file, phrase) in cases {
            let diagnostics = ConfigFixture.errors(Self.base(file: file)).diagnostics
            let keyErrors = diagnostics.filter { $0.path.hasSuffix(".file") }
            #expect(
                keyErrors.count == 2 && diagnostics.count == 2 && keyErrors.allSatisfy { $0.message.contains(phrase) },
                "\(file): \(diagnostics.map(\.description))")
            #expect(!diagnostics.contains { $0.message.contains("abab") }, "a secret is never quoted back")
        }
    }

    @Test func signaturesNeedAKey() {
        let diagnostics = ConfigFixture.errors(ConfigFixture.valid + "\ncommands: {require_signature: true}\n").diagnostics
        #expect(diagnostics.map(\.path) == ["commands.require_signature"] && diagnostics.first?.message.contains("at least one key") == true)
        let optional = ConfigFixture.errors(ConfigFixture.valid + "\ncommands: {require_signature: false}\n").diagnostics
        #expect(optional.isEmpty)
    }
}
