import Logging
import SenseAnalysis
import SenseCore
import SenseMQTT
import SenseOS
import SenseWire

/// Everything the metrics file reports, gathered at one instant by the Outlet.
struct MetricsSnapshot {
    struct Actuator {
        var name: String
        var on: Bool
        var failsafe: Bool
        var lineFault: Bool
        var changes: Int
    }

    var node: String
    var board: String
    var startedAt: WallTime
    var residentBytes: Int?
    var cpuSeconds: Double?
    var sensors: [(name: String, health: HealthBoard.SensorHealth)]
    var outbox: OutboxCounters
    var link: HealthBoard.Link?
    var commands: CommandLog.Counters
    var alarms: [AlarmSnapshot]
    var actuators: [Actuator]
    var wall: WallTime
}

/// The metrics as Prometheus text (docs/operations.md, "Metrics for Prometheus"): names
/// `sensegate_…` in base units, `_total` for counters; the process's own under
/// `sensegate_process_…`, because node_exporter's `process_…` are its own.
enum MetricsText {
    static func render(_ m: MetricsSnapshot) -> String {
        var p = PrometheusText()
        header(&p, node: m.node, board: m.board, up: true)
        p.family("sensegate_process_start_time_seconds", .gauge, "When the daemon started, in seconds since the Unix epoch.")
        p.sample("sensegate_process_start_time_seconds", seconds(m.startedAt))
        if let rss = m.residentBytes {
            p.family("sensegate_process_resident_memory_bytes", .gauge, "Resident memory of the daemon.")
            p.sample("sensegate_process_resident_memory_bytes", rss)
        }
        if let cpu = m.cpuSeconds {
            p.family("sensegate_process_cpu_seconds_total", .counter, "User and system CPU time the daemon has used.")
            p.sample("sensegate_process_cpu_seconds_total", cpu)
        }

        p.family("sensegate_sensor_samples_total", .counter, "Samples each sensor has produced (every channel of a reading counts).")
        for (name, h) in m.sensors { p.sample("sensegate_sensor_samples_total", ["sensor": name], h.samples) }
        p.family("sensegate_sensor_faults_total", .counter, "Samples of quality bad (a fault: no value published).")
        for (name, h) in m.sensors { p.sample("sensegate_sensor_faults_total", ["sensor": name], h.faults) }
        p.family("sensegate_sensor_quality", .gauge, "The quality of each sensor's last sample: 1 for the quality it has, 0 for the others.")
        for (name, h) in m.sensors {
            for q in Quality.allCases { p.sample("sensegate_sensor_quality", ["sensor": name, "quality": q.rawValue], h.quality == q) }
        }
        p.family(
            "sensegate_sensor_last_sample_timestamp_seconds", .gauge, "When each sensor's last sample was taken, in seconds since the Unix epoch.")
        for (name, h) in m.sensors {
            if let t = h.lastWall { p.sample("sensegate_sensor_last_sample_timestamp_seconds", ["sensor": name], seconds(t)) }
        }

        let o = m.outbox
        p.family("sensegate_mqtt_connected", .gauge, "1 while the broker connection is up.")
        p.sample("sensegate_mqtt_connected", o.connected)
        p.family("sensegate_mqtt_connects_total", .counter, "Connections made to the broker (the first and every reconnection).")
        p.sample("sensegate_mqtt_connects_total", o.connects)
        p.family("sensegate_mqtt_messages_sent_total", .counter, "Messages handed to the broker connection.")
        p.sample("sensegate_mqtt_messages_sent_total", o.sent)
        p.family("sensegate_mqtt_messages_acked_total", .counter, "QoS 1 messages the broker acknowledged.")
        p.sample("sensegate_mqtt_messages_acked_total", o.acked)
        p.family("sensegate_mqtt_messages_failed_total", .counter, "Messages the client could not send (they stay in the outbox).")
        p.sample("sensegate_mqtt_messages_failed_total", o.failed)
        p.family("sensegate_mqtt_messages_in_flight", .gauge, "Messages sent and not yet acknowledged.")
        p.sample("sensegate_mqtt_messages_in_flight", o.inFlight)
        if let link = m.link {
            p.family("sensegate_mqtt_refused_total", .counter, "Messages or connections the broker refused.")
            p.sample("sensegate_mqtt_refused_total", link.refusedByBroker)
            p.family("sensegate_mqtt_incoming_dropped_total", .counter, "Incoming messages dropped because the client's inbox was full (a flood).")
            p.sample("sensegate_mqtt_incoming_dropped_total", link.droppedIncoming)
        }

        p.family("sensegate_outbox_messages", .gauge, "Messages waiting in the outbox, by class.")
        for kind in MessageClass.durable { p.sample("sensegate_outbox_messages", ["class": kind.name], o.depth[kind] ?? 0) }
        p.family("sensegate_outbox_bytes", .gauge, "Payload bytes waiting in the outbox.")
        p.sample("sensegate_outbox_bytes", o.bytes)
        p.family("sensegate_outbox_oldest_age_seconds", .gauge, "Age of the oldest message waiting (0 when the outbox is empty).")
        let oldest = o.oldestMs.map { max(0, Double(m.wall.nanosecondsSinceEpoch / 1_000_000 - $0) / 1000) } ?? 0
        p.sample("sensegate_outbox_oldest_age_seconds", oldest)
        p.family("sensegate_outbox_dropped_total", .counter, "Messages dropped from the outbox by its limits, by class.")
        for kind in MessageClass.durable { p.sample("sensegate_outbox_dropped_total", ["class": kind.name], o.dropped[kind] ?? 0) }
        p.family("sensegate_outbox_expired_total", .counter, "Messages dropped for being older than the outbox's max_age.")
        p.sample("sensegate_outbox_expired_total", o.expired)
        p.family("sensegate_outbox_durable", .gauge, "1 while the outbox is on disk, 0 while it is held in memory only.")
        p.sample("sensegate_outbox_durable", o.durable && o.storageError == nil)

        p.family("sensegate_commands_total", .counter, "Operator commands (actuators and alarms), by result.")
        p.sample("sensegate_commands_total", ["result": "accepted"], m.commands.accepted)
        p.sample("sensegate_commands_total", ["result": "refused"], m.commands.refused)
        p.sample("sensegate_commands_total", ["result": "unanswered"], m.commands.unanswered)
        p.family(
            "sensegate_commands_signature_refused_total", .counter,
            "Commands refused for their signature, by kind (also in sensegate_commands_total).")
        for kind in SignatureRefusal.kinds {
            p.sample("sensegate_commands_signature_refused_total", ["kind": kind], m.commands.signatures[kind] ?? 0)
        }

        p.family("sensegate_alarms_active", .gauge, "Alarms active now (acknowledged or not).")
        p.sample("sensegate_alarms_active", m.alarms.filter(\.state.isActive).count)
        p.family("sensegate_alarm_state", .gauge, "Each alarm's ISA-18.2 state: 1 for the state it is in, 0 for the others.")
        let states: [Alarm.State] = [.normal, .activeUnacknowledged, .activeAcknowledged, .clearedUnacknowledged]
        for a in m.alarms {
            for s in states {
                p.sample("sensegate_alarm_state", ["alarm": a.name, "priority": a.priority.rawValue, "state": s.rawValue], a.state == s)
            }
        }
        p.family("sensegate_alarm_shelved", .gauge, "1 while an alarm is shelved.")
        for a in m.alarms { p.sample("sensegate_alarm_shelved", ["alarm": a.name], a.shelved) }

        p.family("sensegate_actuator_on", .gauge, "1 while an actuator's output is on.")
        for a in m.actuators { p.sample("sensegate_actuator_on", ["actuator": a.name], a.on) }
        p.family("sensegate_actuator_changes_total", .counter, "Changes of each actuator's output since the start.")
        for a in m.actuators { p.sample("sensegate_actuator_changes_total", ["actuator": a.name], a.changes) }
        p.family("sensegate_actuator_failsafe", .gauge, "1 while an actuator is held at its failsafe level.")
        for a in m.actuators { p.sample("sensegate_actuator_failsafe", ["actuator": a.name], a.failsafe) }
        p.family("sensegate_actuator_line_fault", .gauge, "1 while an actuator's GPIO line could not be set.")
        for a in m.actuators { p.sample("sensegate_actuator_line_fault", ["actuator": a.name], a.lineFault) }
        return p.text
    }

