import Foundation
import SenseTesting
import Testing

/// Delivery that loses nothing, proven with `seq` by an independent subscriber holding a
/// persistent session on a real broker: broker crashes, a gateway crash during an outage, a full
/// outbox, a disk that cannot be used.
@Suite struct DeliveryTests {
    /// A gateway reading two BME280s at 5 Hz each: 10 Hz, 30 readings a second.
    static func config(_ site: Site, port: Int, mqttExtra: String = "") -> String {
        site.write(
            "delivery.yaml",
            """
            node: dl
            board: sim
            state_dir: \(site.state)
            mqtt:
              broker: mqtt://127.0.0.1:\(port)
              reconnect: {min: 1s, max: 1s}
            \(mqttExtra)
            sensors:
              - name: air
                driver: bme280
                bus: i2c-1
                address: 0x76
                interval: 200ms
              - name: cabinet
                driver: bme280
                bus: i2c-1
                address: 0x77
                interval: 200ms
            simulation:
              seed: 7
            """)
    }

    struct Tally {
        var firstOccurrences: [UInt64] = []
        var duplicates = 0
        var seen = Set<UInt64>()

        init(_ messages: [ReceivedMessage], where keep: (ReceivedMessage) -> Bool = { _ in true }) {
            for m in messages where !m.retained && !m.topic.hasSuffix("/health") && keep(m) {
                guard let seq = SeqField.of(m.payload) else { continue }
                if seen.insert(seq).inserted { firstOccurrences.append(seq) } else { duplicates += 1 }
            }
        }
    }

