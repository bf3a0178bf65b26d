import SenseCore
import SenseHardware
import SenseSimulator

/// A Bosch BME280 at register level: chip id at 0xD0, calibration in 0x88…0xA1 and 0xE1…0xE7,
/// ctrl_hum / status / ctrl_meas / config, data in 0xF7…0xFE. A forced measurement samples the
/// air source, keeps the status "measuring" bit set for the conversion time, then latches raw
/// ADC values encoded under this chip's own calibration (by inverting the datasheet's
/// floating-point compensation, independently of the driver's integer code).
package final class BME280Emulator: I2CDeviceEmulator {
    /// Trimming parameters as the datasheet names them.
    package struct Calibration: Sendable, Hashable {
        package var T1: UInt16, T2: Int16, T3: Int16
        package var P1: UInt16, P2: Int16, P3: Int16, P4: Int16, P5: Int16, P6: Int16, P7: Int16, P8: Int16, P9: Int16
        package var H1: UInt8, H2: Int16, H3: UInt8, H4: Int16, H5: Int16, H6: Int8

        /// The BMP280 datasheet's example T/P trimming with a typical humidity trimming.
        package static let datasheetExample = Calibration(
            T1: 27504, T2: 26435, T3: -1000,
            P1: 36477, P2: -10685, P3: 3024, P4: 2855, P5: 140, P6: -7, P7: 15500, P8: -14600, P9: 6000,
            H1: 75, H2: 362, H3: 0, H4: 313, H5: 50, H6: 30)

        /// A second, different part (values of the kind found on real chips), so that tests do not
        /// pass merely because one calibration happens to be symmetric.
        package static let secondPart = Calibration(
            T1: 28009, T2: 25654, T3: 50,
            P1: 39145, P2: -10750, P3: 3024, P4: 5667, P5: -120, P6: -7, P7: 15500, P8: -14600, P9: 6000,
            H1: 75, H2: 352, H3: 0, H4: 339, H5: 0, H6: 30)
    }

    /// Faults the emulator can show, as a real part in the field would.
    package enum Fault: Sendable, Hashable {
        /// Does not acknowledge its address (unplugged, dead).
        case nack
        /// Every transfer fails with a bus error.
        case busError
        /// The status "measuring" bit never clears.
        case stuckBusy
        /// Chip id reads another value (a BMP280 fitted in place of a BME280: 0x58).
        case wrongChipID(UInt8)
        /// Humidity and temperature ADC read their "skipped" value (0x8000 / 0x80000).
        case skippedMeasurement
    }

    private struct State {
        var registers = [UInt8](repeating: 0, count: 256)
        var pointer: UInt8 = 0
        var fault: Fault?
        var measuringUntil: MonotonicInstant?
        var pending: (t: Int32, p: Int32, h: Int32)?
        var filtered: (t: Double, p: Double)?
        var pendingHumidityControl: UInt8 = 0
        var measurements = 0
    }

    package let calibration: Calibration
    private let clock: any SenseClock
    private let air: any AirSource
    private let state: Locked<State>

    /// `chipID` 0x58 emulates a BMP280 (the same T/P part without humidity).
    package init(
        calibration: Calibration = .datasheetExample, chipID: UInt8 = 0x60, air: any AirSource,
        clock: any SenseClock
    ) {
        self.calibration = calibration
        self.air = air
        self.clock = clock
        var s = State()
        Self.writeCalibration(calibration, into: &s.registers)
        s.registers[0xD0] = chipID
        s.registers[0xF7] = 0x80
        s.registers[0xFA] = 0x80
        s.registers[0xFD] = 0x80  // reset values
        state = Locked(s)
    }

    package func inject(_ fault: Fault?) { state.withLock { $0.fault = fault } }

    /// How many forced or normal-mode conversions have been started.
    package var measurementCount: Int { state.withLock { $0.measurements } }

    package func register(_ address: UInt8) -> UInt8 { state.withLock { $0.registers[Int(address)] } }

    package func receive(_ bytes: [UInt8]) throws(I2CDeviceFault) {
        try state.withLock { s throws(I2CDeviceFault) in
            try Self.check(s.fault)
            guard let first = bytes.first else { return }
            s.pointer = first
            // Writes are (register, value) pairs; a lone byte only sets the read pointer.
            var i = 0
            while i + 1 < bytes.count {
                write(bytes[i], bytes[i + 1], &s)
                i += 2
            }
        }
    }

    package func transmit(count: Int) throws(I2CDeviceFault) -> [UInt8] {
        try state.withLock { s throws(I2CDeviceFault) -> [UInt8] in
            try Self.check(s.fault)
            latchIfDone(&s)
            var out: [UInt8] = []
            out.reserveCapacity(count)
            for _ in 0..<count {
                out.append(read(s.pointer, s))
                s.pointer &+= 1
            }
            return out
        }
    }

    private static func check(_ fault: Fault?) throws(I2CDeviceFault) {
        switch fault {
        case .nack: throw .nack
        case .busError: throw .busError
        default: return
        }
    }

    private func read(_ reg: UInt8, _ s: State) -> UInt8 {
        switch reg {
        case 0xD0:
            if case let .wrongChipID(id) = s.fault { return id }
            return s.registers[0xD0]
        case 0xF3:
            let busy = s.fault == .stuckBusy || s.measuringUntil.map { clock.monotonicNow < $0 } == true
            return busy ? 0x08 : 0x00
        default:
            return s.registers[Int(reg)]
        }
    }

    private func write(_ reg: UInt8, _ value: UInt8, _ s: inout State) {
        switch reg {
        case 0xE0 where value == 0xB6:
            for r in [0xF2, 0xF4, 0xF5] { s.registers[r] = 0 }
            s.measuringUntil = nil
            s.filtered = nil
        case 0xF2:
            s.registers[0xF2] = value & 0x07
            s.pendingHumidityControl = value & 0x07  // takes effect at the next ctrl_meas write
        case 0xF4:
            s.registers[0xF4] = value
            s.registers[0xF2] = s.pendingHumidityControl
            if value & 0x03 != 0 { startMeasurement(&s) }
        case 0xF5:
            s.registers[0xF5] = value & 0xFD
        default:
            break  // read-only or reserved: ignored, like the chip
        }
    }

    private func startMeasurement(_ s: inout State) {
        let osrsT = Self.factor((s.registers[0xF4] >> 5) & 0x07)
        let osrsP = Self.factor((s.registers[0xF4] >> 2) & 0x07)
        let osrsH = Self.factor(s.registers[0xF2] & 0x07)
        // Typical conversion time (datasheet §9.1): a little under the maximum the driver waits.
        let typicalMicros =
            1000 + 2000 * osrsT + (osrsP > 0 ? 2000 * osrsP + 500 : 0)
            + (osrsH > 0 ? 2000 * osrsH + 500 : 0)
        s.measuringUntil = clock.monotonicNow + .microseconds(typicalMicros)
        s.measurements += 1

        let air = air.conditions(at: clock.wallNow)
        let filterCoefficient = Self.iirCoefficient((s.registers[0xF5] >> 2) & 0x07)
        var t = air.temperature, p = air.pressure
        if filterCoefficient > 1, let previous = s.filtered {
            t = previous.t + (t - previous.t) / filterCoefficient
            p = previous.p + (p - previous.p) / filterCoefficient
        }
        s.filtered = (t, p)
        let encoded = encode(temperature: t, pressure: p, humidity: air.humidity)
        let skipped = s.fault == .skippedMeasurement
        s.pending = (
            t: osrsT == 0 || skipped ? 0x80000 : encoded.t,
            p: osrsP == 0 ? 0x80000 : encoded.p,
            h: osrsH == 0 || skipped ? 0x8000 : encoded.h
        )
        if s.registers[0xF4] & 0x03 == 0x01 {
            // Forced mode returns to sleep when the conversion ends.
            s.registers[0xF4] &= 0xFC
        }
    }

    private func latchIfDone(_ s: inout State) {
        guard s.fault != .stuckBusy, let until = s.measuringUntil, clock.monotonicNow >= until,
            let raw = s.pending
        else { return }
        s.registers[0xF7] = UInt8((raw.p >> 12) & 0xFF)
        s.registers[0xF8] = UInt8((raw.p >> 4) & 0xFF)
        s.registers[0xF9] = UInt8((raw.p & 0x0F) << 4)
        s.registers[0xFA] = UInt8((raw.t >> 12) & 0xFF)
        s.registers[0xFB] = UInt8((raw.t >> 4) & 0xFF)
        s.registers[0xFC] = UInt8((raw.t & 0x0F) << 4)
        s.registers[0xFD] = UInt8((raw.h >> 8) & 0xFF)
        s.registers[0xFE] = UInt8(raw.h & 0xFF)
        s.pending = nil
        s.measuringUntil = nil
        if s.registers[0xF4] & 0x03 == 0x03 { startMeasurement(&s) }  // normal mode: keep converting
    }

    static func factor(_ code: UInt8) -> Int {
        switch code {
        case 0: 0
        case 1: 1
        case 2: 2
        case 3: 4
        case 4: 8
        default: 16
        }
    }

    static func iirCoefficient(_ code: UInt8) -> Double {
        switch code {
        case 0: 1
        case 1: 2
        case 2: 4
        case 3: 8
        default: 16
        }
    }

    // MARK: - Encoding physical values into raw ADC words

    /// The raw words whose compensation (datasheet floating-point form) gives these values.
    func encode(temperature: Double, pressure: Double, humidity: Double) -> (t: Int32, p: Int32, h: Int32) {
        let c = calibration
        let adcT = Self.search(0...0xFFFFF, increasing: true, target: temperature) { Self.temperature(adc: $0, c).celsius }
        let tFine = Self.temperature(adc: adcT, c).tFine
        let adcP = Self.search(0...0xFFFFF, increasing: false, target: pressure) { Self.pressure(adc: $0, tFine: tFine, c) }
        let adcH = Self.search(0...0xFFFF, increasing: true, target: min(max(humidity, 0), 100)) {
            Self.humidity(adc: $0, tFine: tFine, c)
        }
        return (Int32(adcT), Int32(adcP), Int32(adcH))
    }

    /// Finds the input whose output is nearest `target` for a monotonic function.
    static func search(
        _ range: ClosedRange<Int>, increasing: Bool, target: Double,
        _ f: (Int) -> Double
    ) -> Int {
        var lo = range.lowerBound, hi = range.upperBound
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            let below = increasing ? f(mid) < target : f(mid) > target
            if below { lo = mid } else { hi = mid }
        }
        return abs(f(lo) - target) <= abs(f(hi) - target) ? lo : hi
    }

    static func temperature(adc: Int, _ c: Calibration) -> (celsius: Double, tFine: Double) {
        let a = (Double(adc) / 16384 - Double(c.T1) / 1024) * Double(c.T2)
        let d = Double(adc) / 131_072 - Double(c.T1) / 8192
        let tFine = a + d * d * Double(c.T3)
        return (tFine / 5120, tFine)
    }

    static func pressure(adc: Int, tFine: Double, _ c: Calibration) -> Double {
        var v1 = tFine / 2 - 64000
        var v2 = v1 * v1 * Double(c.P6) / 32768
        v2 += v1 * Double(c.P5) * 2
        v2 = v2 / 4 + Double(c.P4) * 65536
        v1 = (Double(c.P3) * v1 * v1 / 524_288 + Double(c.P2) * v1) / 524_288
        v1 = (1 + v1 / 32768) * Double(c.P1)
        guard v1 != 0 else { return 0 }
        var p = 1_048_576 - Double(adc)
        p = (p - v2 / 4096) * 6250 / v1
        v1 = Double(c.P9) * p * p / 2_147_483_648
        v2 = p * Double(c.P8) / 32768
        return p + (v1 + v2 + Double(c.P7)) / 16
    }

    static func humidity(adc: Int, tFine: Double, _ c: Calibration) -> Double {
        var h = tFine - 76800
        h =
            (Double(adc) - (Double(c.H4) * 64 + Double(c.H5) / 16384 * h))
            * (Double(c.H2) / 65536 * (1 + Double(c.H6) / 67_108_864 * h * (1 + Double(c.H3) / 67_108_864 * h)))
        h *= 1 - Double(c.H1) * h / 524_288
        return min(max(h, 0), 100)
    }

    static func writeCalibration(_ c: Calibration, into r: inout [UInt8]) {
        func le(_ v: UInt16, _ at: Int) {
            r[at] = UInt8(v & 0xFF)
            r[at + 1] = UInt8(v >> 8)
        }
        func les(_ v: Int16, _ at: Int) { le(UInt16(bitPattern: v), at) }
        le(c.T1, 0x88)
        les(c.T2, 0x8A)
        les(c.T3, 0x8C)
        le(c.P1, 0x8E)
        les(c.P2, 0x90)
        les(c.P3, 0x92)
        les(c.P4, 0x94)
        les(c.P5, 0x96)
        les(c.P6, 0x98)
        les(c.P7, 0x9A)
        les(c.P8, 0x9C)
        les(c.P9, 0x9E)
        r[0xA1] = c.H1
        les(c.H2, 0xE1)
        r[0xE3] = c.H3
        let h4 = UInt16(bitPattern: c.H4), h5 = UInt16(bitPattern: c.H5)
        r[0xE4] = UInt8((h4 >> 4) & 0xFF)
        r[0xE5] = UInt8(h4 & 0x0F) | UInt8((h5 & 0x0F) << 4)
        r[0xE6] = UInt8((h5 >> 4) & 0xFF)
        r[0xE7] = UInt8(bitPattern: c.H6)
    }
}
