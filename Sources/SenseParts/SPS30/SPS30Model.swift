import SenseCore
import SenseSimulator

/// SPS30 in float mode: a new set of values every second once started.
package struct SPS30Model: SensirionChipModel {
    package var serial = "SIM0123456789ABC"
    package var response: OpticalResponse
    package private(set) var schedule = MeasurementSchedule(period: .seconds(1))

    package init(response: OpticalResponse = OpticalResponse()) { self.response = response }

    package mutating func execute(
        _ command: UInt16, arguments: [UInt16], now: MonotonicInstant, air: AirConditions,
        fault: SensirionFault?
    ) -> SensirionExecution? {
        switch command {
        case 0xD304:
            schedule.stop()
            return SensirionExecution(busy: .milliseconds(100))
        case 0xD033: return SensirionExecution(busy: .microseconds(500), reply: sensirionTextWords(serial, words: 16))
        case 0x0010 where arguments == [0x0300] && !schedule.isRunning:
            schedule.start(now)
            return SensirionExecution(busy: .milliseconds(20))
        case 0x0104:
            schedule.stop()
            return SensirionExecution(busy: .milliseconds(20))
        case 0x0202:
            return SensirionExecution(busy: .microseconds(500), reply: [schedule.hasNew(now, fault) ? 1 : 0])
        case 0x0300 where schedule.isRunning:
            schedule.take(now)
            let p = air.pollution
            let mass = [p.pm1_0, p.pm2_5, p.pm4_0, p.pm10].map { response.reading($0, humidity: air.humidity) }
            // Number concentration of an urban mode near 0.3 µm: about 6.5 particles/cm³ per µg/m³.
            let numbers = [mass[0] * 5.2, mass[0] * 6.3, mass[1] * 6.5, mass[2] * 6.6, mass[3] * 6.6]
            var values = (mass + numbers + [0.55]).map { Float($0) }
            if fault == .notAvailable { values = values.map { _ in .nan } }
            return SensirionExecution(busy: .microseconds(500), reply: values.flatMap(sensirionFloatWords))
        default:
            return nil
        }
    }
}
