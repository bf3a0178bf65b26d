import SenseCore
import SenseDrivers
import SenseHardware

/// Sensirion SCD4x (SCD40/41) photoacoustic CO2 with temperature and humidity. The sensor runs
/// periodic measurement (every 5 s, or 30 s in low-power mode); each fetch asks whether a new
/// measurement is ready and reads it (three words: CO2, T, RH).
package struct SCD4x: PolledSensorDriver {
    package enum Command {
        package static let startPeriodicMeasurement: UInt16 = 0x21B1
        package static let startLowPowerPeriodicMeasurement: UInt16 = 0x21AC
        package static let readMeasurement: UInt16 = 0xEC05
        package static let stopPeriodicMeasurement: UInt16 = 0x3F86
        package static let getDataReadyStatus: UInt16 = 0xE4B8
        package static let setSensorAltitude: UInt16 = 0x2427
        package static let setTemperatureOffset: UInt16 = 0x241D
        package static let getSerialNumber: UInt16 = 0x3682
    }

    package struct Settings: Sendable, Hashable {
        package var lowPower: Bool
        /// Metres above sea level, for the sensor's own pressure compensation.
        package var altitude: Int
        /// °C the sensor subtracts for self-heating in its enclosure (datasheet default 4 °C).
        package var temperatureOffset: Double

        package init(lowPower: Bool = false, altitude: Int = 0, temperatureOffset: Double = 4) {
            self.lowPower = lowPower
            self.altitude = altitude
            self.temperatureOffset = temperatureOffset
        }

        var period: Duration { lowPower ? .seconds(30) : .seconds(5) }
    }

    /// The photoacoustic sensor's output range (datasheet: 0–40 000 ppm).
    package static let co2Range = 1.0...40_000.0

    package let settings: Settings
    package private(set) var serialNumber: UInt64?
    private let link: SensirionLink

    package init(bus: any I2CBus, address: UInt8 = 0x62, settings: Settings = Settings(), clock: any SenseClock) {
        link = SensirionLink(bus: bus, address: address, clock: clock)
        self.settings = settings
    }

    /// What every fetch returns; the catalogue entry publishes the same list.
    package static let channels: [(quantity: String, unit: Unit)] = [("co2", .ppm), ("temperature", .celsius), ("humidity", .relativeHumidity)]
    package var channels: [(quantity: String, unit: Unit)] { Self.channels }

    /// Stops a measurement left running by a previous process (500 ms), reads the serial number,
    /// writes altitude and temperature offset (only allowed while idle), starts periodic mode.
    package mutating func initialize() async throws(SensorFault) {
        serialNumber = nil
        try await link.send(Command.stopPeriodicMeasurement, executionTime: .milliseconds(500))
        let w = try await link.read(Command.getSerialNumber, executionTime: .milliseconds(1), words: 3)
        try await link.send(
            Command.setSensorAltitude, arguments: [UInt16(clamping: settings.altitude)],
            executionTime: .milliseconds(1))
        let offsetWord = UInt16(clamping: Int((settings.temperatureOffset * 65535 / 175).rounded()))
        try await link.send(Command.setTemperatureOffset, arguments: [offsetWord], executionTime: .milliseconds(1))
        try await link.send(
            settings.lowPower ? Command.startLowPowerPeriodicMeasurement : Command.startPeriodicMeasurement,
            executionTime: .milliseconds(1))
        serialNumber = UInt64(w[0]) << 32 | UInt64(w[1]) << 16 | UInt64(w[2])
    }

    /// Waits for data-ready for at most one measurement period (polling every 500 ms), so a fetch
    /// that comes a little early still returns a fresh value; never returns the previous one.
    package mutating func fetch() async throws(SensorFault) -> [ChannelReading] {
        try await link.waitForNewData(
            Command.getDataReadyStatus, executionTime: .milliseconds(1), step: .milliseconds(500),
            limit: settings.period
        ) { $0 & 0x07FF != 0 }
        let w = try await link.read(Command.readMeasurement, executionTime: .milliseconds(1), words: 3)
        return Self.decode(w[0], w[1], w[2])
    }

    /// CO2 = word0 ppm (0: no valid measurement yet), T = −45 + 175·w1/65535, RH = 100·w2/65535.
    package static func decode(_ co2: UInt16, _ t: UInt16, _ rh: UInt16) -> [ChannelReading] {
        let c = Double(co2)
        return [
            co2Range.contains(c) ? .good("co2", c, .ppm) : .bad("co2", .ppm, co2 == 0 ? .noData : .outOfRange),
            .good("temperature", Sensirion.temperature(t), .celsius),
            .good("humidity", 100 * Double(rh) / 65535, .relativeHumidity),
        ]
    }
}
