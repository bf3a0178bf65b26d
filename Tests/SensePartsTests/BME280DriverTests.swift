import SenseCore
import SenseDrivers
import SenseHardware
import SenseParts
import SenseSimulator
import Testing

/// Round trips through the register-level emulator: world value → emulator registers → driver →
/// compensated value ≈ world value, within the BME280's datasheet accuracy.
@Suite struct BME280DriverTests {
    struct Rig {
        let clock = ManualClock(autoAdvance: true)
        let bus = SimulatedI2CBus(name: "i2c-1", transactionLog: 256)
        let emulator: BME280Emulator
        var driver: BME280

        init(
            air: AirConditions, calibration: BME280Emulator.Calibration = .datasheetExample,
            settings: BME280.Settings = .init(), chipID: UInt8 = 0x60, variant: BME280.Variant = .bme280
        ) {
            emulator = BME280Emulator(calibration: calibration, chipID: chipID, air: FixedAir(air), clock: clock)
            bus.attach(emulator, at: 0x76)
            driver = BME280(bus: bus, address: 0x76, variant: variant, settings: settings, clock: clock)
        }
    }

    static let worlds: [AirConditions] = [
        AirConditions(temperature: -35, pressure: 99_000, humidity: 60),  // cold
        AirConditions(temperature: -5.5, pressure: 101_325, humidity: 90),  // frost
        AirConditions(temperature: 21.3, pressure: 101_325, humidity: 45),  // indoor
        AirConditions(temperature: 38, pressure: 100_200, humidity: 12),  // hot and dry
        AirConditions(temperature: 30, pressure: 100_900, humidity: 97),  // humid
        AirConditions(temperature: 4, pressure: 70_100, humidity: 30),  // 3000 m
        AirConditions(temperature: 80, pressure: 110_000, humidity: 3),  // edge of range
    ]

    @Test(arguments: worlds, [BME280Emulator.Calibration.datasheetExample, .secondPart])
    func roundTrip(air: AirConditions, calibration: BME280Emulator.Calibration) async throws {
        var rig = Rig(air: air, calibration: calibration)
        try await rig.driver.initialize()
        let readings = try await rig.driver.fetch()
        let byName = Dictionary(uniqueKeysWithValues: readings.map { ($0.quantity, $0) })
        #expect(readings.allSatisfy { $0.quality == .good })
        // The encoding is exact to an ADC count, so the tolerance is the ADC's resolution, far
        // inside the datasheet's ±1 °C, ±1 hPa, ±3 %RH.
        #expect(abs(byName["temperature"]!.value! - air.temperature) < 0.02)
        #expect(abs(byName["pressure"]!.value! - air.pressure) < 2)
        #expect(abs(byName["humidity"]!.value! - air.humidity) < 0.1)
        #expect(byName["temperature"]!.unit == .celsius)
        #expect(byName["pressure"]!.unit == .pascal)
        #expect(byName["humidity"]!.unit == .relativeHumidity)
    }

    @Test func calibrationIsReadFromTheChip() async throws {
        var rig = Rig(air: .init(temperature: 20, pressure: 100_000, humidity: 50), calibration: .secondPart)
        try await rig.driver.initialize()
        let c = try #require(rig.driver.calibration)
        let e = BME280Emulator.Calibration.secondPart
        #expect(c.dig_T1 == e.T1 && c.dig_T2 == e.T2 && c.dig_T3 == e.T3)
        #expect(c.dig_P1 == e.P1 && c.dig_P4 == e.P4 && c.dig_P5 == e.P5 && c.dig_P9 == e.P9)
        #expect(c.dig_H1 == e.H1 && c.dig_H2 == e.H2 && c.dig_H4 == e.H4 && c.dig_H5 == e.H5 && c.dig_H6 == e.H6)
    }

