import SenseCore
import SenseHardware
import SenseSimulator

/// A TI ADS1115 at register level: a pointer register selects conversion (0x00), config (0x01)
/// or the comparator thresholds; registers are 16-bit, MSB first. Writing the config word with
/// OS = 1 in single-shot mode starts a conversion of the selected input that lasts 1/DR; OS reads
/// 0 until it is done, then the conversion register holds the input's voltage at the PGA's scale,
/// clipped to full scale.
package final class ADS1115Emulator: I2CDeviceEmulator {
    package enum Fault: Sendable, Hashable {
        case nack
        case busError
        /// The conversion never completes (OS stays 0).
        case neverReady
    }

    private struct State {
        var pointer: UInt8 = 0
        var config: UInt16 = 0x8583
        var conversion: UInt16 = 0
        var thresholds: (lo: UInt16, hi: UInt16) = (0x8000, 0x7FFF)
        var doneAt: MonotonicInstant?
        var fault: Fault?
        var conversions = 0
    }

    /// Input voltage of AIN0…AIN3 against GND at a moment, in volts.
    package typealias Inputs = @Sendable (WallTime) -> [Double]

    private let clock: any SenseClock
    private let inputs: Inputs
    private let state = Locked(State())

    package init(inputs: @escaping Inputs, clock: any SenseClock) {
        self.inputs = inputs
        self.clock = clock
    }

    package func inject(_ fault: Fault?) { state.withLock { $0.fault = fault } }

    package var conversionCount: Int { state.withLock { $0.conversions } }
    package var configRegister: UInt16 { state.withLock { $0.config } }

    package func receive(_ bytes: [UInt8]) throws(I2CDeviceFault) {
        let now = clock.monotonicNow
        let wall = clock.wallNow
        try state.withLock { s throws(I2CDeviceFault) in
            try Self.check(s.fault)
            guard let pointer = bytes.first else { return }
            guard pointer <= 0x03 else { throw .nack }
            s.pointer = pointer
            guard bytes.count >= 3 else { return }
            let word = UInt16(bytes[1]) << 8 | UInt16(bytes[2])
            switch pointer {
            case 0x01:
                s.config = word & 0x7FFF | (s.config & 0x8000)
                if word & 0x8000 != 0 && word & 0x0100 != 0 {
                    s.config &= 0x7FFF  // busy
                    s.doneAt = now + Self.conversionTime(word)
                    s.conversion = Self.convert(word, inputs(wall))
                    s.conversions += 1
                }
            case 0x02: s.thresholds.lo = word
            case 0x03: s.thresholds.hi = word
            default: throw .nack  // the conversion register is read-only
            }
        }
    }

    package func transmit(count: Int) throws(I2CDeviceFault) -> [UInt8] {
        let now = clock.monotonicNow
        return try state.withLock { s throws(I2CDeviceFault) -> [UInt8] in
            try Self.check(s.fault)
            if let done = s.doneAt, now >= done, s.fault != .neverReady {
                s.config |= 0x8000
                s.doneAt = nil
            }
            let word: UInt16 =
                switch s.pointer {
                case 0x00: s.conversion
                case 0x01: s.config
                case 0x02: s.thresholds.lo
                default: s.thresholds.hi
                }
            let bytes = [UInt8(word >> 8), UInt8(word & 0xFF)]
            return (0..<count).map { bytes[$0 % 2] }
        }
    }

    private static func check(_ fault: Fault?) throws(I2CDeviceFault) {
        switch fault {
        case .nack: throw .nack
        case .busError: throw .busError
        default: return
        }
    }

    /// 1/DR (8…860 SPS).
    static func conversionTime(_ config: UInt16) -> Duration {
        let rates = [8, 16, 32, 64, 128, 250, 475, 860]
        return .nanoseconds(Int64(1_000_000_000 / rates[Int(config >> 5 & 0x7)]))
    }

    /// The selected input at the PGA's full scale, as a 16-bit two's complement count.
    static func convert(_ config: UInt16, _ ain: [Double]) -> UInt16 {
        let scales = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256]
        let fsr = scales[Int(config >> 9 & 0x7)]
        let a = { (i: Int) in i < ain.count ? ain[i] : 0 }
        let v: Double =
            switch config >> 12 & 0x7 {
            case 0: a(0) - a(1)
            case 1: a(0) - a(3)
            case 2: a(1) - a(3)
            case 3: a(2) - a(3)
            case let single: a(Int(single) - 4)
            }
        let counts = max(-32768, min(32767, (v / fsr * 32768).rounded(.down)))
        return UInt16(bitPattern: Int16(counts))
    }
}
