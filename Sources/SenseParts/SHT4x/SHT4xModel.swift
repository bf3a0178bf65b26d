import SenseCore
import SenseSimulator

/// SHT4x: one-byte commands; a measurement reads the air after 6.9 ms (high precision, typical).
package struct SHT4xModel: SensirionChipModel {
    package var serial: UInt32
    package var measurements = 0

    package init(serial: UInt32 = 0x0F41_2B3C) { self.serial = serial }

    package var commandWidth: Int { 1 }

    package mutating func execute(
        _ command: UInt16, arguments: [UInt16], now: MonotonicInstant, air: AirConditions,
        fault: SensirionFault?
    ) -> SensirionExecution? {
        guard arguments.isEmpty else { return nil }
        switch command {
        case 0x94: return SensirionExecution(busy: .microseconds(800))
        case 0x89: return SensirionExecution(busy: .microseconds(200), reply: [UInt16(serial >> 16), UInt16(serial & 0xFFFF)])
        case 0xFD, 0xF6, 0xE0:
            measurements += 1
            let busy: Duration = command == 0xFD ? .microseconds(6_900) : command == 0xF6 ? .microseconds(3_700) : .microseconds(1_300)
            let rh = UInt16(max(0, min(65535, ((air.humidity + 6) * 65535 / 125).rounded())))
            return SensirionExecution(busy: busy, reply: [sensirionTemperatureWord(air.temperature), rh])
        default: return nil
        }
    }
}
