import SenseCore
import SenseDrivers

/// Bosch BME280 / BMP280 register decoding and compensation: pure functions, named as in the
/// datasheet (BST-BME280-DS002 §4.2.3, §5.4), integer arithmetic exactly as there.
package enum BME280Registers {
    package static let chipID: UInt8 = 0xD0
    package static let reset: UInt8 = 0xE0
    package static let ctrlHum: UInt8 = 0xF2
    package static let status: UInt8 = 0xF3
    package static let ctrlMeas: UInt8 = 0xF4
    package static let config: UInt8 = 0xF5
    package static let data: UInt8 = 0xF7
    package static let calibration1: UInt8 = 0x88  // 26 bytes, 0x88…0xA1
    package static let calibration2: UInt8 = 0xE1  // 7 bytes, 0xE1…0xE7
    package static let softResetCommand: UInt8 = 0xB6
    package static let bme280ID: UInt8 = 0x60
    package static let bmp280ID: UInt8 = 0x58
}

/// The trimming parameters stored in each chip's NVM.
package struct BME280Calibration: Sendable, Hashable {
    package var dig_T1: UInt16, dig_T2: Int16, dig_T3: Int16
    package var dig_P1: UInt16, dig_P2: Int16, dig_P3: Int16, dig_P4: Int16, dig_P5: Int16
    package var dig_P6: Int16, dig_P7: Int16, dig_P8: Int16, dig_P9: Int16
    package var dig_H1: UInt8, dig_H2: Int16, dig_H3: UInt8, dig_H4: Int16, dig_H5: Int16, dig_H6: Int8

    /// `block1` is 0x88…0xA1 (26 bytes); `block2` is 0xE1…0xE7 (7 bytes, absent on a BMP280).
    package init(block1 b: [UInt8], block2 h: [UInt8]?) {
        precondition(b.count == 26 && (h == nil || h!.count == 7), "calibration block sizes")
        func u16(_ i: Int) -> UInt16 { UInt16(b[i]) | UInt16(b[i + 1]) << 8 }
        func s16(_ i: Int) -> Int16 { Int16(bitPattern: u16(i)) }
        dig_T1 = u16(0)
        dig_T2 = s16(2)
        dig_T3 = s16(4)
        dig_P1 = u16(6)
        dig_P2 = s16(8)
        dig_P3 = s16(10)
        dig_P4 = s16(12)
        dig_P5 = s16(14)
        dig_P6 = s16(16)
        dig_P7 = s16(18)
        dig_P8 = s16(20)
        dig_P9 = s16(22)
        dig_H1 = b[25]
        if let h {
            dig_H2 = Int16(bitPattern: UInt16(h[0]) | UInt16(h[1]) << 8)
            dig_H3 = h[2]
            // 12-bit signed values split across nibbles of 0xE5.
            dig_H4 = Int16(Int8(bitPattern: h[3])) * 16 | Int16(h[4] & 0x0F)
            dig_H5 = Int16(Int8(bitPattern: h[5])) * 16 | Int16(h[4] >> 4)
            dig_H6 = Int8(bitPattern: h[6])
        } else {
            dig_H2 = 0
            dig_H3 = 0
            dig_H4 = 0
            dig_H5 = 0
            dig_H6 = 0
        }
    }

    package init(
        dig_T1: UInt16, dig_T2: Int16, dig_T3: Int16, dig_P1: UInt16, dig_P2: Int16, dig_P3: Int16,
        dig_P4: Int16, dig_P5: Int16, dig_P6: Int16, dig_P7: Int16, dig_P8: Int16, dig_P9: Int16,
        dig_H1: UInt8 = 0, dig_H2: Int16 = 0, dig_H3: UInt8 = 0, dig_H4: Int16 = 0, dig_H5: Int16 = 0,
        dig_H6: Int8 = 0
    ) {
        self.dig_T1 = dig_T1
        self.dig_T2 = dig_T2
        self.dig_T3 = dig_T3
        self.dig_P1 = dig_P1
        self.dig_P2 = dig_P2
        self.dig_P3 = dig_P3
        self.dig_P4 = dig_P4
        self.dig_P5 = dig_P5
        self.dig_P6 = dig_P6
        self.dig_P7 = dig_P7
        self.dig_P8 = dig_P8
        self.dig_P9 = dig_P9
        self.dig_H1 = dig_H1
        self.dig_H2 = dig_H2
        self.dig_H3 = dig_H3
        self.dig_H4 = dig_H4
        self.dig_H5 = dig_H5
        self.dig_H6 = dig_H6
    }
}

