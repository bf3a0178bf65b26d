import SenseCore
import SenseDrivers
import SenseHardware

/// Sensirion SEN5x environmental node (SEN50: PM; SEN54: + RH, T, VOC index; SEN55: + NOx index).
/// Values are scaled integers; 0xFFFF (unsigned) and 0x7FFF (signed) mean "not available", which
/// is reported as `no_data`, never as a number (the NOx index, for one, is absent for 10 s after start).
package struct SEN5x: PolledSensorDriver {
    package enum Command {
        package static let startMeasurement: UInt16 = 0x0021
        package static let stopMeasurement: UInt16 = 0x3F86
        package static let readDataReady: UInt16 = 0x0202
        package static let readMeasuredValues: UInt16 = 0x03C4
        package static let productName: UInt16 = 0xD014
        package static let reset: UInt16 = 0xD304
    }

    static let commandDelay = Duration.milliseconds(20)

    package static let quantities: [(quantity: String, unit: Unit)] = [
        ("pm1_0", .microgramPerCubicMetre), ("pm2_5", .microgramPerCubicMetre),
        ("pm4_0", .microgramPerCubicMetre), ("pm10", .microgramPerCubicMetre),
        ("humidity", .relativeHumidity), ("temperature", .celsius),
        ("voc_index", .none), ("nox_index", .none),
    ]

    /// The model the part names itself (`SEN55`, …), read at initialisation.
    package private(set) var productName: String?
    private let link: SensirionLink

    package init(bus: any I2CBus, address: UInt8 = 0x69, clock: any SenseClock) {
        link = SensirionLink(bus: bus, address: address, clock: clock)
    }

    package var channels: [(quantity: String, unit: Unit)] { Self.quantities }

    /// Reset (100 ms), product name (must start with `SEN5`), start measurement (50 ms).
    package mutating func initialize() async throws(SensorFault) {
        productName = nil
        try await link.send(Command.reset, executionTime: .milliseconds(100))
        let name = Sensirion.text(try await link.read(Command.productName, executionTime: Self.commandDelay, words: 16))
        guard name.hasPrefix("SEN5") else {
            throw SensorFault(.wrongDevice, "\(link.place): product name '\(name)', expected SEN50/SEN54/SEN55")
        }
        try await link.send(Command.startMeasurement, executionTime: .milliseconds(50))
        productName = name
    }

    package mutating func fetch() async throws(SensorFault) -> [ChannelReading] {
        try await link.waitForNewData(
            Command.readDataReady, executionTime: Self.commandDelay, step: .milliseconds(250),
            limit: .milliseconds(1500)
        ) { $0 & 0x00FF != 0 }
        return Self.decode(try await link.read(Command.readMeasuredValues, executionTime: Self.commandDelay, words: 8))
    }

    /// PM words /10 (unsigned), RH /100, T /200, VOC and NOx indices /10 (signed).
    package static func decode(_ w: [UInt16]) -> [ChannelReading] {
        precondition(w.count == 8, "SEN5x measured values are eight words")
        var out: [ChannelReading] = []
        for i in 0..<4 {
            let q = quantities[i]
            out.append(w[i] == 0xFFFF ? .bad(q.quantity, q.unit, .noData) : .good(q.quantity, Double(w[i]) / 10, q.unit))
        }
        let scales = [100.0, 200, 10, 10]
        for i in 4..<8 {
            let q = quantities[i]
            let s = Int16(bitPattern: w[i])
            out.append(s == Int16.max ? .bad(q.quantity, q.unit, .noData) : .good(q.quantity, Double(s) / scales[i - 4], q.unit))
        }
        return out
    }
}
