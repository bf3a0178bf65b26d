import SenseCore
import SenseDrivers
import SenseHardware
import SenseModels

/// TE MS5837-30BA submersible pressure sensor (0…30 bar, gel-filled): one-byte commands, a
/// calibration PROM read once and checked with its CRC-4, and per fetch two conversions (D1
/// pressure, D2 temperature), each started by a command, waited for on the injected clock and
/// read as 24 bits with ADC Read. Compensation is `MS5837Compensation`; the depth is the existing
/// hydrostatic model over the water's own density at its temperature.
package struct MS5837: PolledSensorDriver {
    package enum Oversampling: Int, Sendable, Hashable, CaseIterable {
        case osr256 = 256, osr512 = 512, osr1024 = 1024, osr2048 = 2048, osr4096 = 4096, osr8192 = 8192

        /// Added to the conversion commands 0x40 (D1) and 0x50 (D2): 0, 2, 4, 6, 8, 0x0A.
        package var commandOffset: UInt8 {
            switch self {
            case .osr256: 0x00
            case .osr512: 0x02
            case .osr1024: 0x04
            case .osr2048: 0x06
            case .osr4096: 0x08
            case .osr8192: 0x0A
            }
        }

        /// Maximum conversion times: 0.60, 1.17, 2.28, 4.54, 9.04, 18.08 ms.
        package var conversionTime: Duration {
            switch self {
            case .osr256: .microseconds(600)
            case .osr512: .microseconds(1_170)
            case .osr1024: .microseconds(2_280)
            case .osr2048: .microseconds(4_540)
            case .osr4096: .microseconds(9_040)
            case .osr8192: .microseconds(18_080)
            }
        }
    }

    package static let resetCommand: UInt8 = 0x1E
    package static let adcReadCommand: UInt8 = 0x00
    package static let convertD1: UInt8 = 0x40
    package static let convertD2: UInt8 = 0x50
    /// PROM Read of word 0…6: 0xA0, 0xA2 … 0xAC.
    package static func promReadCommand(_ word: Int) -> UInt8 {
        precondition((0..<7).contains(word), "the MS5837 PROM has words 0…6")
        return 0xA0 + UInt8(truncatingIfNeeded: word) * 2
    }
    /// Version codes of the 2-bar parts, whose compensation differs from the 30BA's.
    package static let twoBarVersions: Set<UInt8> = [0x00, 0x15]

    /// The 30BA's operating range; outside it a value is a fault, not a reading.
    package static let pressureRange = 0.0...3_000_000.0
    package static let temperatureRange = -20.0...85.0

    package let bus: any I2CBus
    package let address: UInt8
    package let oversampling: Oversampling
    /// The air pressure over the water (Pa) the depth is measured from.
    package let surfacePressure: Double
    private let clock: any SenseClock
    package private(set) var prom: MS5837PROM?

    package init(
        bus: any I2CBus, address: UInt8 = 0x76, oversampling: Oversampling = .osr8192,
        surfacePressure: Double = 101_325, clock: any SenseClock
    ) {
        self.bus = bus
        self.address = address
        self.oversampling = oversampling
        self.surfacePressure = surfacePressure
        self.clock = clock
    }

    package var channels: [(quantity: String, unit: Unit)] { Self.channels }
    package static let channels: [(quantity: String, unit: Unit)] =
        [("water_pressure_abs", .pascal), ("water_temperature", .celsius), ("water_depth", .metre)]

    private var place: String { "\(bus.name) \(hex(address))" }

    /// Reset (the PROM reloads within 2.8 ms; 10 ms waited), then the seven PROM words, each a
    /// command and a separate read (a stop between, as the datasheet draws it); a CRC-4 mismatch
    /// or a 2-bar part's version code refuses the part.
    package mutating func initialize() async throws(SensorFault) {
        prom = nil
        try onBus { () throws(I2CError) in try bus.write(address, [Self.resetCommand]) }
        try await wait(clock, .milliseconds(10))
        var words: [UInt16] = []
        for i in 0..<7 {
            let b = try onBus { () throws(I2CError) in
                try bus.write(address, [Self.promReadCommand(i)])
                return try bus.read(address, count: 2)
            }
            words.append(UInt16(b[0]) << 8 | UInt16(b[1]))
        }
        guard let p = MS5837PROM(words: words), p.crcIsValid else {
            throw SensorFault(.crc, "\(place): PROM CRC-4 \(MS5837PROM.crc4(words)) computed, \(words[0] >> 12) stored")
        }
        guard !Self.twoBarVersions.contains(p.version) else {
            throw SensorFault(
                .wrongDevice,
                "\(place): PROM version \(hex(p.version)) is a 2-bar MS5837-02BA, whose "
                    + "compensation differs: this driver is for the MS5837-30BA")
        }
        prom = p
    }

    package mutating func fetch() async throws(SensorFault) -> [ChannelReading] {
        guard let prom else { throw SensorFault(.noData, "\(place): not initialised") }
        let d1 = try await convert(Self.convertD1, "D1 (pressure)")
        let d2 = try await convert(Self.convertD2, "D2 (temperature)")
        return Self.decode(d1: d1, d2: d2, prom: prom, surfacePressure: surfacePressure)
    }

    /// One conversion: command, the maximum conversion time, ADC Read of 24 bits. A result of 0
    /// is what the part answers when read before the conversion ended.
    private func convert(_ command: UInt8, _ name: String) async throws(SensorFault) -> UInt32 {
        try onBus { () throws(I2CError) in try bus.write(address, [command + oversampling.commandOffset]) }
        try await wait(clock, oversampling.conversionTime)
        let b = try onBus { () throws(I2CError) in
            try bus.write(address, [Self.adcReadCommand])
            return try bus.read(address, count: 3)
        }
        let value = UInt32(b[0]) << 16 | UInt32(b[1]) << 8 | UInt32(b[2])
        guard value != 0 else { throw SensorFault(.noData, "\(place): \(name) conversion read as 0 (not finished)") }
        return value
    }

    /// Pressure, water temperature and depth from one D1/D2 pair. A temperature outside the
    /// operating range makes all three bad: the pressure's compensation rests on it.
    package static func decode(d1: UInt32, d2: UInt32, prom: MS5837PROM, surfacePressure: Double) -> [ChannelReading] {
        let r = MS5837Compensation.compensate(d1: d1, d2: d2, prom)
        let t = r.celsius, p = r.pascal
        guard temperatureRange.contains(t) else {
            return channels.map { .bad($0.quantity, $0.unit, .outOfRange) }
        }
        guard pressureRange.contains(p) else {
            return [
                .bad("water_pressure_abs", .pascal, .outOfRange), .good("water_temperature", t, .celsius),
                .bad("water_depth", .metre, .outOfRange),
            ]
        }
        let depth = WaterLevel.depth(absolutePressure: p, barometric: surfacePressure, waterCelsius: t)
        return [.good("water_pressure_abs", p, .pascal), .good("water_temperature", t, .celsius), .good("water_depth", depth, .metre)]
    }
}
