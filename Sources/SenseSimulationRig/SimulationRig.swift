import Logging
import SenseConfig
import SenseCore
import SenseHardware
import SenseSimulator

#if canImport(Glibc)
    import Glibc
#endif

/// The simulated board's world: each configured I2C sensor's emulator (its part's
/// `EmulatedI2CSetup`) on the simulated bus, fed by the atmosphere and the river; contacts that open and close (with bounce) on
/// each digital input; and the configured fault schedule.
package struct SimulationRig: Sendable {
    let hardware: SimulatedHardware
    let world: AtmosphereWorld
    let emulators: [String: any SimulatedFaultTarget]
    let contacts: [(chip: String, offset: Int, sensor: String)]
    let faults: [SimulationConfig.Fault]
    let hydrology: HydrologyRig
    let traffic: TrafficRig

    package init(config: SensegateConfig, simulation: SimulationConfig, hardware: SimulatedHardware) {
        self.hardware = hardware
        let clock = hardware.clock
        world = AtmosphereWorld(
            seed: simulation.seed,
            site: .init(altitude: simulation.altitude, meanTemperature: simulation.meanTemperature))
        let air = ExcursionAir(base: world, excursions: simulation.excursions.map(Self.world), start: clock.wallNow)
        let hydrology = HydrologyRig(config: config, simulation: simulation, hardware: hardware, air: air)
        self.hydrology = hydrology
        traffic = TrafficRig(config: config, simulation: simulation, hardware: hardware)
        var emulators: [String: any SimulatedFaultTarget] = [:]
        var contacts: [(String, Int, String)] = []
        for (i, sensor) in config.sensors.enumerated() {
            if case let .digitalInput(o) = sensor.kind {
                contacts.append((o.line.chip, o.line.offset, sensor.name))
                continue
            }
            guard case let .i2c(part) = sensor.kind, let bus = sensor.bus, let address = sensor.address,
                let emulated = part.setup as? any EmulatedI2CSetup
            else { continue }
            let e = emulated.emulator(in: EmulationContext(sensor: sensor, index: i, air: air, clock: clock, river: hydrology))
            hardware.bus(bus.name).attach(e.device, at: address)
            emulators[sensor.name] = e.faults
        }
        self.emulators = emulators
        self.contacts = contacts
        faults = simulation.faults
    }

    /// Runs the world's active parts until cancelled.
    package func run(clock: any SenseClock, seed: UInt64, logger: Logger) async {
        await withTaskGroup(of: Void.self) { group in
            hydrology.run(clock: clock, group: &group)
            traffic.run(clock: clock, seed: seed, logger: logger, group: &group)
            for (i, fault) in faults.enumerated() {
                guard let target = emulators[fault.sensor] else { continue }
                group.addTask {
                    do {
                        try await clock.sleep(for: fault.after)
                        logger.notice("simulation: injecting \(fault.kind.rawValue) into \(fault.sensor)")
                        if fault.rate < 1 {
                            var bursts = FaultBursts(rate: fault.rate, seed: seed &+ UInt64(i) &* 104_729)
                            try await bursts.run(fault.kind, on: target, for: fault.duration, clock: clock)
                        } else {
                            target.inject(fault.kind)
                            guard let d = fault.duration else { return }
                            try await clock.sleep(for: d)
                        }
                        logger.notice("simulation: clearing \(fault.kind.rawValue) on \(fault.sensor)")
                        target.inject(nil)
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

/// The config's names for the simulated world, in the simulator's types. The names are the same
/// on both sides (`SimulationNamesTests`), so a failed translation is a programmer's error.
extension SimulationRig {
    static func world(_ e: ExcursionSetting) -> Excursion {
        guard let quantity = Excursion.Quantity(rawValue: e.quantity.rawValue) else {
            preconditionFailure("excursion quantity \(e.quantity) has no simulator counterpart")
        }
        return Excursion(quantity: quantity, change: e.change, after: e.after, ramp: e.ramp, hold: e.hold)
    }

    static func world(_ s: RoadScenario) -> RoadWorld.Scenario {
        guard let w = RoadWorld.Scenario(rawValue: s.rawValue) else { preconditionFailure("road scenario \(s) has no simulator counterpart") }
        return w
    }

    static func world(_ s: CatchmentScenario) -> CatchmentWorld.Scenario {
        guard let w = CatchmentWorld.Scenario(rawValue: s.rawValue) else {
            preconditionFailure("catchment scenario \(s) has no simulator counterpart")
        }
        return w
    }
}