    /// What a cleanly stopped daemon leaves: who it was, and that it is down.
    static func stopped(node: String, board: String) -> String {
        var p = PrometheusText()
        header(&p, node: node, board: board, up: false)
        return p.text
    }

    private static func header(_ p: inout PrometheusText, node: String, board: String, up: Bool) {
        p.family(
            "sensegate_up", .gauge,
            "1 while the daemon runs; 0 once it has stopped cleanly (a crash leaves the last file: watch node_textfile_mtime_seconds).")
        p.sample("sensegate_up", up)
        p.family("sensegate_build_info", .gauge, "Version of sensegate and of the libraries it runs with; always 1.")
        p.sample(
            "sensegate_build_info",
            [
                "version": SensegateVersion.string, "libmosquitto": MQTTClient.libraryVersion, "sqlite": SQLiteOutboxStorage.libraryVersion,
                "node": node, "board": board,
            ], 1)
    }

    private static func seconds(_ t: WallTime) -> Double { Double(t.nanosecondsSinceEpoch) / 1e9 }
}

/// Says once when the metrics file cannot be written, and once when it can again: a full
/// tmpfs or a missing directory must not fill the journal every 15 s.
final class MetricsFileObserver: StateWriteObserver {
    private let failing = Locked(false)
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    func stateWritten(_ path: String, text: String, failure: DurableFile.Failure?) {
        let was = failing.withLock { f in
            defer { f = failure != nil }
            return f
        }
        if let failure, !was {
            logger.error("metrics: \(failure); Prometheus sees stale or no sensegate metrics until it can be written")
        } else if failure == nil, was {
            logger.notice("metrics: \(path) is written again")
        }
    }
}