    @Test func fetchIsOneForcedMeasurementAndOneBurstRead() async throws {
        var rig = Rig(air: .init(temperature: 20, pressure: 100_000, humidity: 50))
        try await rig.driver.initialize()
        let before = rig.bus.transactions.count
        let start = rig.clock.monotonicNow
        _ = try await rig.driver.fetch()
        let t = Array(rig.bus.transactions.dropFirst(before))
        #expect(rig.emulator.measurementCount == 1)
        // ctrl_hum, ctrl_meas (forced), status, then all eight data bytes in one transaction.
        #expect(t.map(\.written) == [[0xF2, 0x01], [0xF4, 0b010_101_01], [0xF3], [0xF7]])
        #expect(t.last?.kind == .writeRead && t.last?.readCount == 8)
        // It waited the datasheet maximum for ×2/×16/×1: 1250 + 4600 + 37375 + 2875 µs.
        #expect(rig.clock.monotonicNow - start == .microseconds(46_100))
    }

    @Test func settingsReachTheRegisters() async throws {
        var rig = Rig(
            air: .init(temperature: 20, pressure: 100_000, humidity: 50),
            settings: .init(temperature: .x1, pressure: .x4, humidity: .x8, filter: .x16))
        try await rig.driver.initialize()
        _ = try await rig.driver.fetch()
        #expect(rig.emulator.register(0xF5) == 0x04 << 2)
        #expect(rig.emulator.register(0xF2) == 0x04)
        #expect(rig.emulator.register(0xF4) >> 2 == 0b001_011)  // forced mode has ended: mode bits 00
    }

    @Test func bmp280HasNoHumidity() async throws {
        var rig = Rig(air: .init(temperature: 12, pressure: 95_000, humidity: 50), chipID: 0x58, variant: .bmp280)
        try await rig.driver.initialize()
        let r = try await rig.driver.fetch()
        #expect(r.map(\.quantity) == ["temperature", "pressure"])
        #expect(abs(r[0].value! - 12) < 0.02)
        #expect(abs(r[1].value! - 95_000) < 2)
    }

    @Test func absentChipIsNack() async {
        let clock = ManualClock(autoAdvance: true)
        var driver = BME280(bus: SimulatedI2CBus(name: "i2c-1", transactionLog: 256), address: 0x77, clock: clock)
        await #expect(throws: SensorFault.self) { try await driver.initialize() }
        do {
            try await driver.initialize()
        } catch {
            #expect(error.reason == .nack)
            #expect(error.detail.contains("i2c-1 0x77"))
        }
    }

    @Test(arguments: [
        (BME280Emulator.Fault.nack, QualityReason.nack),
        (.busError, .busError),
        (.stuckBusy, .timeout),
    ])
    func faultDuringFetch(fault: BME280Emulator.Fault, reason: QualityReason) async throws {
        var rig = Rig(air: .init(temperature: 20, pressure: 100_000, humidity: 50))
        try await rig.driver.initialize()
        rig.emulator.inject(fault)
        do {
            _ = try await rig.driver.fetch()
            Issue.record("fetch succeeded despite \(fault)")
        } catch {
            #expect(error.reason == reason)
        }
        rig.emulator.inject(nil)
        try await rig.driver.initialize()
        #expect(try await rig.driver.fetch().allSatisfy { $0.quality == .good })
    }

