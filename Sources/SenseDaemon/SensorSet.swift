import Logging
import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseOS
import SenseSimulationRig
import SenseSimulator

/// A resource the daemon needs at start is missing (exit 69).
package struct UnavailableResource: Error, Sendable, CustomStringConvertible {
    package var description: String
}

/// The running sensors of one configuration: opens their buses and lines, runs the polled ones
/// on one schedule and a task per watched input, and gives everything back on stop.
final class SensorSet: Sendable {
    private let task: Task<Void, Never>
    private let inputs: [any GPIOInput]
    private let outputs: [any GPIOOutput]

    /// `hardware` is the daemon's for its whole life (outputs outlive a reload's sensors); on the
    /// simulated board it is a `SimulatedHardware`, and the world is built on it.
    /// `stateFiles`: the thread that writes pulse counters' totals.
    init(
        config: SensegateConfig, hardware: any Hardware, clock: any SenseClock, liveness: Liveness, logger: Logger,
        stateFiles: StateFileWriter, sink: any SampleSink,
        traffic: any TrafficReportSink
    ) throws(UnavailableResource) {
        // How far the task reading edges may fall behind the kernel's stamps before a level is
        // confirmed by the clock alone: 100 ms of real time (more of a world run faster).
        let readerLag = Duration.milliseconds(100) * max(1, config.simulation?.speed ?? 1)
        var rig: SimulationRig?
        if let simulated = hardware as? SimulatedHardware {
            rig = SimulationRig(config: config, simulation: config.simulation ?? SimulationConfig(), hardware: simulated)
        }
        var buses: [String: any I2CBus] = [:]
        var chips: [String: any GPIOChip] = [:]
        var pollers: [SensorPoller] = []
        var watchers: [DigitalInputWatcher] = []
        var counters: [PulseCounterWatcher] = []
        var stations: [TrafficStationWatcher] = []
        var inputs: [any GPIOInput] = []
        var outputs: [any GPIOOutput] = []
        func giveBack() {
            for i in inputs { i.release() }
            for o in outputs { o.release() }
        }
        func chip(_ name: String) throws(GPIOError) -> any GPIOChip {
            if let c = chips[name] { return c }
            let c = try hardware.gpioChip(named: name, device: config.board.gpioChips[name] ?? "")
            chips[name] = c
            return c
        }
        for sensor in config.sensors {
            let log = logger.with("sensor", sensor.name)
            switch sensor.kind {
            case let .i2c(part):
                guard let bus = sensor.bus, let address = sensor.address else { continue }
                let i2c: any I2CBus
                if let b = buses[bus.name] {
                    i2c = b
                } else {
                    do {
                        i2c = try hardware.i2cBus(named: bus.name, device: bus.device)
                    } catch {
                        giveBack()
                        // A bus the board turns on with a config.txt line says which one.
                        let hint = config.board.busEnable[bus.name].map {
                            " (\(bus.name) exists once `\($0)` is in the board's config.txt and it has rebooted)"
                        }
                        throw UnavailableResource(description: "sensor \(sensor.name): \(error)\(hint ?? "")")
                    }
                    buses[bus.name] = i2c
                }
                pollers.append(
                    SensorPoller(
                        name: sensor.name, driver: part.setup.driver(bus: i2c, address: address, clock: clock), interval: sensor.interval,
                        clock: clock, sink: sink, liveness: liveness, logger: log))
            case let .digitalInput(o):
                do {
                    let input = try chip(o.line.chip).requestInput(offset: o.line.offset, bias: o.bias, consumer: "sensegate:\(sensor.name)")
                    inputs.append(input)
                    watchers.append(
                        DigitalInputWatcher(
                            name: sensor.name, input: input, options: o,
                            interval: sensor.interval, clock: clock, sink: sink,
                            liveness: liveness, logger: log))
                } catch {
                    giveBack()
                    throw UnavailableResource(description: "sensor \(sensor.name) on \(o.pinName): \(error)")
                }
            case .tippingBucket, .flowMeter:
                let store: PulseTotalsStore
                let totals: PulseTotals
                do throws(DurableFile.Failure) {
                    store = try PulseTotalsStore(stateDirectory: config.stateDirectory, sensor: sensor.name)
                    totals = try store.restore(logger: log)
                } catch {
                    giveBack()
                    throw UnavailableResource(description: "sensor \(sensor.name): totals: \(error)")
                }
                guard
                    let (o, accumulator) = Self.pulseCounter(
                        sensor, totals: totals, utcOffsetMinutes: config.utcOffsetMinutes,
                        clock: clock)
                else { continue }
                do {
                    let input = try chip(o.line.chip).requestInput(offset: o.line.offset, bias: o.bias, consumer: "sensegate:\(sensor.name)")
                    inputs.append(input)
                    counters.append(
                        PulseCounterWatcher(
                            name: sensor.name, input: input, options: o, interval: sensor.interval,
                            accumulator: Shared(accumulator),
                            saver: TotalsSaver(
                                store: store, restored: totals, sensor: sensor.name,
                                writer: stateFiles, logger: log),
                            clock: clock, sink: sink,
                            liveness: liveness, logger: log, settleLag: readerLag))
                } catch {
                    giveBack()
                    throw UnavailableResource(description: "sensor \(sensor.name) on \(o.pinName): \(error)")
                }
            case let .traffic(o):
                do {
                    var lanes: [(upstream: any GPIOInput, downstream: (any GPIOInput)?)] = []
                    for w in o.wiring {
                        let up = try chip(w.upstream.line.chip).requestInput(
                            offset: w.upstream.line.offset, bias: o.bias, consumer: "sensegate:\(sensor.name)")
                        inputs.append(up)
                        var down: (any GPIOInput)?
                        if let d = w.downstream {
                            down = try chip(d.line.chip).requestInput(offset: d.line.offset, bias: o.bias, consumer: "sensegate:\(sensor.name)")
                            inputs.append(down!)
                        }
                        lanes.append((up, down))
                    }
                    stations.append(
                        TrafficStationWatcher(
                            name: sensor.name, inputs: lanes, options: o, readerLag: readerLag,
                            utcOffsetMinutes: config.utcOffsetMinutes,
                            clock: clock, sink: traffic, liveness: liveness, logger: log))
                } catch {
                    giveBack()
                    throw UnavailableResource(description: "traffic station \(sensor.name): \(error)")
                }
            case let .hcsr04(o):
                do {
                    let trigger = try chip(o.trigger.chip).requestOutput(
                        offset: o.trigger.offset, initial: false, consumer: "sensegate:\(sensor.name)")
                    outputs.append(trigger)
                    let echo = try chip(o.echo.chip).requestInput(offset: o.echo.offset, bias: .asIs, consumer: "sensegate:\(sensor.name)")
                    inputs.append(echo)
                    pollers.append(
                        SensorPoller(
                            name: sensor.name, driver: UltrasonicRanger(trigger: trigger, echo: echo, settings: o.settings, clock: clock),
                            interval: sensor.interval, clock: clock, sink: sink, liveness: liveness, logger: log))
                } catch {
                    giveBack()
                    throw UnavailableResource(description: "sensor \(sensor.name) on \(o.triggerPin)/\(o.echoPin): \(error)")
                }
            }
        }
        self.inputs = inputs
        self.outputs = outputs
        let seed = config.simulation?.seed ?? 1
        let finalPollers = pollers
        let finalWatchers = watchers
        let finalCounters = counters
        let finalStations = stations
        let world = rig
        task = Task {
            await withTaskGroup(of: Void.self) { group in
                if let world {
                    group.addTask { await world.run(clock: clock, seed: seed, logger: logger) }
                }
                if !finalPollers.isEmpty {
                    group.addTask { await PollingSchedule(pollers: finalPollers, clock: clock).run() }
                }
                for w in finalWatchers {
                    group.addTask { await w.run() }
                }
                for c in finalCounters {
                    group.addTask { await c.run() }
                }
                for s in finalStations {
                    group.addTask { await s.run() }
                }
            }
        }
    }