    @Test func tenBrokerCrashesLoseNothing() async throws {
        let broker = try await MosquittoBroker.running(persistent: true)
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/dl/#", session: "platform")
        // A clean restart saves the platform's session: every later crash restores it, and the
        // broker queues for the platform whatever arrives before mosquitto_sub reconnects.
        broker.stop()
        try await broker.restart()
        try await sub.reconnected()
        let site = Site()
        let config = Self.config(site, port: broker.port)
        let daemon = try SensegateBinary.start(["run", "--config", config])
        #expect(!(await sub.wait(timeout: 10) { $0.topic.hasPrefix("sensegate/dl/sensor/") }).isEmpty)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<10 {
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...900, using: &rng)))
            broker.kill()
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1500, using: &rng)))
            try await broker.restart()
            try await sub.reconnected()
        }
        try await Task.sleep(for: .seconds(2))
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        // The last numbered message of the run: the final actuator/alarm states or a reading.
        let last = try #require(Tally(sub.messages).seen.max())
        if !(await Network.eventually(timeout: 15) { Tally(sub.messages).seen.count >= Int(last) }) {
            // A stop waits 0.8 s for the broker's acknowledgements (on a loaded machine some
            // readings can still be waiting, behind the failsafe states of a higher class): they
            // stay in the outbox, and the next start delivers them. That is the guarantee.
            let again = try SensegateBinary.start(["run", "--config", config])
            #expect(await Network.eventually(timeout: 20) { Set(1...last).isSubset(of: Tally(sub.messages).seen) }, "\(again.stderr)")
            again.signal(SIGTERM)
            #expect(await again.exited(timeout: 10) == 0)
        }
        let all = Tally(sub.messages)
        let missing = Set(1...last).subtracting(all.seen).sorted()
        #expect(missing.isEmpty, "missing \(missing.count): \(missing.prefix(40))\n\(daemon.stderr)")
        // In order within each class; duplicates only where QoS 1 allows them, recognised by seq.
        let readings = Tally(sub.messages) { $0.topic.contains("/sensor/") }
        let states = Tally(sub.messages) { !$0.topic.contains("/sensor/") }
        #expect(readings.firstOccurrences == readings.firstOccurrences.sorted())
        #expect(states.firstOccurrences == states.firstOccurrences.sorted())
        #expect(readings.seen.count > 300)
        print("broker crashes: \(last) messages numbered, \(all.seen.count) received, \(all.duplicates) duplicate deliveries")
    }

    @Test func aGatewayKilledDuringAnOutageDeliversItsBacklogAfterRestart() async throws {
        let broker = try await MosquittoBroker.running(persistent: true)
        try await Subscriber.connected(port: broker.port, filter: "sensegate/dl/#", session: "platform").stop()
        broker.stop()
        let site = Site()
        let config = Self.config(site, port: broker.port)
        let first = try SensegateBinary.start(["run", "--config", config])
        try await Task.sleep(for: .seconds(4))
        first.signal(SIGKILL)
        let killed = Date()
        _ = await first.exited(timeout: 5)
        // Where the second run numbers from: the reservation the first one left on disk.
        let reserved = try #require(
            UInt64(
                try String(contentsOfFile: site.state + "/seq", encoding: .utf8)
                    .trimmingCharacters(in: .whitespacesAndNewlines)))
        let second = try SensegateBinary.start(["run", "--config", config])
        try await Task.sleep(for: .seconds(1))
        try await broker.restart()
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/dl/#", session: "platform")
        #expect(
            await Network.eventually(timeout: 20) {
                sub.messages.contains { SeqField.of($0.payload).map { $0 >= reserved } == true && $0.topic.contains("/sensor/") }
            })
        try await Task.sleep(for: .seconds(1))
        second.signal(SIGTERM)
        #expect(await second.exited(timeout: 10) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        #expect(second.stderr.contains("from before the restart will be delivered"))
        let before = sub.messages.filter { m in SeqField.of(m.payload).map { $0 < reserved } == true && !m.topic.hasSuffix("/health") }
        let tally = Tally(before)
        let upTo = try #require(tally.seen.max())
        #expect(tally.seen == Set(1...upTo))  // the first run's messages, without a gap
        let readings = before.filter { $0.topic.contains("/sensor/") }.compactMap { ReadingPayload.decode($0.payload) }
        let lastTaken = try #require(readings.compactMap { PayloadTime.date($0.t) }.max())
        // Lost at most: what was taken in the last flush interval (1 s) before the kill.
        #expect(killed.timeIntervalSince(lastTaken) < 1.5, "last delivered reading \(killed.timeIntervalSince(lastTaken)) s before the kill")
        #expect(readings.count > 80)  // ~4 s at 30 readings/s, less start-up and the unflushed tail
        // The second run numbers from the reservation: a visible gap, never a repeat.
        let after = Tally(sub.messages) { SeqField.of($0.payload).map { $0 >= reserved } == true }
        #expect(after.seen.min() == reserved)
        #expect(upTo < reserved)
    }

    @Test func aFullOutboxDropsOldestReadingsAndSaysSo() async throws {
        let broker = try await MosquittoBroker.running(persistent: true)
        try await Subscriber.connected(port: broker.port, filter: "sensegate/dl/#", session: "platform").stop()
        broker.stop()
        let site = Site()
        let daemon = try SensegateBinary.start([
            "run", "--config",
            Self.config(
                site, port: broker.port,
                mqttExtra: "  outbox: {max_messages: 100}"),
        ])
        try await Task.sleep(for: .seconds(6))  // ~180 readings for 100 places
        #expect(daemon.isRunning)
        try await broker.restart()
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/dl/#", session: "platform")
        let health = try #require(await sub.wait(timeout: 15) { $0.topic == "sensegate/dl/health" }.first)
        #expect(health.payload.contains("\"dropped_by_class\":{\"state\":0,\"reply\":0,\"data\":"))
        let dropped = try #require(Int(health.payload.split(separator: "\"dropped\":")[1].prefix { $0.isNumber }))
        #expect(dropped > 40)
        #expect(try SchemaValidator.errors(schema: "health.schema.json", payloads: [health.payload]) == [])
        _ = await sub.wait(for: 60, timeout: 10) { $0.topic.contains("/sensor/") }
        let seqs = Tally(sub.messages) { $0.topic.contains("/sensor/") }.firstOccurrences
        #expect(seqs.first! > UInt64(dropped) / 2)  // the oldest readings went first
        #expect(daemon.isRunning)
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
    }

    @Test func anUnusableOutboxFileStillDeliversAndSaysWhy() async throws {
        let broker = try await MosquittoBroker.running()
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/dl/#")
        let site = Site()
        // The outbox path is a directory: SQLite cannot open it.
        try FileManager.default.createDirectory(atPath: site.state + "/outbox.db", withIntermediateDirectories: true)
        let daemon = try SensegateBinary.start(["run", "--config", Self.config(site, port: broker.port)])
        let health = try #require(await sub.wait(timeout: 15) { $0.topic == "sensegate/dl/health" }.first)
        #expect(health.payload.contains("\"storage\":\"memory\""))
        #expect(health.payload.contains("outbox.db: open: unable to open database file"))
        #expect(await sub.wait(for: 30, timeout: 10) { $0.topic.contains("/sensor/") }.count >= 30)
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        #expect(daemon.stderr.contains("outbox.db: open: unable to open database file (SQLite error 14); messages wait in memory only"))
    }

    @Test func mqtt5CarriesSeqSchemaAndContentTypeOnEveryMessage() async throws {
        let broker = try await MosquittoBroker.running()
        let sub = try ChildProcess(
            "/usr/bin/mosquitto_sub",
            [
                "-h", "127.0.0.1", "-p", String(broker.port), "-V", "5", "-q", "1",
                "-t", "sensegate/dl/#", "-F", "%t|%C|%P|%p",
            ])
        try await Task.sleep(for: .milliseconds(500))
        let site = Site()
        let daemon = try SensegateBinary.start(["run", "--config", Self.config(site, port: broker.port)])
        #expect(
            await Network.eventually(timeout: 15) {
                sub.stdout.split(separator: "\n").contains { $0.hasPrefix("sensegate/dl/health|") }
                    && sub.stdout.split(separator: "\n").filter { $0.contains("/sensor/") }.count >= 20
            })
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        sub.signal(SIGTERM)
        for line in sub.stdout.split(separator: "\n") where !line.hasPrefix("sensegate/dl/status|") {
            let fields = line.split(separator: "|", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4 else { continue }
            #expect(fields[1] == "application/json", "\(line)")
            // The user property `seq` is the payload's `seq`, and `schema` names its schema.
            #expect(fields[2].contains("seq:\(SeqField.of(fields[3]) ?? 0)"), "\(line)")
            let schema = fields[0].contains("/sensor/") ? "reading" : fields[0].hasSuffix("/health") ? "health" : "alarms"
            #expect(fields[2].contains("schema:https://sensegate.example/schemas/\(schema).schema.json"), "\(line)")
        }
    }
}
