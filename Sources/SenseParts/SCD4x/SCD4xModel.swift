import SenseCore
import SenseSimulator

/// SCD4x: idle until periodic measurement starts; then a new result every 5 s (30 s low power),
/// and while measuring it accepts only read, data-ready and stop.
package struct SCD4xModel: SensirionChipModel {
    package var serial: (UInt16, UInt16, UInt16) = (0xBEEF, 0x0123, 0x4567)
    package private(set) var schedule = MeasurementSchedule(period: .seconds(5))
    package private(set) var altitude: UInt16 = 0
    package private(set) var temperatureOffsetWord: UInt16 = 1498

    package init() {}

    package mutating func execute(
        _ command: UInt16, arguments: [UInt16], now: MonotonicInstant, air: AirConditions,
        fault: SensirionFault?
    ) -> SensirionExecution? {
        switch (command, schedule.isRunning) {
        case (0x21B1, false), (0x21AC, false):
            schedule.start(now, period: command == 0x21B1 ? .seconds(5) : .seconds(30))
            return SensirionExecution(busy: .zero)
        case (0x3F86, _):
            schedule.stop()
            return SensirionExecution(busy: .milliseconds(500))
        case (0xE4B8, _):
            return SensirionExecution(busy: .milliseconds(1), reply: [schedule.hasNew(now, fault) ? 0x8006 : 0x8000])
        case (0xEC05, true):
            guard schedule.hasNew(now, nil) else { return nil }
            schedule.take(now)
            let co2: UInt16 = fault == .notAvailable ? 0 : UInt16(max(0, min(40_000, air.pollution.co2.rounded())))
            let rh = UInt16(max(0, min(65535, (air.humidity * 65535 / 100).rounded())))
            return SensirionExecution(busy: .milliseconds(1), reply: [co2, sensirionTemperatureWord(air.temperature), rh])
        case (0x3682, false):
            return SensirionExecution(busy: .milliseconds(1), reply: [serial.0, serial.1, serial.2])
        case (0x2427, false) where arguments.count == 1:
            altitude = arguments[0]
            return SensirionExecution(busy: .milliseconds(1))
        case (0x241D, false) where arguments.count == 1:
            temperatureOffsetWord = arguments[0]
            return SensirionExecution(busy: .milliseconds(1))
        default:
            return nil
        }
    }
}
