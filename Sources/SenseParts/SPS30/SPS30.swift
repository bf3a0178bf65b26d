import SenseCore
import SenseDrivers
import SenseHardware

/// Sensirion SPS30 optical particulate sensor in IEEE-754 float mode: mass concentrations
/// (PM1.0, PM2.5, PM4.0, PM10), number concentrations (PM0.5…PM10) and typical particle size.
package struct SPS30: PolledSensorDriver {
    package enum Command {
        package static let startMeasurement: UInt16 = 0x0010
        package static let stopMeasurement: UInt16 = 0x0104
        package static let readDataReady: UInt16 = 0x0202
        package static let readMeasuredValues: UInt16 = 0x0300
        package static let readSerialNumber: UInt16 = 0xD033
        package static let reset: UInt16 = 0xD304
        /// Argument of start: 0x03 = big-endian float output, then a dummy byte.
        package static let floatOutput: UInt16 = 0x0300
    }

    /// Sensirion's driver waits 10 ms after a command and 20 ms after start (measurement mode).
    static let commandDelay = Duration.milliseconds(10)

    /// Specified mass-concentration range (0–1000 µg/m³).
    package static let massRange = 0.0...1000.0

    package static let quantities: [(quantity: String, unit: Unit)] = [
        ("pm1_0", .microgramPerCubicMetre), ("pm2_5", .microgramPerCubicMetre),
        ("pm4_0", .microgramPerCubicMetre), ("pm10", .microgramPerCubicMetre),
        ("nc0_5", .perCubicCentimetre), ("nc1_0", .perCubicCentimetre), ("nc2_5", .perCubicCentimetre),
        ("nc4_0", .perCubicCentimetre), ("nc10", .perCubicCentimetre), ("typical_size", .micrometre),
    ]

    package private(set) var serialNumber: String?
    private let link: SensirionLink

    package init(bus: any I2CBus, address: UInt8 = 0x69, clock: any SenseClock) {
        link = SensirionLink(bus: bus, address: address, clock: clock)
    }

    package var channels: [(quantity: String, unit: Unit)] { Self.quantities }

    /// Reset (100 ms), serial number, start in float mode.
    package mutating func initialize() async throws(SensorFault) {
        serialNumber = nil
        try await link.send(Command.reset, executionTime: .milliseconds(100))
        let serial = try await link.read(Command.readSerialNumber, executionTime: Self.commandDelay, words: 16)
        try await link.send(Command.startMeasurement, arguments: [Command.floatOutput], executionTime: .milliseconds(20))
        serialNumber = Sensirion.text(serial)
    }

    /// New values come every second; waits for data-ready for at most 1.5 s.
    package mutating func fetch() async throws(SensorFault) -> [ChannelReading] {
        try await link.waitForNewData(
            Command.readDataReady, executionTime: Self.commandDelay, step: .milliseconds(250),
            limit: .milliseconds(1500)
        ) { $0 & 0x00FF == 1 }
        let w = try await link.read(Command.readMeasuredValues, executionTime: Self.commandDelay, words: 20)
        return Self.decode(w)
    }

    /// Ten floats in the order of `quantities`. A NaN or a negative value is not a measurement.
    package static func decode(_ w: [UInt16]) -> [ChannelReading] {
        precondition(w.count == 20, "SPS30 float values are twenty words")
        return quantities.enumerated().map { i, q in
            let v = Double(Sensirion.float(w[2 * i], w[2 * i + 1]))
            if v.isNaN { return .bad(q.quantity, q.unit, .noData) }
            if v < 0 || (i < 4 && !massRange.contains(v)) { return .bad(q.quantity, q.unit, .outOfRange) }
            return .good(q.quantity, v, q.unit)
        }
    }
}
