import SenseCore
import SenseDrivers
import SenseHardware
import SenseParts
import SenseSimulator
import SenseTesting
import Testing

/// The Sensirion framing against the reference vectors, and each driver against its command-level
/// emulator: values from the world come back through the wire format, and every injected fault
/// becomes a typed fault or a `bad` reading, never a number.
@Suite struct SensirionDriverTests {
    static func bytes(_ text: String) -> [UInt8] {
        text.split(separator: " ").map { UInt8($0.hasPrefix("0x") ? $0.dropFirst(2) : $0, radix: 16)! }
    }

    @Test(arguments: Vectors.with(prefix: "A5-CRC-"))
    func crcVectors(_ v: Vectors.Vector) {
        let expected = Self.bytes(v.expected["crc"].string)[0]
        #expect(Sensirion.crc8(Self.bytes(v.inputs["bytes"].string)) == expected, "\(v.id)")
    }

    @Test func commandFramesMatchTheDatasheets() {
        // SCD30 start continuous measurement without pressure compensation; SPS30 start in float mode.
        #expect(Sensirion.command(0x0010, arguments: [0x0000]) == [0x00, 0x10, 0x00, 0x00, 0x81])
        #expect(Sensirion.command(0x0010, arguments: [0x0300]) == [0x00, 0x10, 0x03, 0x00, 0xAC])
        #expect(Sensirion.frame(0xBEEF) == [0xBE, 0xEF, 0x92])
    }

    @Test func aReplyWithOneBadCRCIsRejectedWhole() {
        var wire = Self.bytes("01 F4 33 66 67 A2 5E B9 3C")
        #expect(throws: Never.self) { try Sensirion.words(wire) }
        wire[5] ^= 0x01
        #expect(throws: Sensirion.CRCMismatch(word: 1, received: 0xA3, computed: 0xA2)) { try Sensirion.words(wire) }
    }

    @Test(arguments: Vectors.with(prefix: "A5-SHT4X-"))
    func sht4xConversion(_ v: Vectors.Vector) {
        let t = UInt16(v.inputs["S_T"].string.dropFirst(2), radix: 16)!
        let rh = UInt16(v.inputs["S_RH"].string.dropFirst(2), radix: 16)!
        let r = SHT4x.decode(temperatureWord: t, humidityWord: rh)
        #expect(abs(Sensirion.temperature(t) - v.expected["t_c"].double) < 1e-4)
        // −45 °C is the formula's floor, outside the part's −40…125 °C: a fault, not a reading.
        #expect(r[0].value == (SHT4x.temperatureRange.contains(v.expected["t_c"].double) ? Sensirion.temperature(t) : nil))
        #expect(abs(SHT4x.humidityRaw(rh) - v.expected["rh_pct_raw"].double) < 1e-4)
        #expect(abs(r[1].value! - v.expected["rh_pct_cropped"].double) < 1e-4)
    }

    @Test func scd4xVectorFromTheWire() throws {
        let v = Vectors.named("A5-SCD4X-01")
        let w = try Sensirion.words(Self.bytes(v.inputs["wire_bytes"].string))
        let r = SCD4x.decode(w[0], w[1], w[2])
        #expect(r[0].value == v.expected["co2_ppm"].double)
        #expect(abs(r[1].value! - v.expected["t_c_2^16-1"].double) < 1e-4)
        #expect(abs(r[2].value! - v.expected["rh_pct_2^16-1"].double) < 1e-4)
    }

    @Test func scd30FloatFromTheWire() throws {
        let v = Vectors.named("A5-SCD30-01")
        let w = try Sensirion.words(Self.bytes(v.inputs["wire_with_crc"].string))
        #expect(abs(Double(Sensirion.float(w[0], w[1])) - v.expected["co2_ppm"].double) < 1e-3)
    }

