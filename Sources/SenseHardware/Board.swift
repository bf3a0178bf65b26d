/// A board file: the names operators use, mapped to devices, chips and lines.
package struct Board: Sendable, Hashable {
    package struct Line: Sendable, Hashable {
        /// The chip's board name, e.g. `gpiochip0`.
        package var chip: String
        package var offset: Int
        /// Physical header pin, when the line is on the header.
        package var pin: Int?
        package init(chip: String, offset: Int, pin: Int?) {
            self.chip = chip
            self.offset = offset
            self.pin = pin
        }
    }

    package var name: String
    package var description: String
    /// True for the simulated board: devices are emulated, not opened.
    package var simulated: Bool
    /// `i2c-1` → `/dev/i2c-1`
    package var i2cBuses: [String: String]
    /// `gpiochip0` → `/dev/gpiochip0`
    package var gpioChips: [String: String]
    /// `GPIO17` → chip and offset; header pins are reachable as `pin11` too.
    package var gpioLines: [String: Line]
    /// The lines each bus takes while it is in use: `i2c-1` → `[sda: GPIO2, scl: GPIO3]`.
    package var busPins: [String: [String: Line]]
    /// How a bus the kernel does not create by default is turned on: `i2c-3` →
    /// `dtoverlay=i2c3,pins_4_5` (a line of the board's config.txt).
    package var busEnable: [String: String]
    private let byHeaderPin: [Int: Line]

    package init(
        name: String, description: String, simulated: Bool, i2cBuses: [String: String],
        gpioChips: [String: String], gpioLines: [String: Line], busPins: [String: [String: Line]] = [:],
        busEnable: [String: String] = [:]
    ) {
        self.name = name
        self.description = description
        self.simulated = simulated
        self.i2cBuses = i2cBuses
        self.gpioChips = gpioChips
        self.gpioLines = gpioLines
        self.busPins = busPins
        self.busEnable = busEnable
        var byHeaderPin: [Int: Line] = [:]
        for (_, line) in gpioLines.sorted(by: { $0.key < $1.key }) {
            if let pin = line.pin, byHeaderPin[pin] == nil { byHeaderPin[pin] = line }
        }
        self.byHeaderPin = byHeaderPin
    }

    /// Resolves `GPIO17`, `pin11` or `11` (a header pin) to a line.
    package func line(named name: String) -> Line? {
        if let line = gpioLines[name] { return line }
        let pinNumber: Int? = if name.hasPrefix("pin") { Int(name.dropFirst(3)) } else { Int(name) }
        return pinNumber.flatMap { byHeaderPin[$0] }
    }

    /// The lines `buses` take, each with its bus and role (`GPIO2` → `i2c-1`, `sda`).
    package func lines(takenBy buses: Set<String>) -> [Line: (bus: String, role: String)] {
        var taken: [Line: (bus: String, role: String)] = [:]
        for bus in buses.sorted() {
            for (role, line) in (busPins[bus] ?? [:]).sorted(by: { $0.key < $1.key }) where taken[line] == nil { taken[line] = (bus, role) }
        }
        return taken
    }
}

/// Opens the devices a board names. The Linux implementation opens device files; the
/// simulator returns emulated buses and chips.
package protocol Hardware: Sendable {
    func i2cBus(named name: String, device: String) throws(I2CError) -> any I2CBus
    func gpioChip(named name: String, device: String) throws(GPIOError) -> any GPIOChip
}
