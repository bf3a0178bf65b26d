import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulationRig
import SenseSimulator

/// `driver: sht4x` — Sensirion SHT40/41/45 (docs/drivers/sht4x.md): `precision: high | medium | low`.
struct SHT4xPart: I2CPart {
    var name: String { "sht4x" }
    var addresses: [UInt8] { [0x44, 0x45, 0x46] }
    var addressHint: String { "answers at 0x44 (SHT4x-A), 0x45 (-B) or 0x46 (-C), fixed by the part number" }
    var defaultAddress: UInt8? { 0x44 }
    var defaultChannels: [(quantity: String, unit: Unit)] { SHT4x.channels }
    var simulatedFaults: Set<SimulationConfig.FaultKind> { SensirionFaults.onCommand }

    func decode(_ m: inout MappingReader, interval: Duration, sink: DiagnosticSink) -> (any I2CPartSetup)? {
        let s = ScalarReader(sink)
        var precision = SHT4x.Precision.high
        if let p = m.node("precision"), let v = s.choice(p, m.child("precision"), SHT4x.Precision.allCases) { precision = v }
        return SHT4xSetup(precision: precision)
    }
}

struct SHT4xSetup: EmulatedI2CSetup, Hashable {
    let precision: SHT4x.Precision

    var channels: [(quantity: String, unit: Unit)] { SHT4x.channels }

    func driver(bus: any I2CBus, address: UInt8, clock: any SenseClock) -> any PolledSensorDriver {
        SHT4x(bus: bus, address: address, precision: precision, clock: clock)
    }

    func emulator(in context: EmulationContext) -> EmulatedDevice {
        SHT4xModel(serial: 0x0F41_0000 + UInt32(truncatingIfNeeded: context.index)).emulated(in: context)
    }
}
