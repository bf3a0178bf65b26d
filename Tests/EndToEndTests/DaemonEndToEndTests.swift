import Foundation
import SenseCore
import SenseModels
import SenseSimulator
import SenseTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The built `sensegate` binary as a process, on the simulated board, against a real broker.
@Suite(.serialized) struct DaemonEndToEndTests {
    /// A broker, a site with a sim-board config, a subscriber to the node's topics and the daemon.
    struct Run {
        let broker: MosquittoBroker
        let site: Site
        let config: String
        let sub: Subscriber
        let daemon: ChildProcess

        /// `extra` is appended to the config (derived, windows, alarms sections).
        init(
            simulation: String = "", cabinetChannels: String = "", extra: String = "",
            environment: [String: String] = [:]
        ) async throws {
            broker = try await MosquittoBroker.running()
            site = Site()
            config = site.write(
                "c.yaml",
                site.simConfig(
                    port: broker.port, simulation: simulation,
                    cabinetChannels: cabinetChannels, derived: extra))
            sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/#")
            daemon = try SensegateBinary.start(["run", "--config", config], environment: environment)
        }

        /// SIGTERM, and the exit status; every message the run published is checked against the
        /// schema its topic promises.
        func stop() -> Int32? {
            daemon.signal(SIGTERM)
            let status = daemon.waitForExit(timeout: 5)
            usleep(100_000)  // the last messages (the actuators' failsafe, offline) reach the subscriber
            do {
                let schemaErrors = try PayloadSchemas.errors(sub.messages)
                #expect(schemaErrors == [], "every message as its topic promises")
                #expect(PayloadSchemas.checkedCount(sub.messages) > 0)
            } catch {
                Issue.record(error)
            }
            return status
        }
    }

    static func readings(_ sub: Subscriber, _ topic: String) -> [ReadingPayload] {
        sub.messages(on: topic).compactMap { ReadingPayload.decode($0.payload) }
    }

    @Test func publishesStatusAndReadingsThatMatchTheWorld() async throws {
        let run = try await Run()
        let (sub, daemon) = (run.sub, run.daemon)
        let status = await sub.wait { $0.topic == "sensegate/e2e/status" }
        #expect(status.first?.payload == "online")
        let base = "sensegate/e2e/sensor/"
        await sub.wait(for: 4) { $0.topic == base + "outdoor/pressure" }
        await sub.wait(for: 4) { $0.topic == base + "cabinet/humidity" }

        let world = AtmosphereWorld(seed: 42, site: .init(altitude: 120, meanTemperature: 11))
        var checked = 0
        for (quantity, tolerance) in [("temperature", 1.0), ("pressure", 100.0), ("humidity", 3.0)] {
            for p in Self.readings(sub, base + "outdoor/" + quantity) {
                let t = try #require(WallTime(rfc3339: p.t))
                let air = world.conditions(at: t)
                let truth = quantity == "temperature" ? air.temperature : quantity == "pressure" ? air.pressure : air.humidity
                #expect(p.q == "good")
                #expect(abs(try #require(p.v) - truth) <= tolerance, "\(quantity) \(p.v!) vs world \(truth)")
                checked += 1
            }
        }
        #expect(checked >= 12)
        #expect(Self.readings(sub, base + "outdoor/temperature").first?.u == "Cel")
        #expect(Self.readings(sub, base + "outdoor/pressure").first?.u == "Pa")
        #expect(Self.readings(sub, base + "outdoor/humidity").first?.u == "%RH")
        // cabinet publishes only what it was asked to.
        #expect(sub.messages(on: base + "cabinet/pressure").isEmpty)
        // seq increases strictly across all messages of the node.
        let seqs = sub.messages.filter { $0.topic.hasPrefix(base) }.compactMap { ReadingPayload.decode($0.payload)?.seq }
        #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count)
        // Health is published retained at start.
        let health = await sub.wait { $0.topic == "sensegate/e2e/health" }
        #expect(health.first?.payload.contains("\"board\":\"sim\"") == true)

        let stopAsked = Date()
        daemon.signal(SIGTERM)
        let code = await daemon.exited(timeout: 5)
        // When the process was reaped, not when this task ran again (the pool may be busy).
        let took = (daemon.exitedAt ?? Date()).timeIntervalSince(stopAsked)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        #expect(code == 0, "stderr: \(daemon.stderr)")
        #expect(took < 2.0)
        let last = await sub.wait(for: 2) { $0.topic == "sensegate/e2e/status" }
        #expect(last.last?.payload == "offline")
    }