    /// The input and the arithmetic of a pulse sensor (rain gauge, flow meter), carrying on from `totals`.
    static func pulseCounter(
        _ sensor: SensorConfig, totals: PulseTotals, utcOffsetMinutes: Int,
        clock: any SenseClock
    ) -> (PulseInputOptions, any PulseAccumulator)? {
        switch sensor.kind {
        case let .tippingBucket(t):
            (
                t.input,
                TippingBucket(
                    settings: .init(
                        millimetresPerTip: t.millimetresPerTip, windows: t.windows, eventGap: t.eventGap,
                        utcOffsetMinutes: utcOffsetMinutes),
                    totals: totals, startedAt: clock.monotonicNow)
            )
        case let .flowMeter(f):
            (
                f.input,
                PulseFlowMeter(
                    settings: .init(
                        hertzPerLitrePerMinute: f.hertzPerLitrePerMinute, gate: sensor.interval,
                        utcOffsetMinutes: utcOffsetMinutes), totals: totals)
            )
        default:
            nil
        }
    }

    /// Stops every task (pulse counters write their totals) and releases every GPIO line.
    func stop() async {
        task.cancel()
        for i in inputs { i.release() }
        await task.value
        for o in outputs { o.release() }
    }
}

extension Logger {
    func with(_ key: String, _ value: String) -> Logger {
        var l = self
        l[metadataKey: key] = .string(value)
        return l
    }
}
