import Foundation
import SenseTesting
import Testing

/// The metrics file read by a real node_exporter (Debian's `prometheus-node-exporter`, its
/// textfile collector only), scraped over HTTP as Prometheus would.
@Suite(.serialized) struct PrometheusMetricsTests {
    static let exporter = "/usr/bin/prometheus-node-exporter"

    /// One scrape of node_exporter's /metrics (python3's urllib: no HTTP client in the tests).
    static func scrape(_ port: Int) -> String {
        let script = "import urllib.request,sys; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())"
        guard let p = try? ChildProcess("/usr/bin/python3", ["-c", script, "http://127.0.0.1:\(port)/metrics"]),
            p.waitForExit(timeout: 10) == 0
        else { return "" }
        usleep(20_000)
        return p.stdout
    }

    /// The value of the sample written exactly as `series` (name and labels as node_exporter
    /// prints them: labels sorted).
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: exporter)))
    func nodeExporterServesTheGatewaysMetrics() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let textfiles = site.directory + "/textfiles"
        try FileManager.default.createDirectory(atPath: textfiles, withIntermediateDirectories: true)
        let extra = """
            alarms:
              - {name: hot, channel: outdoor.temperature, high: -100, priority: high}
            actuators:
              - {name: fan, pin: GPIO23}
            metrics:
              textfile: \(textfiles)/sensegate.prom
              interval: 1s
            """
        let config = site.write("c.yaml", site.simConfig(port: broker.port, derived: extra))
        let daemon = try SensegateBinary.start(["run", "--config", config])
        defer {
            daemon.signal(SIGTERM)
            _ = daemon.waitForExit(timeout: 5)
        }
        let port = Network.freePort()
        let exporter = try ChildProcess(
            Self.exporter,
            [
                "--web.listen-address=127.0.0.1:\(port)", "--collector.disable-defaults", "--collector.textfile",
                "--collector.textfile.directory=\(textfiles)",
            ])
        defer { exporter.signal(SIGTERM) }
        #expect(await Network.eventually(timeout: 10) { Network.isListening(port) })

        var text = ""
        #expect(
            await Network.eventually(timeout: 20) {
                text = Self.scrape(port)
                return (Self.value(text, #"sensegate_sensor_samples_total{sensor="outdoor"}"#) ?? 0) > 0
                    && Self.value(text, "sensegate_mqtt_connected") == 1
            }, "\(text.suffix(3000))")
        // node_exporter read the file whole and found it well formed.
        #expect(Self.value(text, "node_textfile_scrape_error") == 0, "\(text.suffix(2000))")
        #expect(text.contains(#"sensegate_build_info{board="sim",libmosquitto=""#))
        #expect(Self.value(text, #"sensegate_sensor_faults_total{sensor="outdoor"}"#) == 0)
        #expect(Self.value(text, #"sensegate_sensor_quality{quality="good",sensor="outdoor"}"#) == 1)
        #expect(Self.value(text, #"sensegate_sensor_quality{quality="bad",sensor="outdoor"}"#) == 0)
        let rss = try #require(Self.value(text, "sensegate_process_resident_memory_bytes"))
        #expect(rss > 1_000_000 && rss < 500_000_000, "\(rss)")
        #expect((Self.value(text, "sensegate_process_cpu_seconds_total") ?? 0) > 0)
        let started = try #require(Self.value(text, "sensegate_process_start_time_seconds"))
        #expect(abs(started - Date().timeIntervalSince1970) < 120)
        let lastSample = try #require(Self.value(text, #"sensegate_sensor_last_sample_timestamp_seconds{sensor="outdoor"}"#))
        #expect(abs(lastSample - Date().timeIntervalSince1970) < 30)
        #expect((Self.value(text, "sensegate_mqtt_messages_acked_total") ?? 0) > 0)
        #expect(Self.value(text, #"sensegate_outbox_messages{class="data"}"#) != nil)
        #expect(Self.value(text, "sensegate_outbox_durable") == 1)
        // The alarm set to trip at once, and the actuator before any command.
        #expect(
            await Network.eventually(timeout: 10) {
                text = Self.scrape(port)
                return Self.value(text, #"sensegate_alarm_state{alarm="hot",priority="high",state="active_unacknowledged"}"#) == 1
            }, "\(text.suffix(2000))")
        #expect(Self.value(text, "sensegate_alarms_active") == 1)
        #expect(Self.value(text, #"sensegate_alarm_state{alarm="hot",priority="high",state="normal"}"#) == 0)
        #expect(Self.value(text, #"sensegate_actuator_on{actuator="fan"}"#) == 0)
        #expect(Self.value(text, #"sensegate_actuator_changes_total{actuator="fan"}"#) == 0)

        // An operator switches the fan on: one accepted command, one output change.
        try Subscriber.publish(
            port: broker.port, topic: "sensegate/e2e/actuator/fan/set", payload: #"{"command":"on","id":"m1"}"#)
        #expect(
            await Network.eventually(timeout: 10) {
                text = Self.scrape(port)
                return Self.value(text, #"sensegate_actuator_on{actuator="fan"}"#) == 1
            }, "\(text.suffix(2000))")
        #expect(Self.value(text, #"sensegate_actuator_changes_total{actuator="fan"}"#) == 1)
        #expect(Self.value(text, #"sensegate_commands_total{result="accepted"}"#) == 1)

        // Prometheus's naming: every family is sensegate_…, counters end in _total, and the
        // file is readable by node_exporter's user whatever the daemon's umask.
        let families = text.split(separator: "\n").filter { $0.hasPrefix("# TYPE sensegate_") }.map { $0.split(separator: " ") }
        #expect(families.count >= 25, "\(families.count)")
        for f in families where f.count == 4 {
            #expect((f[3] == "counter") == f[2].hasSuffix("_total"), "\(f[2]) is a \(f[3])")
        }
        let mode = try FileManager.default.attributesOfItem(atPath: textfiles + "/sensegate.prom")[.posixPermissions] as? Int
        #expect(mode == 0o644)
        #expect(Self.value(text, "sensegate_up") == 1)

        // A clean stop leaves a file that says so, without the last counts.
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 5) == 0)
        text = Self.scrape(port)
        #expect(Self.value(text, "sensegate_up") == 0, "\(text.suffix(2000))")
        #expect(Self.value(text, "node_textfile_scrape_error") == 0)
        #expect(text.contains("sensegate_build_info{"))
        #expect(!text.contains("sensegate_sensor_samples_total"))
    }
}