    @Test func sigintStopsCleanlyToo() async throws {
        let run = try await Run()
        await run.sub.wait { $0.topic == "sensegate/e2e/sensor/outdoor/temperature" }
        run.daemon.signal(SIGINT)
        #expect(await run.daemon.exited(timeout: 5) == 0)
        let status = await run.sub.wait(for: 2) { $0.topic == "sensegate/e2e/status" }
        #expect(status.last?.payload == "offline")
    }

    @Test func derivedChannelsAndQualityChecksOnTheWire() async throws {
        let run = try await Run(
            cabinetChannels: """
                    channels:
                      humidity:
                        range: [0, 5]
                      temperature:
                        filters: [{median: 3}, {offset: 0}]
                """,
            extra: """
                derived:
                  - name: dew_point
                    model: dew_point
                    inputs: {temperature: outdoor.temperature, humidity: outdoor.humidity}
                  - name: slp
                    model: sea_level_pressure
                    inputs: {pressure: outdoor.pressure, temperature: outdoor.temperature}
                    parameters: {altitude: 120}
                """)
        let sub = run.sub
        let dew = await sub.wait(for: 3) { $0.topic == "sensegate/e2e/derived/dew_point" }
        let slp = await sub.wait(for: 3) { $0.topic == "sensegate/e2e/derived/slp" }
        let world = AtmosphereWorld(seed: 42, site: .init(altitude: 120, meanTemperature: 11))
        for m in dew {
            let p = try #require(ReadingPayload.decode(m.payload))
            let air = world.conditions(at: try #require(WallTime(rfc3339: p.t)))
            let truth = try #require(Psychrometrics.dewPoint(celsius: air.temperature, relativeHumidity: air.humidity))
            #expect(p.q == "good" && p.u == "Cel")
            #expect(abs(try #require(p.v) - truth) < 0.2, "dew point \(p.v!) vs world \(truth)")
        }
        for m in slp {
            let p = try #require(ReadingPayload.decode(m.payload))
            let air = world.conditions(at: try #require(WallTime(rfc3339: p.t)))
            let truth = Barometry.seaLevelPressure(station: air.pressure, altitude: 120, celsius: air.temperature)
            #expect(p.u == "Pa")
            #expect(abs(try #require(p.v) - truth) < 5)
        }
        #expect(dew.count >= 3 && slp.count >= 3)
        // The cabinet's humidity (the world has far more than 5 %RH) is rejected, never published as a number.
        let rejected = await sub.wait(for: 2) { $0.topic == "sensegate/e2e/sensor/cabinet/humidity" }
        for m in rejected {
            let p = try #require(ReadingPayload.decode(m.payload))
            #expect(p.q == "bad" && p.r == "out_of_range" && p.v == nil)
        }
        #expect(try SchemaValidator.errors(schema: "reading.schema.json", payloads: (dew + slp + rejected).map(\.payload)) == [])
        #expect(run.stop() == 0)
    }

    @Test func alarmsAreRetainedAcknowledgedAndCommandsChecked() async throws {
        let run = try await Run(
            extra: """
                alarms:
                  - name: always
                    channel: outdoor.temperature
                    high: -100
                    priority: high
                    max_shelve: 1h
                    description: always active, for the test
                  - name: never
                    channel: outdoor.pressure
                    high: 200000
                    commands: [ack]
                """)
        let (broker, sub, daemon) = (run.broker, run.sub, run.daemon)
        let raised = await sub.wait { $0.topic == "sensegate/e2e/alarm/always" && $0.payload.contains("active_unacknowledged") }
        let first = try #require(raised.first)
        #expect(first.payload.contains("\"priority\":\"high\"") && first.payload.contains("\"limit\":-100"))
        #expect(first.payload.contains("\"channel\":\"outdoor.temperature\""))
        // Retained: a late subscriber sees both alarms' states at once.
        let late = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/alarm/+")
        let retained = await late.wait(for: 2) { $0.retained }
        #expect(Set(retained.map(\.topic)) == ["sensegate/e2e/alarm/always", "sensegate/e2e/alarm/never"])

        func send(_ alarm: String, _ verb: String, _ payload: String) async throws -> String {
            let before = sub.messages(on: "sensegate/e2e/alarm/\(alarm)/reply").count
            try Subscriber.publish(port: broker.port, topic: "sensegate/e2e/alarm/\(alarm)/\(verb)", payload: payload)
            let replies = await sub.wait(for: before + 1) { $0.topic == "sensegate/e2e/alarm/\(alarm)/reply" }
            return replies.count > before ? replies[before].payload : "no reply"
        }

        let ack = try await send("always", "ack", #"{"id":"op-1","by":"test"}"#)
        #expect(ack.contains("\"ok\":true") && ack.contains("\"id\":\"op-1\"") && ack.contains("active_acknowledged"), "\(ack)")
        #expect(await !sub.wait { $0.topic == "sensegate/e2e/alarm/always" && $0.payload.contains("active_acknowledged") }.isEmpty)

        let refusals: [(String, String, String, String)] = [
            ("always", "ack", "{oops", "invalid JSON"),
            ("always", "shelve", "{}", "shelve needs 'for'"),
            ("always", "shelve", #"{"for":"2h"}"#, "shelving is limited to 3600 s"),
            ("always", "unshelve", "", "not shelved"),
            ("never", "ack", "", "nothing to acknowledge"),
            ("never", "shelve", #"{"for":"5m"}"#, "not allowed for alarm 'never'"),
            ("ghost", "ack", "", "no alarm named 'ghost'"),
            ("always", "ack", #"{"force":true}"#, "unknown field 'force'"),
        ]
        for (alarm, verb, payload, reason) in refusals {
            let r = try await send(alarm, verb, payload)
            #expect(r.contains("\"ok\":false") && r.contains(reason), "\(alarm)/\(verb) \(payload): \(r)")
        }
        let shelved = try await send("always", "shelve", #"{"for":"10m","by":"test"}"#)
        #expect(shelved.contains("\"ok\":true"))
        #expect(await !sub.wait { $0.topic == "sensegate/e2e/alarm/always" && $0.payload.contains("\"shelved\":true") }.isEmpty)
        #expect(daemon.stderr.contains(#"command result=accepted target=alarm/always command=ack key=- by="test""#))
        // Every state and every reply on the wire is valid against the documented schemas.
        let states = sub.messages.filter { $0.topic.hasSuffix("/always") || $0.topic.hasSuffix("/never") }.map(\.payload)
        let replies = sub.messages.filter { $0.topic.hasSuffix("/reply") }.map(\.payload)
        #expect(states.count >= 3 && replies.count == 10)
        #expect(try SchemaValidator.errors(schema: "alarm.schema.json", payloads: states) == [])
        #expect(try SchemaValidator.errors(schema: "alarm-reply.schema.json", payloads: replies) == [])
        #expect(run.stop() == 0)
    }

    @Test func windowsPublishAggregatesOfWhatWasMeasured() async throws {
        let run = try await Run(
            extra: """
                windows:
                  - name: t2s
                    channel: outdoor.temperature
                    length: 2s
                    functions: [mean, min, max, count]
                alarms:
                  - {name: on_aggregate, channel: aggregate.t2s.max, high: -100}
                """)
        let sub = run.sub
        let aggregates = await sub.wait(for: 3, timeout: 15) { $0.topic == "sensegate/e2e/aggregate/t2s" }
        #expect(run.stop() == 0)
        struct Aggregate: Decodable {
            var from: String
            var to: String
            var q: String
            var mean: Double?
            var min: Double?
            var max: Double?
            var count: Double?
            var completeness: Double
        }
        let readings = Self.readings(sub, "sensegate/e2e/sensor/outdoor/temperature")
        var checkedFull = 0
        for m in aggregates {
            let a = try JSONDecoder().decode(Aggregate.self, from: Data(m.payload.utf8))
            let from = try #require(WallTime(rfc3339: a.from)), to = try #require(WallTime(rfc3339: a.to))
            #expect(to.nanosecondsSinceEpoch - from.nanosecondsSinceEpoch == 2_000_000_000)
            #expect(to.nanosecondsSinceEpoch % 2_000_000_000 == 0)  // aligned to the clock
            let inside = readings.filter { r in
                let t = WallTime(rfc3339: r.t)!
                return t >= from && t < to
            }.compactMap(\.v)
            #expect(a.count == Double(inside.count), "\(m.payload)")
            if let mean = a.mean, !inside.isEmpty {
                // Readings are rounded to 0.01 °C in their payloads.
                #expect(abs(mean - inside.reduce(0, +) / Double(inside.count)) < 0.01)
                #expect(abs(a.min! - inside.min()!) < 0.006 && abs(a.max! - inside.max()!) < 0.006)
            }
            if a.count == 4 {
                #expect(a.q == "good" && a.completeness == 1)
                checkedFull += 1
            }
        }
        #expect(checkedFull >= 1)
        #expect(try SchemaValidator.errors(schema: "aggregate.schema.json", payloads: aggregates.map(\.payload)) == [])
        // An alarm watches the aggregate: raised by the first window's maximum.
        let alarm = sub.messages(on: "sensegate/e2e/alarm/on_aggregate").map(\.payload)
        #expect(alarm.contains { $0.contains("active_unacknowledged") && $0.contains("\"channel\":\"aggregate.t2s.max\"") }, "\(alarm)")
        #expect(try SchemaValidator.errors(schema: "alarm.schema.json", payloads: alarm) == [])
    }

    @Test func reloadRepublishesAlarmsAndRetractsRemovedOnes() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let alarm = { (name: String) in "alarms:\n  - {name: \(name), channel: outdoor.temperature, high: -100}\n" }
        let config = site.write("c.yaml", site.simConfig(port: broker.port, derived: alarm("old_name")))
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/alarm/#")
        let daemon = try SensegateBinary.start(["run", "--config", config])
        #expect(await !sub.wait { $0.topic == "sensegate/e2e/alarm/old_name" }.isEmpty)
        site.write("c.yaml", site.simConfig(port: broker.port, derived: alarm("new_name")))
        daemon.signal(SIGHUP)
        #expect(await !sub.wait { $0.topic == "sensegate/e2e/alarm/new_name" }.isEmpty)
        #expect(await !sub.wait { $0.topic == "sensegate/e2e/alarm/old_name" && $0.payload.isEmpty }.isEmpty)
        // A newcomer sees only the alarm that exists now.
        let late = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/alarm/+")
        try await Task.sleep(for: .milliseconds(300))
        #expect(Set(late.messages.filter(\.retained).map(\.topic)) == ["sensegate/e2e/alarm/new_name"])
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 5) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
    }

    /// Issue 18: a reload applies whole or not at all. The candidate moves to another broker and
    /// adds a rain gauge whose totals cannot be read (a file where its directory must be): the
    /// sensors fail, so the session stays on the first broker with the running configuration,
    /// and nothing reaches the second. Then a reload that only changes `log_level` applies it at
    /// once (trace lines appear).
    @Test func aReloadAppliesWholeOrNotAtAllAndChangesTheLogLevel() async throws {
        let run = try await Run()
        let (broker, site, sub, daemon) = (run.broker, run.site, run.sub, run.daemon)
        await sub.wait(for: 2) { $0.topic == "sensegate/e2e/sensor/outdoor/temperature" }
        let other = try await MosquittoBroker.running()
        let otherSub = try await Subscriber.connected(port: other.port, filter: "sensegate/#")
        try "not a directory".write(toFile: site.state + "/counters", atomically: true, encoding: .utf8)
        site.write(
            "c.yaml",
            site.simConfig(
                port: other.port,
                extraSensors: """
                      - {name: rain, driver: tipping_bucket, pin: GPIO6, mm_per_tip: 0.2, interval: 1s}
                    """))
        daemon.signal(SIGHUP)
        #expect(await Network.eventually(timeout: 10) { daemon.stderr.contains("reload refused: still running the previous configuration") })
        #expect(daemon.stderr.contains("sensor rain: totals"))
        let count = sub.messages(on: "sensegate/e2e/sensor/outdoor/temperature").count
        #expect(
            await sub.wait(for: count + 3) { $0.topic == "sensegate/e2e/sensor/outdoor/temperature" }.count >= count + 3,
            "still publishing to the first broker")
        #expect(otherSub.messages.filter { $0.topic.hasPrefix("sensegate/e2e/") }.isEmpty, "nothing on the candidate's broker")
        #expect(!daemon.stderr.contains("outbox: mid"))

        site.write("c.yaml", "log_level: trace\n" + site.simConfig(port: broker.port))
        daemon.signal(SIGHUP)
        #expect(await Network.eventually(timeout: 10) { daemon.stderr.contains("reload: log level now trace") })
        #expect(await Network.eventually(timeout: 10) { daemon.stderr.contains("outbox: mid") }, "trace lines after the reload")
        #expect(run.stop() == 0)
    }

    /// Issue 18: no blocking call between a sample and its publication. The daemon logs at
    /// `trace` (two lines per message) into a stderr nobody reads, which fills after 4 KiB; before
    /// the log got its own writer thread, the first log line that did not fit stopped the
    /// engine. Readings keep flowing, and once stderr is read again the lines that waited arrive.
    @Test func aStalledLogNeverStopsTheGateway() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        // Both sensors at 5 Hz (the shortest interval): about 50 messages and 100 trace lines
        // (15 KB) a second.
        let config = site.write(
            "c.yaml",
            "log_level: trace\n"
                + site.simConfig(port: broker.port)
                .replacingOccurrences(of: "interval: 500ms", with: "interval: 200ms"))
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/sensor/#")
        let daemon = try SensegateBinary.start(["run", "--config", config], stalledStderr: true)
        #expect(await !sub.wait { $0.topic == "sensegate/e2e/sensor/outdoor/temperature" }.isEmpty)
        try await Task.sleep(for: .seconds(3))  // the pipe (4 KiB) is full within a second
        let before = sub.messages.count
        try await Task.sleep(for: .seconds(3))
        #expect(sub.messages.count >= before + 60, "readings stopped while the log was not read (\(sub.messages.count - before) in 3 s)")
        daemon.readStderr()
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        // What waited is written once stderr is read again (up to 4,096 lines; beyond, the log
        // says how many it dropped: LineWriterTests).
        #expect(daemon.stderr.components(separatedBy: "trace outbox: handed").count > 100)
    }

    @Test func lastWillAfterKill9AndSeqSurvivesRestart() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let config = site.write("c.yaml", site.simConfig(port: broker.port))
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/#")
        let first = try SensegateBinary.start(["run", "--config", config])
        await sub.wait(for: 6) { $0.topic.hasPrefix("sensegate/e2e/sensor/") }
        first.signal(SIGKILL)
        _ = await first.exited(timeout: 5)
        let will = await sub.wait(for: 2, timeout: 15) { $0.topic == "sensegate/e2e/status" }
        #expect(will.last?.payload == "offline")
        let before = sub.messages.compactMap { ReadingPayload.decode($0.payload)?.seq }.max() ?? 0

        let second = try SensegateBinary.start(["run", "--config", config])
        await sub.wait(for: 3) { $0.topic == "sensegate/e2e/status" }
        let after = await sub.wait(for: 2) {
            $0.topic.hasPrefix("sensegate/e2e/sensor/") && (ReadingPayload.decode($0.payload)?.seq ?? 0) > before
        }
        #expect(!after.isEmpty)
        // No number is reused after a crash: every seq of the second run is above the first run's.
        let secondRun = sub.messages.filter { $0.received > will.last!.received }.compactMap { ReadingPayload.decode($0.payload)?.seq }
        #expect(secondRun.allSatisfy { $0 > before })
        second.signal(SIGTERM)
        #expect(await second.exited(timeout: 5) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
    }

    @Test func reloadRefusesABrokenConfigAndAppliesAGoodOne() async throws {
        let run = try await Run()
        let (broker, site, sub, daemon) = (run.broker, run.site, run.sub, run.daemon)
        await sub.wait(for: 2) { $0.topic == "sensegate/e2e/sensor/outdoor/temperature" }

        site.write("c.yaml", "node: e2e\nsensors: [\n")  // broken
        daemon.signal(SIGHUP)
        #expect(await Network.eventually(timeout: 5) { daemon.stderr.contains("reload refused") })
        let count = sub.messages(on: "sensegate/e2e/sensor/outdoor/temperature").count
        let more = await sub.wait(for: count + 3) { $0.topic == "sensegate/e2e/sensor/outdoor/temperature" }
        #expect(more.count >= count + 3, "still publishing after a refused reload")
        #expect(daemon.isRunning)

        // Issue 17: this interval trapped `check` and, on SIGHUP, the running daemon.
        site.write("c.yaml", site.simConfig(port: broker.port).replacingOccurrences(of: "interval: 500ms", with: "interval: 99999999999999999999s"))
        daemon.signal(SIGHUP)
        #expect(await Network.eventually(timeout: 5) { daemon.stderr.contains("longer than 100 years") })
        let after = sub.messages(on: "sensegate/e2e/sensor/outdoor/temperature").count
        #expect(await sub.wait(for: after + 2) { $0.topic == "sensegate/e2e/sensor/outdoor/temperature" }.count >= after + 2)
        #expect(daemon.isRunning)

        site.write(
            "c.yaml",
            site.simConfig(
                port: broker.port,
                extraSensors: """
                      - name: attic
                        driver: bmp280
                        bus: i2c-3
                        address: 0x76
                        interval: 500ms
                    """))
        daemon.signal(SIGHUP)
        let attic = await sub.wait(for: 2) { $0.topic == "sensegate/e2e/sensor/attic/pressure" }
        #expect(attic.count >= 2)
        #expect(daemon.stderr.contains("reloaded"))
        #expect(run.stop() == 0)
    }

    @Test func sensorFaultIsPublishedAsBadAndRecovers() async throws {
        let run = try await Run(
            simulation: """
                  faults:
                    - {sensor: outdoor, fault: nack, after: 1s, for: 2s}
                """)
        let (sub, daemon) = (run.sub, run.daemon)
        let topic = "sensegate/e2e/sensor/outdoor/temperature"
        let bad = await sub.wait(timeout: 10) { $0.topic == topic && $0.payload.contains("\"q\":\"bad\"") }
        let p = try #require(bad.first.flatMap { ReadingPayload.decode($0.payload) })
        #expect(p.v == nil)
        #expect(p.r == "nack")
        let badSeen = bad.first!.received
        let recovered = await sub.wait(timeout: 10) { $0.topic == topic && $0.received > badSeen && $0.payload.contains("\"q\":\"good\"") }
        #expect(!recovered.isEmpty)
        // The other sensor on the same bus never faulted.
        #expect(sub.messages(on: "sensegate/e2e/sensor/cabinet/temperature").allSatisfy { $0.payload.contains("\"q\":\"good\"") })
        #expect(daemon.stderr.contains("recovered"))
        #expect(run.stop() == 0)

        // Every payload it published, good and bad, is valid against the documented schemas.
        let readings = sub.messages.filter { $0.topic.contains("/sensor/") }.map(\.payload)
        #expect(readings.count > 20)
        #expect(try SchemaValidator.errors(schema: "reading.schema.json", payloads: readings) == [])
        let health = sub.messages(on: "sensegate/e2e/health").map(\.payload)
        #expect(!health.isEmpty)
        #expect(try SchemaValidator.errors(schema: "health.schema.json", payloads: health) == [])
        // The validator does reject what breaks the schema.
        #expect(
            try SchemaValidator.errors(
                schema: "reading.schema.json",
                payloads: [#"{"v":1.5,"q":"bad","t":"2026-11-23T04:07:19.123Z","seq":1}"#]
            ).count >= 1)
    }

    @Test func startsBeforeTheBrokerAndDeliversWhatItRead() async throws {
        let broker = try await MosquittoBroker.running(persistent: true)
        // A platform's persistent session, made before the gateway starts: the broker keeps for
        // it whatever arrives, however fast the gateway reconnects.
        try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/#", session: "platform").stop()
        broker.stop()
        let site = Site()
        let config = site.write("c.yaml", site.simConfig(port: broker.port))
        let daemon = try SensegateBinary.start(["run", "--config", config])
        try await Task.sleep(for: .seconds(2))  // readings pile up in the outbox
        #expect(daemon.isRunning)
        let brokerUp = Date()
        try await broker.restart()
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/#", session: "platform")
        let numbered = await sub.wait(for: 25, timeout: 15) { ReadingPayload.decode($0.payload) != nil || $0.payload.contains("\"seq\":") }
        let readings = numbered.filter { $0.topic.contains("/sensor/") }.compactMap { ReadingPayload.decode($0.payload) }
        let early = readings.filter { PayloadTime.date($0.t)! < brokerUp }
        #expect(early.count >= 10)  // 2 s at 2 Hz of 5 quantities, less the start-up
        #expect(early.map(\.seq) == early.map(\.seq).sorted())  // in order
        // Every message numbered before the first connection arrived: seq 1, 2, 3, … without a gap.
        let seqs = numbered.compactMap { SeqField.of($0.payload) }
        let upTo = early.last!.seq
        #expect(Set(seqs.filter { $0 <= upTo }) == Set(1...upTo))
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 5) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
    }

    @Test func stopsWithinTwoSecondsWhileTheBrokerIsDown() async throws {
        let broker = try await MosquittoBroker.running()
        broker.stop()
        let site = Site()
        let config = site.write(
            "c.yaml",
            site.simConfig(port: broker.port).replacing(
                "reconnect: {min: 1s, max: 2s}",
                with: "reconnect: {min: 2s, max: 60s}"))
        let daemon = try SensegateBinary.start(["run", "--config", config])
        try await Task.sleep(for: .seconds(7))  // the network thread is now in a multi-second backoff sleep
        let asked = Date()
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 30) == 0)
        #expect((daemon.exitedAt ?? Date()).timeIntervalSince(asked) < 2.0)
    }

    @Test func systemdNotifyReadyWatchdogAndStopping() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let config = site.write("c.yaml", site.simConfig(port: broker.port))
        let notify = NotifySocket(directory: site.directory)
        let daemon = try SensegateBinary.start(
            ["run", "--config", config],
            environment: [
                "NOTIFY_SOCKET": notify.path, "WATCHDOG_USEC": "400000",
                "JOURNAL_STREAM": "8:1234",
            ])
        #expect(await Network.eventually(timeout: 10) { notify.contains("READY=1") })
        #expect(await Network.eventually(timeout: 5) { notify.messages.filter { $0 == "WATCHDOG=1" }.count >= 3 })
        daemon.signal(SIGHUP)
        #expect(await Network.eventually(timeout: 5) { notify.contains("RELOADING=1") })
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 5) == 0)
        #expect(notify.contains("STOPPING=1"))
        // Under journald, lines carry syslog priorities instead of timestamps.
        #expect(daemon.stderr.split(separator: "\n").contains { $0.hasPrefix("<6>") })
    }
}

