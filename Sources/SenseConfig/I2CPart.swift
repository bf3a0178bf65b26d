import SenseCore
import SenseDrivers
import SenseHardware

/// One I2C part as a configuration names it (`driver: <name>`): where it can answer, how often
/// it has something new, its own keys and what they become. Each part is written once, in its
/// folder under Sources/SenseParts, and listed once in the catalogue there; the loader, the
/// sensor set, Home Assistant discovery and the simulated board all read it from there.
package protocol I2CPart: Sendable {
    /// The `driver:` value.
    var name: String { get }
    /// The addresses the part can answer at …
    var addresses: [UInt8] { get }
    /// … and how one of them is chosen, for the error that names a wrong one.
    var addressHint: String { get }
    /// The address when `address:` is left out; nil when the part has several and the wiring decides.
    var defaultAddress: UInt8? { get }
    /// The shortest useful polling interval, with why: the part makes nothing new faster.
    var minimumInterval: (Duration, String)? { get }
    /// The channels a sensor of this part publishes when its own keys do not decide them.
    var defaultChannels: [(quantity: String, unit: Unit)] { get }
    /// The faults the part's emulator can show on the simulated board.
    var simulatedFaults: Set<SimulationConfig.FaultKind> { get }
    /// Reads the part's own keys of a sensor entry (the loader has read name, driver, bus,
    /// address, interval, publish and channels); errors go to `sink` with file, line and key.
    func decode(_ keys: inout MappingReader, interval: Duration, sink: DiagnosticSink) -> (any I2CPartSetup)?
}

extension I2CPart {
    package var defaultAddress: UInt8? { addresses.count == 1 ? addresses[0] : nil }
    package var minimumInterval: (Duration, String)? { nil }
}

/// What one configured sensor of a part became: its channels, and its driver on a bus.
package protocol I2CPartSetup: Sendable {
    var channels: [(quantity: String, unit: Unit)] { get }
    func driver(bus: any I2CBus, address: UInt8, clock: any SenseClock) -> any PolledSensorDriver
    /// Whether `other` is the same setup (a reload that changes nothing keeps the sensor running).
    func isSame(as other: any I2CPartSetup) -> Bool
}

extension I2CPartSetup where Self: Equatable {
    package func isSame(as other: any I2CPartSetup) -> Bool { (other as? Self) == self }
}

/// An I2C sensor's part and its decoded setup, as `SensorKind.i2c` holds them.
package struct I2CSensorSetup: Sendable, Hashable {
    package let part: any I2CPart
    package let setup: any I2CPartSetup

    package init(part: any I2CPart, setup: any I2CPartSetup) {
        self.part = part
        self.setup = setup
    }

    package static func == (a: Self, b: Self) -> Bool { a.part.name == b.part.name && a.setup.isSame(as: b.setup) }
    package func hash(into h: inout Hasher) { h.combine(part.name) }
}

/// The I2C parts a build knows, by name: `PartCatalogue.standard` (SenseParts) lists them all.
package struct PartCatalogue: Sendable {
    package let parts: [any I2CPart]

    package init(_ parts: [any I2CPart]) {
        var seen: Set<String> = []
        for p in parts { precondition(seen.insert(p.name).inserted, "part '\(p.name)' is registered twice") }
        self.parts = parts
    }

    package func part(named name: String) -> (any I2CPart)? { parts.first { $0.name == name } }
    package var names: [String] { parts.map(\.name) }
}
