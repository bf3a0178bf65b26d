import SenseCore
import SenseDrivers
import SenseModels
import SenseSimulator
import Testing

@testable import SenseParts

/// The MS5837-30BA: the datasheet's worked example, both second-order branches, the PROM's
/// CRC-4, and the driver against its command-level emulator in still water of known depth.
@Suite struct MS5837Tests {
    /// The datasheet's example coefficients C1…C6 (MS5837-30BA, "pressure and temperature
    /// calculation" example) with the 30BA's version code.
    static let prom = MS5837PROM(words: MS5837Emulator.datasheetPROM)!

    @Test func theDatasheetExample() {
        // D1 = 4958179, D2 = 6815414 → dT = −5962, TEMP = 1981 (19.81 °C), OFF = 2381323464,
        // SENS = 1145816755, P = 39998 (3999.8 mbar).
        let first = MS5837Compensation.firstOrder(d1: 4_958_179, d2: 6_815_414, Self.prom)
        #expect(first.dT == -5962)
        #expect(first.result.temp == 1981)
        #expect(first.off == 2_381_323_464)
        #expect(first.sens == 1_145_816_755)
        #expect(first.result.p == 39998)
        let second = MS5837Compensation.compensate(d1: 4_958_179, d2: 6_815_414, Self.prom)
        #expect(second == .init(temp: 1981, p: 39998))
        #expect(second.pascal == 399_980 && second.celsius == 19.81)
    }

    /// Both second-order branches, computed apart from this code (Python, the same datasheet
    /// formulas with arithmetic shifts): warm water (TEMP ≥ 20 °C) and below −15 °C.
    @Test(arguments: [
        (d1: UInt32(5_200_000), d2: UInt32(7_000_000), temp: Int64(2556), p: Int64(56630)),
        (d1: 4_700_000, d2: 5_600_000, temp: -2327, p: 22439),
    ])
    func secondOrderBranches(d1: UInt32, d2: UInt32, temp: Int64, p: Int64) {
        #expect(MS5837Compensation.compensate(d1: d1, d2: d2, Self.prom) == .init(temp: temp, p: p))
    }

    @Test func theCRC4GuardsEveryPROMWord() {
        #expect(Self.prom.crcIsValid)
        #expect(Self.prom.version == 0x1A)
        for word in 0..<7 {
            for bit in 0..<16 where !(word == 0 && bit >= 12) {
                var w = MS5837Emulator.datasheetPROM
                w[word] ^= 1 << bit
                #expect(!MS5837PROM(words: w)!.crcIsValid, "a flip of bit \(bit) of word \(word) went unseen")
            }
        }
        #expect(MS5837PROM(words: [1, 2, 3]) == nil)
    }

    @Test func extremeCodesNeverTrapAndAreNeverReadings() {
        for (d1, d2): (UInt32, UInt32) in [(1, 1), (0xFF_FFFF, 0xFF_FFFF), (0xFFFF_FFFF, 0), (0, 0xFFFF_FFFF)] {
            let r = MS5837.decode(d1: d1, d2: d2, prom: Self.prom, surfacePressure: 101_325)
            #expect(r.allSatisfy { $0.quality == .bad && $0.reason == .outOfRange }, "\(d1) \(d2)")
        }
        // Any PROM and any codes: total arithmetic.
        var rng = SplitMix64(seed: 5837)
        for _ in 0..<10_000 {
            let words = (0..<7).map { _ in UInt16(truncatingIfNeeded: rng.next()) }
            let r = MS5837Compensation.compensate(
                d1: UInt32(truncatingIfNeeded: rng.next()), d2: UInt32(truncatingIfNeeded: rng.next()),
                MS5837PROM(words: words)!)
            #expect(r.temp > Int64.min)
        }
    }

    struct Bench {
        let clock = ManualClock(autoAdvance: true)
        let bus = SimulatedI2CBus(name: "i2c-1", transactionLog: 256)
        let emulator: MS5837Emulator

        init(_ water: StillWater, prom: [UInt16] = MS5837Emulator.datasheetPROM) {
            emulator = MS5837Emulator(prom: prom, surroundings: water, clock: clock)
            bus.attach(emulator, at: 0x76)
        }
    }

    static func value(_ r: [ChannelReading], _ q: String) -> Double? { r.first { $0.quantity == q }?.value }

