import SenseCore
import SenseSimulator

/// SHT3x-DIS at command level, for the simulated board and the driver's tests: single shot
/// after the typical measurement time; periodic measurement at the commanded rate, read with
/// Fetch Data (a read with nothing new is not acknowledged); while measuring periodically it takes
/// only Fetch Data and Break, as the datasheet asks. The status word shows a reset until cleared.
package struct SHT3xModel: SensirionChipModel {
    /// Status bit 4: a reset (power-on, soft reset) since the last Clear Status.
    package static let resetDetected: UInt16 = 0x0010

    package private(set) var status: UInt16 = resetDetected
    package private(set) var schedule = MeasurementSchedule(period: .seconds(1))
    package private(set) var measurements = 0

    package init() {}

    package mutating func execute(
        _ command: UInt16, arguments: [UInt16], now: MonotonicInstant, air: AirConditions,
        fault: SensirionFault?
    ) -> SensirionExecution? {
        guard arguments.isEmpty else { return nil }
        if schedule.isRunning {
            switch command {
            case 0xE000:
                guard schedule.hasNew(now, fault) else { return SensirionExecution(busy: .zero) }
                schedule.take(now)
                return measure(air, busy: .zero)
            case 0x3093:
                schedule.stop()
                return SensirionExecution(busy: .milliseconds(1))
            default:
                return nil
            }
        }
        switch command {
        case 0x3093: return SensirionExecution(busy: .milliseconds(1))
        case 0x30A2:
            status = Self.resetDetected
            return SensirionExecution(busy: .milliseconds(1))
        case 0xF32D: return SensirionExecution(busy: .zero, reply: [status])
        case 0x3041:
            status = 0
            return SensirionExecution(busy: .zero)
        case 0x2400, 0x240B, 0x2416:
            // Typical times (12.5 / 4.5 / 2.5 ms), inside the driver's maximum waits.
            let busy: Duration = command == 0x2400 ? .microseconds(12_500) : command == 0x240B ? .microseconds(4_500) : .microseconds(2_500)
            guard fault != .neverReady else { return SensirionExecution(busy: busy) }
            return measure(air, busy: busy)
        case 0xE000:
            return SensirionExecution(busy: .zero)  // no periodic measurement: nothing to fetch
        default:
            guard let period = Self.periodicPeriod(command) else { return nil }
            schedule.start(now, period: period)
            return SensirionExecution(busy: .milliseconds(1))
        }
    }

    /// The period of a periodic-mode command (MSB rate, LSB one of three repeatabilities).
    static func periodicPeriod(_ command: UInt16) -> Duration? {
        let rows: [UInt16: (Duration, [UInt16])] = [
            0x20: (.seconds(2), [0x32, 0x24, 0x2F]), 0x21: (.seconds(1), [0x30, 0x26, 0x2D]),
            0x22: (.milliseconds(500), [0x36, 0x20, 0x2B]), 0x23: (.milliseconds(250), [0x34, 0x22, 0x29]),
            0x27: (.milliseconds(100), [0x37, 0x21, 0x2A]),
        ]
        guard let row = rows[command >> 8], row.1.contains(command & 0xFF) else { return nil }
        return row.0
    }

    private mutating func measure(_ air: AirConditions, busy: Duration) -> SensirionExecution {
        measurements += 1
        return SensirionExecution(busy: busy, reply: [Self.word((air.temperature + 45) * 65535 / 175), Self.word(air.humidity * 65535 / 100)])
    }

    /// A raw word for a value, clamped to 0…65535 (NaN, from a world gone wrong, reads 0).
    static func word(_ x: Double) -> UInt16 {
        guard x.isFinite else { return x == .infinity ? 65535 : 0 }
        return UInt16(max(0, min(65535, x.rounded())))
    }
}
