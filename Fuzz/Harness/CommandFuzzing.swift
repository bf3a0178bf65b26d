import SenseAnalysis
import SenseConfig
import SenseCore
import SenseDaemon
import SenseMQTT
import SenseOS
import SenseParts
import SenseWire

/// An operator command as it arrives from the broker (topic below the node's root, payload,
/// retained or not) → parsed, then applied to the actuators or alarms of a fixed configuration.
/// The first byte chooses retained (bit 0), whether the payload claims to be larger than what was
/// copied (bit 1) and whether the site requires signatures (bit 2: the envelope is checked with
/// `signingKey` and what it vouches for parsed as below); the first line is the topic below the
/// root, the rest the payload.
enum CommandFuzzing {
    static let root = "sensegate/fuzz"

    static let config: SensegateConfig = {
        let text = """
            node: fuzz
            board: sim
            mqtt: {broker: "mqtt://127.0.0.1:1883"}
            sensors:
              - {name: air, driver: bme280, bus: i2c-1, address: 0x76}
              - {name: door, driver: digital_input, pin: GPIO17}
            alarms:
              - {name: hot, channel: air.temperature, high: 30, deadband: 1, max_shelve: 1d}
              - {name: open, channel: door.state, high: 1, latch: true, commands: [ack]}
            rules:
              - {name: cool, when: {alarm: hot}, then: {fan: on}}
            actuators:
              - {name: fan, pin: GPIO23, failsafe: off, min_on: 10s, min_off: 10s, max_on: 1h, max_override: 7d,
                 commands: [on, off, pulse, override, release]}
              - {name: siren, pin: GPIO24, failsafe: off, max_override: 10m, commands: [pulse, release]}
            """
        do throws(ConfigErrors) {
            return try ConfigLoader.check(Array(text.utf8), file: FuzzTargets.scratch + "/command.yaml", parts: .standard)
        } catch {
            preconditionFailure("the command fuzzer's own config: \(error)")
        }
    }()

    /// The seeds sign with this key (`make-seeds.py`), at `ConfigFuzzing.wall`.
    static let signing = CommandSigning(
        required: true, window: .seconds(60),
        keys: [
            "ops": CommandKey(id: "ops", secret: [UInt8](repeating: 7, count: 32), actuators: .only(["fan"]), alarms: .all, commands: .all)
        ])

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let flags = input.byte()
        let topic = root + "/" + FuzzInput.text(input.field())
        let payload = input.rest
        // An oversized message arrives as the client hands it over: its payload not copied.
        let oversized = flags & 2 != 0
        var message = IncomingMessage(
            topic: topic, payload: oversized ? [] : payload, retained: flags & 1 != 0,
            length: oversized ? MQTTClient.payloadCopyLimit + 1 + payload.count : payload.count)
        if flags & 4 != 0 {
            var verifier = CommandVerifier(started: WallTime(nanosecondsSinceEpoch: ConfigFuzzing.wall.nanosecondsSinceEpoch - 3_600_000_000_000))
            do throws(SignatureRefusal) {
                let verified = try verifier.open(message, signing: signing, mac: LibcryptoMAC(), now: ConfigFuzzing.wall)
                precondition(verified.key.id == "ops" && !message.isOversized, "an unsigned or oversized envelope was accepted")
                message = verified.message
            } catch {
                precondition(!error.reason.isEmpty)
                return
            }
        }
        let now = ConfigFuzzing.start
        if topic.hasPrefix(root + "/actuator/") {
            var reaction = Reaction(config, uncleanRestart: false, at: now)
            do throws(ActuatorCommand.Refusal) {
                let c = try ActuatorCommand.parse(message, root: root)
                precondition(!message.retained && !message.isOversized, "a retained or oversized command was accepted")
                _ = try reaction.command(c, at: now)
                _ = reaction.nextDeadline(after: now)
                _ = reaction.stop(at: now + .seconds(1))
            } catch {
                precondition(!error.reason.isEmpty)
            }
        } else {
            var analysis = Analysis(config)
            do throws(AlarmCommand.Refusal) {
                let c = try AlarmCommand.parse(message, root: root)
                precondition(!message.retained && !message.isOversized, "a retained or oversized command was accepted")
                do throws(AlarmEngine.CommandRefusal) {
                    _ = try analysis.command(c.command, alarm: c.alarm, shelveFor: c.shelveFor, at: now, wall: ConfigFuzzing.wall)
                    _ = analysis.tickAlarms(at: now + .seconds(86_400 * 400), wall: ConfigFuzzing.wall)
                } catch {
                    _ = error.description
                }
            } catch {
                precondition(!error.reason.isEmpty)
            }
        }
    }
}

/// A command or any other JSON payload → a value or a typed error.
enum JSONFuzzing {
    static func run(_ bytes: [UInt8]) {
        do throws(JSONValue.ParseError) {
            let value = try JSONValue.parse(bytes)
            _ = value["command"]
        } catch {
            precondition(error.offset >= 0 && error.offset <= bytes.count, "an error offset outside the input")
        }
    }
}
