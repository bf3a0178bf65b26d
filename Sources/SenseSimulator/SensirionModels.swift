import SenseCore

/// The measurement schedule of a part that measures on its own clock: started at some instant,
/// a new result every `period`, each result readable once.
package struct MeasurementSchedule: Sendable, Hashable {
    package private(set) var started: MonotonicInstant?
    package private(set) var period: Duration
    private var taken = 0

    package init(period: Duration) { self.period = period }

    package var isRunning: Bool { started != nil }

    package mutating func start(_ now: MonotonicInstant, period: Duration? = nil) {
        started = now
        if let period { self.period = period }
        taken = 0
    }

    package mutating func stop() { started = nil }

    private func completed(_ now: MonotonicInstant) -> Int {
        guard let started else { return 0 }
        return Int((now - started) / period)
    }

    /// A result not yet read exists (and the part is not faulted into never being ready).
    package func hasNew(_ now: MonotonicInstant, _ fault: SensirionFault?) -> Bool {
        fault != .neverReady && completed(now) > taken
    }

    /// Marks every completed result as read.
    package mutating func take(_ now: MonotonicInstant) { taken = completed(now) }
}

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
