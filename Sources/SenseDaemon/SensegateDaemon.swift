import Logging
import SenseAnalysis
import SenseConfig
import SenseCore
import SenseMQTT
import SenseSimulator
import ServiceLifecycle
import Synchronization

/// The daemon: sensors → samples → MQTT, with reload on request, the systemd watchdog, health,
/// and a clean stop (sensors stopped, lines released, `offline` published) on graceful shutdown.
public final class SensegateDaemon: Service, Sendable {
    private let initialConfig: SensegateConfig
    private let configPath: String
    private let brokerOverride: BrokerURL?
    private let logger: Logger
    private let reloads: AsyncStream<Void>
    private let reloadRequests: AsyncStream<Void>.Continuation

    public init(config: SensegateConfig, brokerOverride: BrokerURL?, logger: Logger) {
        initialConfig = config
        configPath = config.file
        self.brokerOverride = brokerOverride
        self.logger = logger
        (reloads, reloadRequests) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks the running daemon to re-read its config file (SIGHUP).
    public func requestReload() { reloadRequests.yield() }

    public func run() async throws {
        let notifier = SystemdNotifier(logger: logger)
        var config = withOverrides(initialConfig)
        let clock: any SenseClock = (config.simulation?.speed ?? 1) != 1
            ? AcceleratedClock(speed: config.simulation!.speed) : SystemClock()
        let seq: SequenceStore
        do {
            seq = try SequenceStore(directory: config.stateDirectory)
        } catch {
            throw UnavailableResource(description: "state_dir: \(error)")
        }
        let health = HealthBoard(started: clock.monotonicNow)
        let liveness = Liveness()
        let outlet = Outlet(seq: seq, health: health, analysis: Analysis(config), logger: logger)

        let current = Shared(config)   // what housekeeping and health report, updated on reload
        var session = try startSession(config, current: current, outlet: outlet, clock: clock)
        outlet.attach(session)
        var sensors: SensorSet
        do {
            sensors = try SensorSet(config: config, clock: clock, liveness: liveness, logger: logger, emit: outlet.emit)
        } catch {
            await session.stop(announceOffline: true, timeout: .milliseconds(500))
            throw error
        }
        logger.info("sensegate \(SensegateVersion.string) running: node \(config.node), board \(config.board.name), \(config.sensors.count) sensor(s), broker \(config.mqtt.broker)")

        let housekeeping = Task {
            await Self.housekeeping(current: current, notifier: notifier, liveness: liveness,
                                    outlet: outlet, clock: clock, logger: logger)
        }

        await withGracefulShutdownHandler {
            for await _ in reloads {
                notifier.notify("RELOADING=1\nSTATUS=reloading \(configPath)")
                let candidate: SensegateConfig
                do throws(ConfigErrors) {
                    candidate = withOverrides(try ConfigLoader.load(configPath))
                } catch {
                    for d in error.diagnostics { logger.error("reload refused: \(d)") }
                    logger.error("reload refused: still running the previous configuration")
                    notifier.notify("READY=1\nSTATUS=reload refused; running the previous configuration")
                    continue
                }
                if candidate.mqtt != config.mqtt || candidate.node != config.node {
                    await session.stop(announceOffline: candidate.node != config.node || candidate.mqtt.prefix != config.mqtt.prefix,
                                       timeout: .milliseconds(500))
                    do {
                        session = try startSession(candidate, current: current, outlet: outlet, clock: clock)
                    } catch {
                        logger.error("reload: MQTT client: \(error); keeping the previous MQTT settings")
                        do {
                            session = try startSession(config, current: current, outlet: outlet, clock: clock)
                        } catch {
                            logger.critical("cannot restart the previous MQTT client either: \(error)")
                        }
                    }
                    outlet.attach(session)
                }
                await sensors.stop()
                liveness.reset()
                outlet.replaceAnalysis(Analysis(candidate))
                do {
                    sensors = try SensorSet(config: candidate, clock: clock, liveness: liveness, logger: logger, emit: outlet.emit)
                    health.forget(except: Set(candidate.sensors.map(\.name)))
                    outlet.retractAlarms(Set(config.alarms.map(\.name)).subtracting(candidate.alarms.map(\.name)))
                    outlet.publishAllAlarms(clock: clock)
                    config = candidate
                    logger.notice("reloaded \(configPath): \(config.sensors.count) sensor(s)")
                } catch {
                    logger.error("reload: \(error); restarting the previous sensors")
                    outlet.replaceAnalysis(Analysis(config))
                    do {
                        sensors = try SensorSet(config: config, clock: clock, liveness: liveness, logger: logger, emit: outlet.emit)
                    } catch {
                        logger.critical("cannot restart the previous sensors either: \(error)")
                    }
                }
                current.withLock { [config] in $0 = config }
                notifier.notify("READY=1\nSTATUS=running \(config.sensors.count) sensor(s)")
            }
        } onGracefulShutdown: {
            self.reloadRequests.finish()
        }

        notifier.notify("STOPPING=1\nSTATUS=stopping")
        housekeeping.cancel()
        await sensors.stop()
        await housekeeping.value
        await session.stop(announceOffline: true, timeout: .milliseconds(800))
        do {
            try seq.close()
        } catch {
            logger.error("seq: \(error); the next start skips to the reserved block")
        }
        logger.info("stopped: published offline, released all lines")
    }

    private func withOverrides(_ c: SensegateConfig) -> SensegateConfig {
        var c = c
        if let brokerOverride { c.mqtt.broker = brokerOverride }
        return c
    }

    private func startSession(_ config: SensegateConfig, current: Shared<SensegateConfig>, outlet: Outlet,
                              clock: any SenseClock) throws -> MQTTSession {
        do {
            return try MQTTSession(settings: config.mqtt, node: config.node, logger: logger,
                                   subscriptions: { $0.alarmCommandFilters }) {
                outlet.publishHealth(board: current.withLock { $0.board.name }, clock: clock)
                outlet.publishAllAlarms(clock: clock)
            } onMessage: { topic, payload in
                outlet.handleCommand(topic: topic, payload: payload, clock: clock)
            }
        } catch {
            throw UnavailableResource(description: "MQTT client: \(error)")
        }
    }

    /// READY=1 after every sensor has completed a cycle, WATCHDOG=1 while every sensor keeps its
    /// promise, health every minute.
    private static func housekeeping(current: Shared<SensegateConfig>, notifier: SystemdNotifier, liveness: Liveness,
                                     outlet: Outlet, clock: any SenseClock, logger: Logger) async {
        let real = SystemClock()   // the watchdog runs on real time even when the world is accelerated
        var ready = false
        var nextHealth = real.monotonicNow + .seconds(60)
        var nextPet = real.monotonicNow
        while !Task.isCancelled {
            let now = real.monotonicNow
            let config = current.withLock { $0 }
            if !ready, liveness.allCompletedFirstCycle(config.sensors.map(\.name)) {
                ready = true
                notifier.notify("READY=1\nSTATUS=running \(config.sensors.count) sensor(s)")
                logger.info("first cycle complete: ready")
            }
            if let interval = notifier.watchdogInterval, now >= nextPet {
                let overdue = liveness.overdue(at: clock.monotonicNow)
                if overdue.isEmpty {
                    notifier.notify("WATCHDOG=1")
                } else {
                    logger.critical("watchdog withheld: no progress from \(overdue.joined(separator: ", "))")
                }
                nextPet = now + interval
            }
            outlet.checkStale(clock: clock)
            outlet.tickAlarms(clock: clock)
            outlet.closeWindows(clock: clock)
            if now >= nextHealth {
                outlet.publishHealth(board: config.board.name, clock: clock)
                nextHealth = now + .seconds(60)
            }
            do { try await real.sleep(for: .milliseconds(ready ? 1000 : 20)) } catch { return }
        }
    }
}

/// Where samples go: analysed (quality checks, filters, derived channels, alarms, windows),
/// stamped with `seq`, recorded for health, handed to the current session. One lock covers
/// analysis, numbering and hand-over, so `seq` order is the order messages leave the gateway,
/// whichever sensor task emitted them. (Hand-over never blocks: the publisher queues.)
final class Outlet: Sendable {
    private let seq: SequenceStore
    private let health: HealthBoard
    private let logger: Logger
    private let session = Mutex<MQTTSession?>(nil)
    private let analysis: Mutex<Analysis>
    private let reportedSeqError = Mutex(false)

