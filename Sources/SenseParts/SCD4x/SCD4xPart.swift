import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulationRig
import SenseSimulator

/// `driver: scd4x` — Sensirion SCD40/41 CO2 (docs/drivers/scd4x.md): `low_power`, `altitude`
/// (0…3000 m) and `temperature_offset` (0…20 °C).
struct SCD4xPart: I2CPart {
    var name: String { "scd4x" }
    var addresses: [UInt8] { [0x62] }
    var addressHint: String { "answers only at 0x62" }
    var minimumInterval: (Duration, String)? { (.seconds(5), "an SCD4x measures every 5 s (30 s in low-power mode)") }
    var defaultChannels: [(quantity: String, unit: Unit)] { SCD4x.channels }
    var simulatedFaults: Set<SimulationConfig.FaultKind> { SensirionFaults.periodic }

    func decode(_ m: inout MappingReader, interval: Duration, sink: DiagnosticSink) -> (any I2CPartSetup)? {
        let s = ScalarReader(sink)
        var settings = SCD4x.Settings()
        if let v = m.node("low_power"), let b = s.bool(v, m.child("low_power")) {
            settings.lowPower = b
            if b, interval < .seconds(30) {
                sink.error(v.mark, m.child("low_power"), "low-power mode measures every 30 s: set interval to 30s or more")
            }
        }
        if let v = m.node("altitude"), let a = s.integer(v, m.child("altitude")) {
            if (0...3000).contains(a) {
                settings.altitude = a
            } else {
                sink.error(v.mark, m.child("altitude"), "the SCD4x accepts 0…3000 m")
            }
        }
        if let v = m.node("temperature_offset"), let t = s.number(v, m.child("temperature_offset")) {
            if (0...20).contains(t) {
                settings.temperatureOffset = t
            } else {
                sink.error(v.mark, m.child("temperature_offset"), "must be 0…20 °C (the part's self-heating in its enclosure)")
            }
        }
        return SCD4xSetup(settings: settings)
    }
}

struct SCD4xSetup: EmulatedI2CSetup, Hashable {
    let settings: SCD4x.Settings

    var channels: [(quantity: String, unit: Unit)] { SCD4x.channels }

    func driver(bus: any I2CBus, address: UInt8, clock: any SenseClock) -> any PolledSensorDriver {
        SCD4x(bus: bus, address: address, settings: settings, clock: clock)
    }

    func emulator(in context: EmulationContext) -> EmulatedDevice { SCD4xModel().emulated(in: context) }
}
