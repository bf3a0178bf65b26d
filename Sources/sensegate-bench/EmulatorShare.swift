// The simulated board's share of a station's memory (docs/benchmarks.md, "Cost per sensor"): the
// heap that the simulated buses and the chips' register emulators of CONFIG take, built as the
// daemon builds them, per sensor. The daemon's own cost per sensor is the RSS growth less this.
import SenseConfig
import SenseCore
import SenseHardwareLinux
import SenseParts
import SenseSimulationRig
import SenseSimulator

enum EmulatorShare {
    static func run(config path: String) throws {
        let config = try ConfigLoader.load(path, parts: .standard)
        let before = HeapMemory.inUse
        let hardware = SimulatedHardware(clock: SystemClock())
        let rig = SimulationRig(config: config, simulation: config.simulation ?? SimulationConfig(), hardware: hardware)
        let after = HeapMemory.inUse
        let sensors = max(1, config.sensors.count)
        let perSensorTenths = (after - before) * 10 / 1024 / sensors
        print(
            "emulators: \(config.sensors.count) sensors, heap \((after - before) / 1024) KiB, "
                + "\(perSensorTenths / 10).\(perSensorTenths % 10) KiB per sensor")
        withExtendedLifetime(rig) {}
    }
}
