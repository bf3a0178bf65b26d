import SenseAnalysis
import SenseConfig
import SenseCore
import SenseTesting
import Testing

@Suite struct ReactionConfigTests {
    static let base =
        ConfigFixture.valid + """

              - {name: door, driver: digital_input, pin: GPIO17}
            windows:
              - {name: t15, channel: outdoor.temperature, length: 15m, functions: [rate]}
            alarms:
              - {name: hot, channel: outdoor.temperature, high: 30}
            alarm_flood: {activations: 20, window: 5m, end_below: 8, suppress: [low]}
            utc_offset: "+01:00"
            restart_failsafe: 10s
            rules:
              - name: warming
                when:
                  all:
                    - {alarm: hot}
                    - {channel: aggregate.t15.rate, above: 2, deadband: 0.5}
                    - not: {channel: door.state, equals: 1}
                  for: 5m
                then: {fan: on}
                description: Hot and getting hotter with the door shut
              - name: night
                when: {time: {from: "22:00", to: "06:00", days: [mon, fri]}}
              - name: quiet_fan
                when: {any: [{rule: night}, {rule: warming}]}
            actuators:
              - name: fan
                pin: GPIO23
                active_low: true
                initial: off
                failsafe: on
                default: off
                min_on: 30s
                min_off: 1m
                max_on: 2h
                max_override: 30m
                commands: [on, off, release]
                exclusive_with: [heater]
                failsafe_when_bad: [outdoor.temperature]
                failsafe_hold: 20s
                description: Cabinet fan
              - name: heater
                pin: pin18
                only_while: {channel: outdoor.temperature, below: 10}
            """

