import SenseCore
import SenseDrivers
import SenseHardware
import SenseParts

/// What a chip (or a glitch on its bus) answers → the drivers' pure decoders: a BME280's
/// calibration and data blocks, Sensirion frames with their CRCs and words, an MS5837's PROM
/// and conversions, an ADS1115
/// conversion, an ultrasonic echo's kernel-stamped edges. A sensor may report anything; a bad
/// value is `bad` or out of range, never a trap.
enum SensorFuzzing {
    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        func take(_ n: Int) -> [UInt8] { (0..<n).map { _ in input.byte() } }
        // BME280 / BMP280: 26 + 7 bytes of calibration, 8 of data.
        let calibration = BME280Calibration(block1: take(26), block2: take(7))
        let raw = BME280RawData(take(8))
        for variant in [BME280.Variant.bme280, .bmp280] {
            for reading in BME280.decode(raw, calibration, variant: variant, settings: BME280.Settings()) {
                if let v = reading.value { precondition(v.isFinite, "a non-finite reading passed as good") }
            }
        }
        // Sensirion: a frame of words with CRCs, decoded by each part's decoder.
        let frame = take(3 * Int(input.byte() % 22))  // the link reads whole 3-byte words
        do throws(Sensirion.CRCMismatch) {
            let words = try Sensirion.words(frame)
            // Each decoder takes the number of words its read asks the link for (a precondition).
            func exactly(_ n: Int) -> [UInt16] { Array((words + [UInt16](repeating: 0x8000, count: n)).prefix(n)) }
            _ = SCD30.decode(exactly(6))
            _ = SEN5x.decode(exactly(8))
            _ = SPS30.decode(exactly(20))
            _ = Sensirion.text(words)
            if words.count >= 3 { _ = SCD4x.decode(words[0], words[1], words[2]) }
            if words.count >= 2 {
                _ = SHT4x.decode(temperatureWord: words[0], humidityWord: words[1])
                for r in SHT3x.decode(temperatureWord: words[0], humidityWord: words[1]) {
                    if let v = r.value { precondition(v.isFinite && (r.quantity != "humidity" || (0...100).contains(v))) }
                }
                _ = Sensirion.float(words[0], words[1])
            }
        } catch {
            _ = error  // a CRC mismatch is the drivers' `crc` fault, tested in SenseDriversTests
        }
        // MS5837-30BA: seven PROM words and two 24-bit codes, as a glitching bus may give them.
        let promBytes = take(14)
        let prom = MS5837PROM(words: (0..<7).map { UInt16(promBytes[2 * $0]) << 8 | UInt16(promBytes[2 * $0 + 1]) })!
        _ = prom.crcIsValid
        let codes = take(6)
        let d1 = UInt32(codes[0]) << 16 | UInt32(codes[1]) << 8 | UInt32(codes[2])
        let d2 = UInt32(codes[3]) << 16 | UInt32(codes[4]) << 8 | UInt32(codes[5])
        for reading in MS5837.decode(d1: d1, d2: d2, prom: prom, surfacePressure: 101_325) {
            if let v = reading.value { precondition(v.isFinite, "a non-finite reading passed as good") }
        }
        // ADS1115: a conversion at each range.
        let conversion = UInt16(input.byte()) << 8 | UInt16(input.byte())
        for range in ADS1115.Range.allCases { precondition(ADS1115.volts(raw: conversion, range: range).isFinite) }
        // HC-SR04: edges with kernel timestamps and sequence numbers as the kernel (or a lost event) gives them.
        var edges: [EdgeEvent] = []
        while !input.isEmpty, edges.count < 64 {
            let b = take(9)
            let ns = b[1..<9].reduce(Int64(0)) { $0 << 8 | Int64($1) }
            edges.append(
                EdgeEvent(
                    edge: b[0] & 1 == 0 ? .rising : .falling, timestamp: MonotonicInstant(nanoseconds: ns),
                    sequence: UInt64(b[0] >> 1)))
        }
        _ = EchoPulse.measure(edges, triggeredAt: MonotonicInstant(nanoseconds: 1_000_000_000))
    }
}