    @Test(arguments: [(depth: 0.35, celsius: 4.0), (depth: 2.5, celsius: 12.5), (depth: 18.0, celsius: 24.0), (depth: 0.0, celsius: -5.0)])
    func depthInStillWater(depth: Double, celsius: Double) async throws {
        let surface = 100_800.0
        let pascal = surface + WaterLevel.waterDensity(celsius: celsius) * WaterLevel.standardGravity * depth
        let b = Bench(StillWater(pascal: pascal, celsius: celsius))
        var d = MS5837(bus: b.bus, oversampling: .osr4096, surfacePressure: surface, clock: b.clock)
        try await d.initialize()
        let r = try await d.fetch()
        #expect(r.allSatisfy { $0.quality == .good })
        // The part resolves 0.01 °C and 0.1 mbar (10 Pa, 1 mm of water).
        #expect(abs(Self.value(r, "water_temperature")! - celsius) <= 0.011)
        #expect(abs(Self.value(r, "water_pressure_abs")! - pascal) <= 10)
        #expect(abs(Self.value(r, "water_depth")! - depth) <= 0.0011)
        // Reset, seven PROM reads, then D1 and D2 at OSR 4096 with an ADC read after each.
        #expect(b.emulator.commands == [0x1E, 0xA0, 0xA2, 0xA4, 0xA6, 0xA8, 0xAA, 0xAC, 0x48, 0x00, 0x58, 0x00])
        #expect(b.bus.transactions.allSatisfy { $0.kind != .writeRead }, "a stop between command and read, as drawn")
    }

    @Test func theEmulatorTakesAWorldGoneWrongWithoutATrap() {
        // NaN, infinite or absurd surroundings give codes at the ends of the range.
        for x in [Double.nan, .infinity, -.infinity, 1e300, -1e300] {
            _ = MS5837Emulator.d2(celsius: x, MS5837Emulator.datasheetPROM)
            _ = MS5837Emulator.d1(pascal: x, celsius: 10, MS5837Emulator.datasheetPROM)
        }
        #expect(MS5837Emulator.units(.nan) == 0 && MS5837Emulator.units(1e300) == 1_000_000_000_000)
    }

    @Test func aBadPROMIsRefused() async {
        let b = Bench(StillWater(pascal: 101_325, celsius: 10))
        b.emulator.inject(.corruptPROM)
        var d = MS5837(bus: b.bus, clock: b.clock)
        do {
            try await d.initialize()
            Issue.record("a PROM with a wrong CRC-4 was accepted")
        } catch {
            #expect(error.reason == .crc)
        }
        #expect(d.prom == nil)
    }

    @Test func aTwoBarPartIsNotReadWithTheThirtyBarFormula() async {
        var words = MS5837Emulator.datasheetPROM
        words[0] = 0x15 << 5
        let b = Bench(StillWater(pascal: 101_325, celsius: 10), prom: MS5837Emulator.withCRC(words))
        var d = MS5837(bus: b.bus, clock: b.clock)
        do {
            try await d.initialize()
            Issue.record("an MS5837-02BA was taken for a 30BA")
        } catch {
            #expect(error.reason == .wrongDevice)
        }
    }

    @Test func aConversionThatNeverEndsIsNoData() async throws {
        let b = Bench(StillWater(pascal: 150_000, celsius: 10))
        var d = MS5837(bus: b.bus, clock: b.clock)
        try await d.initialize()
        b.emulator.inject(.neverReady)
        do {
            _ = try await d.fetch()
            Issue.record("an ADC read of 0 became a value")
        } catch {
            #expect(error.reason == .noData)
        }
        b.emulator.inject(nil)
        #expect(try await d.fetch().allSatisfy { $0.quality == .good })
    }

    @Test func aReadBeforeTheConversionEndsIsZero() throws {
        // The driver waits the maximum time; reading early gets 0 from the part (and from the emulator).
        let clock = ManualClock()
        let bus = SimulatedI2CBus(name: "i2c-1", transactionLog: 256)
        bus.attach(MS5837Emulator(surroundings: StillWater(pascal: 101_325, celsius: 10), clock: clock), at: 0x76)
        try bus.write(0x76, [0x4A])
        clock.advance(by: .milliseconds(5))
        try bus.write(0x76, [0x00])
        #expect(try bus.read(0x76, count: 3) == [0, 0, 0])
        try bus.write(0x76, [0x4A])
        clock.advance(by: MS5837.Oversampling.osr8192.conversionTime)
        try bus.write(0x76, [0x00])
        #expect(try bus.read(0x76, count: 3) != [0, 0, 0])
    }
}
