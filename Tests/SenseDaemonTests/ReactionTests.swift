import Foundation
import SenseAnalysis
import SenseConfig
import SenseCore
import SenseMQTT
import SenseReaction
import SenseTesting
import SenseWire
import Testing

@testable import SenseDaemon

func at(_ s: Double) -> MonotonicInstant { MonotonicInstant(nanoseconds: 1_000_000_000_000 + Int64(s * 1e9)) }
func wall(_ s: Double) -> WallTime { WallTime(nanosecondsSinceEpoch: 1_795_392_000_000_000_000 + Int64(s * 1e9)) }

/// A cabinet: a siren for an open door, a fan for heat (never with the heater), a heater only
/// when it is cold.
let cabinetConfig = """
    node: t
    board: sim
    mqtt: {broker: "mqtt://127.0.0.1:1883"}
    sensors:
      - {name: gauge, driver: bme280, bus: i2c-1, address: 0x76, interval: 1s}
      - {name: door, driver: digital_input, pin: GPIO17, interval: 60s}
    alarms:
      - {name: hot, channel: gauge.temperature, high: 30}
    rules:
      - name: door_open
        when: {channel: door.state, equals: 1}
        then: {siren: on}
      - name: cool_down
        when: {alarm: hot}
        then: {fan: on}
      - name: cold
        when: {channel: gauge.temperature, below: 5}
        then: {heater: on}
    actuators:
      - name: siren
        pin: GPIO22
        min_on: 5s
        max_override: 10m
        commands: [on, off, pulse, release]
        failsafe_when_bad: [gauge.temperature]
      - name: fan
        pin: GPIO23
        active_low: true
        min_off: 30s
        exclusive_with: [heater]
      - name: heater
        pin: GPIO24
        only_while: {channel: gauge.temperature, below: 15}
    """

/// The analysis and the reaction together, as the Outlet runs them (without MQTT and lines).
struct Cabinet {
    var analysis: Analysis
    var reaction: Reaction
    var now = 0.0

    init(unclean: Bool = false, config text: String = cabinetConfig) throws {
        let config = try ConfigFixture.load(text)
        analysis = Analysis(config)
        reaction = Reaction(config, uncleanRestart: unclean, at: at(0))
    }

    /// Feeds readings at `t` and decides; returns the changes as "name=on|off".
    @discardableResult
    mutating func feed(_ t: Double, temperature: Double? = nil, door: Double? = nil, bad: Bool = false) -> [String] {
        now = t
        var batch: [Sample] = []
        if bad {
            batch.append(
                Sample(
                    sensor: "gauge", quantity: "temperature", value: nil, unit: .celsius, quality: .bad, reason: .nack,
                    monotonic: at(t), wall: wall(t)))
        }
        if let temperature {
            batch.append(
                Sample(
                    sensor: "gauge", quantity: "temperature", value: temperature, unit: .celsius, quality: .good,
                    monotonic: at(t), wall: wall(t)))
        }
        if let door {
            batch.append(Sample(sensor: "door", quantity: "state", value: door, unit: .none, quality: .good, monotonic: at(t), wall: wall(t)))
        }
        _ = analysis.process(batch)
        _ = analysis.evaluateRules(at: at(t), wall: wall(t))
        return reaction.apply(analysis.rules, at: at(t)).map { "\($0.actuator)=\($0.change.level ? "on" : "off")" }
    }

    func level(_ name: String) -> Bool { reaction.bank.actuator(name)!.level }
    func detail(_ name: String) -> String { reaction.bank.actuator(name)!.detail }
    func source(_ name: String) -> ActuatorSource { reaction.bank.actuator(name)!.source }

    mutating func command(_ name: String, _ json: String) throws(ActuatorCommand.Refusal) -> [String] {
        let c = try ActuatorCommand.parse(
            IncomingMessage(topic: "sensegate/t/actuator/\(name)/set", payload: Array(json.utf8), retained: false),
            root: "sensegate/t")
        return try reaction.command(c, at: at(now)).map { "\($0.actuator)=\($0.change.level ? "on" : "off")" }
    }
}

