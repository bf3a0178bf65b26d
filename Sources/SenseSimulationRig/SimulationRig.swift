import Logging
import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseSimulator
#if canImport(Glibc)
import Glibc
#endif

/// The simulated board's world: an emulator on the simulated bus for each configured I2C sensor
/// (BME280/BMP280, the Sensirion parts, the ADS1115 with the voltages its inputs' transfers give
/// for the world's values), fed by the atmosphere; contacts that open and close (with bounce) on
/// each digital input; and the configured fault schedule.
package struct SimulationRig: Sendable {
    typealias Injector = @Sendable (SimulationConfig.FaultKind?) -> Void

    let hardware: SimulatedHardware
    let world: AtmosphereWorld
    let emulators: [String: Injector]
    let contacts: [(chip: String, offset: Int, sensor: String)]
    let faults: [SimulationConfig.Fault]
    let hydrology: HydrologyRig
    let traffic: TrafficRig

    package init(config: SensegateConfig, simulation: SimulationConfig, hardware: SimulatedHardware) {
        self.hardware = hardware
        let clock = hardware.clock
        world = AtmosphereWorld(seed: simulation.seed,
                                site: .init(altitude: simulation.altitude, meanTemperature: simulation.meanTemperature))
        let air = ExcursionAir(base: world, excursions: simulation.excursions.map(Self.world), start: clock.wallNow)
        let hydrology = HydrologyRig(config: config, simulation: simulation, hardware: hardware, air: air)
        self.hydrology = hydrology
        traffic = TrafficRig(config: config, simulation: simulation, hardware: hardware)
        var emulators: [String: Injector] = [:]
        var contacts: [(String, Int, String)] = []
        for (i, sensor) in config.sensors.enumerated() {
            if case let .digitalInput(o) = sensor.kind {
                contacts.append((o.line.chip, o.line.offset, sensor.name))
                continue
            }
            guard let bus = sensor.bus, let address = sensor.address else { continue }
            let device: any I2CDeviceEmulator
            let inject: Injector
            func sensirion<M: SensirionChipModel>(_ model: M) -> (any I2CDeviceEmulator, Injector) {
                let e = SensirionEmulator(model, air: air, clock: clock)
                return (e, { e.inject($0?.sensirionFault) })
            }
            switch sensor.kind {
            case .bme280, .bmp280:
                // Alternate two trimmings so that no test passes on one lucky calibration.
                let e = BME280Emulator(calibration: i % 2 == 0 ? .datasheetExample : .secondPart,
                                       chipID: sensor.kind.driverName == "bmp280" ? 0x58 : 0x60, air: air, clock: clock)
                device = e
                inject = { e.inject($0?.emulatorFault) }
            case .sht4x: (device, inject) = sensirion(SHT4xModel(serial: 0x0F41_0000 + UInt32(i)))
            case .scd4x: (device, inject) = sensirion(SCD4xModel())
            case .scd30: (device, inject) = sensirion(SCD30Model())
            case .sps30: (device, inject) = sensirion(SPS30Model(response: OpticalResponse(factor: 1.3, kappa: 0.3)))
            case .sen5x: (device, inject) = sensirion(SEN5xModel(response: OpticalResponse(factor: 1.2, kappa: 0.25)))
            case let .ads1115(o):
                let e = ADS1115Emulator(inputs: Self.voltages(o.inputs, air: air) { quantity, wall, a in
                    hydrology.analogValue(quantity: quantity, sensor: sensor.name, at: wall, air: a)
                }, clock: clock)
                device = e
                inject = { kind in
                    let fault: ADS1115Emulator.Fault? = switch kind {
                    case .nack?: .nack
                    case .busError?: .busError
                    case .notReady?, .stuckBusy?: .neverReady
                    default: nil
                    }
                    e.inject(fault)
                }
            case .digitalInput, .tippingBucket, .flowMeter, .hcsr04, .traffic: continue
            }
            hardware.bus(bus.name).attach(device, at: address)
            emulators[sensor.name] = inject
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
            for fault in faults {
                guard let inject = emulators[fault.sensor] else { continue }
                group.addTask {
                    do {
                        try await clock.sleep(for: fault.after)
                        logger.notice("simulation: injecting \(fault.kind.rawValue) into \(fault.sensor)")
                        inject(fault.kind)
                        guard let d = fault.duration else { return }
                        try await clock.sleep(for: d)
                        logger.notice("simulation: clearing \(fault.kind.rawValue) on \(fault.sensor)")
                        inject(nil)
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

extension SimulationRig {
    /// AIN0…AIN3 for the configured inputs: each input's transfer inverted at the world's value
    /// of its quantity (by name: o3, no2, co, co2, pm2_5, temperature, humidity, pressure; the
    /// river's water_pressure, water_pressure_abs, water_temperature, water_depth), or a
    /// slow swing across the middle of its range for a quantity the world does not model.
    static func voltages(_ inputs: [ADS1115.Channel], air: any AirSource,
                         other: @escaping @Sendable (String, WallTime, AirConditions) -> Double? = { _, _, _ in nil }) -> ADS1115Emulator.Inputs {
        { wall in
            let a = air.conditions(at: wall)
            var ain = [0.0, 0.0, 0.0, 0.0]
            for c in inputs {
                let p = a.pollution
                // Gases in the unit the input is configured in (the world keeps O3/NO2 in ppb, CO in ppm).
                let ppb = { (v: Double) in c.unit == .ppm ? v / 1000 : v }
                let ppm = { (v: Double) in c.unit == .ppb ? v * 1000 : v }
                let known: Double? = switch c.quantity {
                case "o3": ppb(p.o3)
                case "no2": ppb(p.no2)
                case "co": ppm(p.co)
                case "co2": p.co2
                case "pm2_5": p.pm2_5
                case "temperature": a.temperature
                case "humidity": a.humidity
                case "pressure": a.pressure
                default: other(c.quantity, wall, a)
                }
                let swing = 0.5 + 0.3 * sin(wall.secondsSinceEpoch / 3600)
                let v: Double = switch c.transfer {
                case let .linear(_, _, y0, y1): c.transfer.volts(for: known ?? (y0 + (y1 - y0) * swing)) ?? 0
                case let .currentLoop(_, y0, y1): c.transfer.volts(for: known ?? (y0 + (y1 - y0) * swing)) ?? 0
                case .polynomial: known.flatMap { c.transfer.volts(for: $0) } ?? (1 + swing)
                }
                // A differential pair gets the voltage on its positive pin, its negative pin at 0 V.
                let pin = switch c.input {
                case .ain0, .ain0AIN1, .ain0AIN3: 0
                case .ain1, .ain1AIN3: 1
                case .ain2, .ain2AIN3: 2
                case .ain3: 3
                }
                ain[pin] = v
            }
            return ain
        }
    }
}

extension SimulationConfig.FaultKind {
    var emulatorFault: BME280Emulator.Fault? {
        switch self {
        case .nack: .nack
        case .busError: .busError
        case .stuckBusy: .stuckBusy
        case .wrongChipID: .wrongChipID(0x58)
        case .skipped: .skippedMeasurement
        case .crc, .notReady, .notAvailable: nil
        }
    }

    var sensirionFault: SensirionFault? {
        switch self {
        case .nack: .nack
        case .busError: .busError
        case .stuckBusy: .stuckBusy
        case .crc: .corruptCRC
        case .notReady: .neverReady
        case .notAvailable, .skipped: .notAvailable
        case .wrongChipID: nil
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
