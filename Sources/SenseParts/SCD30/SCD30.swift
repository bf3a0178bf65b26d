import SenseCore
import SenseDrivers
import SenseHardware

/// Sensirion SCD30 NDIR CO2 with temperature and humidity. Continuous measurement at a configured
/// interval; each fetch checks data-ready and reads three big-endian floats (six CRC'd words).
/// The SCD30 forbids a repeated START and stretches the clock: every command is its own write,
/// the read comes 3 ms later in a separate transaction (see docs/drivers/scd30.md for the Pi).
package struct SCD30: PolledSensorDriver {
    package enum Command {
        package static let triggerContinuousMeasurement: UInt16 = 0x0010
        package static let stopContinuousMeasurement: UInt16 = 0x0104
        package static let setMeasurementInterval: UInt16 = 0x4600
        package static let getDataReady: UInt16 = 0x0202
        package static let readMeasurement: UInt16 = 0x0300
        package static let setAltitude: UInt16 = 0x5102
        package static let firmwareVersion: UInt16 = 0xD100
    }

    /// Between a command and the read of its answer (Sensirion interface description).
    static let commandDelay = Duration.milliseconds(3)

    package struct Settings: Sendable, Hashable {
        /// 2…1800 s.
        package var measurementInterval: Int
        /// Ambient pressure in mbar for the sensor's compensation (700…1400), 0 = use altitude.
        package var ambientPressure: Int
        /// Metres above sea level, used when no ambient pressure is given.
        package var altitude: Int

        package init(measurementInterval: Int = 2, ambientPressure: Int = 0, altitude: Int = 0) {
            self.measurementInterval = measurementInterval
            self.ambientPressure = ambientPressure
            self.altitude = altitude
        }
    }

    /// Measurement range of the part (datasheet: 0–10 000 ppm; readings up to 40 000 are output).
    package static let co2Range = 0.0...40_000.0

    package let settings: Settings
    package private(set) var firmware: (major: UInt8, minor: UInt8)?
    private let link: SensirionLink

    package init(bus: any I2CBus, address: UInt8 = 0x61, settings: Settings = Settings(), clock: any SenseClock) {
        precondition((2...1800).contains(settings.measurementInterval), "SCD30 interval is 2…1800 s")
        link = SensirionLink(bus: bus, address: address, clock: clock)
        self.settings = settings
    }

    /// What every fetch returns; the catalogue entry publishes the same list.
    package static let channels: [(quantity: String, unit: Unit)] = [("co2", .ppm), ("temperature", .celsius), ("humidity", .relativeHumidity)]
    package var channels: [(quantity: String, unit: Unit)] { Self.channels }

    package mutating func initialize() async throws(SensorFault) {
        firmware = nil
        let version = try await link.read(Command.firmwareVersion, executionTime: Self.commandDelay, words: 1)[0]
        try await link.send(
            Command.setMeasurementInterval, arguments: [UInt16(settings.measurementInterval)],
            executionTime: Self.commandDelay)
        if settings.ambientPressure == 0 {
            try await link.send(
                Command.setAltitude, arguments: [UInt16(clamping: settings.altitude)],
                executionTime: Self.commandDelay)
        }
        try await link.send(
            Command.triggerContinuousMeasurement, arguments: [UInt16(settings.ambientPressure)],
            executionTime: Self.commandDelay)
        firmware = (UInt8(version >> 8), UInt8(version & 0xFF))
    }

    /// Waits for data-ready for at most one measurement interval (every 500 ms).
    package mutating func fetch() async throws(SensorFault) -> [ChannelReading] {
        try await link.waitForNewData(
            Command.getDataReady, executionTime: Self.commandDelay, step: .milliseconds(500),
            limit: .seconds(settings.measurementInterval)
        ) { $0 == 1 }
        let w = try await link.read(Command.readMeasurement, executionTime: Self.commandDelay, words: 6)
        return Self.decode(w)
    }

    /// Three floats: CO2 ppm, T °C, RH %; each from two words, most significant first.
    package static func decode(_ w: [UInt16]) -> [ChannelReading] {
        precondition(w.count == 6, "an SCD30 measurement is six words")
        let co2 = Double(Sensirion.float(w[0], w[1]))
        let t = Double(Sensirion.float(w[2], w[3]))
        let rh = Double(Sensirion.float(w[4], w[5]))
        return [
            co2Range.contains(co2) ? .good("co2", co2, .ppm) : .bad("co2", .ppm, co2.isNaN ? .noData : .outOfRange),
            (-40...70).contains(t) ? .good("temperature", t, .celsius) : .bad("temperature", .celsius, t.isNaN ? .noData : .outOfRange),
            (0...100).contains(rh) ? .good("humidity", rh, .relativeHumidity) : .bad("humidity", .relativeHumidity, rh.isNaN ? .noData : .outOfRange),
        ]
    }
}