@Suite struct ReactionTests {
    @Test func failsafeUntilTheWatchedChannelReportsAndWhileItIsBad() throws {
        var c = try Cabinet()
        c.feed(0, door: 1)
        #expect(!c.level("siren") && c.source("siren") == .failsafe)
        #expect(c.detail("siren") == "no reading yet from gauge.temperature")
        #expect(c.feed(1, temperature: 20) == ["siren=on"])  // the door rule now acts
        #expect(c.detail("siren") == "rule door_open")
        #expect(c.feed(7, bad: true) == ["siren=off"])  // failsafe overrides min_on
        #expect(c.detail("siren") == "gauge.temperature is bad")
        #expect(c.feed(8, temperature: 20) == ["siren=on"])
    }

    @Test func anOutputHeldAtFailsafeFromTheStartNeverPassesThroughAnotherLevel() throws {
        // A warning sign that is on without data, declared after another actuator: the first
        // decision must leave it on (once, a peer's interlock check saw it before its failsafe).
        let config =
            cabinetConfig + """

                  - name: sign
                    pin: GPIO25
                    failsafe: on
                    failsafe_when_bad: [gauge.temperature]
                """
        var c = try Cabinet(config: config)
        #expect(c.level("sign"))  // requested at its failsafe level
        #expect(!c.feed(0, door: 0).contains("sign=off"))
        #expect(c.level("sign") && c.source("sign") == .failsafe)
        #expect(c.feed(1, temperature: 20) == ["sign=off"])  // data: normal operation
    }

    @Test func failsafeHoldOutlastsAnIntermittentFault() throws {
        var c = try Cabinet(
            config: cabinetConfig.replacingOccurrences(
                of: "failsafe_when_bad: [gauge.temperature]", with: "failsafe_when_bad: [gauge.temperature]\n    failsafe_hold: 10s"))
        c.feed(0, temperature: 20, door: 1)
        #expect(c.level("siren"))
        #expect(c.feed(7, bad: true) == ["siren=off"])
        #expect(c.feed(8, temperature: 20).isEmpty)  // good again, but held
        #expect(c.feed(12, bad: true).isEmpty)  // a second fault restarts the hold
        #expect(c.feed(13, temperature: 20).isEmpty)
        #expect(c.reaction.nextDeadline(after: at(13)) == at(22))
        #expect(c.feed(21.9).isEmpty)
        #expect(c.feed(22) == ["siren=on"])
    }

    @Test func rulesDriveOutputsWithinTheirTimingLimits() throws {
        var c = try Cabinet()
        c.feed(0, temperature: 20, door: 0)
        #expect(c.feed(31, temperature: 31) == ["fan=on"])
        #expect(c.detail("fan") == "rule cool_down")
        #expect(c.feed(32, temperature: 25) == ["fan=off"])
        #expect(c.feed(40, temperature: 31).isEmpty)  // min_off 30 s from 32 s
        #expect(c.reaction.nextDeadline(after: at(40)) == at(62))
        #expect(c.feed(62) == ["fan=on"])
    }

    @Test func onlyWhileAndExclusivityHoldOutputsOff() throws {
        var c = try Cabinet()
        c.feed(0, temperature: 3, door: 0)  // cold: heater on
        #expect(c.level("heater"))
        #expect(c.feed(1, temperature: 16) == ["heater=off"])  // still "cold"? no: and only_while fails above 15
        #expect(c.source("heater") == .default || c.source("heater") == .interlock)
        c.feed(2, temperature: 3)
        #expect(c.level("heater"))
        // The fan may not be switched on while the heater is on (interlock), and says so.
        #expect(c.refusal("fan", #"{"command":"on"}"#) == "fan is interlocked with heater, which is on")
        #expect(!c.level("fan"))
    }

