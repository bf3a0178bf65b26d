import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulationRig
import SenseSimulator

/// `driver: bme280 | bmp280` — Bosch's T/P(/RH) part in forced mode (docs/configuration.md):
/// `oversampling: {temperature, pressure, humidity}` (0 skip, 1…16) and `filter` (IIR, 0 off).
struct BME280Part: I2CPart {
    let variant: BME280.Variant

    var name: String { variant.rawValue }
    var addresses: [UInt8] { [0x76, 0x77] }
    var addressHint: String { "answers only at 0x76 (SDO to GND) or 0x77 (SDO to VDDIO)" }
    var defaultAddress: UInt8? { nil }
    var defaultChannels: [(quantity: String, unit: Unit)] { BME280.channels(variant) }
    var simulatedFaults: Set<SimulationConfig.FaultKind> { [.nack, .busError, .stuckBusy, .wrongChipID, .skipped] }

    func decode(_ m: inout MappingReader, interval: Duration, sink: DiagnosticSink) -> (any I2CPartSetup)? {
        let s = ScalarReader(sink)
        var settings = BME280.Settings()
        if let o = m.node("oversampling"), var om = MappingReader(o, path: m.child("oversampling"), sink: sink) {
            func factor(_ key: String, _ current: BME280.Oversampling) -> BME280.Oversampling {
                guard let v = om.node(key), let f = s.integer(v, om.child(key)) else { return current }
                guard let known = BME280.Oversampling(rawValue: f) else {
                    sink.error(v.mark, om.child(key), "oversampling must be 0 (skip), 1, 2, 4, 8 or 16")
                    return current
                }
                return known
            }
            settings.temperature = factor("temperature", settings.temperature)
            settings.pressure = factor("pressure", settings.pressure)
            if variant == .bme280 {
                settings.humidity = factor("humidity", settings.humidity)
            }
            if settings.temperature == .skipped {
                sink.error(o.mark, om.child("temperature"), "temperature cannot be skipped: pressure and humidity compensation need it")
            }
            om.finish()
        }
        if let f = m.node("filter"), let v = s.integer(f, m.child("filter")) {
            if let known = BME280.Filter(rawValue: v) {
                settings.filter = known
            } else {
                sink.error(f.mark, m.child("filter"), "IIR filter coefficient must be 0 (off), 2, 4, 8 or 16")
            }
        }
        return BME280Setup(variant: variant, settings: settings)
    }
}

struct BME280Setup: EmulatedI2CSetup, Hashable {
    let variant: BME280.Variant
    let settings: BME280.Settings

    var channels: [(quantity: String, unit: Unit)] { BME280.channels(variant) }

    func driver(bus: any I2CBus, address: UInt8, clock: any SenseClock) -> any PolledSensorDriver {
        BME280(bus: bus, address: address, variant: variant, settings: settings, clock: clock)
    }

    func emulator(in context: EmulationContext) -> EmulatedDevice {
        // Alternate two trimmings so that no test passes on one lucky calibration.
        let e = BME280Emulator(
            calibration: context.index % 2 == 0 ? .datasheetExample : .secondPart,
            chipID: variant == .bmp280 ? 0x58 : 0x60, air: context.air, clock: context.clock)
        return EmulatedDevice(device: e, faults: BME280FaultTarget(emulator: e))
    }
}

struct BME280FaultTarget: SimulatedFaultTarget {
    let emulator: BME280Emulator

    func inject(_ fault: SimulationConfig.FaultKind?) { emulator.inject(fault?.emulatorFault) }
}

extension SimulationConfig.FaultKind {
    /// The emulator's own name for the fault, nil for one a BME280 cannot show.
    var emulatorFault: BME280Emulator.Fault? {
        switch self {
        case .nack: .nack
        case .busError: .busError
        case .stuckBusy: .stuckBusy
        case .wrongChipID: .wrongChipID(0x58)
        case .skipped: .skippedMeasurement
        case .crc, .notReady, .notAvailable: nil
        }
    }
}