    @Test func sen5xVector() {
        let v = Vectors.named("A5-SEN5X-01")
        let words = v.inputs["words"].hexBytesAsWords
        let r = Dictionary(uniqueKeysWithValues: SEN5x.decode(words).map { ($0.quantity, $0.value!) })
        for (key, q) in [
            ("pm1_0", "pm1_0"), ("pm2_5", "pm2_5"), ("pm4_0", "pm4_0"), ("pm10", "pm10"), ("rh_pct", "humidity"),
            ("t_c", "temperature"), ("voc_index", "voc_index"), ("nox_index", "nox_index"),
        ] {
            #expect(r[q] == v.expected[key].double, "\(q)")
        }
    }

    @Test func sen5xSentinelsAreNoData() {
        let r = SEN5x.decode([0xFFFF, 0x00C8, 0xFFFF, 0xFFFF, 0x7FFF, 0x1388, 0x7FFF, 0x7FFF])
        #expect(r.map(\.quality) == [.bad, .good, .bad, .bad, .bad, .good, .bad, .bad])
        #expect(r.filter { $0.quality == .bad }.allSatisfy { $0.value == nil && $0.reason == .noData })
        // A negative temperature is a value, not a sentinel.
        #expect(SEN5x.decode([0, 0, 0, 0, 0, 0xF830, 0, 0])[5].value == -10)
    }

    // MARK: round trips

    struct Bench<Model: SensirionChipModel> {
        let clock = ManualClock(autoAdvance: true)
        let bus = SimulatedI2CBus(name: "i2c-1", transactionLog: 256)
        let emulator: SensirionEmulator<Model>

        init(_ model: Model, address: UInt8, air: AirConditions) {
            emulator = SensirionEmulator(model, air: FixedAir(air), clock: clock)
            bus.attach(emulator, at: address)
        }
    }

    static let airs: [AirConditions] = [
        AirConditions(temperature: -20, pressure: 101_000, humidity: 85, pollution: Pollution(pm2_5: 3, co2: 410)),
        AirConditions(temperature: 22.5, pressure: 100_000, humidity: 40, pollution: Pollution(pm2_5: 35.4, co2: 1234)),
        AirConditions(temperature: 38, pressure: 99_000, humidity: 12, pollution: Pollution(pm2_5: 250, co2: 4800)),
    ]

    static func value(_ r: [ChannelReading], _ q: String) -> Double? { r.first { $0.quantity == q }?.value }

    @Test(arguments: airs)
    func sht4xRoundTrip(air: AirConditions) async throws {
        let b = Bench(SHT4xModel(serial: 0x1234_5678), address: 0x44, air: air)
        var d = SHT4x(bus: b.bus, clock: b.clock)
        try await d.initialize()
        #expect(d.serialNumber == 0x1234_5678)
        let r = try await d.fetch()
        #expect(abs(Self.value(r, "temperature")! - air.temperature) < 0.01)
        #expect(abs(Self.value(r, "humidity")! - air.humidity) < 0.01)
        #expect(b.bus.transactions.allSatisfy { $0.kind != .writeRead })
    }

    @Test(arguments: airs)
    func scd4xRoundTrip(air: AirConditions) async throws {
        let b = Bench(SCD4xModel(), address: 0x62, air: air)
        var d = SCD4x(bus: b.bus, settings: .init(altitude: 350, temperatureOffset: 4), clock: b.clock)
        try await d.initialize()
        #expect(d.serialNumber == 0xBEEF_0123_4567)
        #expect(b.emulator.model.altitude == 350)
        #expect(b.emulator.model.temperatureOffsetWord == 1498)  // 4 °C · 65535/175
        let t0 = b.clock.monotonicNow
        let r = try await d.fetch()
        // The first result comes one period (5 s) after start: the driver waited for it.
        #expect(b.clock.monotonicNow - t0 >= .seconds(4))
        #expect(Self.value(r, "co2") == air.pollution.co2.rounded())
        #expect(abs(Self.value(r, "temperature")! - air.temperature) < 0.01)
        #expect(abs(Self.value(r, "humidity")! - air.humidity) < 0.01)
        // A second fetch never returns the same measurement: it waits for the next one.
        let t1 = b.clock.monotonicNow
        _ = try await d.fetch()
        #expect(b.clock.monotonicNow - t1 >= .seconds(4))
    }

