import SenseAnalysis
import SenseConfig
import SenseCore
import SenseDrivers
import SenseTesting
import Testing

@testable import SenseParts

/// The air-quality drivers and models in YAML: what is accepted, and each mistake named with
/// its key and line.
@Suite struct AirStationConfigTests {
    static let head = """
        node: air
        board: sim
        mqtt:
          broker: mqtt://127.0.0.1:1883
        sensors:

        """

    static func messages(_ yaml: String) -> [String] {
        ConfigFixture.errors(head + yaml).diagnostics.map { "\($0.path): \($0.message)" }
    }

    @Test func aFullStationLoads() throws {
        let c = try ConfigFixture.load(
            Self.head + """
                  - {name: climate, driver: sht4x, bus: i2c-1, precision: medium}
                  - {name: room, driver: scd4x, bus: i2c-1, interval: 30s, low_power: true, altitude: 120, temperature_offset: 2.5}
                  - {name: lab, driver: scd30, bus: i2c-3, interval: 5s, measurement_interval: 5s, ambient_pressure: 1013}
                  - {name: pm, driver: sps30, bus: i2c-1, interval: 10s}
                  - {name: env, driver: sen5x, bus: i2c-3, interval: 10s}
                  - name: gas
                    driver: ads1115
                    bus: i2c-1
                    address: 0x49
                    inputs:
                      - {name: no2, input: ain0, range: 1.024, rate: 64, unit: ppb, transfer: {linear: {volts: [0.2, 0.6], values: [0, 400]}}}
                      - {name: level, input: ain1-ain3, range: 6.144, unit: m, transfer: {current_loop: {shunt: 250, values: [0, 5]}}}
                      - {name: o3, input: ain2, unit: ppm, transfer: {polynomial: [-0.01, 0.05, 0.002]}}
                windows:
                  - {name: pm_hourly, channel: derived.pm25_corrected, length: 1h, functions: [mean], expected: 360}
                derived:
                  - {name: pm25_corrected, model: pm25_epa, inputs: {pm2_5: pm.pm2_5, humidity: climate.humidity}}
                  - {name: pm25_nowcast, model: nowcast_pm, inputs: {hourly: aggregate.pm_hourly.mean}}
                  - {name: aqi, model: aqi, inputs: {pm2_5: derived.pm25_nowcast}}
                """)
        #expect(c.sensors.map(\.kind.driverName) == ["sht4x", "scd4x", "scd30", "sps30", "sen5x", "ads1115"])
        #expect(c.sensors.map(\.address) == [0x44, 0x62, 0x61, 0x69, 0x69, 0x49])
        guard case let .i2c(p1) = c.sensors[1].kind, let o = p1.setup as? SCD4xSetup else {
            Issue.record("not scd4x")
            return
        }
        #expect(o.settings == SCD4x.Settings(lowPower: true, altitude: 120, temperatureOffset: 2.5))
        guard case let .i2c(p5) = c.sensors[5].kind, let a = p5.setup as? ADS1115Setup else {
            Issue.record("not ads1115")
            return
        }
        #expect(a.inputs.map(\.quantity) == ["no2", "level", "o3"])
        #expect(a.inputs[0].transfer == .linear(v0: 0.2, v1: 0.6, y0: 0, y1: 400))
        #expect(a.inputs[1].input == .ain1AIN3 && a.inputs[1].range == .fsr6_144)
        #expect(c.sensors[5].kind.channels.map(\.1) == [.ppb, .metre, .ppm])
        #expect(c.derived.map(\.model) == [.pm25EPA, .nowcastPM, .aqi])
    }

