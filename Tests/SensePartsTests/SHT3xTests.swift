import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulator
import SenseTesting
import Testing

@testable import SenseParts

/// The SHT3x against the reference vector and its command-level emulator, in both modes: values
/// from the world come back through the wire, a part with nothing new is `no_data`, a part left
/// measuring periodically is stopped before it is reset, and a bad CRC is never a value.
@Suite struct SHT3xTests {
    struct Bench {
        let clock = ManualClock(autoAdvance: true)
        let bus = SimulatedI2CBus(name: "i2c-1", transactionLog: 256)
        let emulator: SensirionEmulator<SHT3xModel>

        init(air: AirConditions, address: UInt8 = 0x44) {
            emulator = SensirionEmulator(SHT3xModel(), air: FixedAir(air), clock: clock)
            bus.attach(emulator, at: address)
        }
    }

    static let air = AirConditions(temperature: 17.25, pressure: 100_500, humidity: 63.5)

    static func value(_ r: [ChannelReading], _ q: String) -> Double? { r.first { $0.quantity == q }?.value }

    @Test func referenceVectorFromTheWire() throws {
        let v = Vectors.named("A5-SHT3X-01")
        let wire = v.inputs["raw_bytes"].string.split(separator: " ").map { UInt8($0, radix: 16)! }
        let w = try Sensirion.words(wire)
        let r = SHT3x.decode(temperatureWord: w[0], humidityWord: w[1])
        #expect(abs(r[0].value! - v.expected["t_c"].double) < 1e-4)
        #expect(abs(r[1].value! - v.expected["rh_pct"].double) < 1e-4)
    }

    @Test func theFormulaIsTheSHT3xOneNotTheSHT4xOne() {
        // 0xFFFF is 100 %RH on an SHT3x (119 % raw on an SHT4x); 0 is 0 %RH (−6 % raw on an SHT4x).
        #expect(SHT3x.decode(temperatureWord: 0x6666, humidityWord: 0xFFFF)[1].value == 100)
        #expect(SHT3x.decode(temperatureWord: 0x6666, humidityWord: 0)[1].value == 0)
        // −45 °C (word 0) is below the part's −40 °C: a fault, not a reading.
        let cold = SHT3x.decode(temperatureWord: 0, humidityWord: 0x8000)
        #expect(cold[0].value == nil && cold[0].reason == .outOfRange)
    }

    @Test func theEmulatorTakesAWorldGoneWrongWithoutATrap() {
        #expect(SHT3xModel.word(.nan) == 0 && SHT3xModel.word(.infinity) == 65535 && SHT3xModel.word(-1e300) == 0)
        #expect(SHT3xModel.word(1e300) == 65535 && SHT3xModel.word(26214.4) == 26214)
    }

    @Test func periodicCommandsAreTheDatasheetTable() {
        #expect(SHT3x.periodicCommand(.mps0_5, .high) == 0x2032)
        #expect(SHT3x.periodicCommand(.mps1, .medium) == 0x2126)
        #expect(SHT3x.periodicCommand(.mps2, .medium) == 0x2220)
        #expect(SHT3x.periodicCommand(.mps4, .low) == 0x2329)
        #expect(SHT3x.periodicCommand(.mps10, .low) == 0x272A)
        for rate in SHT3x.Rate.allCases {
            for r in SHT3x.Repeatability.allCases {
                #expect(SHT3xModel.periodicPeriod(SHT3x.periodicCommand(rate, r)) == rate.period, "\(rate) \(r)")
            }
        }
    }

    @Test(arguments: SHT3x.Repeatability.allCases)
    func singleShotRoundTrip(repeatability: SHT3x.Repeatability) async throws {
        let b = Bench(air: Self.air)
        var d = SHT3x(bus: b.bus, repeatability: repeatability, clock: b.clock)
        try await d.initialize()
        #expect(d.status == SHT3xModel.resetDetected, "the soft reset shows in the status word")
        let r = try await d.fetch()
        #expect(abs(Self.value(r, "temperature")! - Self.air.temperature) < 0.01)
        #expect(abs(Self.value(r, "humidity")! - Self.air.humidity) < 0.01)
        #expect(b.emulator.commands == [0x3093, 0x30A2, 0xF32D, 0x3041, repeatability.singleShotCommand])
        #expect(b.bus.transactions.allSatisfy { $0.kind != .writeRead }, "command and read are separate transactions")
    }

    @Test func periodicModeReadsOnlyNewMeasurements() async throws {
        let b = Bench(air: Self.air, address: 0x45)
        let (clock, bus, emulator) = (b.clock, b.bus, b.emulator)
        var d = SHT3x(bus: bus, address: 0x45, repeatability: .medium, mode: .periodic(.mps2), clock: clock)
        try await d.initialize()
        #expect(emulator.model.schedule.isRunning)
        // Right after the start the part has nothing: the fetch waits for its first measurement.
        let started = clock.monotonicNow
        let first = try await d.fetch()
        #expect(abs(Self.value(first, "humidity")! - Self.air.humidity) < 0.01)
        #expect(clock.monotonicNow - started >= .milliseconds(450))
        // The same measurement is never read twice: the next fetch waits for the next one.
        let before = clock.monotonicNow
        _ = try await d.fetch()
        #expect(clock.monotonicNow - before >= .milliseconds(450))
        #expect(emulator.model.measurements == 2)
        // A part that stopped measuring is no_data after 1.1 periods, not the last value again.
        emulator.inject(.neverReady)
        let stopped = clock.monotonicNow
        do {
            _ = try await d.fetch()
            Issue.record("a part with nothing new gave a value")
        } catch {
            #expect(error.reason == .noData, "nothing new is no_data, not a bus fault")
        }
        #expect(clock.monotonicNow - stopped <= .milliseconds(600))
        emulator.inject(nil)
        // A part left measuring (the daemon restarted) takes no reset until it is stopped: the
        // driver's Break comes first, so re-initialising works.
        try await d.initialize()
        #expect(emulator.commands.suffix(5) == [0x3093, 0x30A2, 0xF32D, 0x3041, 0x2220])
    }

    @Test func theEmulatorRefusesCommandsWhileMeasuringPeriodically() throws {
        let clock = ManualClock(autoAdvance: true)
        let bus = SimulatedI2CBus(name: "i2c-1", transactionLog: 256)
        bus.attach(SensirionEmulator(SHT3xModel(), air: FixedAir(Self.air), clock: clock), at: 0x44)
        try bus.write(0x44, Sensirion.command(0x2130))
        clock.advance(by: .milliseconds(2))
        #expect(throws: I2CError.self) { try bus.write(0x44, Sensirion.command(0x30A2)) }
        try bus.write(0x44, Sensirion.command(0x3093))
    }

    @Test func aBadCRCIsAFaultNeverAValue() async throws {
        let b = Bench(air: Self.air)
        var d = SHT3x(bus: b.bus, clock: b.clock)
        try await d.initialize()
        b.emulator.inject(.corruptCRC)
        do {
            _ = try await d.fetch()
            Issue.record("a corrupted reply gave a value")
        } catch {
            #expect(error.reason == .crc)
        }
        b.emulator.inject(nil)
        #expect(try await d.fetch().allSatisfy { $0.quality == .good })
    }

    @Test func aMeasurementThatNeverEndsIsAFault() async throws {
        let b = Bench(air: Self.air)
        var d = SHT3x(bus: b.bus, clock: b.clock)
        try await d.initialize()
        b.emulator.inject(.neverReady)
        await #expect(throws: SensorFault.self) { try await d.fetch() }
    }
}
