import SenseCore
import SenseSimulator

/// SEN5x (a SEN55 unless named otherwise): scaled integers, the NOx index unavailable for the
/// first 10 s after start, the VOC index for the first 1 s.
package struct SEN5xModel: SensirionChipModel {
    package var productName: String
    package var response: OpticalResponse
    package private(set) var schedule = MeasurementSchedule(period: .seconds(1))

    package init(productName: String = "SEN55", response: OpticalResponse = OpticalResponse()) {
        self.productName = productName
        self.response = response
    }

    package mutating func execute(
        _ command: UInt16, arguments: [UInt16], now: MonotonicInstant, air: AirConditions,
        fault: SensirionFault?
    ) -> SensirionExecution? {
        switch command {
        case 0xD304:
            schedule.stop()
            return SensirionExecution(busy: .milliseconds(100))
        case 0xD014: return SensirionExecution(busy: .milliseconds(20), reply: sensirionTextWords(productName, words: 16))
        case 0x0021 where !schedule.isRunning:
            schedule.start(now)
            return SensirionExecution(busy: .milliseconds(50))
        case 0x3F86:
            schedule.stop()
            return SensirionExecution(busy: .milliseconds(200))
        case 0x0202:
            return SensirionExecution(busy: .milliseconds(20), reply: [schedule.hasNew(now, fault) ? 0x0001 : 0x0000])
        case 0x03C4 where schedule.isRunning:
            schedule.take(now)
            guard fault != .notAvailable else {
                return SensirionExecution(busy: .milliseconds(20), reply: [0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF, 0x7FFF, 0x7FFF, 0x7FFF, 0x7FFF])
            }
            let p = air.pollution
            func u(_ v: Double) -> UInt16 { UInt16(max(0, min(65534, (v * 10).rounded()))) }
            func s(_ v: Double, _ scale: Double) -> UInt16 { UInt16(bitPattern: Int16(max(-32768, min(32766, (v * scale).rounded())))) }
            let mass = [p.pm1_0, p.pm2_5, p.pm4_0, p.pm10].map { u(response.reading($0, humidity: air.humidity)) }
            let since = now - schedule.started!
            let hasRHT = productName != "SEN50"
            let voc = hasRHT && since >= .seconds(1) ? s(p.vocIndex, 10) : 0x7FFF
            let nox = productName == "SEN55" && since >= .seconds(10) ? s(p.noxIndex, 10) : 0x7FFF
            return SensirionExecution(
                busy: .milliseconds(20),
                reply: mass + [
                    hasRHT ? s(air.humidity, 100) : 0x7FFF, hasRHT ? s(air.temperature, 200) : 0x7FFF, voc, nox,
                ])
        default:
            return nil
        }
    }
}
