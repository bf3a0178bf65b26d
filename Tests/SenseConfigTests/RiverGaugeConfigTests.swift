import SenseAnalysis
import SenseConfig
import SenseCore
import SenseDrivers
import SenseTesting
import Testing

/// The hydrology sensors and models in YAML: what is accepted, and each mistake named with its
/// key and line.
@Suite struct RiverGaugeConfigTests {
    static let head = """
        node: river
        board: sim
        mqtt:
          broker: mqtt://127.0.0.1:1883
        sensors:
          - {name: air, driver: bme280, bus: i2c-1, address: 0x76}

        """

    static func messages(_ yaml: String) -> [String] {
        ConfigFixture.errors(head + yaml).diagnostics.map { "\($0.path): \($0.message)" }
    }

    @Test func aGaugeLoads() throws {
        let c = try ConfigFixture.load(
            Self.head + """
                  - {name: rain, driver: tipping_bucket, pin: GPIO17, mm_per_tip: 0.254, windows: [10m, 1h], event_gap: 4h, flush: 30s}
                  - {name: meter, driver: flow_meter, pin: GPIO27, k: 7.5}
                  - {name: ranger, driver: hcsr04, trigger: GPIO5, echo: GPIO6, pings: 7, range: [0.25, 6]}
                derived:
                  - {name: stage, model: ultrasonic_stage, inputs: {echo_time: ranger.echo_time}, parameters: {mount_height: 6, air_temperature: 15}}
                  - name: q
                    model: discharge_rating
                    inputs: {stage: derived.stage}
                    rating: {segments: [{from: 0.3, c: 12.5, h0: 0.3, b: 1.6}], valid_to: 3.5, shift: -0.01}
                  - {name: weir, model: discharge_vnotch, inputs: {stage: derived.stage}, parameters: {crest: 0.5}}
                  - {name: pipe, model: discharge_manning, inputs: {depth: derived.stage}, parameters: {roughness: 0.013, slope: 0.005, diameter: 1}}
                """)
        guard case let .tippingBucket(t) = c.sensors[1].kind else {
            Issue.record("not a rain gauge")
            return
        }
        #expect(t.millimetresPerTip == 0.254 && t.windows == [.seconds(600), .seconds(3600)] && t.eventGap == .seconds(14400))
        #expect(t.input.bias == .pullUp && t.input.activeLow && t.input.debounce == .milliseconds(25) && t.input.flush == .seconds(30))
        #expect(c.sensors[1].kind.quantities.contains("intensity_10m"))
        #expect(c.sensors[1].interval == .seconds(60))
        guard case let .flowMeter(f) = c.sensors[2].kind, case let .hcsr04(u) = c.sensors[3].kind else {
            Issue.record("kinds")
            return
        }
        #expect(f.hertzPerLitrePerMinute == 7.5 && f.input.debounce == .zero)
        #expect(u.settings.pings == 7 && u.settings.maximumDistance == 6)
        #expect(c.derived[1].rating?.shift == -0.01)
    }

    @Test(arguments: [
        ("- {name: r, driver: tipping_bucket, pin: GPIO17}", "sensors[1].mm_per_tip: missing required key 'mm_per_tip'"),
        (
            "- {name: r, driver: tipping_bucket, pin: GPIO17, mm_per_tip: 0.2, debounce: 1s}",
            "sensors[1].debounce: 1s would swallow real pulses: at 500.0 mm/h (max_intensity) they come every 1440ms"
        ),
        ("- {name: r, driver: tipping_bucket, pin: GPIO99, mm_per_tip: 0.2}", "sensors[1].pin: board 'sim' has no pin 'GPIO99'"),
        ("- {name: r, driver: tipping_bucket, pin: GPIO17, mm_per_tip: 0.2, windows: [30s]}", "sensors[1].windows[0]: an intensity window is 1m…24h"),
        ("- {name: r, driver: tipping_bucket, pin: GPIO17, mm_per_tip: 0.2, flush: 100ms}", "sensors[1].flush: between 1s"),
        ("- {name: f, driver: flow_meter, pin: GPIO27}", "sensors[1].k: a flow meter needs its factor"),
        (
            "- {name: f, driver: flow_meter, pin: GPIO27, k: 7.5, pulses_per_litre: 450}",
            "sensors[1].pulses_per_litre: give k or pulses_per_litre, not both"
        ),
        ("- {name: f, driver: flow_meter, pin: GPIO27, k: 7.5, debounce: 5ms}", "sensors[1].debounce: 5ms would swallow real pulses: at 30.0 L/min"),
        ("- {name: u, driver: hcsr04, trigger: GPIO5, echo: GPIO5}", "sensors[1].echo: trigger and echo must be different lines"),
        ("- {name: u, driver: hcsr04, trigger: GPIO5, echo: GPIO6, interval: 300ms}", "sensors[1].interval: a burst of 5 pings takes 300ms"),
        ("- {name: u, driver: hcsr04, trigger: GPIO5, echo: GPIO6, ping_interval: 20ms}", "sensors[1].ping_interval: 60ms…1s"),
        ("- {name: u, driver: hcsr04, trigger: GPIO5, echo: GPIO6, range: [0.01, 4]}", "sensors[1].range: [min, max] in metres"),
        (
            "- {name: r, driver: tipping_bucket, pin: GPIO17, mm_per_tip: 0.2}\n  - {name: f, driver: flow_meter, pin: GPIO17, k: 7.5}",
            "sensors[2]: GPIO17 is already used by sensor 'r'"
        ),
    ])
    func sensorMistakes(yaml: String, message: String) {
        let m = Self.messages("  " + yaml)
        #expect(m.contains { $0.hasPrefix(message) }, "\(m)")
    }

