import Foundation
import SenseConfig
import SenseCore
import SenseDrivers
import SenseSimulationRig
import SenseSimulator
import SenseTesting
import Testing

@testable import SenseParts

/// The catalogue is the one list of I2C parts: each is documented, decodes from a config, and
/// stands on the simulated board, where its driver reads good values from its emulator.
@Suite struct PartCatalogueTests {
    /// One sensor of every part, spread over two buses so that no two share an address.
    static let everyPart = """
        node: parts
        board: sim
        mqtt:
          broker: mqtt://127.0.0.1:1883
        sensors:
          - {name: p_bme280, driver: bme280, bus: i2c-1, address: 0x76}
          - {name: p_bmp280, driver: bmp280, bus: i2c-1, address: 0x77}
          - {name: p_sht4x, driver: sht4x, bus: i2c-1}
          - {name: p_sht3x, driver: sht3x, bus: i2c-1, address: 0x45, mode: periodic, rate: 1, interval: 2s}
          - {name: p_scd4x, driver: scd4x, bus: i2c-1}
          - {name: p_scd30, driver: scd30, bus: i2c-1}
          - {name: p_sps30, driver: sps30, bus: i2c-1}
          - {name: p_sen5x, driver: sen5x, bus: i2c-3}
          - name: p_ads1115
            driver: ads1115
            bus: i2c-1
            inputs: [{name: o3, input: ain0, unit: ppb, transfer: {linear: {volts: [0, 1], values: [0, 100]}}}]
          - {name: p_ms5837, driver: ms5837, bus: i2c-3}
        """

    @Test func everyPartIsInTheConfigAndTheDocs() throws {
        let c = try ConfigFixture.load(Self.everyPart)
        #expect(Set(c.sensors.map(\.kind.driverName)) == Set(PartCatalogue.standard.names))
        let docs = try String(contentsOfFile: RepositoryPaths.root + "/docs/drivers/README.md", encoding: .utf8)
        for name in PartCatalogue.standard.names {
            #expect(docs.contains("`\(name)`"), "docs/drivers/README.md has no row for \(name)")
        }
        for part in PartCatalogue.standard.parts where part.name != "ads1115" {
            let sensor = c.sensors.first { $0.kind.driverName == part.name }!
            #expect(sensor.kind.channels.map(\.0) == part.defaultChannels.map(\.quantity), "\(part.name)")
        }
    }

    @Test func everyPartReadsGoodValuesOnTheSimulatedBoard() async throws {
        let c = try ConfigFixture.load(Self.everyPart)
        let clock = ManualClock(autoAdvance: true)
        let hardware = SimulatedHardware(clock: clock)
        _ = SimulationRig(config: c, simulation: SimulationConfig(), hardware: hardware)
        for sensor in c.sensors {
            guard case let .i2c(part) = sensor.kind, let bus = sensor.bus, let address = sensor.address else {
                Issue.record("\(sensor.name) is not an I2C part")
                continue
            }
            #expect(part.setup is any EmulatedI2CSetup, "\(sensor.name) has no emulator")
            var driver = part.setup.driver(bus: hardware.bus(bus.name), address: address, clock: clock)
            try await driver.initialize()
            // Parts that measure on their own clock have their first result one period later.
            clock.advance(by: .seconds(10))
            let r = try await driver.fetch()
            #expect(r.map(\.quantity) == sensor.kind.channels.map(\.0), "\(sensor.name)")
            #expect(r.allSatisfy { $0.quality == .good && $0.value?.isFinite == true }, "\(sensor.name): \(r)")
        }
    }

    @Test func theSimulatedRiverSetsTheMS5837sDepth() async throws {
        // The stage_absolute channel's datum places the sensor in the simulated river: the depth
        // the part reports is the river's stage above it.
        let c = try ConfigFixture.load(
            Self.everyPart + """

                derived:
                  - name: stage_abs
                    model: stage_absolute
                    inputs: {pressure: p_ms5837.water_pressure_abs, barometer: p_bme280.pressure, water_temperature: p_ms5837.water_temperature}
                    parameters: {datum: 0.1}
                """)
        let clock = ManualClock(autoAdvance: true)
        let hardware = SimulatedHardware(clock: clock)
        _ = SimulationRig(config: c, simulation: SimulationConfig(), hardware: hardware)
        guard let sensor = c.sensors.first(where: { $0.name == "p_ms5837" }), case let .i2c(part) = sensor.kind else { return }
        var driver = part.setup.driver(bus: hardware.bus("i2c-3"), address: 0x76, clock: clock)
        try await driver.initialize()
        let r = try await driver.fetch()
        let pressure = r.first { $0.quantity == "water_pressure_abs" }!.value!
        let t = r.first { $0.quantity == "water_temperature" }!.value!
        // A dry river (the default scenario) still has base flow over the sensor, and the air above it.
        #expect(pressure > 95_000 && pressure < 140_000, "\(pressure) Pa")
        #expect(t > 0 && t < 30, "\(t) °C")
    }
}