    /// In stages, against the emulator's conversion time: read too early, the part is still
    /// measuring and the driver asks for a quarter of the time more; after the full time the
    /// data are read; a status bit that never clears is a timeout after the third status read.
    @Test func aStagedMeasurementWaitsForTheConversion() async throws {
        var rig = Rig(air: .init(temperature: 21.3, pressure: 101_325, humidity: 45))
        #expect(throws: SensorFault.self) { try rig.driver.startMeasurement() }  // not initialised
        try await rig.driver.initialize()
        let time = try #require(try rig.driver.startMeasurement())
        #expect(time == BME280.Settings().maxMeasurementTime)
        #expect(rig.emulator.measurementCount == 1)
        #expect(try rig.driver.continueMeasurement() == .wait(time / 4), "read at once: still measuring")
        rig.clock.advance(by: time)
        guard case let .readings(r) = try rig.driver.continueMeasurement() else {
            Issue.record("no readings after the conversion time")
            return
        }
        #expect(r.count == 3 && r.allSatisfy { $0.quality == .good })
        #expect(abs(r[0].value! - 21.3) < 0.02)

        rig.emulator.inject(.stuckBusy)
        _ = try rig.driver.startMeasurement()
        rig.clock.advance(by: time)
        #expect(try rig.driver.continueMeasurement() == .wait(time / 4))
        #expect(try rig.driver.continueMeasurement() == .wait(time / 4))
        #expect {
            _ = try rig.driver.continueMeasurement()
        } throws: { ($0 as? SensorFault)?.reason == .timeout }
    }

    @Test func wrongChipIsNamed() async {
        var rig = Rig(air: .init(temperature: 20, pressure: 100_000, humidity: 50))
        rig.emulator.inject(.wrongChipID(0x58))
        do {
            try await rig.driver.initialize()
            Issue.record("a BMP280 was accepted as a BME280")
        } catch {
            #expect(error.reason == .wrongDevice)
            #expect(error.detail.contains("BMP280"))
        }
    }

    @Test func skippedMeasurementIsNoDataNotAValue() async throws {
        var rig = Rig(air: .init(temperature: 20, pressure: 100_000, humidity: 50))
        try await rig.driver.initialize()
        rig.emulator.inject(.skippedMeasurement)
        let r = try await rig.driver.fetch()
        #expect(r.allSatisfy { $0.quality == .bad && $0.value == nil && $0.reason == .noData })
    }

    @Test func outOfRangeIsRejectedNotClamped() {
        // adc_T at full scale decodes far above 85 °C with the example calibration.
        let cal = BME280Calibration(
            dig_T1: 27504, dig_T2: 26435, dig_T3: -1000, dig_P1: 36477, dig_P2: -10685,
            dig_P3: 3024, dig_P4: 2855, dig_P5: 140, dig_P6: -7, dig_P7: 15500,
            dig_P8: -14600, dig_P9: 6000)
        var raw = BME280RawData([0x65, 0x5A, 0xC0, 0xFF, 0xFF, 0xF0, 0x71, 0x28])
        let hot = BME280.decode(raw, cal, variant: .bmp280, settings: .init())
        #expect(hot[0].quality == .bad && hot[0].reason == .outOfRange && hot[0].value == nil)
        raw.adc_T = 519_888
        let ok = BME280.decode(raw, cal, variant: .bmp280, settings: .init())
        #expect(ok[0].value == 25.08)
    }

    @Test func iirFilterSmoothsAStep() async throws {
        let clock = ManualClock(autoAdvance: true)
        let bus = SimulatedI2CBus(name: "i2c-1", transactionLog: 256)
        let air = MutableAir(.init(temperature: 10, pressure: 100_000, humidity: 50))
        bus.attach(BME280Emulator(air: air, clock: clock), at: 0x76)
        var driver = BME280(bus: bus, address: 0x76, settings: .init(filter: .x4), clock: clock)
        try await driver.initialize()
        _ = try await driver.fetch()
        air.set(.init(temperature: 30, pressure: 100_000, humidity: 50))
        let t = try await driver.fetch()[0].value!
        #expect(abs(t - 15) < 0.05)  // 10 + (30 − 10)/4
    }
}

final class MutableAir: AirSource, @unchecked Sendable {
    private var air: AirConditions
    init(_ air: AirConditions) { self.air = air }
    func set(_ a: AirConditions) { air = a }
    func conditions(at time: WallTime) -> AirConditions { air }
}

extension AirConditions: CustomTestStringConvertible {
    public var testDescription: String { "\(temperature) °C, \(pressure) Pa, \(humidity) %RH" }
}
