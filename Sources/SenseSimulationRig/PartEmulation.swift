import SenseConfig
import SenseCore
import SenseHardware
import SenseSimulator

/// What a part's emulator sees of the simulated world: the air at the board, the river at the
/// sensor, the world's clock, and which sensor of the configuration it stands for.
package struct EmulationContext: Sendable {
    package let sensor: SensorConfig
    /// The sensor's place in the configuration: emulators vary serials and trimmings with it, so
    /// that no test passes on one lucky calibration.
    package let index: Int
    package let air: any AirSource
    package let clock: any SenseClock
    let river: HydrologyRig

    /// The world's value of a hydrological quantity at this sensor (`water_pressure`,
    /// `water_pressure_abs` in Pa, `water_temperature` in °C, `water_depth` in m), or nil for a
    /// quantity the world does not model.
    package func water(_ quantity: String, at wall: WallTime) -> Double? {
        river.analogValue(quantity: quantity, sensor: sensor.name, at: wall, air: air.conditions(at: wall))
    }
}

/// Where the configured fault schedule reaches an emulator: a fault to show, or nil to clear it.
package protocol SimulatedFaultTarget: Sendable {
    func inject(_ fault: SimulationConfig.FaultKind?)
}

/// A part's emulator on the simulated bus, and where its faults go.
package struct EmulatedDevice: Sendable {
    package let device: any I2CDeviceEmulator
    package let faults: any SimulatedFaultTarget

    package init(device: any I2CDeviceEmulator, faults: any SimulatedFaultTarget) {
        self.device = device
        self.faults = faults
    }
}

/// A part's setup that can stand on the simulated board. A part without one is absent from the
/// simulated bus: its sensor's fetches fail as a NACK would on a real board.
package protocol EmulatedI2CSetup: I2CPartSetup {
    func emulator(in context: EmulationContext) -> EmulatedDevice
}