    @Test(arguments: airs)
    func scd30RoundTripWithoutRepeatedStart(air: AirConditions) async throws {
        let b = Bench(SCD30Model(), address: 0x61, air: air)
        var d = SCD30(bus: b.bus, settings: .init(measurementInterval: 5, ambientPressure: 1013), clock: b.clock)
        try await d.initialize()
        #expect(d.firmware?.major == 3 && d.firmware?.minor == 0x42)
        #expect(b.emulator.model.interval == 5 && b.emulator.model.ambientPressure == 1013)
        let r = try await d.fetch()
        #expect(abs(Self.value(r, "co2")! - air.pollution.co2) < 0.01)
        #expect(abs(Self.value(r, "temperature")! - air.temperature) < 1e-4)
        #expect(abs(Self.value(r, "humidity")! - air.humidity) < 1e-4)
        // The SCD30 forbids a repeated START: every read is its own transaction.
        #expect(b.bus.transactions.allSatisfy { $0.kind != .writeRead })
    }

    @Test(arguments: airs)
    func sps30RoundTrip(air: AirConditions) async throws {
        let response = OpticalResponse(factor: 1.3, kappa: 0.3)
        let b = Bench(SPS30Model(response: response), address: 0x69, air: air)
        var d = SPS30(bus: b.bus, clock: b.clock)
        try await d.initialize()
        #expect(d.serialNumber == "SIM0123456789ABC")
        let r = try await d.fetch()
        #expect(r.count == 10 && r.allSatisfy { $0.quality == .good || $0.reason == .outOfRange })
        let expected = response.reading(air.pollution.pm2_5, humidity: air.humidity)
        #expect(abs(Self.value(r, "pm2_5")! - expected) < expected * 1e-6)
        #expect(Self.value(r, "pm10")! > Self.value(r, "pm2_5")!)
        #expect(Self.value(r, "typical_size") == Double(Float(0.55)))
    }

    @Test(arguments: airs)
    func sen5xRoundTrip(air: AirConditions) async throws {
        let response = OpticalResponse(factor: 1.0, kappa: 0.2)
        let b = Bench(SEN5xModel(response: response), address: 0x69, air: air)
        var d = SEN5x(bus: b.bus, clock: b.clock)
        try await d.initialize()
        #expect(d.productName == "SEN55")
        var r = try await d.fetch()
        // Within 10 s of start the NOx index is not available yet: no_data, not 0.
        #expect(r.first { $0.quantity == "nox_index" }?.reason == .noData)
        b.clock.advance(by: .seconds(10))
        r = try await d.fetch()
        #expect(abs(Self.value(r, "pm2_5")! - response.reading(air.pollution.pm2_5, humidity: air.humidity)) <= 0.05)
        #expect(abs(Self.value(r, "temperature")! - air.temperature) <= 0.0025)
        #expect(abs(Self.value(r, "humidity")! - air.humidity) <= 0.005)
        #expect(Self.value(r, "voc_index") == 100 && Self.value(r, "nox_index") == 1)
    }

    @Test func sen54HasNoNOxAndSen50NoClimate() async throws {
        let air = Self.airs[1]
        for (name, missing) in [("SEN54", ["nox_index"]), ("SEN50", ["humidity", "temperature", "voc_index", "nox_index"])] {
            let b = Bench(SEN5xModel(productName: name), address: 0x69, air: air)
            var d = SEN5x(bus: b.bus, clock: b.clock)
            try await d.initialize()
            b.clock.advance(by: .seconds(20))
            let r = try await d.fetch()
            #expect(r.filter { $0.quality == .bad }.map(\.quantity) == missing, "\(name)")
        }
    }

