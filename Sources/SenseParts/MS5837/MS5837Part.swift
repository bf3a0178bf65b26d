import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulationRig
import SenseSimulator

/// `driver: ms5837` — TE MS5837-30BA submersible pressure sensor (docs/drivers/ms5837.md):
/// `oversampling` (256…8192) and `surface_pressure` (Pa), the air pressure the depth is measured
/// from when no barometer is wired (a `stage_absolute` derived channel with one is better).
struct MS5837Part: I2CPart {
    var name: String { "ms5837" }
    var addresses: [UInt8] { [0x76] }
    var addressHint: String { "answers only at 0x76" }
    var defaultChannels: [(quantity: String, unit: Unit)] { MS5837.channels }
    var simulatedFaults: Set<SimulationConfig.FaultKind> { [.nack, .busError, .stuckBusy, .crc, .notReady] }

    func decode(_ m: inout MappingReader, interval: Duration, sink: DiagnosticSink) -> (any I2CPartSetup)? {
        let s = ScalarReader(sink)
        var oversampling = MS5837.Oversampling.osr8192
        if let v = m.node("oversampling"), let n = s.integer(v, m.child("oversampling")) {
            if let known = MS5837.Oversampling(rawValue: n) {
                oversampling = known
            } else {
                sink.error(v.mark, m.child("oversampling"), "the MS5837 oversamples 256, 512, 1024, 2048, 4096 or 8192 times")
            }
        }
        var surface = 101_325.0
        if let v = m.node("surface_pressure"),
            let p = s.number(
                v, m.child("surface_pressure"), in: 50_000...110_000,
                why: "the air pressure over the water, in Pa (50000…110000; 101325 at sea level)")
        {
            surface = p
        }
        return MS5837Setup(oversampling: oversampling, surfacePressure: surface)
    }
}

struct MS5837Setup: EmulatedI2CSetup, Hashable {
    let oversampling: MS5837.Oversampling
    let surfacePressure: Double

    var channels: [(quantity: String, unit: Unit)] { MS5837.channels }

    func driver(bus: any I2CBus, address: UInt8, clock: any SenseClock) -> any PolledSensorDriver {
        MS5837(bus: bus, address: address, oversampling: oversampling, surfacePressure: surfacePressure, clock: clock)
    }

    func emulator(in context: EmulationContext) -> EmulatedDevice {
        let e = MS5837Emulator(surroundings: RiverAtSensor(context: context), clock: context.clock)
        return EmulatedDevice(device: e, faults: MS5837FaultTarget(emulator: e))
    }
}

/// The simulated river at the sensor; out of the water (no river quantity), the air.
struct RiverAtSensor: MS5837Surroundings {
    let context: EmulationContext

    func water(at wall: WallTime) -> (pascal: Double, celsius: Double) {
        let air = context.air.conditions(at: wall)
        return (
            context.water("water_pressure_abs", at: wall) ?? air.pressure,
            context.water("water_temperature", at: wall) ?? air.temperature
        )
    }
}

struct MS5837FaultTarget: SimulatedFaultTarget {
    let emulator: MS5837Emulator

    func inject(_ fault: SimulationConfig.FaultKind?) {
        let mapped: MS5837Emulator.Fault? =
            switch fault {
            case .nack?: .nack
            case .busError?: .busError
            case .stuckBusy?: .stuckBusy
            case .crc?: .corruptPROM
            case .notReady?: .neverReady
            default: nil
            }
        emulator.inject(mapped)
    }
}
