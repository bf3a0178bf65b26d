import SenseDrivers
import SenseParts
import SenseTesting
import Testing

/// The datasheet's integer formulas against the reference vectors (physics.md §A5.1).
@Suite struct BME280CompensationTests {
    static func calibration(_ c: JSONValue) -> BME280Calibration {
        BME280Calibration(
            dig_T1: UInt16(c["T1"].int), dig_T2: Int16(c["T2"].int), dig_T3: Int16(c["T3"].int),
            dig_P1: UInt16(c["P1"].int), dig_P2: Int16(c["P2"].int), dig_P3: Int16(c["P3"].int),
            dig_P4: Int16(c["P4"].int), dig_P5: Int16(c["P5"].int), dig_P6: Int16(c["P6"].int),
            dig_P7: Int16(c["P7"].int), dig_P8: Int16(c["P8"].int), dig_P9: Int16(c["P9"].int))
    }

    @Test func temperatureMatchesDatasheetExample() {
        let v = Vectors.named("A5-BMP280-01")
        let c = v.inputs["calib"]
        let cal = BME280Calibration(
            dig_T1: UInt16(c["T1"].int), dig_T2: Int16(c["T2"].int), dig_T3: Int16(c["T3"].int),
            dig_P1: 1, dig_P2: 0, dig_P3: 0, dig_P4: 0, dig_P5: 0, dig_P6: 0, dig_P7: 0,
            dig_P8: 0, dig_P9: 0)
        let r = BME280Compensation.temperature(adc_T: Int32(v.inputs["adc_T"].int), cal)
        #expect(r.t_fine == Int32(v.expected["t_fine"].int))
        #expect(r.centiCelsius == Int32(v.expected["T_centideg"].int))
    }

    @Test func pressureMatchesDatasheetExample() {
        let v = Vectors.named("A5-BMP280-02")
        let cal = Self.calibration(v.inputs["calib"])
        let q = BME280Compensation.pressure(adc_P: Int32(v.inputs["adc_P"].int), t_fine: Int32(v.inputs["t_fine"].int), cal)
        #expect(q == UInt32(v.expected["p_q24_8_int64"].int))
        #expect(abs(Double(q!) / 256 - v.expected["p_pa_int64"].double) < 0.001)
    }

    @Test(arguments: ["A5-BME280-H-01", "A5-BME280-H-02"])
    func humidityMatchesVectors(id: String) {
        let v = Vectors.named(id)
        let c = v.inputs["calib_illustrative"]
        let cal = BME280Calibration(
            dig_T1: 0, dig_T2: 0, dig_T3: 0, dig_P1: 0, dig_P2: 0, dig_P3: 0, dig_P4: 0,
            dig_P5: 0, dig_P6: 0, dig_P7: 0, dig_P8: 0, dig_P9: 0,
            dig_H1: UInt8(c["H1"].int), dig_H2: Int16(c["H2"].int), dig_H3: UInt8(c["H3"].int),
            dig_H4: Int16(c["H4"].int), dig_H5: Int16(c["H5"].int), dig_H6: Int8(c["H6"].int))
        let h = BME280Compensation.humidity(adc_H: Int32(v.inputs["adc_H"].int), t_fine: Int32(v.inputs["t_fine"].int), cal)
        #expect(h == UInt32(v.expected["h_q22_10"].int))
        #expect(abs(Double(h) / 1024 - v.expected["rh_pct"].double) < 0.0001)
    }

    @Test(arguments: ["A5-BME280-TMEAS-01", "A5-BME280-TMEAS-02", "A5-BME280-TMEAS-03"])
    func maximumMeasurementTime(id: String) {
        let v = Vectors.named(id)
        #expect(
            BME280Compensation.maxMeasurementMicros(
                osrT: v.inputs["osr_t"].int, osrP: v.inputs["osr_p"].int,
                osrH: v.inputs["osr_h"].int) == v.expected["t_max_us"].int)
    }

    @Test func humidityCalibrationUnpacking() {
        let v = Vectors.named("A5-BME280-REG-01")
        let cal = BME280Calibration(block1: [UInt8](repeating: 0, count: 26), block2: v.inputs["regs_0xE1_0xE7"].hexBytes)
        #expect(cal.dig_H2 == Int16(v.expected["dig_H2"].int))
        #expect(cal.dig_H3 == UInt8(v.expected["dig_H3"].int))
        #expect(cal.dig_H4 == Int16(v.expected["dig_H4"].int))
        #expect(cal.dig_H5 == Int16(v.expected["dig_H5"].int))
        #expect(cal.dig_H6 == Int8(v.expected["dig_H6"].int))
    }

    @Test func negativeTwelveBitHumidityTrimming() {
        // dig_H4 = -100 = 0xF9C (E4 = 0xF9, E5 low nibble = 0xC); dig_H5 = -3 = 0xFFD (E6 = 0xFF, E5 high nibble = 0xD).
        let cal = BME280Calibration(block1: [UInt8](repeating: 0, count: 26), block2: [0, 0, 0, 0xF9, 0xDC, 0xFF, 0x80])
        #expect(cal.dig_H4 == -100)
        #expect(cal.dig_H5 == -3)
        #expect(cal.dig_H6 == -128)
    }

    @Test func dataBlockUnpacking() {
        let v = Vectors.named("A5-BME280-REG-02")
        let raw = BME280RawData(v.inputs["regs_0xF7_0xFE"].hexBytes)
        #expect(raw.adc_P == Int32(v.expected["adc_P"].int))
        #expect(raw.adc_T == Int32(v.expected["adc_T"].int))
        #expect(raw.adc_H == Int32(v.expected["adc_H"].int))
    }
}

/// A calibration read through a glitching bus can be anything: Bosch's integer routine then
/// overflows, which in C wraps and in Swift trapped (found in the audit of issue 17; the test below reproduced the trap). Now it
/// wraps as in C, and the driver's range check turns the garbage into `bad` readings.
@Suite struct BME280GarbageCalibrationTests {
    @Test(arguments: [UInt8(0xFF), 0x7F, 0x80, 0x00])
    func garbageNeverTrapsAndNeverPassesAsGood(fill: UInt8) {
        let c = BME280Calibration(block1: [UInt8](repeating: fill, count: 26), block2: [UInt8](repeating: fill, count: 7))
        for raw in [[UInt8](repeating: 0xFF, count: 8), [0x7F, 0xFF, 0xF0, 0x7F, 0xFF, 0xF0, 0x7F, 0xFF], [UInt8](repeating: 0x01, count: 8)] {
            let readings = BME280.decode(BME280RawData(raw), c, variant: .bme280, settings: BME280.Settings())
            for r in readings where r.value != nil {
                #expect(r.value!.isFinite)
            }
        }
        _ = BME280Compensation.pressure(adc_P: 0, t_fine: .min, c)
        _ = BME280Compensation.humidity(adc_H: .max, t_fine: .max, c)
    }
}
