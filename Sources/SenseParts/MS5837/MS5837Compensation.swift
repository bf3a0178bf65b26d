/// The MS5837-30BA's calibration PROM and its compensation, as the datasheet writes them: integer
/// arithmetic on the 24-bit ADC results D1 (pressure) and D2 (temperature) with the six factory
/// coefficients C1…C6. Pure functions; the divisions by powers of two are arithmetic shifts (they
/// round toward −∞, as the reference code's shifts of signed values do).
package struct MS5837PROM: Sendable, Hashable {
    /// PROM words 0…6: word 0 holds the CRC-4 (bits 15…12) and the version code (bits 11…5);
    /// words 1…6 are C1…C6.
    package let words: [UInt16]

    /// nil unless there are exactly seven words.
    package init?(words: [UInt16]) {
        guard words.count == 7 else { return nil }
        self.words = words
    }

    package var crc: UInt8 { UInt8(words[0] >> 12) }
    /// The product version in word 0 (0x1A: MS5837-30BA26; 0x00 and 0x15: the 2-bar 02BA parts).
    package var version: UInt8 { UInt8((words[0] >> 5) & 0x7F) }
    /// C1 pressure sensitivity SENS_T1, C2 pressure offset OFF_T1, C3 TCS, C4 TCO, C5 T_REF, C6 TEMPSENS.
    package func c(_ i: Int) -> Int64 { Int64(words[i]) }

    /// The datasheet's CRC-4 over the seven words (word 0's CRC nibble taken as 0, an eighth word
    /// of 0), polynomial 0x3000 on a 16-bit remainder.
    package static func crc4(_ words: [UInt16]) -> UInt8 {
        var w = words + Array(repeating: 0, count: max(0, 8 - words.count))
        w[0] &= 0x0FFF
        var remainder: UInt16 = 0
        for i in 0..<16 {
            remainder ^= i % 2 == 1 ? w[i >> 1] & 0x00FF : w[i >> 1] >> 8
            for _ in 0..<8 {
                remainder = remainder & 0x8000 != 0 ? (remainder << 1) ^ 0x3000 : remainder << 1
            }
        }
        return UInt8((remainder >> 12) & 0x000F)
    }

    package var crcIsValid: Bool { Self.crc4(words) == crc }
}

package enum MS5837Compensation {
    /// A compensated measurement: TEMP in 0.01 °C, P in 0.1 mbar (10 Pa).
    package struct Result: Sendable, Hashable {
        package var temp: Int64
        package var p: Int64

        package var celsius: Double { Double(temp) / 100 }
        package var pascal: Double { Double(p) * 10 }
    }

    /// First order only (the datasheet's figure 2): dT, TEMP, OFF, SENS, P.
    package static func firstOrder(d1: UInt32, d2: UInt32, _ prom: MS5837PROM) -> (dT: Int64, result: Result, off: Int64, sens: Int64) {
        let dT = Int64(d2) - prom.c(5) << 8
        let temp = 2000 + (dT * prom.c(6)) >> 23
        let off = prom.c(2) << 16 + (prom.c(4) * dT) >> 7
        let sens = prom.c(1) << 15 + (prom.c(3) * dT) >> 8
        let p = ((Int64(d1) * sens) >> 21 - off) >> 13
        return (dT, Result(temp: temp, p: p), off, sens)
    }

    /// First and second order (the datasheet's figure 3 for the 30BA): below 20 °C
    /// Ti = 3·dT²/2³³, OFFi = 3·(TEMP − 2000)²/2, SENSi = 5·(TEMP − 2000)²/2³, and below −15 °C
    /// OFFi += 7·(TEMP + 1500)², SENSi += 4·(TEMP + 1500)²; from 20 °C Ti = 2·dT²/2³⁷,
    /// OFFi = (TEMP − 2000)²/2⁴, SENSi = 0. Inputs are 24-bit and 16-bit, so Int64 never overflows.
    package static func compensate(d1: UInt32, d2: UInt32, _ prom: MS5837PROM) -> Result {
        let first = firstOrder(d1: d1 & 0xFF_FFFF, d2: d2 & 0xFF_FFFF, prom)
        let dT = first.dT, temp = first.result.temp
        let ti, offi, sensi: Int64
        let low = (temp - 2000) * (temp - 2000)
        if temp < 2000 {
            ti = (3 * dT * dT) >> 33
            var o = (3 * low) >> 1
            var s = (5 * low) >> 3
            if temp < -1500 {
                let veryLow = (temp + 1500) * (temp + 1500)
                o += 7 * veryLow
                s += 4 * veryLow
            }
            offi = o
            sensi = s
        } else {
            ti = (2 * dT * dT) >> 37
            offi = low >> 4
            sensi = 0
        }
        let off2 = first.off - offi
        let sens2 = first.sens - sensi
        let p2 = ((Int64(d1 & 0xFF_FFFF) * sens2) >> 21 - off2) >> 13
        return Result(temp: temp - ti, p: p2)
    }
}
