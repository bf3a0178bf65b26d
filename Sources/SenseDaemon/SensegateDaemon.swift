import Logging
import SenseAnalysis
import SenseConfig
import SenseCore
import SenseHardware
import SenseHardwareLinux
import SenseMQTT
import SenseOS
import SenseSimulator
import SenseWire

/// The daemon: sensors → samples → MQTT, with reload on request, the systemd watchdog, health,
/// and a clean stop (sensors stopped, lines released, `offline` published) on graceful shutdown.
package final class SensegateDaemon: Sendable {
    private let initialConfig: SensegateConfig
    private let configPath: String
    private let brokerOverride: BrokerURL?
    private let logger: Logger
    /// Reloads and broker moves, handled one at a time by `run()`; finished by `requestStop()`.
    private let requests: AsyncStream<DaemonRequest>
    private let requestQueue: AsyncStream<DaemonRequest>.Continuation
    private let logLevels: (any LogLevelControl)?
    private let parts: PartCatalogue

    /// `logLevels`: where a reload's `log_level` goes (the executable owns the log handler).
    /// `parts`: the I2C parts a reload's config is read with (the executable's catalogue).
    package init(
        config: SensegateConfig, parts: PartCatalogue, brokerOverride: BrokerURL?, logger: Logger,
        logLevels: (any LogLevelControl)? = nil
    ) {
        self.parts = parts
        self.logLevels = logLevels
        initialConfig = config
        configPath = config.file
        self.brokerOverride = brokerOverride
        self.logger = logger
        (requests, requestQueue) = AsyncStream<DaemonRequest>.makeStream(bufferingPolicy: .bufferingNewest(8))
    }

    /// Asks the running daemon to re-read its config file (SIGHUP).
    package func requestReload() { requestQueue.yield(.reload) }

    /// Asks the running daemon to stop cleanly (SIGTERM, SIGINT): `run()` returns once the
    /// outputs are at failsafe, the lines released and `offline` published.
    package func requestStop() { requestQueue.finish() }

    package func run() async throws {
        let notifier = SystemdNotifier(logger: logger)
        var running = try await start(withOverrides(initialConfig))
        let (outlet, clock, current, liveness) = (running.outlet, running.clock, running.current, running.liveness)
        let reactionTask = Task { await outlet.runReactionTimer(clock: clock) }
        let housekeeping = Task {
            await Self.housekeeping(
                current: current, notifier: notifier, liveness: liveness,
                outlet: outlet, clock: clock, logger: logger)
        }
        let inUse = BrokerInUse(session: running.session, settings: running.config.mqtt)
        let failover = Task { [requestQueue, logger] in
            await BrokerFailover(inUse: inUse, requests: requestQueue, logger: logger).run()
        }
        for await request in requests {
            switch request {
            case .reload:
                await reload(&running, notifier: notifier)
                inUse.update(session: running.session, settings: running.config.mqtt)
            case let .useBroker(index):
                let now = await useBroker(index, from: inUse.snapshot.index, &running)
                inUse.update(session: running.session, settings: running.config.mqtt, index: now)
            }
        }
        failover.cancel()
        await failover.value
        await stop(running, reactionTask: reactionTask, housekeeping: housekeeping, notifier: notifier)
    }

    /// What a running daemon holds: built by `start`, swapped by `reload`, taken down by `stop`.
    struct Running {
        var config: SensegateConfig
        let clock: any SenseClock
        let stateFiles: StateFileWriter
        let seq: SequenceStore
        let outbox: Outbox
        let health: HealthBoard
        let liveness: Liveness
        let hardware: any Hardware
        let outlet: Outlet
        /// What housekeeping and health report, updated by a reload.
        let current: Shared<SensegateConfig>
        var session: MQTTSession
        var sensors: SensorSet
    }

    /// Start: the state files, the outbox, the outputs at their safe levels, the MQTT session,
    /// then the sensors. A resource that cannot be had stops the start (exit 69) and leaves no
    /// "unclean stop" marker behind.
    private func start(_ config: SensegateConfig) async throws -> Running {
        let clock: any SenseClock =
            (config.simulation?.speed ?? 1) != 1
            ? AcceleratedClock(speed: config.simulation!.speed) : SystemClock()
        // State files are written on their own thread: the reflex path never waits for the card.
        let stateFiles: StateFileWriter
        do {
            stateFiles = try StateFileWriter()
        } catch {
            throw UnavailableResource(description: error.description)
        }
        let seq: SequenceStore
        do {
            seq = try SequenceStore(directory: config.stateDirectory, writer: stateFiles, logger: logger)
        } catch {
            stateFiles.close()
            throw UnavailableResource(description: "state_dir: \(error)")
        }
        if !seq.previousRunEndedCleanly, !config.actuators.isEmpty {
            logger.warning("the previous run did not stop cleanly: outputs stay at their failsafe level for \(config.restartFailsafe)")
        }
        let outbox: Outbox
        do {
            outbox = try Outbox(
                path: config.mqtt.outbox.enabled ? config.mqtt.outbox.file(in: config.stateDirectory) : nil,
                settings: Self.outboxSettings(config.mqtt), clock: clock, logger: logger)
        } catch {
            do { try seq.close() } catch { logger.error("seq: \(error)") }
            stateFiles.close()
            throw UnavailableResource(description: error.description)
        }
        do {
            if try seq.ensureAbove(outbox.highestStoredSeq) {
                logger.warning("seq: \(seq.path) was behind the outbox (up to \(outbox.highestStoredSeq)); numbering continues above it")
            }
        } catch {
            outbox.close()
            stateFiles.close()
            throw UnavailableResource(description: "state_dir: \(error)")
        }
        let health = HealthBoard(started: clock.monotonicNow)
        let liveness = Liveness()
        let hardware: any Hardware = config.board.simulated ? SimulatedHardware(clock: clock) : LinuxHardware()
        let reaction = Reaction(config, uncleanRestart: !seq.previousRunEndedCleanly, at: clock.monotonicNow)
        // A start that fails for want of a resource is not a crash: it leaves no "unclean" marker.
        func closeSequence() {
            outbox.close()  // what the broker has not acknowledged is on disk for the next start
            do { try seq.close() } catch { logger.error("seq: \(error); the next start skips to the reserved block") }
            stateFiles.close()  // the public alerts' file too, if a change is still being written
        }
        let outputs: OutputLines
        do {
            outputs = try OutputLines(config.actuators, board: config.board, hardware: hardware) {
                reaction.bank.actuator($0)?.level ?? false
            }
        } catch {
            closeSequence()
            throw error
        }
        var engine = Outlet.Engine(
            analysis: Analysis(config), reaction: reaction, descriptions: Self.descriptions(config))
        engine.alertSettings = config.mqtt.publicAlerts
        engine.publicAlerts = loadPublicAlerts(Self.publicAlertsFile(config))
        engine.node = config.node
        let outlet = Outlet(
            seq: seq, outbox: outbox, health: health, engine: engine, outputs: outputs, clock: clock, logger: logger,
            publicAlertsFile: Self.publicAlertsFile(config), stateFiles: stateFiles, commandSigning: config.commandSigning)

        let current = Shared(config)  // what housekeeping and health report, updated on reload
        let session: MQTTSession
        do {
            session = try startSession(config, current: current, outlet: outlet, outbox: outbox)
        } catch {
            outlet.stopReaction()
            closeSequence()
            throw error
        }
        outlet.attach(session)
        reconcileDiscovery(config, outlet: outlet, stateFiles: stateFiles)
        outlet.tickReaction()
        let sensors: SensorSet
        do {
            sensors = try SensorSet(
                config: config, hardware: hardware, clock: clock, liveness: liveness, logger: logger, stateFiles: stateFiles,
                sink: outlet, traffic: outlet)
        } catch {
            outlet.stopReaction()
            await session.stop(announceOffline: true, timeout: .milliseconds(500))
            closeSequence()
            throw error
        }
        logger.info(
            "sensegate \(SensegateVersion.string) running: node \(config.node), board \(config.board.name), \(config.sensors.count) sensor(s), \(config.actuators.count) actuator(s), \(config.mqtt.fallbackBrokers.isEmpty ? "broker" : "brokers") \(config.mqtt.brokers.map(\.description).joined(separator: ", "))"
        )
        return Running(
            config: config, clock: clock, stateFiles: stateFiles, seq: seq, outbox: outbox, health: health,
            liveness: liveness, hardware: hardware, outlet: outlet, current: current, session: session, sensors: sensors)
    }

    /// Reload (SIGHUP): the file is checked first; then the candidate is applied whole, or not at
    /// all: whatever fails puts back what ran before, and the daemon says so.
    private func reload(_ r: inout Running, notifier: SystemdNotifier) async {
        notifier.notify("RELOADING=1\nSTATUS=reloading \(configPath)")
        let candidate: SensegateConfig
        do throws(ConfigErrors) {
            candidate = withOverrides(try ConfigLoader.load(configPath, parts: parts))
        } catch {
            for d in error.diagnostics { logger.error("reload refused: \(d)") }
            logger.error("reload refused: still running the previous configuration")
            notifier.notify("READY=1\nSTATUS=reload refused; running the previous configuration")
            return
        }
        if candidate.board != r.config.board || candidate.actuators != r.config.actuators {
            // Outputs are wiring: changing them is maintenance, done with a restart.
            logger.error(
                "reload refused: the board or the actuators changed; restart sensegate to apply that (still running the previous configuration)")
            notifier.notify("READY=1\nSTATUS=reload refused; running the previous configuration")
            return
        }
        if await apply(candidate, to: &r) {
            notifier.notify("READY=1\nSTATUS=running \(r.config.sensors.count) sensor(s)")
        } else {
            logger.error("reload refused: still running the previous configuration")
            notifier.notify("READY=1\nSTATUS=reload refused; running the previous configuration")
        }
    }

    /// The candidate's sensors (with its analysis and rules), then its MQTT session if that
    /// changed; true once both run. A failure at either step puts the previous ones back.
    private func apply(_ candidate: SensegateConfig, to r: inout Running) async -> Bool {
        let previous = r.config
        await r.sensors.stop()
        r.liveness.reset()
        r.outlet.replace(analysis: Analysis(candidate), rules: candidate.rules, publicAlerts: candidate.mqtt.publicAlerts)
        r.outlet.replaceCommandSigning(candidate.commandSigning)
        do {
            r.sensors = try sensorSet(candidate, r)
        } catch {
            logger.error("reload: \(error)")
            await restoreSensors(previous, &r)
            return false
        }
        let mqttChanged = candidate.mqtt != previous.mqtt || candidate.node != previous.node
        if mqttChanged {
            await r.session.stop(
                announceOffline: candidate.node != previous.node || candidate.mqtt.prefix != previous.mqtt.prefix,
                timeout: .milliseconds(500))
            do {
                r.session = try startSession(candidate, current: r.current, outlet: r.outlet, outbox: r.outbox)
            } catch {
                logger.error("reload: \(error); putting back the previous MQTT settings and sensors")
                do {
                    r.session = try startSession(previous, current: r.current, outlet: r.outlet, outbox: r.outbox)
                } catch {
                    logger.critical("cannot restart the previous MQTT client either: \(error)")
                }
                r.outlet.attach(r.session)
                await r.sensors.stop()
                r.liveness.reset()
                await restoreSensors(previous, &r)
                return false
            }
            r.outlet.attach(r.session)
            if candidate.mqtt.outbox != previous.mqtt.outbox || candidate.mqtt.queueLimit != previous.mqtt.queueLimit {
                logger.warning("reload: mqtt.outbox and mqtt.queue_limit take effect at the next start")
            }
        }
        // Applied: what no longer exists is retracted, the states published again.
        r.health.forget(except: Set(candidate.sensors.map(\.name)))
        let topics = TopicTree(prefix: previous.mqtt.prefix, node: previous.node)
        r.outlet.retract(
            Set(previous.alarms.map(\.name)).subtracting(candidate.alarms.map(\.name)).sorted().map(topics.alarm)
                + Set(previous.rules.map(\.name)).subtracting(candidate.rules.map(\.name)).sorted().map(topics.rule))
        r.outlet.publishAllStates()
        if !mqttChanged, let next = Self.discovery(candidate) { r.session.replaceDiscovery(next) }
        reconcileDiscovery(candidate, outlet: r.outlet, stateFiles: r.stateFiles)
        if candidate.logLevel != previous.logLevel, let logLevels {
            if logLevels.apply(candidate.logLevel) {
                logger.notice("reload: log level now \(candidate.logLevel.rawValue)")
            } else {
                logger.notice("reload: log_level \(candidate.logLevel.rawValue) not applied: --log-level on the command line sets it")
            }
        }
        r.config = candidate
        r.current.withLock { $0 = candidate }
        logger.notice("reloaded \(configPath): \(candidate.sensors.count) sensor(s)")
        HeapMemory.releaseFree()  // what the reload built and dropped
        return true
    }

    /// The previous configuration's analysis, rules and sensors, after a reload that failed.
    private func restoreSensors(_ previous: SensegateConfig, _ r: inout Running) async {
        r.outlet.replace(analysis: Analysis(previous), rules: previous.rules, publicAlerts: previous.mqtt.publicAlerts)
        r.outlet.replaceCommandSigning(previous.commandSigning)
        do {
            r.sensors = try sensorSet(previous, r)
        } catch {
            logger.critical("cannot restart the previous sensors either: \(error)")
        }
    }

    private func sensorSet(_ config: SensegateConfig, _ r: Running) throws(UnavailableResource) -> SensorSet {
        try SensorSet(
            config: config, hardware: r.hardware, clock: r.clock, liveness: r.liveness, logger: logger,
            stateFiles: r.stateFiles, sink: r.outlet, traffic: r.outlet)
    }

    /// Stop (SIGTERM, SIGINT): outputs to their failsafe levels and published first, then the
    /// sensors, `offline`, the outbox and the state files.
    private func stop(
        _ r: Running, reactionTask: Task<Void, Never>, housekeeping: Task<Void, Never>,
        notifier: SystemdNotifier
    ) async {
        notifier.notify("STOPPING=1\nSTATUS=stopping")
        reactionTask.cancel()
        await reactionTask.value
        r.outlet.stopReaction()  // outputs at failsafe, published, before anything else stops
        housekeeping.cancel()
        await r.sensors.stop()
        await housekeeping.value
        await r.session.stop(announceOffline: true, timeout: .milliseconds(800))
        r.outbox.close()  // what the broker has not acknowledged is on disk for the next start
        do { try r.seq.close() } catch { logger.error("seq: \(error); the next start skips to the reserved block") }
        // The metrics file says the daemon is down (sensegate_up 0) rather than going on
        // showing the last counts as if it ran.
        let config = r.current.withLock { $0 }
        if let metrics = config.metrics {
            r.outlet.writeMetrics(to: metrics.textfile, node: config.node, board: config.board.name, stopped: true)
        }
        r.stateFiles.close()
        logger.info("stopped: published offline, released all lines")
    }

    private func withOverrides(_ c: SensegateConfig) -> SensegateConfig {
        var c = c
        if let brokerOverride {
            c.mqtt.broker = brokerOverride
            c.mqtt.fallbackBrokers = []
        }
        return c
    }

    private static func descriptions(_ config: SensegateConfig) -> [String: String] {
        Dictionary(config.actuators.map { ($0.name, $0.description) }, uniquingKeysWith: { a, _ in a })
    }

    /// The public alerts still out (docs/cap.md), kept next to the seq file.
    static func publicAlertsFile(_ config: SensegateConfig) -> String { config.stateDirectory + "/cap-alerts" }

    private func loadPublicAlerts(_ path: String) -> PublicAlerts {
        do throws(DurableFile.Failure) {
            guard let text = try DurableFile.read(path) else { return PublicAlerts() }
            var skipped: [String] = []
            let alerts = PublicAlerts(fileText: text, skipped: &skipped)
            for line in skipped { logger.error("public alerts: \(path): skipped a damaged line: \(line)") }
            if !alerts.outstanding.isEmpty {
                logger.notice(
                    "public alerts: \(alerts.outstanding.count) alert(s) still out from the previous run: \(alerts.outstanding.keys.sorted().joined(separator: ", "))"
                )
            }
            return alerts
        } catch {
            logger.error("public alerts: \(error); alerts issued before this start will not be updated or cancelled")
            return PublicAlerts()
        }
    }

    static func discovery(_ config: SensegateConfig) -> HomeAssistantDiscovery? {
        config.mqtt.homeAssistant.map { HomeAssistantDiscovery(config: config, settings: $0) }
    }

    /// Deletes the discovery configs announced before (at any earlier start or reload) that
    /// `config` no longer makes: all of them when discovery is off (`DiscoveryLedger`).
    private func reconcileDiscovery(_ config: SensegateConfig, outlet: Outlet, stateFiles: StateFileWriter) {
        let current = Self.discovery(config).map { $0.settings.enabled ? $0.configTopics : [] } ?? []
        DiscoveryLedger(stateDirectory: config.stateDirectory).reconcile(
            current: current, outlet: outlet, writer: stateFiles, logger: logger)
    }

    static func outboxSettings(_ mqtt: MQTTSettings) -> OutboxSettings {
        var o = OutboxSettings()
        o.maxMessages = mqtt.outbox.maxMessages
        o.maxBytes = mqtt.outbox.maxMegabytes * 1024 * 1024
        o.maxAge = mqtt.outbox.maxAge
        o.flushInterval = mqtt.outbox.flushInterval
        o.window = mqtt.outbox.window
        o.memoryLimit = mqtt.queueLimit
        return o
    }

    /// Moves the session from `mqtt.brokers[old]` to `mqtt.brokers[index]` (`BrokerFailover`
    /// asked): what the broker left did not acknowledge goes to the new one from the outbox, in
    /// order per class. Returns the index of the broker in use after the move (the old one if
    /// the new client could not be made), so that the failover counts from where it really is.
    private func useBroker(_ index: Int, from old: Int, _ r: inout Running) async -> Int {
        let brokers = r.config.mqtt.brokers
        guard brokers.indices.contains(index) else { return old }
        let previous = r.session.settings.broker
        await r.session.stop(announceOffline: false, timeout: .milliseconds(500))
        var now = index
        do {
            r.session = try startSession(r.config, broker: brokers[index], current: r.current, outlet: r.outlet, outbox: r.outbox)
            logger.notice("MQTT: now using \(brokers[index]) (was \(previous))")
        } catch {
            logger.error("MQTT: cannot move to \(brokers[index]): \(error); staying with \(previous)")
            now = old
            do {
                r.session = try startSession(r.config, broker: previous, current: r.current, outlet: r.outlet, outbox: r.outbox)
            } catch {
                logger.critical("cannot restart the MQTT client for \(previous) either: \(error)")
            }
        }
        r.outlet.attach(r.session)
        return now
    }

    private func startSession(
        _ config: SensegateConfig, broker: BrokerURL? = nil, current: Shared<SensegateConfig>, outlet: Outlet,
        outbox: Outbox
    ) throws -> MQTTSession {
        var settings = config.mqtt
        if let broker { settings.broker = broker }
        do {
            return try MQTTSession(
                settings: settings, node: config.node, outbox: outbox, logger: logger,
                subscriptions: { $0.commandFilters },
                discovery: Self.discovery(config), listener: OutletSessionListener(outlet: outlet, current: current))
        } catch {
            throw UnavailableResource(description: "MQTT client: \(error)")
        }
    }

    /// READY=1 after every sensor has completed a cycle, WATCHDOG=1 while every sensor keeps its
    /// promise, health every minute.
    private static func housekeeping(
        current: Shared<SensegateConfig>, notifier: SystemdNotifier, liveness: Liveness,
        outlet: Outlet, clock: any SenseClock, logger: Logger
    ) async {
        let real = SystemClock()  // the watchdog runs on real time even when the world is accelerated
        var ready = false
        var nextHealth = real.monotonicNow + .seconds(60)
        var nextMetrics = real.monotonicNow
        var nextPet = real.monotonicNow
        var nextTrim = real.monotonicNow
        while !Task.isCancelled {
            let now = real.monotonicNow
            let config = current.withLock { $0 }
            if !ready, liveness.allCompletedFirstCycle(config.sensors.map(\.name)) {
                ready = true
                // Logged first: the journal then holds the reason before systemd's "Started".
                logger.info("first cycle complete: ready")
                notifier.notify("READY=1\nSTATUS=running \(config.sensors.count) sensor(s)")
                // The start's transient buffers (the parsed config, the first burst of readings,
                // the discovery configs) go back to the kernel rather than stay resident.
                HeapMemory.releaseFree()
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
            outlet.checkStale()
            outlet.tickAlarms()
            outlet.closeWindows()
            outlet.flushLogs()
            if now >= nextHealth {
                outlet.publishHealth(board: config.board.name)
                nextHealth = now + .seconds(60)
            }
            if let metrics = config.metrics, now >= nextMetrics {
                outlet.writeMetrics(to: metrics.textfile, node: config.node, board: config.board.name)
                nextMetrics = now + metrics.interval
            }
            if ready, now >= nextTrim {
                // glibc keeps what a burst of readings freed, in pieces that later bursts must
                // search: trimming every 2 s took 2,000 sensors at 1 Hz from 8.3 to 5.2 KiB each
                // and 20,000 every 10 s from 43 % to 27 % of a core (docs/benchmarks.md).
                HeapMemory.releaseFree()
                nextTrim = now + .seconds(2)
            }
            do { try await real.sleep(for: .milliseconds(ready ? 1000 : 20)) } catch { return }
        }
    }
}
