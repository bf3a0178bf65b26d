import SenseAnalysis
import SenseConfig
import SenseCore
import SenseHardware
import SenseSimulator

/// The river gauge's devices on the simulated board: tips of a rain gauge as the storm's rain
/// fills its bucket, a pump's flow meter pulsing while the pump's output is on, ultrasonic
/// modules above the water. Every edge is stamped at the instant it happens (reed bounce
/// included) and delivered when the world's clock gets there, so counts and widths are exact
/// at any speed.
struct HydrologyRig: Sendable {
    struct PulseLine: Sendable {
        var chip: SimulatedGPIOChip
        var offset: Int
        var activeLow: Bool
    }

    let catchment: CatchmentWorld
    let gauges: [(line: PulseLine, millimetresPerTip: Double)]
    typealias PumpLine = (chip: SimulatedGPIOChip, offset: Int, activeLow: Bool)
    let meters: [(line: PulseLine, pulsesPerLitre: Double, pump: PumpLine?, pumpFlow: Double)]
    /// Held here: the chips only refer to them weakly.
    let rangers: [UltrasonicRangerEmulator]
    /// The datum of each pressure channel that feeds a stage (`sensor.quantity` → m), looked up once.
    let datums: [String: Double]

    init(config: SensegateConfig, simulation: SimulationConfig, hardware: SimulatedHardware, air: any AirSource) {
        let clock = hardware.clock
        let h = simulation.hydrology
        let catchment = CatchmentWorld(scenario: SimulationRig.world(h.scenario), stormStart: clock.wallNow + h.after, rainScale: h.rainScale)
        self.catchment = catchment
        var gauges: [(PulseLine, Double)] = []
        var meters: [(PulseLine, Double, PumpLine?, Double)] = []
        var rangers: [UltrasonicRangerEmulator] = []
        let pumpLine = h.pump.flatMap { name in config.actuators.first { $0.name == name } }.map { a in
            (chip: hardware.chip(a.line.chip), offset: a.line.offset, activeLow: a.activeLow)
        }
        for sensor in config.sensors {
            switch sensor.kind {
            case let .tippingBucket(o):
                gauges.append(
                    (
                        PulseLine(chip: hardware.chip(o.input.line.chip), offset: o.input.line.offset, activeLow: o.input.activeLow),
                        o.millimetresPerTip
                    ))
            case let .flowMeter(o):
                meters.append(
                    (
                        PulseLine(chip: hardware.chip(o.input.line.chip), offset: o.input.line.offset, activeLow: o.input.activeLow),
                        o.hertzPerLitrePerMinute * 60, pumpLine, h.pumpFlow
                    ))
            case let .hcsr04(o):
                let mount =
                    Self.parameter(
                        config, .ultrasonicStage, input: "echo_time", channel: .sensor(sensor.name, quantity: "echo_time"),
                        "mount_height") ?? 5
                rangers.append(
                    UltrasonicRangerEmulator(
                        chip: hardware.chip(o.echo.chip), trigger: o.trigger.offset, echo: o.echo.offset,
                        triggerChip: hardware.chip(o.trigger.chip), clock: clock
                    ) { wall in
                        (mount - catchment.stage(at: wall), air.conditions(at: wall).temperature)
                    })
            default:
                continue
            }
        }
        self.gauges = gauges
        self.meters = meters
        self.rangers = rangers
        var datums: [String: Double] = [:]
        for d in config.derived where d.model == .stageVented || d.model == .stageAbsolute {
            if case let .sensor(sensor, quantity)? = d.inputs["pressure"], datums["\(sensor).\(quantity)"] == nil {
                datums["\(sensor).\(quantity)"] = d.parameters["datum"] ?? 0
            }
        }
        self.datums = datums
    }

    /// A parameter of the first derived channel of `model` fed by `channel` (a transducer's datum,
    /// a ranger's mount height), so the world puts the water where the configuration says it is.
    static func parameter(_ config: SensegateConfig, _ model: DerivedModel, input: String, channel: ChannelRef, _ name: String) -> Double? {
        config.derived.first { $0.model == model && $0.inputs[input] == channel }?.parameters[name]
    }

    /// What the world gives an analog input named for a hydrological quantity.
    func analogValue(quantity: String, sensor: String, at wall: WallTime, air: AirConditions) -> Double? {
        let datum = datums["\(sensor).\(quantity)"] ?? 0
        let depth = max(0, catchment.stage(at: wall) - datum)
        let t = catchment.waterTemperature(at: wall)
        let hydrostatic = CatchmentWorld.waterDensity(celsius: t) * 9.80665 * depth
        return switch quantity {
        case "water_pressure": hydrostatic
        case "water_pressure_abs": hydrostatic + air.pressure
        case "water_temperature": t
        case "water_depth": depth
        default: nil
        }
    }

    func run(clock: any SenseClock, group: inout TaskGroup<Void>) {
        for g in gauges {
            group.addTask { await tips(g.line, millimetresPerTip: g.millimetresPerTip, clock: clock) }
        }
        for m in meters {
            group.addTask { await pulses(m.line, pulsesPerLitre: m.pulsesPerLitre, pump: m.pump, pumpFlow: m.pumpFlow, clock: clock) }
        }
    }

    /// One tip each time another bucketful has fallen: the reed closes with three bounces over
    /// ~1 ms, stays closed 100 ms, and opens with one bounce.
    private func tips(_ line: PulseLine, millimetresPerTip mm: Double, clock: any SenseClock) async {
        var next = 1
        let already = catchment.rainDepth(at: clock.wallNow)
        if already > 0 { next = Int(already / mm) + 1 }
        while !Task.isCancelled {
            guard let at = catchment.time(whenDepthReaches: Double(next) * mm, after: clock.wallNow) else {
                do { try await clock.sleep(for: .seconds(3600)) } catch { return }
                continue
            }
            let tip = clock.monotonicNow + .nanoseconds(at.nanosecondsSinceEpoch - clock.wallNow.nanosecondsSinceEpoch)
            let closing: [(Int64, Bool)] = [(0, true), (300, false), (600, true), (800, false), (1000, true)]  // µs, active
            let opening: [(Int64, Bool)] = [(100_000, false), (100_400, true), (100_700, false)]
            do {
                try await clock.sleep(until: tip + .microseconds(1000))
                for (us, active) in closing { line.chip.drive(line.offset, high: active != line.activeLow, at: tip + .microseconds(us)) }
                try await clock.sleep(until: tip + .microseconds(100_700))
                for (us, active) in opening { line.chip.drive(line.offset, high: active != line.activeLow, at: tip + .microseconds(us)) }
            } catch {
                return
            }
            next += 1
        }
    }

    /// Pulses at the flow the pump gives while its output line is on, stamped at exact periods.
    private func pulses(
        _ line: PulseLine, pulsesPerLitre: Double, pump: PumpLine?, pumpFlow: Double,
        clock: any SenseClock
    ) async {
        let period = Duration.nanoseconds(Int64(60e9 / (pumpFlow * pulsesPerLitre)))
        let width = min(period / 2, .milliseconds(100))
        var next: MonotonicInstant?
        while !Task.isCancelled {
            guard let pump, pump.chip.level(pump.offset) != pump.activeLow else {
                next = nil
                do { try await clock.sleep(for: .seconds(1)) } catch { return }
                continue
            }
            let t = next ?? clock.monotonicNow + period
            do {
                try await clock.sleep(until: t + width)
                line.chip.drive(line.offset, high: !line.activeLow, at: t)
                line.chip.drive(line.offset, high: line.activeLow, at: t + width)
            } catch {
                return
            }
            next = t + period
        }
    }
}