    init(seq: SequenceStore, health: HealthBoard, analysis: Analysis, logger: Logger) {
        self.seq = seq
        self.health = health
        self.analysis = Mutex(analysis)
        self.logger = logger
    }

    func attach(_ s: MQTTSession) { session.withLock { $0 = s } }

    func replaceAnalysis(_ a: Analysis) { analysis.withLock { $0 = a } }

    var emit: @Sendable ([Sample]) -> Void { { [self] batch in send(batch) } }

    func send(_ batch: [Sample]) {
        analysis.withLock { a in publish(a.process(batch)) }
    }

    func checkStale(clock: any SenseClock) {
        analysis.withLock { a in publish(a.checkStale(at: clock.monotonicNow, wall: clock.wallNow)) }
    }

    func closeWindows(clock: any SenseClock) {
        analysis.withLock { a in publish(a.closeWindows(at: clock.monotonicNow, wall: clock.wallNow)) }
    }

    func tickAlarms(clock: any SenseClock) {
        analysis.withLock { a in publishAlarms(a.tickAlarms(at: clock.monotonicNow, wall: clock.wallNow)) }
    }

    /// Deletes the retained state of alarms that no longer exist (an empty retained message).
    func retractAlarms(_ names: Set<String>) {
        guard !names.isEmpty else { return }
        analysis.withLock { _ in
            guard let s = session.withLock({ $0 }) else { return }
            for name in names.sorted() {
                s.publisher.send(MQTTMessage(topic: s.topics.alarm(name), payload: [], qos: 1, retain: true))
            }
        }
    }