    // MARK: faults

    /// Runs `fetch` and returns the fault's reason, or nil if it returned readings.
    static func fault(_ body: () async throws(SensorFault) -> [ChannelReading]) async -> QualityReason? {
        do {
            _ = try await body()
            return nil
        } catch { return error.reason }
    }

    @Test func corruptCRCIsACRCFaultOnEveryDriver() async throws {
        let air = Self.airs[1]
        let sht = Bench(SHT4xModel(), address: 0x44, air: air)
        var d1 = SHT4x(bus: sht.bus, clock: sht.clock)
        try await d1.initialize()
        sht.emulator.inject(.corruptCRC)
        #expect(await Self.fault { () throws(SensorFault) in try await d1.fetch() } == .crc)

        let scd = Bench(SCD4xModel(), address: 0x62, air: air)
        var d2 = SCD4x(bus: scd.bus, clock: scd.clock)
        try await d2.initialize()
        scd.emulator.inject(.corruptCRC)
        #expect(await Self.fault { () throws(SensorFault) in try await d2.fetch() } == .crc)

        let scd30 = Bench(SCD30Model(), address: 0x61, air: air)
        var d3 = SCD30(bus: scd30.bus, clock: scd30.clock)
        try await d3.initialize()
        scd30.emulator.inject(.corruptCRC)
        #expect(await Self.fault { () throws(SensorFault) in try await d3.fetch() } == .crc)

        let sps = Bench(SPS30Model(), address: 0x69, air: air)
        var d4 = SPS30(bus: sps.bus, clock: sps.clock)
        try await d4.initialize()
        sps.emulator.inject(.corruptCRC)
        #expect(await Self.fault { () throws(SensorFault) in try await d4.fetch() } == .crc)

        let sen = Bench(SEN5xModel(), address: 0x69, air: air)
        var d5 = SEN5x(bus: sen.bus, clock: sen.clock)
        sen.emulator.inject(.corruptCRC)
        #expect(
            await Self.fault { () throws(SensorFault) in
                try await d5.initialize()
                return []
            } == .crc)
        #expect(d5.productName == nil)
    }

    @Test func nackAndBusErrorAreTyped() async throws {
        let b = Bench(SCD4xModel(), address: 0x62, air: Self.airs[0])
        var d = SCD4x(bus: b.bus, clock: b.clock)
        b.emulator.inject(.nack)
        #expect(
            await Self.fault { () throws(SensorFault) in
                try await d.initialize()
                return []
            } == .nack)
        b.emulator.inject(.busError)
        #expect(
            await Self.fault { () throws(SensorFault) in
                try await d.initialize()
                return []
            } == .busError)
        b.emulator.inject(nil)
        try await d.initialize()
        // Nothing at the address at all.
        var absent = SHT4x(bus: b.bus, address: 0x45, clock: b.clock)
        #expect(
            await Self.fault { () throws(SensorFault) in
                try await absent.initialize()
                return []
            } == .nack)
    }

    @Test func notReadyIsNoDataAfterOnePeriod() async throws {
        let b = Bench(SCD4xModel(), address: 0x62, air: Self.airs[0])
        var d = SCD4x(bus: b.bus, clock: b.clock)
        try await d.initialize()
        b.emulator.inject(.neverReady)
        let t0 = b.clock.monotonicNow
        #expect(await Self.fault { () throws(SensorFault) in try await d.fetch() } == .noData)
        #expect(b.clock.monotonicNow - t0 <= .seconds(6))

        let sps = Bench(SPS30Model(), address: 0x69, air: Self.airs[0])
        var p = SPS30(bus: sps.bus, clock: sps.clock)
        try await p.initialize()
        sps.emulator.inject(.neverReady)
        #expect(await Self.fault { () throws(SensorFault) in try await p.fetch() } == .noData)
    }

    @Test func notAvailableValuesAreBadNotNumbers() async throws {
        let air = Self.airs[1]
        let scd = Bench(SCD4xModel(), address: 0x62, air: air)
        var d = SCD4x(bus: scd.bus, clock: scd.clock)
        try await d.initialize()
        scd.emulator.inject(.notAvailable)
        var r = try await d.fetch()
        #expect(r[0].quality == .bad && r[0].reason == .noData && r[0].value == nil)

        let scd30 = Bench(SCD30Model(), address: 0x61, air: air)
        var d30 = SCD30(bus: scd30.bus, clock: scd30.clock)
        try await d30.initialize()
        scd30.emulator.inject(.notAvailable)
        r = try await d30.fetch()
        #expect(r[0].quality == .bad && r[0].reason == .noData)

        let sps = Bench(SPS30Model(), address: 0x69, air: air)
        var p = SPS30(bus: sps.bus, clock: sps.clock)
        try await p.initialize()
        sps.emulator.inject(.notAvailable)
        r = try await p.fetch()
        #expect(r.allSatisfy { $0.quality == .bad && $0.reason == .noData })

        let sen = Bench(SEN5xModel(), address: 0x69, air: air)
        var s = SEN5x(bus: sen.bus, clock: sen.clock)
        try await s.initialize()
        sen.emulator.inject(.notAvailable)
        r = try await s.fetch()
        #expect(r.allSatisfy { $0.quality == .bad && $0.reason == .noData && $0.value == nil })
    }

    @Test func aBusyPartDoesNotAcknowledgeReads() async throws {
        let b = Bench(SHT4xModel(), address: 0x44, air: Self.airs[1])
        var d = SHT4x(bus: b.bus, clock: b.clock)
        try await d.initialize()
        b.emulator.inject(.stuckBusy)
        #expect(await Self.fault { () throws(SensorFault) in try await d.fetch() } == .nack)
        // And a read before the measurement time is not acknowledged either (no clock advance).
        b.emulator.inject(nil)
        let manual = ManualClock()
        let bus = SimulatedI2CBus(name: "i2c-2", transactionLog: 256)
        bus.attach(SensirionEmulator(SHT4xModel(), air: FixedAir(Self.airs[1]), clock: manual), at: 0x44)
        try bus.write(0x44, [0xFD])
        #expect(throws: I2CError.nack(bus: "i2c-2", address: 0x44)) { try bus.read(0x44, count: 6) }
        manual.advance(by: .milliseconds(7))
        #expect(try bus.read(0x44, count: 6).count == 6)
    }

    @Test func anArgumentWithABadCRCIsIgnored() throws {
        let b = Bench(SCD4xModel(), address: 0x62, air: Self.airs[0])
        var frame = Sensirion.command(0x2427, arguments: [1200])
        frame[4] ^= 0xFF
        try b.bus.write(0x62, frame)
        #expect(b.emulator.rejectedFrames == 1 && b.emulator.model.altitude == 0)
        try b.bus.write(0x62, Sensirion.command(0x2427, arguments: [1200]))
        #expect(b.emulator.model.altitude == 1200)
    }

    @Test func aSEN5xDriverOnAnotherPartSaysSo() async throws {
        let b = Bench(SEN5xModel(productName: "SEN60"), address: 0x69, air: Self.airs[0])
        var d = SEN5x(bus: b.bus, clock: b.clock)
        #expect(
            await Self.fault { () throws(SensorFault) in
                try await d.initialize()
                return []
            } == .wrongDevice)
    }
}

extension JSONValue {
    /// `["0x0064", …]` as 16-bit words.
    var hexBytesAsWords: [UInt16] {
        guard case let .array(a) = self else { fatalError("not an array") }
        return a.map { UInt16($0.string.dropFirst(2), radix: 16)! }
    }
}