@Suite struct CommandLineTests {
    @Test func checkAcceptsTheExamples() throws {
        for example in ["demo.yaml", "raspberry-pi.yaml", "bench-12.yaml", "air-station.yaml", "river-gauge.yaml", "crossroads.yaml"] {
            let r = try SensegateBinary.run(["check", "--config", RepositoryPaths.examples + "/" + example])
            #expect(r.status == 0, "\(example): \(r.stderr)")
            #expect(r.stdout.contains("OK"))
        }
    }

    @Test func checkRejectsWithLocationAndExit78() throws {
        let site = Site()
        let path = site.write("bad.yaml", site.simConfig(port: 1883).replacing("address: 0x77", with: "address: 0x78"))
        let r = try SensegateBinary.run(["check", "--config", path])
        #expect(r.status == 78)
        #expect(r.stderr.contains("\(path):16:14: sensors[1].address:"))
        let run = try SensegateBinary.run(["run", "--config", path])
        #expect(run.status == 78)
        let missing = try SensegateBinary.run(["check", "--config", site.directory + "/none.yaml"])
        #expect(missing.status == 78)
        #expect(missing.stderr.contains("ENOENT"))
    }

    /// Issue 17's reproductions through the binary: each one clear error and its exit code.
    @Test func hostileInputsGetOneClearErrorAndTheirExitCode() throws {
        let site = Site()
        let overflow = site.write(
            "o.yaml", site.simConfig(port: 1883).replacing("interval: 500ms", with: "interval: 99999999999999999999s", maxReplacements: 1))
        let r = try SensegateBinary.run(["check", "--config", overflow])
        #expect(r.status == 78 && r.stderr.contains("longer than 100 years") && r.stderr.contains("1 error(s)"), "\(r.stderr)")
        let deep = site.write(
            "d.yaml", "node: x\nboard: sim\nfoo: " + String(repeating: "[", count: 200_000) + String(repeating: "]", count: 200_000))
        let d = try SensegateBinary.run(["check", "--config", deep])
        #expect(d.status == 78 && d.stderr.contains("nested deeper than 64 levels"), "\(d.stderr)")
        let scan = try SensegateBinary.run(["i2c-scan", "/dev/null"])
        #expect(scan.status == 69)
        #expect(
            scan.stderr
                == "sensegate: /dev/null is not an I2C adapter (ENOTTY (inappropriate ioctl for device) for I2C_FUNCS); buses are /dev/i2c-N\n",
            "\(scan.stderr)")
        let byNumber = try SensegateBinary.run(["i2c-scan", "97"])
        #expect(byNumber.status == 69 && byNumber.stderr.contains("cannot open /dev/i2c-97"), "\(byNumber.stderr)")
        let model = try SensegateBinary.run(["model", "aqi", "pollutant=pm25", "concentration=1e300"])
        #expect(model.status == 2 && model.stderr.contains("outside the model's valid range"), "\(model.stderr)")
    }

    @Test func missingDeviceOnARealBoardExits69NamingTheDevice() throws {
        let site = Site()
        let path = site.write(
            "pi.yaml",
            """
            node: pi
            board: raspberry-pi-4
            state_dir: \(site.state)
            mqtt: {broker: "mqtt://127.0.0.1:1"}
            sensors:
              - {name: ambient, driver: bme280, bus: i2c-1, address: 0x76}
            """)
        let r = try SensegateBinary.run(["run", "--config", path])
        #expect(r.status == 69, "\(r.stderr)")
        #expect(r.stderr.contains("cannot open /dev/i2c-1: ENOENT"))
    }

    @Test(arguments: [
        (["bogus"], "unknown command 'bogus'"),
        (["run"], "run needs --config FILE"),
        (["check", "--config"], "--config needs a value"),
        (["check", "--config", "a", "--config", "b"], "--config given twice"),
        (["check", "--broker", "x"], "check does not take '--broker'"),
        (["i2c-scan"], "i2c-scan needs a bus, e.g. sensegate i2c-scan 1"),
        (["version", "extra"], "version takes no argument 'extra'"),
    ])
    func usageErrorsExit64(arguments: [String], message: String) throws {
        let r = try SensegateBinary.run(arguments)
        #expect(r.status == 64)
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.contains("sensegate help"))
    }

    @Test func helpAndOptionForms() throws {
        for args in [["help"], ["--help"], []] {
            let r = try SensegateBinary.run(args)
            #expect(r.status == 0)
            #expect(r.stdout.contains("USAGE: sensegate <command>"))
        }
        // Each command's own page, by `help COMMAND` or `COMMAND --help`.
        for (args, usage) in [
            (["help", "run"], "USAGE: sensegate run --config FILE"), (["run", "-h"], "USAGE: sensegate run --config FILE"),
            (["check", "--help"], "USAGE: sensegate check --config FILE"), (["help", "i2c-scan"], "USAGE: sensegate i2c-scan BUS"),
            (["model", "--help"], "USAGE: sensegate model NAME KEY=VALUE"), (["help", "version"], "USAGE: sensegate version"),
        ] {
            let r = try SensegateBinary.run(args)
            #expect(r.status == 0 && r.stdout.hasPrefix(usage), "\(args): \(r.stdout.prefix(80))")
        }
        let unknown = try SensegateBinary.run(["help", "frobnicate"])
        #expect(unknown.status == 64 && unknown.stderr.contains("no command 'frobnicate'; the commands are run, check"), "\(unknown.stderr)")
        let r = try SensegateBinary.run(["check", "--config=\(RepositoryPaths.examples)/demo.yaml"])
        #expect(r.status == 0, "\(r.stderr)")
        let short = try SensegateBinary.run(["check", "-c", "\(RepositoryPaths.examples)/demo.yaml"])
        #expect(short.status == 0)
    }

    @Test func version() throws {
        let r = try SensegateBinary.run(["version"])
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("sensegate 0.7.0"))
    }
}