    @Test func anUncleanRestartHoldsEveryOutputAtFailsafe() throws {
        var c = try Cabinet(unclean: true)
        c.feed(0, temperature: 20, door: 1)
        #expect(!c.level("siren") && c.detail("siren") == "restarted after an unclean stop")
        #expect(c.reaction.nextDeadline(after: at(0)) == at(30))
        #expect(c.feed(30) == ["siren=on"])
    }

    @Test func stoppingDrivesEveryOutputToFailsafeForGood() throws {
        var c = try Cabinet()
        c.feed(0, temperature: 20, door: 1)
        #expect(c.level("siren"))
        let events = c.reaction.stop(at: at(1))
        #expect(events.map(\.actuator) == ["siren"] && !c.level("siren"))
        #expect(c.feed(2, temperature: 20, door: 1).isEmpty)
        #expect(c.detail("siren") == "sensegate stopping")
    }

    @Test func commandsOverrideRulesUntilTheyExpireOrAreReleased() throws {
        var c = try Cabinet()
        c.feed(0, temperature: 20, door: 0)
        #expect(try c.command("siren", #"{"command":"pulse","for":"2s","by":"test"}"#) == ["siren=on"])
        #expect(c.source("siren") == .manual && c.detail("siren") == "command pulse by test")
        #expect(c.feed(6).contains("siren=off"))  // pulse over (and min_on 5 s passed)
        #expect(try c.command("siren", #"{"command":"on"}"#) == ["siren=on"])
        #expect(c.reaction.bank.actuator("siren")!.overrideUntil == at(606))  // max_override 10 m
        c.feed(12, door: 0)
        #expect(c.level("siren"))
        #expect(try c.command("siren", #"{"command":"release"}"#) == ["siren=off"])
        #expect(try c.command("heater", #"{"command":"override","level":"off","for":60}"#).isEmpty)
        #expect(c.reaction.bank.actuator("heater")!.isOverridden && c.source("heater") == .interlock)  // only_while still rules
    }
}

