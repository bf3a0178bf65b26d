import SenseCore
import SenseDrivers
import SenseHardware

/// Bosch BME280 (T, P, RH) and BMP280 (T, P) over I2C in forced mode: one measurement per fetch,
/// the datasheet's maximum conversion time waited on the injected clock, the eight data bytes
/// read in one burst, integer compensation, and each channel checked against the chip's range.
/// The measurement is staged: the start (ctrl_hum, ctrl_meas), then the status and data reads.
package struct BME280: PolledSensorDriver {
    package enum Variant: String, Sendable, Hashable {
        case bme280
        case bmp280

        var chipID: UInt8 { self == .bme280 ? BME280Registers.bme280ID : BME280Registers.bmp280ID }
    }

    package enum Oversampling: Int, Sendable, Hashable, CaseIterable {
        case skipped = 0, x1 = 1, x2 = 2, x4 = 4, x8 = 8, x16 = 16

        var code: UInt8 {
            switch self {
            case .skipped: 0
            case .x1: 1
            case .x2: 2
            case .x4: 3
            case .x8: 4
            case .x16: 5
            }
        }
    }

    /// IIR filter coefficient (datasheet §3.4.4); 0 = off.
    package enum Filter: Int, Sendable, Hashable, CaseIterable {
        case off = 0, x2 = 2, x4 = 4, x8 = 8, x16 = 16

        var code: UInt8 {
            switch self {
            case .off: 0
            case .x2: 1
            case .x4: 2
            case .x8: 3
            case .x16: 4
            }
        }
    }

    package struct Settings: Sendable, Hashable {
        package var temperature: Oversampling
        package var pressure: Oversampling
        package var humidity: Oversampling
        package var filter: Filter

        /// Bosch's "weather monitoring" recommendation is ×1 everywhere, filter off; ×2/×16/×1
        /// is its "indoor navigation" setting. Defaults favour resolution at 1 Hz or slower.
        package init(
            temperature: Oversampling = .x2, pressure: Oversampling = .x16,
            humidity: Oversampling = .x1, filter: Filter = .off
        ) {
            self.temperature = temperature
            self.pressure = pressure
            self.humidity = humidity
            self.filter = filter
        }

        package var maxMeasurementTime: Duration {
            .microseconds(
                BME280Compensation.maxMeasurementMicros(
                    osrT: temperature.rawValue, osrP: pressure.rawValue, osrH: humidity.rawValue))
        }
    }

    /// Physical output range of the part (datasheet §1): outside it a value is rejected, not clamped.
    package static let temperatureRange = -40.0...85.0
    package static let pressureRange = 30_000.0...110_000.0

    package let bus: any I2CBus
    package let address: UInt8
    package let variant: Variant
    package let settings: Settings
    private let clock: any SenseClock
    package private(set) var calibration: BME280Calibration?
    /// Status reads of the measurement in progress that found the part still measuring.
    private var busyReads = 0

    package init(
        bus: any I2CBus, address: UInt8, variant: Variant = .bme280, settings: Settings = Settings(),
        clock: any SenseClock
    ) {
        self.bus = bus
        self.address = address
        self.variant = variant
        self.settings = settings
        self.clock = clock
    }

    package var channels: [(quantity: String, unit: Unit)] { Self.channels(variant) }

    /// What every fetch of a variant returns; the catalogue entry publishes the same list.
    package static func channels(_ variant: Variant) -> [(quantity: String, unit: Unit)] {
        let tp: [(quantity: String, unit: Unit)] = [("temperature", .celsius), ("pressure", .pascal)]
        return variant == .bme280 ? tp + [("humidity", .relativeHumidity)] : tp
    }

    /// Probes the chip id, soft-resets, waits for the NVM copy, reads the calibration once and
    /// writes the filter setting.
    package mutating func initialize() async throws(SensorFault) {
        calibration = nil
        let id = try io { () throws(I2CError) in try bus.readRegister(address, BME280Registers.chipID) }
        guard id == variant.chipID else {
            throw SensorFault(
                .wrongDevice,
                "\(bus.name) \(hex(address)): chip id \(hex(id)), expected "
                    + "\(hex(variant.chipID)) for \(variant.rawValue)" + Self.identify(id))
        }
        try io { () throws(I2CError) in
            try bus.writeRegister(address, BME280Registers.reset, BME280Registers.softResetCommand)
        }
        // Start-up time after reset is 2 ms; the NVM copy bit (status bit 0) must then be clear.
        var copying = true
        for _ in 0..<10 where copying {
            try await pause(.milliseconds(2))
            let status = try io { () throws(I2CError) in try bus.readRegister(address, BME280Registers.status) }
            copying = status & 0x01 != 0
        }
        guard !copying else { throw SensorFault(.timeout, "\(bus.name) \(hex(address)): NVM copy never finished") }
        let block1 = try io { () throws(I2CError) in
            try bus.readRegisters(address, start: BME280Registers.calibration1, count: 26)
        }
        let block2: [UInt8]? =
            variant == .bme280
            ? try io { () throws(I2CError) in try bus.readRegisters(address, start: BME280Registers.calibration2, count: 7) }
            : nil
        try io { () throws(I2CError) in
            try bus.writeRegister(address, BME280Registers.config, settings.filter.code << 2)
        }
        calibration = BME280Calibration(block1: block1, block2: block2)
    }

    package mutating func fetch() async throws(SensorFault) -> [ChannelReading] { try await measureInStages(clock) }

    /// Writes the oversampling and forced mode; the part then converts for at most the
    /// datasheet's maximum measurement time.
    package mutating func startMeasurement() throws(SensorFault) -> Duration? {
        guard calibration != nil else { throw SensorFault(.io, "\(bus.name) \(hex(address)): not initialized") }
        let s = settings
        let ctrlMeas = s.temperature.code << 5 | s.pressure.code << 2 | 0x01  // forced mode
        try io { () throws(I2CError) in
            if variant == .bme280 { try bus.writeRegister(address, BME280Registers.ctrlHum, s.humidity.code) }
            try bus.writeRegister(address, BME280Registers.ctrlMeas, ctrlMeas)
        }
        busyReads = 0
        return s.maxMeasurementTime
    }

    /// The maximum time has passed: a set "measuring" bit gets two more quarter-time waits, then
    /// means the part is stuck.
    package mutating func continueMeasurement() throws(SensorFault) -> MeasurementStep {
        guard let calibration else { throw SensorFault(.io, "\(bus.name) \(hex(address)): not initialized") }
        let s = settings
        let status = try io { () throws(I2CError) in try bus.readRegister(address, BME280Registers.status) }
        if status & 0x08 != 0 {
            busyReads += 1
            guard busyReads >= 3 else { return .wait(s.maxMeasurementTime / 4) }
            throw SensorFault(
                .timeout,
                "\(bus.name) \(hex(address)): still measuring after "
                    + "\(Double(s.maxMeasurementTime.nanoseconds) / 1e6 * 1.5) ms (status bit 3 stuck)")
        }
        let raw = BME280RawData(
            try io { () throws(I2CError) in
                try bus.readRegisters(address, start: BME280Registers.data, count: 8)
            })
        return .readings(Self.decode(raw, calibration, variant: variant, settings: s))
    }

    /// Compensates one data block and judges each channel.
    package static func decode(
        _ raw: BME280RawData, _ c: BME280Calibration, variant: Variant,
        settings: Settings
    ) -> [ChannelReading] {
        var out: [ChannelReading] = []
        guard settings.temperature != .skipped, raw.adc_T != BME280RawData.skippedPT else {
            // Without temperature there is no t_fine, so nothing can be compensated.
            out = [.bad("temperature", .celsius, .noData), .bad("pressure", .pascal, .noData)]
            if variant == .bme280 { out.append(.bad("humidity", .relativeHumidity, .noData)) }
            return out
        }
        let (centi, tFine) = BME280Compensation.temperature(adc_T: raw.adc_T, c)
        let t = Double(centi) / 100
        out.append(
            temperatureRange.contains(t)
                ? .good("temperature", t, .celsius)
                : .bad("temperature", .celsius, .outOfRange))
        if settings.pressure == .skipped || raw.adc_P == BME280RawData.skippedPT {
            out.append(.bad("pressure", .pascal, .noData))
        } else if let q = BME280Compensation.pressure(adc_P: raw.adc_P, t_fine: tFine, c) {
            let p = Double(q) / 256
            out.append(pressureRange.contains(p) ? .good("pressure", p, .pascal) : .bad("pressure", .pascal, .outOfRange))
        } else {
            out.append(.bad("pressure", .pascal, .noData))
        }
        if variant == .bme280 {
            if settings.humidity == .skipped || raw.adc_H == BME280RawData.skippedH {
                out.append(.bad("humidity", .relativeHumidity, .noData))
            } else {
                let h = Double(BME280Compensation.humidity(adc_H: raw.adc_H, t_fine: tFine, c)) / 1024
                out.append(.good("humidity", h, .relativeHumidity))
            }
        }
        return out
    }

    private func io<T>(_ body: () throws(I2CError) -> T) throws(SensorFault) -> T { try onBus(body) }

    private func pause(_ d: Duration) async throws(SensorFault) { try await wait(clock, d) }

    private static func identify(_ id: UInt8) -> String {
        switch id {
        case BME280Registers.bme280ID: " (a BME280 is fitted: use driver bme280)"
        case BME280Registers.bmp280ID: " (a BMP280 is fitted: it has no humidity; use driver bmp280)"
        case 0x55: " (a BMP180 is fitted: not supported)"
        case 0x61: " (a BME680 is fitted: not supported yet)"
        default: ""
        }
    }
}