    @Test(arguments: [
        ("- {name: t, driver: sht4x, bus: i2c-1, address: 0x40}", "sensors[0].address: a SHT4X answers at 0x44 (SHT4x-A), 0x45 (-B) or 0x46 (-C)"),
        ("- {name: t, driver: sht4x, bus: i2c-1, precision: ultra}", "sensors[0].precision: 'ultra' is not one of: high, medium, low"),
        ("- {name: c, driver: scd4x, bus: i2c-1, interval: 2s}", "sensors[0].interval: at least 5s: an SCD4x measures every 5 s"),
        ("- {name: c, driver: scd4x, bus: i2c-1, interval: 10s, low_power: true}", "sensors[0].low_power: low-power mode measures every 30 s"),
        ("- {name: c, driver: scd4x, bus: i2c-1, altitude: 4000}", "sensors[0].altitude: the SCD4x accepts 0…3000 m"),
        (
            "- {name: c, driver: scd30, bus: i2c-1, interval: 2s, measurement_interval: 10s}",
            "sensors[0].interval: polling every 2s is faster than the SCD30's measurement_interval"
        ),
        ("- {name: c, driver: scd30, bus: i2c-1, ambient_pressure: 500}", "sensors[0].ambient_pressure: must be 700…1400 mbar"),
        ("- {name: p, driver: sps30, bus: i2c-1, address: 0x68}", "sensors[0].address: a SPS30 answers only at 0x69"),
        ("- {name: p, driver: sen5x, bus: i2c-1, interval: 500ms}", "sensors[0].interval: at least 1s: a SEN5x measures once a second"),
        ("- {name: p, driver: sps30, bus: i2c-1, publish: [pm25]}", "sensors[0].publish[0]: sps30 has no quantity 'pm25'; it has: pm1_0, pm2_5"),
        ("- {name: t, driver: sht3x, bus: i2c-1, address: 0x46}", "sensors[0].address: a SHT3X answers at 0x44 (ADDR to VSS) or 0x45 (ADDR to VDD)"),
        (
            "- {name: t, driver: sht3x, bus: i2c-1, mode: periodic}",
            "sensors[0].rate: periodic mode needs a rate: 0.5, 1, 2, 4, 10 measurements per second"
        ),
        ("- {name: t, driver: sht3x, bus: i2c-1, rate: 2}", "sensors[0].rate: a rate is for mode: periodic"),
        ("- {name: t, driver: sht3x, bus: i2c-1, mode: periodic, rate: 3}", "sensors[0].rate: the SHT3x measures 0.5, 1, 2, 4, 10 times per second"),
        (
            "- {name: t, driver: sht3x, bus: i2c-1, mode: periodic, rate: 0.5, interval: 1s}",
            "sensors[0].interval: polling every 1s is faster than the part measures at 0.5 per second: poll every 2s or more"
        ),
        ("- {name: t, driver: sht3x, bus: i2c-1, repeatability: best}", "sensors[0].repeatability: 'best' is not one of: high, medium, low"),
        ("- {name: d, driver: ms5837, bus: i2c-1, address: 0x77}", "sensors[0].address: a MS5837 answers only at 0x76"),
        (
            "- {name: d, driver: ms5837, bus: i2c-1, oversampling: 300}",
            "sensors[0].oversampling: the MS5837 oversamples 256, 512, 1024, 2048, 4096 or 8192 times"
        ),
        ("- {name: d, driver: ms5837, bus: i2c-1, surface_pressure: 1013.25}", "sensors[0].surface_pressure: "),
        (
            "- {name: d, driver: ms5837, bus: i2c-1, publish: [depth]}",
            "sensors[0].publish[0]: ms5837 has no quantity 'depth'; it has: water_pressure_abs, water_temperature, water_depth"
        ),
        ("- {name: a, driver: ads1115, bus: i2c-1}", "sensors[0].inputs: missing required key 'inputs'"),
        ("- {name: a, driver: ads1115, bus: i2c-1, inputs: []}", "sensors[0].inputs: list at least one input"),
        (
            "- {name: a, driver: ads1115, bus: i2c-1, inputs: [{name: x, input: ain4, unit: V, transfer: {polynomial: [0, 1]}}]}",
            "sensors[0].inputs[0].input: 'ain4' is not one of: ain0-ain1"
        ),
        (
            "- {name: a, driver: ads1115, bus: i2c-1, inputs: [{name: x, input: ain0, range: 5, unit: V, transfer: {polynomial: [0, 1]}}]}",
            "sensors[0].inputs[0].range: the PGA's full-scale ranges are ±6.144"
        ),
        (
            "- {name: a, driver: ads1115, bus: i2c-1, inputs: [{name: x, input: ain0, rate: 100, unit: V, transfer: {polynomial: [0, 1]}}]}",
            "sensors[0].inputs[0].rate: data rates are 8, 16, 32, 64, 128, 250, 475, 860 SPS"
        ),
        (
            "- {name: a, driver: ads1115, bus: i2c-1, inputs: [{name: x, input: ain0, unit: furlong, transfer: {polynomial: [0, 1]}}]}",
            "sensors[0].inputs[0].unit: unknown unit 'furlong'"
        ),
        (
            "- {name: a, driver: ads1115, bus: i2c-1, inputs: [{name: x, input: ain0, unit: m, transfer: {current_loop: {shunt: 250, values: [0, 1]}}}]}",
            "sensors[0].inputs[0].transfer.current_loop.shunt: 21 mA across 250.0 Ω is 5.25 V, beyond the ±4.096 V range"
        ),
        (
            "- {name: a, driver: ads1115, bus: i2c-1, inputs: [{name: x, input: ain0, unit: V, transfer: {linear: {volts: [1, 1], values: [0, 1]}}}]}",
            "sensors[0].inputs[0].transfer.linear.volts: the two calibration voltages must differ"
        ),
        (
            "- {name: a, driver: ads1115, bus: i2c-1, inputs: [{name: x, input: ain0, unit: V, transfer: {linear: {volts: [0, 1], values: [0, 1]}, polynomial: [1]}}]}",
            "sensors[0].inputs[0].transfer: give exactly one of linear, polynomial or current_loop"
        ),
        (
            "- {name: a, driver: ads1115, bus: i2c-1, inputs: [{name: x, input: ain0, unit: V, transfer: {polynomial: [0, 1]}}, {name: x, input: ain1, unit: V, transfer: {polynomial: [0, 1]}}]}",
            "sensors[0].inputs[1].name: 'x' is listed twice"
        ),
    ])
    func mistakes(_ sensor: String, _ expected: String) {
        let m = Self.messages("  " + sensor)
        #expect(m.contains { $0.hasPrefix(expected) }, "\(m)")
    }

