import SenseConfig
import SenseSimulationRig
import SenseSimulator

/// The configured fault schedule reaching a Sensirion part's emulator.
struct SensirionFaultTarget<Model: SensirionChipModel>: SimulatedFaultTarget {
    let emulator: SensirionEmulator<Model>

    func inject(_ fault: SimulationConfig.FaultKind?) { emulator.inject(fault?.sensirionFault) }
}

extension SensirionChipModel {
    /// The model on the simulated bus, fed by the context's air and clock.
    func emulated(in context: EmulationContext) -> EmulatedDevice {
        let e = SensirionEmulator(self, air: context.air, clock: context.clock)
        return EmulatedDevice(device: e, faults: SensirionFaultTarget(emulator: e))
    }
}

/// The faults every Sensirion emulator shows (the SHT parts measure on command, so they have no
/// data-ready to withhold).
enum SensirionFaults {
    static let onCommand: Set<SimulationConfig.FaultKind> = [.nack, .busError, .stuckBusy, .crc, .notAvailable]
    static let periodic: Set<SimulationConfig.FaultKind> = onCommand.union([.notReady])
}

extension SimulationConfig.FaultKind {
    /// The emulator's own name for the fault, nil for one a Sensirion part cannot show.
    var sensirionFault: SensirionFault? {
        switch self {
        case .nack: .nack
        case .busError: .busError
        case .stuckBusy: .stuckBusy
        case .crc: .corruptCRC
        case .notReady: .neverReady
        case .notAvailable, .skipped: .notAvailable
        case .wrongChipID: nil
        }
    }
}
