import SenseCore
import SenseSimulator

/// SCD30: continuous measurement at a set interval; floats out.
package struct SCD30Model: SensirionChipModel {
    package private(set) var schedule = MeasurementSchedule(period: .seconds(2))
    package private(set) var interval: UInt16 = 2
    package private(set) var ambientPressure: UInt16 = 0

    package init() {}

    package mutating func execute(
        _ command: UInt16, arguments: [UInt16], now: MonotonicInstant, air: AirConditions,
        fault: SensirionFault?
    ) -> SensirionExecution? {
        switch command {
        case 0xD100: return SensirionExecution(busy: .milliseconds(1), reply: [0x0342])
        case 0x4600 where arguments.count == 1 && (2...1800).contains(arguments[0]):
            interval = arguments[0]
            if schedule.isRunning { schedule.start(now, period: .seconds(Int64(interval))) }
            return SensirionExecution(busy: .milliseconds(1))
        case 0x5102 where arguments.count == 1:
            return SensirionExecution(busy: .milliseconds(1))
        case 0x0010 where arguments.count == 1 && (arguments[0] == 0 || (700...1400).contains(arguments[0])):
            ambientPressure = arguments[0]
            if !schedule.isRunning { schedule.start(now, period: .seconds(Int64(interval))) }
            return SensirionExecution(busy: .milliseconds(1))
        case 0x0104:
            schedule.stop()
            return SensirionExecution(busy: .milliseconds(1))
        case 0x0202:
            return SensirionExecution(busy: .milliseconds(1), reply: [schedule.hasNew(now, fault) ? 1 : 0])
        case 0x0300 where schedule.isRunning:
            schedule.take(now)
            let co2 = fault == .notAvailable ? Float.nan : Float(air.pollution.co2)
            return SensirionExecution(
                busy: .milliseconds(1),
                reply: sensirionFloatWords(co2)
                    + sensirionFloatWords(Float(air.temperature)) + sensirionFloatWords(Float(air.humidity)))
        default:
            return nil
        }
    }
}
