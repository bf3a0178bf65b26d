import SenseCore
import SenseHardware

/// The simulated board's devices: buses and chips created on first use and shared thereafter,
/// so the daemon and the world see the same ones.
package final class SimulatedHardware: Hardware {
    package let clock: any SenseClock
    private let state = Locked<(buses: [String: SimulatedI2CBus], chips: [String: SimulatedGPIOChip])>(([:], [:]))

    package init(clock: any SenseClock) { self.clock = clock }

    package func bus(_ name: String) -> SimulatedI2CBus {
        state.withLock { s in
            if let bus = s.buses[name] { return bus }
            let bus = SimulatedI2CBus(name: name)
            s.buses[name] = bus
            return bus
        }
    }

    package func chip(_ name: String) -> SimulatedGPIOChip {
        state.withLock { s in
            if let chip = s.chips[name] { return chip }
            let chip = SimulatedGPIOChip(name: name, clock: clock)
            s.chips[name] = chip
            return chip
        }
    }

    package func i2cBus(named name: String, device: String) throws(I2CError) -> any I2CBus { bus(name) }
    package func gpioChip(named name: String, device: String) throws(GPIOError) -> any GPIOChip { chip(name) }
}
