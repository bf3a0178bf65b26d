import SenseCore
import SenseDrivers
import SenseHardware
import SenseParts
import SenseSimulator
import SenseTesting
import Testing

/// The ADS1115 against the reference vectors and its register-level emulator, and the analog
/// transfers (linear, polynomial, 4–20 mA with the NAMUR limits).
@Suite struct ADS1115DriverTests {
    @Test func configWordVector() {
        let v = Vectors.named("A5-ADS1115-01")
        let word = ADS1115.configWord(input: .ain0, range: .fsr4_096, rate: .sps128)
        #expect(word == UInt16(v.expected["config"].string.dropFirst(2), radix: 16)!)
    }

    @Test(arguments: ["A5-ADS1115-02", "A5-ADS1115-03", "A5-ADS1115-04"])
    func countsToVolts(_ id: String) {
        let v = Vectors.named(id)
        let raw = UInt16(v.inputs["raw"].string.dropFirst(2), radix: 16)!
        let range = ADS1115.Range(rawValue: v.inputs["fsr_v"].double)!
        #expect(abs(ADS1115.volts(raw: raw, range: range) - v.expected["volts"].double) < 1e-9)
        #expect(abs(ADS1115.volts(raw: 1, range: range) * 1e6 - v.expected["lsb_uv"].double) < 1e-9)
    }

    @Test func powerOnConfigDecodes() {
        let f = ADS1115.ConfigFields(0x8583)
        #expect(f.os && f.input == .ain0AIN1 && f.range == .fsr2_048 && f.singleShot && f.rate == .sps128)
        #expect(!f.windowComparator && !f.activeHigh && !f.latching && f.queue == 3)
    }

    final class Voltages: Sendable {
        let values: Locked<[Double]>
        init(_ v: [Double]) { values = Locked(v) }
        func set(_ v: [Double]) { values.withLock { $0 = v } }
    }

    struct Bench {
        let clock = ManualClock(autoAdvance: true)
        let bus = SimulatedI2CBus(name: "i2c-1")
        let volts: Voltages
        let emulator: ADS1115Emulator

        init(_ v: [Double]) {
            let volts = Voltages(v)
            self.volts = volts
            emulator = ADS1115Emulator(inputs: { _ in volts.values.withLock { $0 } }, clock: clock)
            bus.attach(emulator, at: 0x48)
        }
    }

    @Test func convertsEachInputThroughItsTransfer() async throws {
        let b = Bench([1.2345, 0.25, 3.0, 0.9])
        var d = ADS1115(
            bus: b.bus,
            inputs: [
                .init(quantity: "raw", unit: .volt, input: .ain0, range: .fsr2_048, transfer: .linear(v0: 0, v1: 1, y0: 0, y1: 1)),
                .init(
                    quantity: "no2", unit: .ppb, input: .ain1, range: .fsr0_512, rate: .sps860,
                    transfer: .linear(v0: 0.2, v1: 0.45, y0: 0, y1: 500)),
                .init(
                    quantity: "level", unit: .metre, input: .ain2, range: .fsr4_096, rate: .sps8,
                    transfer: .currentLoop(ohms: 250, y0: 0, y1: 10)),
                .init(quantity: "diff", unit: .volt, input: .ain2AIN3, range: .fsr4_096, transfer: .polynomial([0, 1])),
            ], clock: b.clock)
        try await d.initialize()
        let t0 = b.clock.monotonicNow
        let r = try await d.fetch()
        #expect(r.allSatisfy { $0.quality == .good })
        #expect(abs(r[0].value! - 1.2345) <= 62.5e-6)
        #expect(abs(r[1].value! - 100) <= 15.625e-6 * 2000)  // one LSB is 0.03 ppb
        let loopResolution = 125e-6 / 250 * 1000 / 16 * 10  // metres per LSB at ±4.096 V
        #expect(abs(r[2].value! - 5) <= loopResolution)  // 12 mA is mid-scale
        #expect(abs(r[3].value! - 2.1) <= 125e-6)
        // Four conversions, the 8 SPS one alone taking 125 ms: the driver waited for each.
        #expect(b.emulator.conversionCount == 4)
        #expect(b.clock.monotonicNow - t0 >= .milliseconds(125 + 8 + 8 + 8))
    }

    @Test func clippedAndBrokenLoopAreBad() async throws {
        let b = Bench([5.0, 0.3, 5.2, 0])
        var d = ADS1115(
            bus: b.bus,
            inputs: [
                .init(quantity: "clipped", unit: .volt, input: .ain0, range: .fsr4_096, transfer: .polynomial([0, 1])),
                .init(quantity: "loop", unit: .metre, input: .ain1, range: .fsr4_096, transfer: .currentLoop(ohms: 250, y0: 0, y1: 10)),
                .init(quantity: "over", unit: .metre, input: .ain2, range: .fsr6_144, transfer: .currentLoop(ohms: 250, y0: 0, y1: 10)),
            ], clock: b.clock)
        try await d.initialize()
        var r = try await d.fetch()
        #expect(r[0].quality == .bad && r[0].reason == .outOfRange && r[0].value == nil)  // 5 V on ±4.096 V
        #expect(r[1].quality == .bad && r[1].reason == .outOfRange)  // 1.2 mA: broken loop
        #expect(r[2].quality == .uncertain && r[2].reason == .outOfRange)  // 20.8 mA: over-range signal
        b.volts.set([1, 0.93, 0, 0])  // 3.72 mA: under-range signal
        r = try await d.fetch()
        #expect(r[1].quality == .uncertain && r[1].value! < 0)
    }

    @Test func faults() async throws {
        let b = Bench([1, 1, 1, 1])
        var d = ADS1115(
            bus: b.bus,
            inputs: [
                .init(
                    quantity: "v", unit: .volt, input: .ain0,
                    transfer: .polynomial([0, 1]))
            ], clock: b.clock)
        try await d.initialize()
        b.emulator.inject(.neverReady)
        do {
            _ = try await d.fetch()
            Issue.record("a conversion that never ends returned a value")
        } catch {
            #expect(error.reason == .timeout)
        }
        b.emulator.inject(.nack)
        do {
            _ = try await d.fetch()
            Issue.record("NACK returned a value")
        } catch { #expect(error.reason == .nack) }
        b.emulator.inject(nil)
        #expect(try await d.fetch()[0].value == 1)
    }

    @Test func transfersInvert() {
        let transfers: [AnalogTransfer] = [
            .linear(v0: 0.4, v1: 2.0, y0: 0, y1: 20), .currentLoop(ohms: 165, y0: -2, y1: 8),
            .polynomial([-1, 2, 0.5]),
        ]
        for t in transfers {
            for y in [0.5, 1.7, 3.9] {
                let v = try! #require(t.volts(for: y))
                #expect(abs(t.apply(volts: v).value! - y) < 1e-9, "\(t)")
            }
        }
    }
}
