import SenseCore
import SenseDrivers
import SenseHardware

/// Sensirion SHT4x (SHT40/41/45) temperature and humidity: one-byte commands, one measurement per
/// fetch (command, wait the maximum measurement time, read T and RH with their CRCs), staged at
/// the wait.
package struct SHT4x: PolledSensorDriver {
    package enum Precision: String, Sendable, Hashable, CaseIterable {
        case high, medium, low

        /// Measure commands 0xFD / 0xF6 / 0xE0.
        package var command: UInt8 {
            switch self {
            case .high: 0xFD
            case .medium: 0xF6
            case .low: 0xE0
            }
        }

        /// Maximum measurement durations of the datasheet (8.3 / 4.5 / 1.6 ms), rounded up.
        package var measurementTime: Duration {
            switch self {
            case .high: .microseconds(8_300)
            case .medium: .microseconds(4_500)
            case .low: .microseconds(1_600)
            }
        }
    }

    package static let readSerialCommand: UInt8 = 0x89
    package static let softResetCommand: UInt8 = 0x94

    /// Operating range of the part: values outside are faults, not readings.
    package static let temperatureRange = -40.0...125.0

    package let precision: Precision
    package private(set) var serialNumber: UInt32?
    private let link: SensirionLink

    package init(bus: any I2CBus, address: UInt8 = 0x44, precision: Precision = .high, clock: any SenseClock) {
        link = SensirionLink(bus: bus, address: address, clock: clock)
        self.precision = precision
    }

    /// What every fetch returns; the catalogue entry publishes the same list.
    package static let channels: [(quantity: String, unit: Unit)] = [("temperature", .celsius), ("humidity", .relativeHumidity)]
    package var channels: [(quantity: String, unit: Unit)] { Self.channels }

    /// Soft reset (1 ms), then the serial number: a CRC-checked answer proves an SHT4x is there.
    package mutating func initialize() async throws(SensorFault) {
        serialNumber = nil
        try await link.send([Self.softResetCommand], executionTime: .milliseconds(1))
        let w = try await link.read([Self.readSerialCommand], name: "read serial", executionTime: .milliseconds(1), words: 2)
        serialNumber = UInt32(w[0]) << 16 | UInt32(w[1])
    }

    package mutating func fetch() async throws(SensorFault) -> [ChannelReading] { try await measureInStages(link.clock) }

    /// The measure command; the reply is ready after the maximum measurement time.
    package mutating func startMeasurement() throws(SensorFault) -> Duration? {
        try link.command([precision.command])
        return precision.measurementTime
    }

    package mutating func continueMeasurement() throws(SensorFault) -> MeasurementStep {
        let w = try link.reply(name: "measure", words: 2)
        return .readings(Self.decode(temperatureWord: w[0], humidityWord: w[1]))
    }

    /// T = −45 + 175·S_T/65535 °C; RH = −6 + 125·S_RH/65535 %RH cropped to 0…100 (the SHT4x
    /// formula, not the SHT3x one).
    package static func decode(temperatureWord: UInt16, humidityWord: UInt16) -> [ChannelReading] {
        let t = Sensirion.temperature(temperatureWord)
        let rh = min(100, max(0, humidityRaw(humidityWord)))
        return [
            temperatureRange.contains(t) ? .good("temperature", t, .celsius) : .bad("temperature", .celsius, .outOfRange),
            .good("humidity", rh, .relativeHumidity),
        ]
    }

    /// The uncropped humidity, which can run from −6 to 119 %RH.
    package static func humidityRaw(_ s: UInt16) -> Double { -6 + 125 * Double(s) / 65535 }
}