/// The eight data registers 0xF7…0xFE.
package struct BME280RawData: Sendable, Hashable {
    package var adc_P: Int32
    package var adc_T: Int32
    package var adc_H: Int32

    /// The value the ADC reads when that measurement was skipped (oversampling 0) or never ran.
    package static let skippedPT: Int32 = 0x80000
    package static let skippedH: Int32 = 0x8000

    package init(_ r: [UInt8]) {
        precondition(r.count == 8, "data block is 8 bytes")
        adc_P = Int32(r[0]) << 12 | Int32(r[1]) << 4 | Int32(r[2]) >> 4
        adc_T = Int32(r[3]) << 12 | Int32(r[4]) << 4 | Int32(r[5]) >> 4
        adc_H = Int32(r[6]) << 8 | Int32(r[7])
    }
}

package enum BME280Compensation {
    // Bosch's reference code in wrapping arithmetic, as its C does on every target: for a real
    // chip's calibration nothing overflows (the vectors below hold bit for bit); for garbage
    // (a glitch on the bus while the calibration is read) the result is garbage that the driver's
    // range check rejects, never a trap that stops the gateway (found by the audit of issue 17; the sensor fuzz target now covers it).

    /// Temperature in 0.01 °C, and t_fine for the pressure and humidity formulas.
    package static func temperature(adc_T: Int32, _ c: BME280Calibration) -> (centiCelsius: Int32, t_fine: Int32) {
        let T1 = Int32(c.dig_T1), T2 = Int32(c.dig_T2), T3 = Int32(c.dig_T3)
        let var1 = (((adc_T >> 3) &- (T1 &<< 1)) &* T2) >> 11
        let d = (adc_T >> 4) &- T1
        let var2 = (((d &* d) >> 12) &* T3) >> 14
        let t_fine = var1 &+ var2
        return ((t_fine &* 5 &+ 128) >> 8, t_fine)
    }

    /// Pressure in Pa as Q24.8 (divide by 256), the datasheet's 64-bit routine; nil when the
    /// calibration would divide by zero.
    package static func pressure(adc_P: Int32, t_fine: Int32, _ c: BME280Calibration) -> UInt32? {
        var var1 = Int64(t_fine) &- 128_000
        var var2 = var1 &* var1 &* Int64(c.dig_P6)
        var2 = var2 &+ ((var1 &* Int64(c.dig_P5)) &<< 17)
        var2 = var2 &+ (Int64(c.dig_P4) &<< 35)
        var1 = ((var1 &* var1 &* Int64(c.dig_P3)) >> 8) &+ ((var1 &* Int64(c.dig_P2)) &<< 12)
        var1 = (((Int64(1) << 47) &+ var1) &* Int64(c.dig_P1)) >> 33
        guard var1 != 0 else { return nil }
        var p = Int64(1_048_576) &- Int64(adc_P)
        let numerator = ((p &<< 31) &- var2) &* 3125
        guard !(numerator == .min && var1 == -1) else { return nil }  // the one division that overflows
        p = numerator / var1
        var1 = (Int64(c.dig_P9) &* (p >> 13) &* (p >> 13)) >> 25
        var2 = (Int64(c.dig_P8) &* p) >> 19
        p = ((p &+ var1 &+ var2) >> 8) &+ (Int64(c.dig_P7) &<< 4)
        return UInt32(truncatingIfNeeded: p)
    }

    /// Relative humidity in %RH as Q22.10 (divide by 1024), clamped to 0…100 %.
    package static func humidity(adc_H: Int32, t_fine: Int32, _ c: BME280Calibration) -> UInt32 {
        let H1 = Int32(c.dig_H1), H2 = Int32(c.dig_H2), H3 = Int32(c.dig_H3)
        let H4 = Int32(c.dig_H4), H5 = Int32(c.dig_H5), H6 = Int32(c.dig_H6)
        var v = t_fine &- 76800
        let u = ((adc_H &<< 14) &- (H4 &<< 20) &- (H5 &* v) &+ 16384) >> 15
        let w = ((((((v &* H6) >> 10) &* (((v &* H3) >> 11) &+ 32768)) >> 10) &+ 2_097_152) &* H2 &+ 8192) >> 14
        v = u &* w
        v = v &- (((((v >> 15) &* (v >> 15)) >> 7) &* H1) >> 4)
        v = min(max(v, 0), 419_430_400)
        return UInt32(v >> 12)
    }

    /// The datasheet's maximum measurement time in µs for oversampling factors (0 = skipped).
    package static func maxMeasurementMicros(osrT: Int, osrP: Int, osrH: Int) -> Int {
        1250 + 2300 * osrT + (osrP > 0 ? 2300 * osrP + 575 : 0) + (osrH > 0 ? 2300 * osrH + 575 : 0)
    }
}
