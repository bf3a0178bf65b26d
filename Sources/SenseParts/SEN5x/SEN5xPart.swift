import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulationRig
import SenseSimulator

/// `driver: sen5x` — Sensirion SEN50/54/55 environmental node (docs/drivers/sen5x.md); no keys of its own.
struct SEN5xPart: I2CPart {
    var name: String { "sen5x" }
    var addresses: [UInt8] { [0x69] }
    var addressHint: String { "answers only at 0x69" }
    var minimumInterval: (Duration, String)? { (.seconds(1), "a SEN5x measures once a second") }
    var defaultChannels: [(quantity: String, unit: Unit)] { SEN5xSetup().channels }
    var simulatedFaults: Set<SimulationConfig.FaultKind> { SensirionFaults.periodic }

    func decode(_ m: inout MappingReader, interval: Duration, sink: DiagnosticSink) -> (any I2CPartSetup)? { SEN5xSetup() }
}

struct SEN5xSetup: EmulatedI2CSetup, Hashable {
    var channels: [(quantity: String, unit: Unit)] { SEN5x.quantities.map { ($0.quantity, $0.unit) } }

    func driver(bus: any I2CBus, address: UInt8, clock: any SenseClock) -> any PolledSensorDriver {
        SEN5x(bus: bus, address: address, clock: clock)
    }

    func emulator(in context: EmulationContext) -> EmulatedDevice {
        SEN5xModel(response: OpticalResponse(factor: 1.2, kappa: 0.25)).emulated(in: context)
    }
}
