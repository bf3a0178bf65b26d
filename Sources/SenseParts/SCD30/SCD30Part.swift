import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulationRig
import SenseSimulator

/// `driver: scd30` — Sensirion SCD30 CO2 (docs/drivers/scd30.md): `measurement_interval`
/// (2…1800 whole seconds), `ambient_pressure` (700…1400 mbar, 0: use altitude) and `altitude`.
struct SCD30Part: I2CPart {
    var name: String { "scd30" }
    var addresses: [UInt8] { [0x61] }
    var addressHint: String { "answers only at 0x61" }
    var defaultChannels: [(quantity: String, unit: Unit)] { SCD30.channels }
    var simulatedFaults: Set<SimulationConfig.FaultKind> { SensirionFaults.periodic }

    func decode(_ m: inout MappingReader, interval: Duration, sink: DiagnosticSink) -> (any I2CPartSetup)? {
        let s = ScalarReader(sink)
        var settings = SCD30.Settings()
        if let v = m.node("measurement_interval"),
            let d = s.duration(
                v, m.child("measurement_interval"), in: .seconds(2)...(.seconds(1800)),
                why: "the SCD30 measures every 2…1800 whole seconds")
        {
            let secs = Int(d.components.seconds)
            if d == .seconds(secs) {
                settings.measurementInterval = secs
            } else {
                sink.error(v.mark, m.child("measurement_interval"), "the SCD30 measures every 2…1800 whole seconds")
            }
        }
        if .seconds(settings.measurementInterval) > interval {
            sink.error(
                m.mark, m.child("interval"),
                "polling every \(interval.configText) is faster than the SCD30's measurement_interval "
                    + "(\(settings.measurementInterval) s): readings would repeat")
        }
        if let v = m.node("ambient_pressure"), let p = s.integer(v, m.child("ambient_pressure")) {
            if p == 0 || (700...1400).contains(p) {
                settings.ambientPressure = p
            } else {
                sink.error(v.mark, m.child("ambient_pressure"), "must be 700…1400 mbar (0: use altitude)")
            }
        }
        if let v = m.node("altitude"), let a = s.integer(v, m.child("altitude")) {
            if (0...3000).contains(a) {
                settings.altitude = a
            } else {
                sink.error(v.mark, m.child("altitude"), "must be 0…3000 m")
            }
        }
        return SCD30Setup(settings: settings)
    }
}

struct SCD30Setup: EmulatedI2CSetup, Hashable {
    let settings: SCD30.Settings

    var channels: [(quantity: String, unit: Unit)] { SCD30.channels }

    func driver(bus: any I2CBus, address: UInt8, clock: any SenseClock) -> any PolledSensorDriver {
        SCD30(bus: bus, address: address, settings: settings, clock: clock)
    }

    func emulator(in context: EmulationContext) -> EmulatedDevice { SCD30Model().emulated(in: context) }
}