    static let withPM = """
          - {name: pm, driver: sps30, bus: i2c-1}
          - {name: t, driver: sht4x, bus: i2c-1}
          - name: gas
            driver: ads1115
            bus: i2c-1
            inputs: [{name: o3, input: ain0, unit: ppb, transfer: {linear: {volts: [0, 1], values: [0, 100]}}}]
        windows:
          - {name: h, channel: pm.pm2_5, length: 1h, functions: [mean, max]}
          - {name: q, channel: pm.pm2_5, length: 15m, functions: [mean]}

        """

    @Test(arguments: [
        ("derived:\n  - {name: n, model: nowcast_pm, inputs: {hourly: pm.pm2_5}}", "nowcast_pm takes hourly averages"),
        ("derived:\n  - {name: n, model: nowcast_pm, inputs: {hourly: aggregate.h.max}}", "the mean of a tumbling window of length 1h"),
        ("derived:\n  - {name: n, model: nowcast_pm, inputs: {hourly: aggregate.q.mean}}", "the mean of a tumbling window of length 1h"),
        ("derived:\n  - {name: n, model: nowcast_pm, inputs: {hourly: aggregate.nope.mean}}", "no window named 'nope'"),
        ("derived:\n  - {name: n, model: nowcast_pm, inputs: {hourly: aggregate.h.sum}}", "window 'h' computes mean, max, not 'sum'"),
        ("derived:\n  - {name: a, model: aqi, inputs: {}}", "aqi needs at least one of: pm2_5, pm10"),
        ("derived:\n  - {name: a, model: aqi, inputs: {o3_8h: gas.o3}}", "aqi needs 'o3_8h' in ppm, but gas.o3 is in ppb"),
        ("derived:\n  - {name: a, model: aqi, inputs: {pm25: pm.pm2_5}}", "aqi has no input 'pm25'"),
        ("derived:\n  - {name: c, model: pm25_epa, inputs: {pm2_5: pm.pm2_5}}", "pm25_epa needs input 'humidity'"),
        (
            "derived:\n  - {name: n, model: nowcast_pm, inputs: {hourly: aggregate.h.mean}}\n  - {name: back, model: pm25_epa, inputs: {pm2_5: derived.n, humidity: t.humidity}}\nwindows_extra: 1",
            "unknown key 'windows_extra'"
        ),
    ])
    func modelMistakes(_ derived: String, _ expected: String) {
        let m = Self.messages(Self.withPM + derived)
        #expect(m.contains { $0.contains(expected) }, "\(m)")
    }

    @Test func aWindowCannotLoopBackOnAChannelDerivedFromAggregates() {
        let m = Self.messages(
            """
              - {name: pm, driver: sps30, bus: i2c-1}
            windows:
              - {name: h, channel: pm.pm2_5, length: 1h, functions: [mean]}
              - {name: again, channel: derived.n, length: 1h, functions: [mean], expected: 12}
            derived:
              - {name: n, model: nowcast_pm, inputs: {hourly: aggregate.h.mean}}
            """)
        #expect(m.contains { $0.contains("window 'again' aggregates derived.n, which is itself computed from aggregates") }, "\(m)")
    }

    @Test func faultsMatchTheEmulatedPart() {
        let m = Self.messages(
            """
              - {name: pm, driver: sps30, bus: i2c-1}
            simulation:
              faults:
                - {sensor: pm, fault: wrong_chip_id, after: 1m}
                - {sensor: pm, fault: crc, after: 2m}
            """)
        #expect(
            m.count == 1
                && m[0].contains("a sps30 cannot show 'wrong_chip_id'; faults for it: nack, bus_error, stuck_busy, crc, not_ready, not_available"),
            "\(m)")
    }

    @Test func aFaultStormTakesAShareOfTheMeasurements() {
        let m = Self.messages(
            """
              - {name: pm, driver: sps30, bus: i2c-1}
            simulation:
              faults:
                - {sensor: pm, fault: crc, rate: 0.5}
                - {sensor: pm, fault: nack, rate: 0}
                - {sensor: pm, fault: nack, rate: .nan}
                - {sensor: pm, fault: nack, rate: 2}
            """)
        #expect(m.count == 3 && m.allSatisfy { $0.hasPrefix("simulation.faults[") && $0.contains("].rate: ") }, "\(m)")
        #expect(m.contains("simulation.faults[3].rate: must be between 0.01 and 1, got 2"), "\(m)")
    }
}
