import SenseCore
import SenseDrivers
import SenseHardware

/// Sensirion SHT30/31/35 (SHT3x-DIS) temperature and humidity: 16-bit commands, data words with
/// their CRC-8. Single shot (the default): one measurement per fetch without clock stretching (a
/// Raspberry Pi's I2C does not honour it), the datasheet's maximum measurement time waited on the
/// injected clock, then six bytes read. Periodic: the part measures on its own at 0.5…10 Hz and
/// each fetch reads a result not read before with Fetch Data (a part with nothing new NACKs).
package struct SHT3x: PolledSensorDriver {
    package enum Repeatability: String, Sendable, Hashable, CaseIterable {
        case high, medium, low

        /// Single-shot commands with clock stretching disabled: 0x2400 / 0x240B / 0x2416.
        package var singleShotCommand: UInt16 {
            switch self {
            case .high: 0x2400
            case .medium: 0x240B
            case .low: 0x2416
            }
        }

        /// Maximum measurement durations (15.5 / 6.5 / 4.5 ms), waited before the read.
        package var measurementTime: Duration {
            switch self {
            case .high: .microseconds(15_500)
            case .medium: .microseconds(6_500)
            case .low: .microseconds(4_500)
            }
        }

        /// The LSB of a periodic command, by row of the datasheet's table (0.5, 1, 2, 4, 10 mps).
        fileprivate func periodicLSB(_ rate: Rate) -> UInt16 {
            let table: [Rate: (UInt16, UInt16, UInt16)] = [
                .mps0_5: (0x32, 0x24, 0x2F), .mps1: (0x30, 0x26, 0x2D), .mps2: (0x36, 0x20, 0x2B),
                .mps4: (0x34, 0x22, 0x29), .mps10: (0x37, 0x21, 0x2A),
            ]
            let row = table[rate]!
            return switch self {
            case .high: row.0
            case .medium: row.1
            case .low: row.2
            }
        }
    }

    /// Periodic measurement rates, in measurements per second.
    package enum Rate: Double, Sendable, Hashable, CaseIterable {
        case mps0_5 = 0.5, mps1 = 1, mps2 = 2, mps4 = 4, mps10 = 10

        /// The MSB of a periodic command: 0x20, 0x21, 0x22, 0x23, 0x27.
        fileprivate var msb: UInt16 {
            switch self {
            case .mps0_5: 0x20
            case .mps1: 0x21
            case .mps2: 0x22
            case .mps4: 0x23
            case .mps10: 0x27
            }
        }

        /// Time between two measurements.
        package var period: Duration {
            switch self {
            case .mps0_5: .seconds(2)
            case .mps1: .seconds(1)
            case .mps2: .milliseconds(500)
            case .mps4: .milliseconds(250)
            case .mps10: .milliseconds(100)
            }
        }
    }

    package enum Mode: Sendable, Hashable {
        case singleShot
        case periodic(Rate)
    }

    package static let breakCommand: UInt16 = 0x3093
    package static let softResetCommand: UInt16 = 0x30A2
    package static let readStatusCommand: UInt16 = 0xF32D
    package static let clearStatusCommand: UInt16 = 0x3041
    package static let fetchDataCommand: UInt16 = 0xE000

    /// The periodic command for a rate and repeatability (MSB rate, LSB repeatability).
    package static func periodicCommand(_ rate: Rate, _ repeatability: Repeatability) -> UInt16 {
        rate.msb << 8 | repeatability.periodicLSB(rate)
    }

    /// Operating range of the part: temperatures outside are faults, not readings.
    package static let temperatureRange = -40.0...125.0

    package let repeatability: Repeatability
    package let mode: Mode
    /// The status word read at the last initialisation.
    package private(set) var status: UInt16?
    private let link: SensirionLink

    package init(
        bus: any I2CBus, address: UInt8 = 0x44, repeatability: Repeatability = .high, mode: Mode = .singleShot,
        clock: any SenseClock
    ) {
        link = SensirionLink(bus: bus, address: address, clock: clock)
        self.repeatability = repeatability
        self.mode = mode
    }

    /// What every fetch returns; the catalogue entry publishes the same list.
    package static let channels: [(quantity: String, unit: Unit)] = [("temperature", .celsius), ("humidity", .relativeHumidity)]
    package var channels: [(quantity: String, unit: Unit)] { Self.channels }

    /// Break (a part left measuring periodically takes no other command), soft reset (≤ 1.5 ms),
    /// the status word (a CRC-checked answer proves an SHT3x is there), clear status, then start
    /// periodic measurement if configured.
    package mutating func initialize() async throws(SensorFault) {
        status = nil
        try await link.send(Self.breakCommand, executionTime: .milliseconds(1))
        try await link.send(Self.softResetCommand, executionTime: .microseconds(1_500))
        status = try await link.read(Self.readStatusCommand, executionTime: .milliseconds(1), words: 1)[0]
        try await link.send(Self.clearStatusCommand, executionTime: .milliseconds(1))
        if case let .periodic(rate) = mode {
            try await link.send(Self.periodicCommand(rate, repeatability), executionTime: .milliseconds(1))
        }
    }

    package mutating func fetch() async throws(SensorFault) -> [ChannelReading] {
        switch mode {
        case .singleShot:
            return try await measureInStages(link.clock)
        case let .periodic(rate):
            let w = try await fetchNewest(rate)
            return Self.decode(temperatureWord: w[0], humidityWord: w[1])
        }
    }

    /// Single shot is staged (the command, then the reply after the measurement time); periodic
    /// mode polls Fetch Data within its fetch.
    package mutating func startMeasurement() throws(SensorFault) -> Duration? {
        guard case .singleShot = mode else { return nil }
        try link.command(Sensirion.command(repeatability.singleShotCommand))
        return repeatability.measurementTime
    }

    package mutating func continueMeasurement() throws(SensorFault) -> MeasurementStep {
        let w = try link.reply(name: "measure", words: 2)
        return .readings(Self.decode(temperatureWord: w[0], humidityWord: w[1]))
    }

    /// Fetch Data until the part has a measurement not read before: it NACKs the read while it
    /// has none (just after start, or when polled faster than it measures). Asked every tenth of
    /// a period for at most 1.1 periods, so that the two clocks' drift never loses a reading and
    /// a part that stopped measuring is `no_data`, never the previous value again.
    private func fetchNewest(_ rate: Rate) async throws(SensorFault) -> [UInt16] {
        let step = rate.period / 10, limit = rate.period + step
        var waited = Duration.zero
        while true {
            try await link.send(Self.fetchDataCommand, executionTime: .zero)
            do throws(SensorFault) {
                return try link.reply(name: "fetch data", words: 2)
            } catch  where error.reason == .nack {
                // The part took the command, so it is there: a NACKed read means nothing new yet.
                guard waited < limit else {
                    throw SensorFault(.noData, "\(link.place): no new periodic measurement within \(limit.configText)")
                }
            }
            try await link.pause(step)
            waited += step
        }
    }

    /// T = −45 + 175·S_T/(2¹⁶ − 1) °C; RH = 100·S_RH/(2¹⁶ − 1) %RH (the SHT3x formula, not the
    /// SHT4x one: no offset, and never outside 0…100).
    package static func decode(temperatureWord: UInt16, humidityWord: UInt16) -> [ChannelReading] {
        let t = Sensirion.temperature(temperatureWord)
        return [
            temperatureRange.contains(t) ? .good("temperature", t, .celsius) : .bad("temperature", .celsius, .outOfRange),
            .good("humidity", humidity(humidityWord), .relativeHumidity),
        ]
    }

    package static func humidity(_ s: UInt16) -> Double { 100 * Double(s) / 65535 }
}
