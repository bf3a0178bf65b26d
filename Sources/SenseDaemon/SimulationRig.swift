import Logging
import SenseConfig
import SenseCore
import SenseHardware
import SenseSimulator
#if canImport(Glibc)
import Glibc
#endif

/// The simulated board's world: a BME280/BMP280 emulator on the simulated bus for each configured
/// I2C sensor, fed by the atmosphere; contacts that open and close (with bounce) on each digital
/// input; and the configured fault schedule.
struct SimulationRig: Sendable {
    let hardware: SimulatedHardware
    let world: AtmosphereWorld
    let emulators: [String: BME280Emulator]
    let contacts: [(chip: String, offset: Int, sensor: String)]
    let faults: [SimulationConfig.Fault]

    init(config: SensegateConfig, simulation: SimulationConfig, hardware: SimulatedHardware) {
        self.hardware = hardware
        let clock = hardware.clock
        world = AtmosphereWorld(seed: simulation.seed,
                                site: .init(altitude: simulation.altitude, meanTemperature: simulation.meanTemperature))
        let air = ExcursionAir(base: world, excursions: simulation.excursions, start: clock.wallNow)
        var emulators: [String: BME280Emulator] = [:]
        var contacts: [(String, Int, String)] = []
        for (i, sensor) in config.sensors.enumerated() {
            switch sensor.kind {
            case .bme280, .bmp280:
                guard let bus = sensor.bus, let address = sensor.address else { continue }
                let isBMP = sensor.kind.driverName == "bmp280"
                // Alternate two trimmings so that no test passes on one lucky calibration.
                let e = BME280Emulator(calibration: i % 2 == 0 ? .datasheetExample : .secondPart,
                                       chipID: isBMP ? 0x58 : 0x60, air: air, clock: clock)
                hardware.bus(bus.name).attach(e, at: address)
                emulators[sensor.name] = e
            case let .digitalInput(o):
                contacts.append((o.line.chip, o.line.offset, sensor.name))
            }
        }
        self.emulators = emulators
        self.contacts = contacts
        faults = simulation.faults
    }

    /// Runs the world's active parts until cancelled.
    func run(clock: any SenseClock, seed: UInt64, logger: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            for fault in faults {
                guard let emulator = emulators[fault.sensor] else { continue }
                group.addTask {
                    do {
                        try await clock.sleep(for: fault.after)
                        logger.notice("simulation: injecting \(fault.kind.rawValue) into \(fault.sensor)")
                        emulator.inject(fault.kind.emulatorFault)
                        guard let d = fault.duration else { return }
                        try await clock.sleep(for: d)
                        logger.notice("simulation: clearing \(fault.kind.rawValue) on \(fault.sensor)")
                        emulator.inject(nil)
                    } catch {}
                }
            }
            for (i, contact) in contacts.enumerated() {
                let chip = hardware.chip(contact.chip)
                group.addTask {
                    var rng = SplitMix64(seed: seed &+ UInt64(i) &* 7919)
                    var closed = false
                    while !Task.isCancelled {
                        // Exponential dwell, mean 45 s, then a change with 2 ms of contact bounce.
                        let dwell = -45 * log(max(1e-9, 1 - rng.unit()))
                        do {
                            try await clock.sleep(for: .milliseconds(Int64(dwell * 1000) + 50))
                            closed.toggle()
                            for _ in 0..<3 {
                                chip.drive(contact.offset, high: !closed)
                                try await clock.sleep(for: .microseconds(300))
                                chip.drive(contact.offset, high: closed)
                                try await clock.sleep(for: .microseconds(400))
                            }
                        } catch {
                            return
                        }
                    }
                }
            }
        }
    }
}

extension SimulationConfig.FaultKind {
    var emulatorFault: BME280Emulator.Fault {
        switch self {
        case .nack: .nack
        case .busError: .busError
        case .stuckBusy: .stuckBusy
        case .wrongChipID: .wrongChipID(0x58)
        case .skipped: .skippedMeasurement
        }
    }
}