    static let ranger = "  - {name: u, driver: hcsr04, trigger: GPIO5, echo: GPIO6}\nderived:\n"

    @Test(arguments: [
        (
            "  - {name: s, model: ultrasonic_stage, inputs: {echo_time: u.echo_time}, parameters: {mount_height: 4}}",
            "derived[0].inputs.air_temperature: ultrasonic_stage needs input 'air_temperature' (a channel), or a constant as parameters.air_temperature"
        ),
        (
            "  - {name: s, model: ultrasonic_stage, inputs: {echo_time: u.echo_time, air_temperature: air.temperature}}",
            "derived[0].parameters.mount_height: ultrasonic_stage needs parameter 'mount_height'"
        ),
        (
            "  - {name: s, model: ultrasonic_stage, inputs: {echo_time: u.echo_time, air_temperature: air.temperature}, parameters: {mount_height: 4, air_temperature: 20}}",
            "derived[0].parameters.air_temperature: 'air_temperature' is given both as an input and as a constant"
        ),
        (
            "  - {name: s, model: ultrasonic_stage, inputs: {echo_time: air.temperature, air_temperature: air.temperature}, parameters: {mount_height: 4}}",
            "derived[0].inputs.echo_time: ultrasonic_stage needs 'echo_time' in us, but air.temperature is in Cel"
        ),
        ("  - {name: q, model: discharge_rating, inputs: {stage: air.temperature}}", "derived[0].rating: discharge_rating needs the site's rating"),
        (
            "  - {name: q, model: flood_category, inputs: {stage: air.temperature}, parameters: {action: 3, flood: 2, moderate: 4, major: 5}}",
            "derived[0].parameters.action: the stages must ascend"
        ),
        (
            "  - {name: q, model: discharge_vnotch, inputs: {stage: air.temperature}, parameters: {crest: 0.1, angle: 60}}",
            "derived[0].parameters.angle: the default coefficient and head correction are for 90°"
        ),
        (
            "  - {name: q, model: discharge_manning, inputs: {depth: air.temperature}, parameters: {roughness: 0.013, slope: 0.005}}",
            "derived[0].parameters.width: give width (an open channel) or diameter (a pipe)"
        ),
        (
            "  - {name: q, model: stage_vented, inputs: {pressure: air.pressure, water_temperature: air.temperature}, parameters: {depth: 1}}",
            "derived[0].parameters.depth: stage_vented takes no parameter 'depth'; it takes: datum, gravity, water_temperature"
        ),
        (
            "  - {name: q, model: dew_point, inputs: {temperature: air.temperature, humidity: air.humidity}, rating: {segments: [{from: 0, c: 1, h0: 0, b: 1.5}]}}",
            "derived[0].rating: dew_point takes no rating curve"
        ),
    ])
    func modelMistakes(yaml: String, message: String) {
        let m = Self.messages(Self.ranger + yaml)
        #expect(m.contains { $0.hasPrefix(message) }, "\(m)")
    }

    @Test func ratingMistakes() {
        func rating(_ r: String) -> [String] {
            Self.messages(Self.ranger + "  - {name: q, model: discharge_rating, inputs: {stage: air.temperature}, rating: \(r)}")
        }
        #expect(
            rating("{segments: [{from: 0.3, c: 12.5, h0: 0.3, b: 1.6}, {from: 1.2, c: 20, h0: 0.45, b: 1.5}]}")
                .contains { $0.contains("the segments disagree at 1.2 m") })
        #expect(
            rating("{segments: [{from: 1.2, c: 12.5, h0: 0.3, b: 1.6}, {from: 0.5, c: 20, h0: 0.45, b: 1.5}]}")
                .contains { $0.contains("segments must ascend") })
        #expect(rating("{segments: [{from: 0.3, c: 12.5, h0: 0.5, b: 1.6}]}").contains { $0.contains("the zero-flow height 0.5 m is above") })
        #expect(rating("{segments: [{from: 0.3, c: 12.5, h0: 0.3, b: 9}]}").contains { $0.contains("a rating exponent is 0.5…5") })
        #expect(rating("{segments: [{from: 0.3, c: 12.5, h0: 0.3, b: 1.6}], valid_to: 0.2}").contains { $0.contains("must lie above") })
        #expect(rating("{segments: []}").contains { $0.contains("at least one segment") })
    }
}