/// Malformed, unknown, forbidden and impossible commands: each refused with its reason, and the
/// outputs left exactly as they were.
@Suite struct ActuatorCommandRefusalTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var topic: String
        var payload: String
        var reason: String
        var testDescription: String { "\(topic) \(payload)" }
    }

    static let cases: [Case] = [
        Case(topic: "siren/set", payload: "{", reason: "invalid JSON"),
        Case(topic: "siren/set", payload: "[\"on\"]", reason: "must be a JSON object"),
        Case(topic: "siren/set", payload: "{}", reason: "needs \"command\""),
        Case(topic: "siren/set", payload: #"{"command":"blink"}"#, reason: "unknown command 'blink'"),
        Case(topic: "siren/set", payload: #"{"command":7}"#, reason: "needs \"command\""),
        Case(topic: "siren/set", payload: #"{"command":"on","level":"on"}"#, reason: "unknown field 'level' for on"),
        Case(topic: "siren/set", payload: #"{"command":"on","colour":"red"}"#, reason: "unknown field 'colour'"),
        Case(topic: "siren/set", payload: #"{"command":"pulse"}"#, reason: "pulse needs 'for'"),
        Case(topic: "siren/set", payload: #"{"command":"pulse","for":"soon"}"#, reason: "'for': expected a duration"),
        Case(topic: "siren/set", payload: #"{"command":"pulse","for":-1}"#, reason: "'for' must be a positive number"),
        Case(topic: "siren/set", payload: #"{"command":"pulse","for":"2h"}"#, reason: "at most 600 s"),
        Case(topic: "siren/set", payload: #"{"command":"on","id":12}"#, reason: "'id' must be a string"),
        Case(topic: "fan/set", payload: #"{"command":"override","for":"1m"}"#, reason: "override needs 'level'"),
        Case(topic: "fan/set", payload: #"{"command":"override","level":"on"}"#, reason: "every override expires"),
        Case(
            topic: "siren/set", payload: #"{"command":"override","level":"on","for":"1m"}"#, reason: "'override' is not allowed for actuator 'siren'"),
        Case(topic: "ghost/set", payload: #"{"command":"on"}"#, reason: "no actuator named 'ghost'"),
        Case(topic: "siren/toggle", payload: #"{"command":"on"}"#, reason: "commands go to <root>/actuator/<name>/set"),
        Case(topic: "siren/release", payload: "", reason: "commands go to"),
        Case(topic: "fan/set", payload: #"{"command":"release"}"#, reason: "no manual override to release"),
        Case(topic: "fan/set", payload: #"{"command":"on"}"#, reason: "interlocked with heater"),
        Case(topic: "heater/set", payload: #"{"command":"off"}"#, reason: "must stay on for another"),
        Case(topic: "siren/set", payload: String(repeating: " ", count: 5000), reason: "larger than 4096 bytes"),
        // Issue 17: these killed the daemon with an overflow trap.
        Case(topic: "fan/set", payload: #"{"command":"override","level":"off","for":"99999999999999999999s"}"#, reason: "longer than 100 years"),
        Case(topic: "fan/set", payload: #"{"command":"override","level":"off","for":"1e30s"}"#, reason: "'for': expected a duration"),
        Case(topic: "fan/set", payload: #"{"command":"override","level":"off","for":"100000000000s"}"#, reason: "longer than 100 years"),
        Case(topic: "fan/set", payload: #"{"command":"override","level":"off","for":"10000000000d"}"#, reason: "longer than 100 years"),
        Case(topic: "fan/set", payload: #"{"command":"override","level":"off","for":"30d"}"#, reason: "at most"),
        Case(topic: "fan/set", payload: #"{"command":"override","level":"off","for":1e300}"#, reason: "at most 36500d"),
    ]

    @Test(arguments: cases)
    func refused(_ k: Case) throws {
        var c = try Cabinet(config: cabinetConfig.replacingOccurrences(of: "only_while", with: "min_on: 1m\n    only_while"))
        c.feed(0, temperature: 3, door: 0)  // cold: the heater is on, which interlocks the fan
        let before = ["siren", "fan", "heater"].map { (c.level($0), c.source($0)) }
        #expect(c.level("heater"))
        let parts = k.topic.split(separator: "/").map(String.init)
        let reason = c.refusal(parts[0], k.payload, verb: parts[1])
        #expect(reason?.contains(k.reason) == true, "\(reason ?? "accepted")")
        #expect(["siren", "fan", "heater"].map { (c.level($0), c.source($0)) }.elementsEqual(before) { $0 == $1 })
    }

    @Test func atLeastFifteenRefusalsAreCovered() { #expect(Self.cases.count >= 15) }

    @Test func aCommandDuringFailsafeIsRefused() throws {
        var c = try Cabinet()
        c.feed(0, door: 0)  // no temperature yet: the siren is held at failsafe
        #expect(
            c.refusal("siren", #"{"command":"on","id":"x"}"#)
                == "siren is held at its failsafe level (no reading yet from gauge.temperature); commands wait until that ends")
        #expect(!c.level("siren"))
    }

    @Test func onlyWhileRefusesAnOnCommandWithTheReason() throws {
        var c = try Cabinet()
        c.feed(0, temperature: 20, door: 0)  // too warm for the heater
        #expect(c.refusal("heater", #"{"command":"on"}"#) == "heater may not be on now: only_while is false")
    }
}

extension Cabinet {
    /// The reason a command is refused, nil when it is accepted.
    mutating func refusal(_ name: String, _ json: String, verb: String = "set") -> String? {
        do throws(ActuatorCommand.Refusal) {
            let c = try ActuatorCommand.parse(
                IncomingMessage(topic: "sensegate/t/actuator/\(name)/\(verb)", payload: Array(json.utf8), retained: false),
                root: "sensegate/t")
            _ = try reaction.command(c, at: at(now))
            return nil
        } catch {
            return error.reason
        }
    }
}