    /// Every alarm's state, retained: at each (re)connect, so the broker always holds the truth.
    func publishAllAlarms(clock: any SenseClock) {
        analysis.withLock { a in publishAlarms(a.alarms.snapshots(wall: clock.wallNow)) }
    }

    func publishHealth(board: String, clock: any SenseClock) {
        analysis.withLock { _ in
            guard let s = session.withLock({ $0 }) else { return }
            let payload = health.payload(now: clock.monotonicNow, wall: clock.wallNow, board: board,
                                         queue: s.publisher.counters, seq: nextSeq())
            s.publisher.send(MQTTMessage(topic: s.topics.health, payload: payload, qos: 0, retain: true))
        }
    }

    /// An operator command: checked, applied, answered on the alarm's reply topic, logged.
    func handleCommand(topic: String, payload: [UInt8], clock: any SenseClock) {
        guard let s = session.withLock({ $0 }) else { return }
        let wall = clock.wallNow
        analysis.withLock { a in
            do throws(AlarmCommand.Refusal) {
                let c = try AlarmCommand.parse(topic: topic, root: s.topics.root, payload: payload)
                do throws(AlarmEngine.CommandRefusal) {
                    let snapshot = try a.command(c.command, alarm: c.alarm, shelveFor: c.shelveFor, at: clock.monotonicNow, wall: wall)
                    logger.notice("alarm \(c.alarm): \(c.command.rawValue) by \(c.by ?? "unnamed operator") accepted: now \(snapshot.state.rawValue)\(snapshot.shelved ? ", shelved" : "")")
                    publishAlarms([snapshot])
                    reply(s, c.alarm, AlarmPayloads.reply(command: c.command.rawValue, id: c.id, ok: true, state: snapshot.state,
                                                          reason: nil, wall: wall, seq: nextSeq()))
                } catch {
                    logger.warning("alarm \(c.alarm): \(c.command.rawValue) by \(c.by ?? "unnamed operator") refused: \(error)")
                    reply(s, c.alarm, AlarmPayloads.reply(command: c.command.rawValue, id: c.id, ok: false, state: nil,
                                                          reason: error.description, wall: wall, seq: nextSeq()))
                }
            } catch {
                logger.warning("alarm command on \(topic) refused: \(error.reason)")
                reply(s, error.alarm, AlarmPayloads.reply(command: error.command, id: error.id, ok: false, state: nil,
                                                          reason: error.reason, wall: wall, seq: nextSeq()))
            }
        }
    }

    // The helpers below run with the analysis lock held.

    private func reply(_ s: MQTTSession, _ alarm: String, _ payload: [UInt8]) {
        // A name that is not a topic level (empty, or with wildcards) gets its reply nowhere.
        guard !alarm.isEmpty, !alarm.contains("+"), !alarm.contains("#") else { return }
        s.publisher.send(MQTTMessage(topic: s.topics.alarmReply(alarm), payload: payload, qos: 1, retain: false))
    }

    private func publish(_ output: Analysis.Output) {
        publish(output.samples)
        publishAlarms(output.alarms)
        publishAggregates(output.aggregates)
    }

    private func publishAlarms(_ alarms: [AlarmSnapshot]) {
        guard !alarms.isEmpty, let s = session.withLock({ $0 }) else { return }
        for a in alarms {
            s.publisher.send(MQTTMessage(topic: s.topics.alarm(a.name), payload: AlarmPayloads.state(a, seq: nextSeq()),
                                         qos: 1, retain: true))
        }
    }

    private func publishAggregates(_ aggregates: [Analysis.Aggregate]) {
        guard !aggregates.isEmpty, let s = session.withLock({ $0 }) else { return }
        for a in aggregates {
            s.publisher.send(MQTTMessage(topic: s.topics.aggregate(a.name), payload: AggregatePayloads.aggregate(a, seq: nextSeq()),
                                         qos: s.settings.qos, retain: false))
        }
    }

    private func publish(_ samples: [Sample]) {
        let s = session.withLock { $0 }
        for sample in samples {
            let isDerived = sample.sensor == DerivedEngine.sensorName
            if !isDerived { health.record(sample) }
            guard let s else { continue }
            let topic = isDerived ? s.topics.derived(name: sample.quantity)
                                  : s.topics.reading(sensor: sample.sensor, quantity: sample.quantity)
            s.publisher.send(MQTTMessage(topic: topic, payload: Payloads.reading(sample, seq: nextSeq()),
                                         qos: s.settings.qos, retain: false))
        }
    }

    private func nextSeq() -> UInt64 {
        let (n, error) = seq.next()
        if let error {
            health.seqError(error.description)
            let first = reportedSeqError.withLock { r in defer { r = true }; return !r }
            if first { logger.error("seq: \(error); numbering continues in memory") }
        }
        return n
    }
}