    @Test func rulesAndActuatorsDecode() throws {
        let c = try ConfigFixture.load(Self.base)
        #expect(c.rules.map(\.name) == ["warming", "night", "quiet_fan"])
        let warming = c.rules[0]
        #expect(
            warming.condition
                == .sustained(
                    .all([
                        .alarm("hot"),
                        .compare(.aggregate("t15", function: "rate"), Comparison(.above, 2, deadband: 0.5)),
                        .not(.compare(.sensor("door", quantity: "state"), Comparison(.equals, 1))),
                    ]), .seconds(300)))
        #expect(warming.actions == [.init(actuator: "fan", level: true)])
        #expect(warming.description == "Hot and getting hotter with the door shut")
        #expect(c.rules[1].condition == .time(DailyWindow(from: 1320, to: 360, days: [.mon, .fri], utcOffsetMinutes: 60)))
        #expect(c.restartFailsafe == .seconds(10))
        #expect(c.alarmFlood == .init(activations: 20, window: .seconds(300), endBelow: 8, suppress: [.low]))
        let fan = c.actuators[0]
        #expect(fan.line == .init(chip: "gpiochip0", offset: 23, pin: 16) && fan.activeLow)
        #expect(
            fan.settings
                == .init(
                    initial: false, failsafe: true, defaultLevel: false, minimumOn: .seconds(30),
                    minimumOff: .seconds(60), maximumOn: .seconds(7200), maximumOverride: .seconds(1800)))
        #expect(fan.commands == [.on, .off, .release] && fan.exclusiveWith == ["heater"])
        #expect(fan.failsafeWhenBad == [.sensor("outdoor", quantity: "temperature")] && fan.failsafeHold == .seconds(20))
        #expect(c.actuators[1].failsafeHold == .zero)
        let heater = c.actuators[1]
        #expect(heater.line.offset == 24 && heater.settings.initial == heater.settings.failsafe)
        #expect(heater.commands == Set(ActuatorDefinition.Command.allCases))
        #expect(heater.onlyWhile == .compare(.sensor("outdoor", quantity: "temperature"), Comparison(.below, 10)))
        #expect(ActuatorDefinition.exclusiveGroups(c.actuators) == [["fan", "heater"]])
    }

    /// `check` names what is wrong with a rule or an actuator, and where.
    @Test(arguments: [
        ("{alarm: hot}", "{alarm: hott}", "no alarm named 'hott'"),
        ("{alarm: hot}", "{alarm: night}", "'night' is a rule, write rule: night"),
        ("{rule: night}", "{rule: hot}", "'hot' is an alarm, write alarm: hot"),
        ("{rule: night}", "{rule: nightly}", "no rule named 'nightly'"),
        ("{channel: aggregate.t15.rate, above: 2, deadband: 0.5}", "{channel: outdoor.co2, above: 2}", "has no quantity 'co2'"),
        (
            "{channel: aggregate.t15.rate, above: 2, deadband: 0.5}", "{channel: outdoor.temperature, above: warm}",
            "type mismatch: above takes a number"
        ),
        ("{channel: door.state, equals: 1}", "{channel: door.state, equals: 3}", "type mismatch: door.state is a contact"),
        ("{channel: aggregate.t15.rate, above: 2, deadband: 0.5}", "{channel: outdoor.temperature}", "exactly one of: above, below, equals"),
        ("{alarm: hot}", "{alarm: hot, rule: night}", "exactly one of alarm, rule"),
        ("{alarm: hot}", "{}", "a condition needs one of"),
        ("{alarm: hot}", "{alarm: hot, for: forever}", "expected a duration"),
        ("{alarm: hot}", "{alarm: hot, above: 3}", "unknown key 'above'"),
        ("{time: {from: \"22:00\", to: \"06:00\", days: [mon, fri]}}", "{time: {from: \"25:00\", to: \"06:00\"}}", "expected a time of day"),
        ("{time: {from: \"22:00\", to: \"06:00\", days: [mon, fri]}}", "{time: {from: \"06:00\", to: \"06:00\"}}", "the window would be empty"),
        ("days: [mon, fri]", "days: [monday]", "'monday' is not one of"),
        ("then: {fan: on}", "then: {pump: on}", "no actuator named 'pump'"),
        ("then: {fan: on}", "then: {fan: yes}", "expected on or off"),
        ("{rule: night}, {rule: warming}", "{rule: night}, {rule: quiet_fan}", "rules depend on each other in a cycle: quiet_fan → quiet_fan"),
        ("pin: GPIO23", "pin: GPIO17", "GPIO17 is already the input of sensor 'door'"),
        ("pin: pin18", "pin: GPIO23", "GPIO23 is already driven by actuator 'fan'"),
        ("pin: pin18", "pin: GPIO99", "board 'sim' has no pin 'GPIO99'"),
        ("exclusive_with: [heater]", "exclusive_with: [cooler]", "no actuator named 'cooler'"),
        ("max_on: 2h", "max_on: 10s", "must be longer than min_on"),
        ("commands: [on, off, release]", "commands: [on, toggle]", "'toggle' is not one of: on, off, pulse, override, release"),
        ("failsafe_when_bad: [outdoor.temperature]", "failsafe_when_bad: [outdoor.wind]", "has no quantity 'wind'"),
        ("failsafe: on", "failsafe: maybe", "expected on or off"),
        ("failsafe_hold: 20s", "failsafe_hold: 2h", "at most 1h"),
        ("utc_offset: \"+01:00\"", "utc_offset: \"CET\"", "expected an offset such as"),
        ("restart_failsafe: 10s", "restart_failsafe: 2h", "at most 1h"),
        ("end_below: 8", "end_below: 30", "between 1 and activations (20)"),
        ("suppress: [low]", "suppress: [trivial]", "'trivial' is not one of: low, medium, high, critical"),
        ("- name: night", "- name: hot", "'hot' is already an alarm's name"),
    ])
    func mistakesAreNamed(original: String, replacement: String, phrase: String) {
        #expect(Self.base.contains(original), "fixture lacks \(original)")
        let (path, diagnostics) = ConfigFixture.errors(Self.base.replacing(original, with: replacement))
        #expect(diagnostics.contains { $0.message.contains(phrase) }, "\(diagnostics.map(\.description))")
        #expect(diagnostics.allSatisfy { $0.description.hasPrefix(path + ":") && $0.mark.line > 1 })
    }
}
