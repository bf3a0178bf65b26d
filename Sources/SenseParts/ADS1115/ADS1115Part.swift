import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulationRig
import SenseSimulator

/// `driver: ads1115` — TI's 16-bit ADC with analog sensors on its inputs (docs/drivers/ads1115.md):
/// `inputs:` lists each input's name, pin, range, rate, unit and transfer function.
struct ADS1115Part: I2CPart {
    var name: String { "ads1115" }
    var addresses: [UInt8] { [0x48, 0x49, 0x4A, 0x4B] }
    var addressHint: String { "answers at 0x48 (ADDR to GND), 0x49 (VDD), 0x4A (SDA) or 0x4B (SCL)" }
    var defaultAddress: UInt8? { 0x48 }
    /// An ADC's channels are its configured inputs.
    var defaultChannels: [(quantity: String, unit: Unit)] { [] }
    var simulatedFaults: Set<SimulationConfig.FaultKind> { [.nack, .busError, .stuckBusy, .notReady] }

    func decode(_ m: inout MappingReader, interval: Duration, sink: DiagnosticSink) -> (any I2CPartSetup)? {
        let s = ScalarReader(sink)
        guard let n = m.required("inputs"), let items = s.list(n, m.child("inputs")) else { return nil }
        guard !items.isEmpty else {
            sink.error(n.mark, m.child("inputs"), "list at least one input")
            return nil
        }
        var inputs: [ADS1115.Channel] = []
        var ok = true
        for (i, item) in items.enumerated() {
            if let c = ADS1115InputDecoding.analogInput(item, path: m.child("inputs[\(i)]"), sink: sink) {
                if inputs.contains(where: { $0.quantity == c.quantity }) {
                    sink.error(item.mark, m.child("inputs[\(i)].name"), "'\(c.quantity)' is listed twice")
                    ok = false
                }
                inputs.append(c)
            } else {
                ok = false
            }
        }
        return ok ? ADS1115Setup(inputs: inputs) : nil
    }
}

package struct ADS1115Setup: EmulatedI2CSetup, Hashable {
    package let inputs: [ADS1115.Channel]

    package var channels: [(quantity: String, unit: Unit)] { inputs.map { ($0.quantity, $0.unit) } }

    package func driver(bus: any I2CBus, address: UInt8, clock: any SenseClock) -> any PolledSensorDriver {
        ADS1115(bus: bus, address: address, inputs: inputs, clock: clock)
    }

    package func emulator(in context: EmulationContext) -> EmulatedDevice {
        let e = ADS1115Emulator(inputs: ADS1115WorldVoltages.voltages(inputs, context: context), clock: context.clock)
        return EmulatedDevice(device: e, faults: ADS1115FaultTarget(emulator: e))
    }
}

struct ADS1115FaultTarget: SimulatedFaultTarget {
    let emulator: ADS1115Emulator

    func inject(_ fault: SimulationConfig.FaultKind?) {
        let mapped: ADS1115Emulator.Fault? =
            switch fault {
            case .nack?: .nack
            case .busError?: .busError
            case .notReady?, .stuckBusy?: .neverReady
            default: nil
            }
        emulator.inject(mapped)
    }
}
