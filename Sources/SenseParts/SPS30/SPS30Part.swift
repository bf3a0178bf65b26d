import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulationRig
import SenseSimulator

/// `driver: sps30` — Sensirion SPS30 particulate matter (docs/drivers/sps30.md); no keys of its own.
struct SPS30Part: I2CPart {
    var name: String { "sps30" }
    var addresses: [UInt8] { [0x69] }
    var addressHint: String { "answers only at 0x69" }
    var minimumInterval: (Duration, String)? { (.seconds(1), "an SPS30 measures once a second") }
    var defaultChannels: [(quantity: String, unit: Unit)] { SPS30Setup().channels }
    var simulatedFaults: Set<SimulationConfig.FaultKind> { SensirionFaults.periodic }

    func decode(_ m: inout MappingReader, interval: Duration, sink: DiagnosticSink) -> (any I2CPartSetup)? { SPS30Setup() }
}

struct SPS30Setup: EmulatedI2CSetup, Hashable {
    var channels: [(quantity: String, unit: Unit)] { SPS30.quantities.map { ($0.quantity, $0.unit) } }

    func driver(bus: any I2CBus, address: UInt8, clock: any SenseClock) -> any PolledSensorDriver {
        SPS30(bus: bus, address: address, clock: clock)
    }

    func emulator(in context: EmulationContext) -> EmulatedDevice {
        SPS30Model(response: OpticalResponse(factor: 1.3, kappa: 0.3)).emulated(in: context)
    }
}
