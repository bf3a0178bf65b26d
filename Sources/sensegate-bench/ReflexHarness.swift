import Logging
import SenseConfig
import SenseCore
import SenseDaemon
import SenseHardware
import SenseMQTT
import SenseOS
import SenseSimulator

/// The daemon's decision path assembled without sensors' world, for `sensegate-bench`: the
/// configured digital inputs watched on a simulated chip the caller drives, the outlet with its
/// analysis, rules and actuators on the same chip, the reaction timer, and (when `mqtt`) the
/// broker session that receives `/set` commands. The same types the daemon runs, nothing mocked.
final class ReflexHarness: Sendable {
    let chip: SimulatedGPIOChip
    let outlet: Outlet
    private let session: MQTTSession?
    private let inputs: [any GPIOInput]
    private let tasks: Task<Void, Never>
    private let seq: SequenceStore
    private let stateFiles: StateFileWriter
    private let outbox: Outbox
    private let logger: Logger

    /// `files`: where state files go (a test's slow card); the disk by default. `outputs`: what
    /// the actuators' lines are requested from (a test's slow lines); the simulated chip by default.
    init(
        config: SensegateConfig, mqtt: Bool, logger: Logger, files: any StateFiles = DiskStateFiles(),
        outputs outputHardware: (any Hardware)? = nil
    ) throws {
        self.logger = logger
        let clock = SystemClock()
        let hardware = SimulatedHardware(clock: clock)
        chip = hardware.chip("gpiochip0")
        stateFiles = try StateFileWriter(files: files)
        seq = try SequenceStore(directory: config.stateDirectory, writer: stateFiles, logger: logger)
        let reaction = Reaction(config, uncleanRestart: false, at: clock.monotonicNow)
        let outputs = try OutputLines(config.actuators, board: config.board, hardware: outputHardware ?? hardware) {
            reaction.bank.actuator($0)?.level ?? false
        }
        let outbox = try Outbox(path: nil, settings: OutboxSettings(), clock: clock, logger: logger)
        self.outbox = outbox
        var engine = Outlet.Engine(analysis: Analysis(config), reaction: reaction)
        engine.alertSettings = config.mqtt.publicAlerts
        engine.node = config.node
        let outlet = Outlet(
            seq: seq, outbox: outbox, health: HealthBoard(started: clock.monotonicNow), engine: engine, outputs: outputs,
            clock: clock, logger: logger, publicAlertsFile: config.stateDirectory + "/cap-alerts", stateFiles: stateFiles)
        self.outlet = outlet
        if mqtt {
            let s = try MQTTSession(
                settings: config.mqtt, node: config.node, outbox: outbox, logger: logger,
                subscriptions: { [$0.actuatorCommandFilter] },
                listener: OutletSessionListener(outlet: outlet, current: nil))
            outlet.attach(s)
            session = s
        } else {
            session = nil
        }
        var inputs: [any GPIOInput] = []
        var watchers: [DigitalInputWatcher] = []
        for sensor in config.sensors {
            guard case let .digitalInput(o) = sensor.kind else { continue }
            let input = try hardware.chip(o.line.chip).requestInput(offset: o.line.offset, bias: o.bias, consumer: sensor.name)
            inputs.append(input)
            watchers.append(
                DigitalInputWatcher(
                    name: sensor.name, input: input, options: o, interval: sensor.interval,
                    clock: clock, sink: outlet, liveness: Liveness(), logger: logger))
        }
        self.inputs = inputs
        let running = watchers
        tasks = Task {
            await withTaskGroup(of: Void.self) { group in
                for w in running { group.addTask { await w.run() } }
                group.addTask { await outlet.runReactionTimer(clock: clock) }
            }
        }
    }

    /// Whether the broker session is connected.
    var isConnected: Bool { session?.client.isConnected ?? false }

    func stop() async {
        tasks.cancel()
        for i in inputs { i.release() }
        await tasks.value
        outlet.stopReaction()
        await session?.stop(announceOffline: false, timeout: .milliseconds(200))
        outbox.close()
        do { try seq.close() } catch { logger.error("seq: \(error)") }
        stateFiles.close()
    }
}
