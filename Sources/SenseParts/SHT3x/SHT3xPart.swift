import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulationRig
import SenseSimulator

/// `driver: sht3x` — Sensirion SHT30/31/35 (docs/drivers/sht3x.md): `repeatability: high | medium
/// | low`, `mode: single_shot | periodic` and, when periodic, `rate` (0.5, 1, 2, 4 or 10 per second).
struct SHT3xPart: I2CPart {
    var name: String { "sht3x" }
    var addresses: [UInt8] { [0x44, 0x45] }
    var addressHint: String { "answers at 0x44 (ADDR to VSS) or 0x45 (ADDR to VDD)" }
    var defaultAddress: UInt8? { 0x44 }
    var defaultChannels: [(quantity: String, unit: Unit)] { SHT3x.channels }
    var simulatedFaults: Set<SimulationConfig.FaultKind> { [.nack, .busError, .stuckBusy, .crc, .notReady] }

    enum ModeName: String, CaseIterable {
        case singleShot = "single_shot"
        case periodic
    }

    func decode(_ m: inout MappingReader, interval: Duration, sink: DiagnosticSink) -> (any I2CPartSetup)? {
        let s = ScalarReader(sink)
        var repeatability = SHT3x.Repeatability.high
        if let v = m.node("repeatability"), let r = s.choice(v, m.child("repeatability"), SHT3x.Repeatability.allCases) {
            repeatability = r
        }
        let modeName = m.node("mode").flatMap { s.choice($0, m.child("mode"), ModeName.allCases) } ?? .singleShot
        let rates = SHT3x.Rate.allCases.map { $0.rawValue.formatted }.joined(separator: ", ")
        var mode = SHT3x.Mode.singleShot
        switch (modeName, m.node("rate")) {
        case let (.singleShot, r?):
            sink.error(r.mark, m.child("rate"), "a rate is for mode: periodic; single shot measures at each poll")
        case (.singleShot, nil):
            break
        case (.periodic, nil):
            sink.error(m.keyMark("mode"), m.child("rate"), "periodic mode needs a rate: \(rates) measurements per second")
        case let (.periodic, r?):
            guard let x = s.number(r, m.child("rate")) else { break }
            guard let rate = SHT3x.Rate(rawValue: x) else {
                sink.error(r.mark, m.child("rate"), "the SHT3x measures \(rates) times per second")
                break
            }
            // Each fetch waits for a measurement not read before: polling faster only waits.
            if interval < rate.period {
                sink.error(
                    m.keyMark("interval"), m.child("interval"),
                    "polling every \(interval.configText) is faster than the part "
                        + "measures at \(rate.rawValue.formatted) per second: poll every \(rate.period.configText) or more, or raise the rate")
            }
            mode = .periodic(rate)
        }
        return SHT3xSetup(repeatability: repeatability, mode: mode)
    }
}

struct SHT3xSetup: EmulatedI2CSetup, Hashable {
    let repeatability: SHT3x.Repeatability
    let mode: SHT3x.Mode

    var channels: [(quantity: String, unit: Unit)] { SHT3x.channels }

    func driver(bus: any I2CBus, address: UInt8, clock: any SenseClock) -> any PolledSensorDriver {
        SHT3x(bus: bus, address: address, repeatability: repeatability, mode: mode, clock: clock)
    }

    func emulator(in context: EmulationContext) -> EmulatedDevice { SHT3xModel().emulated(in: context) }
}

extension Double {
    /// 0.5 → "0.5", 10 → "10" (for the part's own rates, never for an outside number).
    fileprivate var formatted: String { Int(exactly: self).map { String($0) } ?? String(self) }
}
