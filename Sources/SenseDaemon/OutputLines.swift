import SenseConfig
import SenseHardware

/// The GPIO lines the actuators drive, requested once and set by the `OutputExecutor` on the
/// reflex path, outside the engine's lock (a line set is a single ioctl).
package final class OutputLines: Sendable {
    private struct Line: Sendable {
        var output: any GPIOOutput
        var activeLow: Bool
        var pin: String
    }

    private let lines: [String: Line]

    /// Requests every actuator's line at `level(name)` (logical: on/off), so nothing glitches.
    package init(
        _ actuators: [ActuatorDefinition], board: Board, hardware: any Hardware,
        level: (String) -> Bool
    ) throws(UnavailableResource) {
        var lines: [String: Line] = [:]
        var chips: [String: any GPIOChip] = [:]
        for a in actuators {
            do throws(GPIOError) {
                let chip: any GPIOChip
                if let c = chips[a.line.chip] {
                    chip = c
                } else {
                    chip = try hardware.gpioChip(named: a.line.chip, device: board.gpioChips[a.line.chip] ?? "")
                    chips[a.line.chip] = chip
                }
                let physical = level(a.name) != a.activeLow
                let output = try chip.requestOutput(offset: a.line.offset, initial: physical, consumer: "sensegate:\(a.name)")
                lines[a.name] = Line(output: output, activeLow: a.activeLow, pin: a.pinName)
            } catch {
                for l in lines.values { l.output.release() }
                throw UnavailableResource(description: "actuator \(a.name) on \(a.pinName): \(error)")
            }
        }
        self.lines = lines
    }

    /// Sets an actuator's line to its logical level.
    func drive(_ name: String, on: Bool) throws(GPIOError) {
        guard let l = lines[name] else { return }
        try l.output.set(on != l.activeLow)
    }

    /// The physical level last set (true = high) and the pin's name.
    func line(_ name: String) -> (pin: String, high: Bool)? {
        lines[name].map { ($0.pin, $0.output.level) }
    }

    /// Every actuator's pin and physical level.
    func all() -> [String: (pin: String, high: Bool)] { lines.mapValues { ($0.pin, $0.output.level) } }

    func release() { for l in lines.values { l.output.release() } }
}
