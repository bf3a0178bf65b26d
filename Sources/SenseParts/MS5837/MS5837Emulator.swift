import SenseCore
import SenseSimulator

/// What an emulated MS5837 is immersed in at a moment: absolute pressure (Pa) and temperature (°C).
package protocol MS5837Surroundings: Sendable {
    func water(at wall: WallTime) -> (pascal: Double, celsius: Double)
}

/// Still water of a fixed pressure and temperature, for tests.
package struct StillWater: MS5837Surroundings {
    package var pascal: Double
    package var celsius: Double

    package init(pascal: Double, celsius: Double) {
        self.pascal = pascal
        self.celsius = celsius
    }

    package func water(at wall: WallTime) -> (pascal: Double, celsius: Double) { (pascal, celsius) }
}

/// An MS5837-30BA at command level: Reset reloads the PROM; PROM Read selects one of seven words
/// for the next read; a conversion command starts D1 or D2 at its oversampling, done after the
/// typical conversion time; ADC Read makes the next read return the 24-bit result, or 0 when the
/// conversion has not ended (as the part does). The ADC codes are found by inverting the
/// datasheet's compensation, written out here apart from the driver's, at the surroundings' values.
package final class MS5837Emulator: I2CDeviceEmulator {
    package enum Fault: Sendable, Hashable {
        case nack
        case busError
        /// Reads are not acknowledged.
        case stuckBusy
        /// The PROM's CRC nibble is wrong.
        case corruptPROM
        /// Conversions never end: ADC Read gives 0.
        case neverReady
    }

    private enum Selection { case none, prom(Int), adc }

    private struct State {
        var fault: Fault?
        var selection = Selection.none
        var conversion: (code: UInt32, doneAt: MonotonicInstant)?
        var result: UInt32 = 0
        var conversions = 0
        var commands: [UInt8] = []
    }

    /// The datasheet's example coefficients C1…C6 with version 0x1A (30BA26) and their CRC-4.
    package static let datasheetPROM: [UInt16] = withCRC([0x1A << 5, 34982, 36352, 20328, 22354, 26646, 26146])

    private let prom: [UInt16]
    private let clock: any SenseClock
    private let surroundings: any MS5837Surroundings
    private let state = Locked(State())

    package init(prom: [UInt16] = MS5837Emulator.datasheetPROM, surroundings: any MS5837Surroundings, clock: any SenseClock) {
        precondition(prom.count == 7, "an MS5837 PROM has seven words")
        self.prom = prom
        self.surroundings = surroundings
        self.clock = clock
    }

    package func inject(_ fault: Fault?) { state.withLock { $0.fault = fault } }
    package var conversionCount: Int { state.withLock { $0.conversions } }
    /// Every command byte received, oldest first (the last 64).
    package var commands: [UInt8] { state.withLock { $0.commands } }

    package func receive(_ bytes: [UInt8]) throws(I2CDeviceFault) {
        let now = clock.monotonicNow
        let water = surroundings.water(at: clock.wallNow)
        try state.withLock { s throws(I2CDeviceFault) in
            try Self.check(s.fault)
            guard bytes.count == 1 else { throw .nack }
            let c = bytes[0]
            s.commands.append(c)
            if s.commands.count > 64 { s.commands.removeFirst() }
            switch c {
            case 0x1E:
                s.selection = .none
                s.conversion = nil
            case 0xA0...0xAC where c % 2 == 0:
                s.selection = .prom(Int(c - 0xA0) / 2)
            case 0x00:
                s.selection = .adc
                if let conv = s.conversion, now >= conv.doneAt, s.fault != .neverReady {
                    s.result = conv.code
                    s.conversion = nil
                } else {
                    s.result = 0
                }
            case 0x40...0x4A where c % 2 == 0, 0x50...0x5A where c % 2 == 0:
                let osr = Int(c & 0x0F) / 2  // 0…5 for 256…8192
                let typical = Duration.microseconds(Self.typicalMicros256 << osr)
                let code =
                    c < 0x50
                    ? Self.d1(pascal: water.pascal, celsius: water.celsius, prom)
                    : Self.d2(celsius: water.celsius, prom)
                s.conversion = (code, now + typical)
                s.conversions += 1
                s.selection = .none
            default:
                throw .nack
            }
        }
    }

    package func transmit(count: Int) throws(I2CDeviceFault) -> [UInt8] {
        try state.withLock { s throws(I2CDeviceFault) -> [UInt8] in
            try Self.check(s.fault)
            if s.fault == .stuckBusy { throw .nack }
            var out: [UInt8]
            switch s.selection {
            case let .prom(i):
                var w = prom[i]
                if i == 0, s.fault == .corruptPROM { w ^= 0x5000 }
                out = [UInt8(w >> 8), UInt8(w & 0xFF)]
            case .adc:
                out = [UInt8(s.result >> 16 & 0xFF), UInt8(s.result >> 8 & 0xFF), UInt8(s.result & 0xFF)]
            case .none:
                out = []
            }
            while out.count < count { out.append(0xFF) }
            return Array(out.prefix(count))
        }
    }

    private static func check(_ fault: Fault?) throws(I2CDeviceFault) {
        switch fault {
        case .nack: throw .nack
        case .busError: throw .busError
        default: return
        }
    }

    /// Typical conversion time at OSR 256 (0.54 ms); it doubles with each step of oversampling.
    static let typicalMicros256: Int64 = 540

    // MARK: The datasheet's compensation, forward, and its inversion by bisection.

    /// (TEMP in 0.01 °C, P in 0.1 mbar) with second-order compensation.
    static func forward(d1: Int64, d2: Int64, _ c: [UInt16]) -> (temp: Int64, p: Int64) {
        let C = c.map { Int64($0) }
        let dT = d2 - C[5] * 256
        var temp = 2000 + dT * C[6] / 8_388_608
        var off = C[2] * 65536 + C[4] * dT / 128
        var sens = C[1] * 32768 + C[3] * dT / 256
        let sq = (temp - 2000) * (temp - 2000)
        if temp < 2000 {
            temp -= 3 * dT * dT / 8_589_934_592
            var offi = 3 * sq / 2, sensi = 5 * sq / 8
            if temp < -1500 {
                offi += 7 * (temp + 1500) * (temp + 1500)
                sensi += 4 * (temp + 1500) * (temp + 1500)
            }
            off -= offi
            sens -= sensi
        } else {
            temp -= 2 * dT * dT / 137_438_953_472
            off -= sq / 16
        }
        return (temp, (d1 * sens / 2_097_152 - off) / 8192)
    }

    /// A target in the compensation's integer units, clamped (a world gone wrong — NaN, huge —
    /// gives the code at the end of the range, never a trap).
    static func units(_ x: Double) -> Int64 {
        guard x.isFinite else { return 0 }
        return Int64(max(-1e12, min(1e12, x.rounded())))
    }

    /// The D2 whose temperature is nearest `celsius` (TEMP rises with D2).
    static func d2(celsius: Double, _ c: [UInt16]) -> UInt32 {
        let target = units(celsius * 100)
        return bisect { forward(d1: 0, d2: $0, c).temp >= target }
    }

    /// The D1 whose pressure is nearest `pascal` at that temperature (P rises with D1).
    static func d1(pascal: Double, celsius: Double, _ c: [UInt16]) -> UInt32 {
        let d2 = Int64(d2(celsius: celsius, c))
        let target = units(pascal / 10)
        return bisect { forward(d1: $0, d2: d2, c).p >= target }
    }

    /// The least 24-bit code at which `reached` holds (the greatest code when it never does).
    private static func bisect(_ reached: (Int64) -> Bool) -> UInt32 {
        var lo: Int64 = 1, hi: Int64 = 0xFF_FFFF
        while lo < hi {
            let mid = (lo + hi) / 2
            if reached(mid) { hi = mid } else { lo = mid + 1 }
        }
        return UInt32(lo)
    }

    /// Word 0's CRC nibble set from the datasheet's CRC-4, computed here independently.
    static func withCRC(_ words: [UInt16]) -> [UInt16] {
        var w = words + [0]
        w[0] &= 0x0FFF
        var rem: UInt16 = 0
        for byteIndex in 0..<16 {
            let word = w[byteIndex / 2]
            rem ^= byteIndex % 2 == 0 ? word >> 8 : word & 0xFF
            for _ in 0..<8 { rem = (rem & 0x8000) != 0 ? (rem << 1) ^ 0x3000 : rem << 1 }
        }
        var out = Array(words)
        out[0] = (words[0] & 0x0FFF) | ((rem >> 12) & 0xF) << 12
        return out
    }
}
