import Logging
import SenseAnalysis
import SenseConfig
import SenseCore
import SenseHardware
import SenseMQTT
import SenseOS
import SenseReaction
import SenseWire

/// Where samples go: analysed (quality checks, filters, derived channels, alarms, windows),
/// decided (rules, actuators — the output lines are set here, before anything is published),
/// stamped with `seq`, recorded for health, handed to the current session. One lock covers all
/// of it, so `seq` order is the order messages leave the gateway whichever task emitted them,
/// and a reflex never waits for the network (hand-over never blocks: the outbox queues).
package final class Outlet: Sendable, SampleSink, TrafficReportSink, StateWriteObserver {
    package struct Engine: Sendable {
        var analysis: Analysis
        var reaction: Reaction
        var descriptions: [String: String] = [:]
        /// What each decision has to publish, oldest first: published right after the decision,
        /// or, when it moved an actuator, after the line is set (`Outlet.locked`).
        var unpublished: [Decision] = []
        /// What `<root>/alarms` last said.
        var summary: AlarmSummary?
        /// What each actuator's retained state last said.
        var published: [String: Said] = [:]
        /// `cap:`, and the public alerts that are out (docs/cap.md).
        package var alertSettings: PublicAlertSettings?
        var publicAlerts = PublicAlerts()
        package var node = ""

        package init(analysis: Analysis, reaction: Reaction, descriptions: [String: String] = [:]) {
            self.analysis = analysis
            self.reaction = reaction
            self.descriptions = descriptions
        }
    }

    /// One reaction step's results, to be published in the order the steps ran.
    struct Decision: Sendable {
        var output: Analysis.Output?
        var rules: [RuleSnapshot]
    }

    struct Said: Equatable {
        var level: Bool
        var source: ActuatorSource
        var reason: String
        var fault: String?
        var high: Bool?
    }

    private let seq: SequenceStore
    private let outbox: Outbox
    private let health: HealthBoard
    private let clock: any SenseClock
    private let logger: Logger
    private let session = Locked<MQTTSession?>(nil)
    private let engine: Locked<Engine>
    private let timer = ReactionTimer()
    private let commandLog: CommandLog
    /// Output changes, per actuator: commands can flip one thousands of times a second.
    private let changeLog: LogLimiter
    /// Sets the lines the reaction step decided, after the engine's lock is released.
    private let executor: OutputExecutor
    /// Where the public alerts that are out are kept across restarts (nil: not kept), and the
    /// thread that writes it (never the engine's lock).
    private let publicAlertsFile: String?
    private let stateFiles: StateFileWriter?
    private let metricsObserver: MetricsFileObserver
    /// `commands:` (signed commands and their keys), replaced on reload; the verifier and its
    /// nonces live as long as the process.
    private let signing: Locked<CommandSigning?>
    private let verifier: Locked<CommandVerifier>
    private let mac: any MessageAuthentication

    package init(
        seq: SequenceStore, outbox: Outbox, health: HealthBoard, engine: Engine, outputs: OutputLines?, clock: any SenseClock,
        logger: Logger, publicAlertsFile: String? = nil, stateFiles: StateFileWriter? = nil,
        commandSigning: CommandSigning? = nil, mac: any MessageAuthentication = LibcryptoMAC()
    ) {
        signing = Locked(commandSigning)
        verifier = Locked(CommandVerifier(started: clock.wallNow))
        self.mac = mac
        self.publicAlertsFile = publicAlertsFile
        self.stateFiles = stateFiles
        self.seq = seq
        self.outbox = outbox
        self.health = health
        self.clock = clock
        self.engine = Locked(engine)
        self.logger = logger
        commandLog = CommandLog(now: clock.monotonicNow, logger: logger)
        changeLog = LogLimiter(what: "output changes", now: clock.monotonicNow, logger: logger)
        executor = OutputExecutor(lines: outputs, changeLog: changeLog, clock: clock, logger: logger)
        metricsObserver = MetricsFileObserver(logger: logger)
    }

    /// Runs `step` under the engine's lock, where the reaction step queues what it decided. When
    /// it moved an actuator, the lines are set with the lock released — the reflex first — and
    /// then, under the lock again, the decision is published with the actuators' state as the
    /// lines now are. (Decisions wait in `unpublished` in the order they were taken, so whoever
    /// publishes first publishes them all in that order.)
    private func locked(_ step: (inout Engine) -> Bool) {
        guard engine.withLock({ e in step(&e) }) else { return }
        executor.apply()
        engine.withLock { e in publishDecisions(&e) }
    }

    package func attach(_ s: MQTTSession) { session.withLock { $0 = s } }

    /// A reload's `commands:`: keys rotate here; the nonces already used stay used.
    func replaceCommandSigning(_ settings: CommandSigning?) { signing.withLock { $0 = settings } }

    /// The physical level an actuator's line was last set to (true = high).
    func lineHigh(_ actuator: String) -> Bool? { executor.line(actuator)?.high }

    /// A reload: new analysis and rules; the actuators, their state and their lines stay, and so
    /// does whatever of the analysis did not change (`Analysis.carryOver`): an acknowledged alarm
    /// is still acknowledged after the reload.
    func replace(analysis: Analysis, rules: [RuleDefinition], publicAlerts: PublicAlertSettings?) {
        locked { e in
            var analysis = analysis
            let kept = analysis.carryOver(from: e.analysis)
            if !kept.alarms.isEmpty { logger.info("reload: \(kept.alarms.count) unchanged alarm(s) keep their state") }
            if !kept.rules.isEmpty { logger.info("reload: \(kept.rules.count) unchanged rule(s) keep their state and timers") }
            e.analysis = analysis
            if publicAlerts == nil, var previous = e.alertSettings, !e.publicAlerts.outstanding.isEmpty {
                // `cap:` removed: what is out is cancelled under the old sender while it is known.
                previous.alerts = [:]
                e.alertSettings = previous
                publishPublicAlerts(&e)
            }
            e.alertSettings = publicAlerts
            e.reaction.replaceRules(rules)
            return react(&e, nil)
        }
    }

    /// A sensor's batch: analysed, reacted to, published.
    package func accept(_ batch: [Sample]) {
        locked { e in react(&e, e.analysis.process(batch)) }
    }

    /// A traffic station's step: its measures through analysis (rules, alarms, windows), then its
    /// records and, if enabled, its vehicle events.
    package func accept(_ report: TrafficReport) {
        locked { e in
            let decided = react(&e, e.analysis.process(report.samples))
            guard let s = session.withLock({ $0 }) else { return decided }
            for summary in report.summaries {
                post(
                    .data, s.topics.traffic(station: report.station, group: summary.group, period: summary.period.configText),
                    qos: s.settings.qos, schema: "traffic-record"
                ) { TrafficPayloads.summary(summary, offset: report.wallOffset, seq: $0) }
            }
            guard report.publishVehicles else { return decided }
            for (lane, vehicle) in report.vehicles {
                post(.data, s.topics.vehicles(station: report.station, lane: lane), qos: s.settings.qos, schema: "traffic-vehicle") {
                    TrafficPayloads.vehicle(vehicle, offset: report.wallOffset, seq: $0)
                }
            }
            return decided
        }
    }

    func checkStale() {
        locked { e in react(&e, e.analysis.checkStale(at: clock.monotonicNow, wall: clock.wallNow)) }
    }

    func closeWindows() {
        locked { e in react(&e, e.analysis.closeWindows(at: clock.monotonicNow, wall: clock.wallNow)) }
    }

    func tickAlarms() {
        locked { e in
            let changed = e.analysis.tickAlarms(at: clock.monotonicNow, wall: clock.wallNow)
            return react(&e, Analysis.Output(samples: [], alarms: changed))
        }
    }

    /// Re-evaluates rules and actuators without new input (the reaction timer's deadlines).
    func tickReaction() { locked { e in react(&e, nil) } }

    /// Re-evaluates rules and actuators at each deadline until cancelled (the daemon's and the
    /// benchmark harness's reaction task).
    package func runReactionTimer(clock: any SenseClock) async {
        while !Task.isCancelled {
            await timer.sleep(until: nextReactionDeadline(), clock: clock, limit: .seconds(10))
            tickReaction()
        }
    }

    func nextReactionDeadline() -> MonotonicInstant? {
        engine.withLock { e in Self.deadline(e, now: clock.monotonicNow, wall: clock.wallNow) }
    }

    /// Every output to its failsafe level and published, then the lines released: the first
    /// step of a clean stop, before `offline`.
    package func stopReaction() {
        engine.withLock { e in executor.enqueue(e.reaction.stop(at: clock.monotonicNow)) }
        executor.apply()
        engine.withLock { e in publishActuators(&e) }
        executor.release()
    }

    /// Deletes the retained state of things that no longer exist (an empty retained message).
    func retract(_ topics: [String]) {
        guard !topics.isEmpty else { return }
        engine.withLock { _ in
            // An empty retained message deletes; it uses a seq it cannot carry (docs/mqtt.md).
            for t in topics { post(.state, t, qos: 1, retain: true, schema: nil) { _ in [] } }
        }
    }

    /// Every alarm's, rule's and actuator's state, retained: at each (re)connect, so the broker
    /// always holds the truth.
    func publishAllStates() {
        engine.withLock { e in
            let wall = clock.wallNow
            publishAlarms(e.analysis.alarms.snapshots(wall: wall))
            publishRules(e.analysis.rules.snapshots(wall: wall))
            publishActuators(&e, all: true)
            e.summary = nil
            publishSummary(&e)
        }
    }

    func publishHealth(board: String) {
        engine.withLock { _ in
            guard let s = session.withLock({ $0 }) else { return }
            // Health reports on the numbered stream rather than joining it: its seq is the last one
            // given out, so a gap in seq always means a lost message (docs/mqtt.md).
            let last = seq.current
            health.seqError(seq.problem)
            let link = HealthBoard.Link(
                protocolVersion: s.client.protocolVersion, refusedByBroker: s.client.refusedByBroker,
                droppedIncoming: s.client.droppedMessages)
            let payload = health.payload(
                now: clock.monotonicNow, wall: clock.wallNow, board: board, outbox: outbox.counters, link: link,
                commands: commandLog.counters, signing: signing.withLock { $0 } != nil, seq: last)
            outbox.send(
                OutboxMessage(
                    seq: last, kind: .health, topic: s.topics.health, payload: payload, qos: 0, retain: true,
                    createdMs: clock.wallNow.nanosecondsSinceEpoch / 1_000_000, schema: "health"))
        }
    }

    /// The metrics file (`metrics.textfile`), handed to the state-file thread: written as
    /// node_exporter reads it, never on this thread.
    func writeMetrics(to path: String, node: String, board: String, stopped: Bool = false) {
        guard let stateFiles else { return }
        let now = clock.monotonicNow
        let wall = clock.wallNow
        if stopped {
            stateFiles.submitExposed(path, MetricsText.stopped(node: node, board: board), observer: metricsObserver)
            return
        }
        let (alarms, actuators) = engine.withLock { e -> ([AlarmSnapshot], [MetricsSnapshot.Actuator]) in
            let actuators = e.reaction.bank.names.compactMap { name -> MetricsSnapshot.Actuator? in
                guard let a = e.reaction.bank.actuator(name) else { return nil }
                return MetricsSnapshot.Actuator(
                    name: name, on: a.level, failsafe: a.isFailsafe, lineFault: executor.fault(name) != nil,
                    changes: executor.changeCount(name))
            }
            return (e.analysis.alarms.snapshots(wall: wall), actuators)
        }
        let link = session.withLock { $0 }.map {
            HealthBoard.Link(
                protocolVersion: $0.client.protocolVersion, refusedByBroker: $0.client.refusedByBroker,
                droppedIncoming: $0.client.droppedMessages)
        }
        let snapshot = MetricsSnapshot(
            node: node, board: board, startedAt: wall + (health.started - now),
            residentBytes: HealthBoard.residentKiB().map { $0 * 1024 }, cpuSeconds: ProcessUsage.cpuSeconds(),
            sensors: health.sensors(), outbox: outbox.counters, link: link, commands: commandLog.counters,
            alarms: alarms, actuators: actuators, wall: wall)
        stateFiles.submitExposed(path, MetricsText.render(snapshot), observer: metricsObserver)
    }

    /// An operator command (alarm or actuator): checked, applied at once, answered, logged. The
    /// payload is parsed before the engine lock is taken, so a flood of malformed commands costs
    /// the reflex path nothing; what is logged and answered is bounded by `commandLog`.
    func handleCommand(_ message: IncomingMessage) {
        guard let s = session.withLock({ $0 }) else { return }
        let root = s.topics.root
        let now = clock.monotonicNow
        let rest = message.topic.hasPrefix(root + "/") ? message.topic.dropFirst(root.count + 1) : ""
        let levels = rest.split(separator: "/", omittingEmptySubsequences: false)
        // Our own answers come back where the broker cannot leave them out (MQTT 3.1.1 has no
        // "no local"): they are outputs, never commands.
        if levels.count == 3, (levels[0] == "actuator" && levels[2] == "ack") || (levels[0] == "alarm" && levels[2] == "reply") { return }
        let shown = LogLimiter.shown(message.topic)
        let isActuator = levels.first == "actuator"
        var message = message
        var signer: CommandKey?
        if let signing = signing.withLock({ $0 }), signing.required || SignedEnvelope.looksSigned(message.payload) {
            do throws(SignatureRefusal) {
                let wall = clock.wallNow
                let verified = try verifier.withLock { v throws(SignatureRefusal) in try v.open(message, signing: signing, mac: mac, now: wall) }
                message = verified.message
                signer = verified.key
            } catch {
                commandLog.signatureRefused(error.kind)
                // The target is the topic's; the name is quoted back only when it could be one.
                let name = levels.count >= 2 && levels[1].utf8.count <= 48 ? String(levels[1]) : ""
                let verb = isActuator ? "" : (levels.count == 3 ? QuotedText.shown(String(levels[2])) : "")
                // The sender's id, unverified, only so that it can match the answer.
                let id = SignedEnvelope.untrustedID(message.payload)
                let audit = CommandAudit(
                    result: .refused, target: isActuator ? "actuator/\(name)" : "alarm/\(name)", command: verb, key: error.keyID,
                    by: nil, id: id, reason: error.reason)
                refuse(
                    s, isActuator ? .actuator(name) : .alarm(name), command: verb, id: id, reason: error.reason, topic: shown,
                    line: audit.line, at: now, answer: !name.isEmpty && levels.count == 3)
                return
            }
        }
        if isActuator {
            do throws(ActuatorCommand.Refusal) {
                let c = try ActuatorCommand.parse(message, root: root)
                if let signer, let why = signer.refusal(actuator: c.actuator, command: c.verb.rawValue) {
                    throw c.refusal(why)
                }
                applyActuatorCommand(s, c, key: signer?.id, topic: shown, at: now)
            } catch {
                let audit = CommandAudit(
                    result: .refused, target: "actuator/\(QuotedText.shown(error.actuator))", command: error.command, key: signer?.id,
                    by: nil, id: error.id, reason: error.reason)
                refuse(
                    s, .actuator(error.actuator), command: error.command, id: error.id, reason: error.reason, topic: shown,
                    line: audit.line, at: now)
            }
        } else {
            do throws(AlarmCommand.Refusal) {
                let c = try AlarmCommand.parse(message, root: root)
                if let signer, let why = signer.refusal(alarm: c.alarm, command: c.command.rawValue) {
                    throw AlarmCommand.Refusal(alarm: c.alarm, command: c.command.rawValue, id: c.id, reason: why)
                }
                applyAlarmCommand(s, c, key: signer?.id, topic: shown, at: now)
            } catch {
                let audit = CommandAudit(
                    result: .refused, target: "alarm/\(QuotedText.shown(error.alarm))", command: error.command, key: signer?.id,
                    by: nil, id: error.id, reason: error.reason)
                refuse(
                    s, .alarm(error.alarm), command: error.command, id: error.id, reason: error.reason, topic: shown,
                    line: audit.line, at: now)
            }
        }
    }

    /// Where a command's answer goes: `…/actuator/<name>/ack` or `…/alarm/<name>/reply`.
    private enum CommandTarget {
        case actuator(String)
        case alarm(String)
    }

    /// A refused command: logged, and answered while the answer budget lasts.
    private func refuse(
        _ s: MQTTSession, _ target: CommandTarget, command: String, id: String?, reason: String, topic: String,
        line: String, at now: MonotonicInstant, answer: Bool = true
    ) {
        guard commandLog.refused(topic: topic, line, at: now), answer else { return }
        let wall = clock.wallNow
        let payload = { (seq: UInt64) in CommandReply.payload(command: command, id: id, ok: false, state: nil, reason: reason, wall: wall, seq: seq) }
        engine.withLock { _ in
            switch target {
            case let .actuator(name): ack(s, name, payload)
            case let .alarm(name): reply(s, name, payload)
            }
        }
    }

    /// Summary lines of commands and output changes not logged one by one, once their window is over.
    func flushLogs() {
        commandLog.flush(at: clock.monotonicNow)
        changeLog.flush(at: clock.monotonicNow)
    }

    private func applyActuatorCommand(_ s: MQTTSession, _ c: ActuatorCommand, key: String?, topic: String, at now: MonotonicInstant) {
        enum Outcome { case accepted(Bool?), lineFailed(String), refused(String) }
        let wall = clock.wallNow
        var outcome = engine.withLock { e -> Outcome in
            do throws(ActuatorCommand.Refusal) {
                executor.enqueue(try e.reaction.command(c, at: now))
                timer.reschedule(Self.deadline(e, now: now, wall: wall))
                return .accepted(e.reaction.bank.actuator(c.actuator)?.level)
            } catch {
                return .refused(error.reason)
            }
        }
        if case .accepted = outcome {
            executor.apply()
            engine.withLock { e in publishActuators(&e) }
            if let fault = executor.fault(c.actuator) { outcome = .lineFailed(fault) }
        }
        let audit = CommandAudit(
            result: .accepted, target: "actuator/\(c.actuator)", command: c.verb.rawValue, key: key, by: c.by, id: c.id, reason: nil)
        switch outcome {
        case let .accepted(level):
            var line = audit
            line.state = level == true ? "on" : "off"
            commandLog.accepted(topic: topic, line.line, at: now)
            answer(s, c, ok: true, state: level.map { $0 ? "on" : "off" }, reason: nil, wall: wall)
        case let .lineFailed(fault):
            var line = audit
            line.result = .failed
            line.reason = "the line could not be set: \(fault)"
            logger.error("\(line.line)")
            answer(s, c, ok: false, state: nil, reason: "the line could not be set: \(fault)", wall: wall)
        case let .refused(reason):
            var line = audit
            line.result = .refused
            line.reason = reason
            refuse(
                s, .actuator(c.actuator), command: c.verb.rawValue, id: c.id, reason: reason, topic: topic, line: line.line, at: now)
        }
    }

    private func answer(_ s: MQTTSession, _ c: ActuatorCommand, ok: Bool, state: String?, reason: String?, wall: WallTime) {
        engine.withLock { _ in
            ack(
                s, c.actuator, { CommandReply.payload(command: c.verb.rawValue, id: c.id, ok: ok, state: state, reason: reason, wall: wall, seq: $0) }
            )
        }
    }

    private func applyAlarmCommand(_ s: MQTTSession, _ c: AlarmCommand, key: String?, topic: String, at now: MonotonicInstant) {
        let wall = clock.wallNow
        var audit = CommandAudit(
            result: .accepted, target: "alarm/\(c.alarm)", command: c.command.rawValue, key: key, by: c.by, id: c.id, reason: nil)
        var decided = false
        let outcome = engine.withLock { e -> Result<AlarmSnapshot, AlarmEngine.CommandRefusal> in
            do throws(AlarmEngine.CommandRefusal) {
                let snapshot = try e.analysis.command(c.command, alarm: c.alarm, shelveFor: c.shelveFor, at: now, wall: wall)
                decided = react(&e, Analysis.Output(samples: [], alarms: [snapshot]))  // a reset latch may end a rule
                if !decided { replyAccepted(s, c, snapshot, wall: wall) }
                return .success(snapshot)
            } catch {
                return .failure(error)
            }
        }
        if decided, case let .success(snapshot) = outcome {
            // An actuator moved: its line first, then the alarm's new state, then the answer.
            executor.apply()
            engine.withLock { e in
                publishDecisions(&e)
                replyAccepted(s, c, snapshot, wall: wall)
            }
        }
        switch outcome {
        case let .success(snapshot):
            audit.state = snapshot.state.rawValue + (snapshot.shelved ? ",shelved" : "")
            commandLog.accepted(topic: topic, audit.line, at: now)
        case let .failure(error):
            audit.result = .refused
            audit.reason = error.description
            refuse(
                s, .alarm(c.alarm), command: c.command.rawValue, id: c.id, reason: error.description, topic: topic,
                line: audit.line, at: now)
        }
    }

    // MARK: with the lock held

    private func replyAccepted(_ s: MQTTSession, _ c: AlarmCommand, _ snapshot: AlarmSnapshot, wall: WallTime) {
        reply(s, c.alarm) {
            CommandReply.payload(
                command: c.command.rawValue, id: c.id, ok: true, state: snapshot.state.rawValue, reason: nil, wall: wall, seq: $0)
        }
    }

    /// The reaction step and the publishing that follows, under the lock. The step only decides:
    /// its events go to the executor's queue, and the lines are set after the lock is released
    /// (`locked`). Returns whether anything was decided.
    private func react(_ e: inout Engine, _ output: Analysis.Output?) -> Bool {
        let now = clock.monotonicNow
        let wall = clock.wallNow
        let rules = e.analysis.evaluateRules(at: now, wall: wall)
        let events = e.reaction.apply(e.analysis.rules, at: now)
        executor.enqueue(events)
        e.unpublished.append(Decision(output: output, rules: rules))
        // With events, the decision is published once the lines are set (`locked`).
        if events.isEmpty { publishDecisions(&e) }
        timer.reschedule(Self.deadline(e, now: now, wall: wall))
        return !events.isEmpty
    }

    /// Publishes every decision waiting, oldest first, then the states they leave.
    private func publishDecisions(_ e: inout Engine) {
        let decisions = e.unpublished
        e.unpublished.removeAll(keepingCapacity: true)
        for d in decisions {
            if let output = d.output {
                publish(output.samples)
                publishAlarms(output.alarms)
                publishAggregates(output.aggregates)
            }
            publishRules(d.rules)
        }
        publishPublicAlerts(&e)
        publishActuators(&e)
        publishSummary(&e)
    }

    private static func deadline(_ e: Engine, now: MonotonicInstant, wall: WallTime) -> MonotonicInstant? {
        [e.reaction.nextDeadline(after: now), e.analysis.rules.nextDeadline(now: now, wall: wall)].compactMap { $0 }.min()
    }

    /// A name that is not a topic level (empty, or with wildcards) gets its answer nowhere.
    private static func isTopicLevel(_ name: String) -> Bool { !name.isEmpty && !name.contains("+") && !name.contains("#") }

    private func reply(_ s: MQTTSession, _ alarm: String, _ payload: @escaping (UInt64) -> [UInt8]) {
        guard Self.isTopicLevel(alarm) else { return }
        post(.reply, s.topics.alarmReply(alarm), qos: 1, schema: "alarm-reply", payload)
    }

    private func ack(_ s: MQTTSession, _ actuator: String, _ payload: @escaping (UInt64) -> [UInt8]) {
        guard Self.isTopicLevel(actuator) else { return }
        post(.reply, s.topics.actuatorAck(actuator), qos: 1, schema: "actuator-ack", payload)
    }

    /// Publishes every actuator whose level, source or reason changed (a failsafe that keeps the
    /// level still changes who holds it), or all of them. An actuator whose line is still being
    /// set waits: whoever sets it publishes it next, with the line as it then is.
    private func publishActuators(_ e: inout Engine, all: Bool = false) {
        let now = clock.monotonicNow
        let wall = clock.wallNow
        for name in e.reaction.bank.names {
            guard let a = e.reaction.bank.actuator(name), !executor.isSettingLine(name) else { continue }
            let line = executor.line(name)
            let fault = executor.fault(name)
            let said = Said(level: a.level, source: a.source, reason: a.detail, fault: fault, high: line?.high)
            guard all || e.published[name] != said, let s = session.withLock({ $0 }) else { continue }
            e.published[name] = said
            let state = ReactionPayloads.ActuatorState(
                actuator: a, since: wall + (a.since - now),
                overrideUntil: a.overrideUntil.map { wall + ($0 - now) }, line: line,
                fault: fault, description: e.descriptions[name] ?? "")
            post(.state, s.topics.actuator(name), qos: 1, retain: true, schema: "actuator") { ReactionPayloads.actuator(state, wall: wall, seq: $0) }
        }
    }

    /// CAP messages for the alarms that issue public alerts, as `PublicAlerts` decides; the
    /// alerts that are out are saved so that a restart can update or cancel them.
    private func publishPublicAlerts(_ e: inout Engine) {
        guard let settings = e.alertSettings, let s = session.withLock({ $0 }) else { return }
        let now = clock.monotonicNow
        let wall = clock.wallNow
        var changed = false
        let base = settings.topic ?? s.topics.root + "/cap"
        func post(
            _ type: CAPPayloads.MessageType, _ alarm: String, _ template: CAPAlertTemplate?, _ snapshot: AlarmSnapshot?,
            references: [PublicAlerts.Issued]
        ) -> String {
            var identifier = ""
            let node = e.node
            self.post(.state, base + "/" + alarm, qos: 1, retain: true, schema: "cap") { n in
                identifier = CAPPayloads.identifier(node: node, alarm: alarm, seq: n)
                return CAPPayloads.xml(
                    .init(
                        type: type, identifier: identifier, sent: wall, node: node, settings: settings,
                        template: template, alarm: snapshot,
                        references: references.map { .init(identifier: $0.identifier, sent: $0.sent) }, seq: n))
            }
            logger.notice("public alert: CAP \(type.rawValue) \(identifier) for alarm \(alarm) on \(base)/\(alarm)")
            return identifier
        }
        for (alarm, issued) in e.publicAlerts.orphans(keeping: Set(settings.alerts.keys)) {
            _ = post(.cancel, alarm, nil, nil, references: [issued])
            e.publicAlerts.cancelled(alarm)
            changed = true
        }
        for alarm in settings.alerts.keys.sorted() {
            let template = settings.alerts[alarm]!
            guard let c = e.analysis.alarms.publicCondition(alarm, at: now, wall: wall),
                let decision = e.publicAlerts.decide(alarm: alarm, c, expires: template.expires ?? settings.expires, wall: wall)
            else { continue }
            switch decision {
            case let .alert(replacing):
                let id = post(replacing == nil ? .alert : .update, alarm, template, c.snapshot, references: replacing.map { [$0] } ?? [])
                e.publicAlerts.issued(alarm, identifier: id, sent: wall)
            case let .cancel(issued):
                _ = post(.cancel, alarm, template, c.snapshot, references: [issued])
                e.publicAlerts.cancelled(alarm)
            }
            changed = true
        }
        guard changed, let file = publicAlertsFile, let stateFiles else { return }
        stateFiles.submit(file, e.publicAlerts.fileText, observer: self)
    }

    /// The public alerts' file, written by the state file thread.
    package func stateWritten(_ path: String, text: String, failure: DurableFile.Failure?) {
        guard let failure else { return }
        logger.error("public alerts: \(failure); after a restart the alerts that are out cannot be updated or cancelled")
    }

    /// `<root>/alarms` whenever a count or the flood state changes.
    private func publishSummary(_ e: inout Engine) {
        let summary = e.analysis.alarms.summary(at: clock.monotonicNow)
        guard summary != e.summary, let s = session.withLock({ $0 }) else { return }
        e.summary = summary
        let wall = clock.wallNow
        post(.state, s.topics.alarms, qos: 1, retain: true, schema: "alarms") { AlarmPayloads.summary(summary, wall: wall, seq: $0) }
    }

    private func publishRules(_ rules: [RuleSnapshot]) {
        guard !rules.isEmpty, let s = session.withLock({ $0 }) else { return }
        for r in rules {
            post(.state, s.topics.rule(r.name), qos: 1, retain: true, schema: "rule") { ReactionPayloads.rule(r, seq: $0) }
        }
    }

    private func publishAlarms(_ alarms: [AlarmSnapshot]) {
        guard !alarms.isEmpty, let s = session.withLock({ $0 }) else { return }
        for a in alarms {
            post(.state, s.topics.alarm(a.name), qos: 1, retain: true, schema: "alarm") { AlarmPayloads.state(a, seq: $0) }
        }
    }

    private func publishAggregates(_ aggregates: [Analysis.Aggregate]) {
        guard !aggregates.isEmpty, let s = session.withLock({ $0 }) else { return }
        for a in aggregates {
            post(.data, s.topics.aggregate(a.name), qos: s.settings.qos, schema: "aggregate") {
                AggregatePayloads.aggregate(functions: a.functions, result: a.result, seq: $0)
            }
        }
    }

    private func publish(_ samples: [Sample]) {
        let s = session.withLock { $0 }
        for sample in samples where sample.sensor != DerivedEngine.sensorName { health.record(sample) }
        guard let s else { return }
        if let things = s.sensorThingsTopics { publishObservations(samples, things, s) }
        if s.settings.format == .senml {
            publishSenML(samples, s)
            return
        }
        for sample in samples {
            let isDerived = sample.sensor == DerivedEngine.sensorName
            let topic =
                isDerived
                ? s.topics.derived(name: sample.quantity)
                : s.topics.reading(sensor: sample.sensor, quantity: sample.quantity)
            post(.data, topic, qos: s.settings.qos, schema: "reading") { Payloads.reading(sample, seq: $0) }
        }
    }

    /// SensorThings Observations of the channels that have a Datastream; a bad sample or one
    /// without a value is none (and takes no `seq`).
    private func publishObservations(_ samples: [Sample], _ topics: [String: [String: String]], _ s: MQTTSession) {
        let qos = s.settings.sensorThings?.qos ?? s.settings.qos
        for sample in samples {
            guard let topic = topics[sample.sensor]?[sample.quantity], SensorThingsPayloads.isObservation(sample) else { continue }
            post(.data, topic, qos: qos, schema: "sensorthings-observation") {
                SensorThingsPayloads.observation(sample, node: s.node, seq: $0) ?? []
            }
        }
    }

    /// One pack per sensor (derived channels as the sensor `derived`), in the order they came.
    private func publishSenML(_ samples: [Sample], _ s: MQTTSession) {
        var order: [String] = []
        var groups: [String: [Sample]] = [:]
        for sample in samples {
            if groups[sample.sensor] == nil { order.append(sample.sensor) }
            groups[sample.sensor, default: []].append(sample)
        }
        for sensor in order {
            let group = groups[sensor]!
            guard SenML.hasRecords(group) else { continue }
            post(.data, s.topics.senml(sensor: sensor), qos: s.settings.qos, schema: "senml") {
                SenML.pack(group, baseName: s.topics.senmlBaseName(sensor: sensor), seq: $0)
            }
        }
    }

    /// Numbers a message and queues it in the outbox (which never blocks).
    private func post(
        _ kind: MessageClass, _ topic: String, qos: Int, retain: Bool = false, schema: String?,
        _ payload: (UInt64) -> [UInt8]
    ) {
        let n = nextSeq()
        outbox.send(
            OutboxMessage(
                seq: n, kind: kind, topic: topic, payload: payload(n), qos: qos, retain: retain,
                createdMs: clock.wallNow.nanosecondsSinceEpoch / 1_000_000, schema: schema))
    }

    /// Never waits for the disk: the store writes its reservations on the state file thread.
    private func nextSeq() -> UInt64 { seq.next() }
}

/// The outlet as the MQTT session's listener: commands go to `Outlet.handleCommand`; at each
/// connection every retained state is published again, and health with the board's name.
package struct OutletSessionListener: SessionListener {
    let outlet: Outlet
    /// The running configuration, for health's board name (nil: no health, as in the benchmark harness).
    let current: Shared<SensegateConfig>?

    package init(outlet: Outlet, current: Shared<SensegateConfig>?) {
        self.outlet = outlet
        self.current = current
    }

    package func connected() {
        if let current { outlet.publishHealth(board: current.withLock { $0.board.name }) }
        outlet.publishAllStates()
    }

    package func received(_ message: IncomingMessage) { outlet.handleCommand(message) }
}
