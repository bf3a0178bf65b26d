import Logging
import SenseCore
import SenseMQTT
import SenseTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// MQTT 5 where the broker speaks it, 3.1.1 where it does not.
@Suite struct MQTT5Tests {
    static let logger = Logger(label: "test")

    @Test func propertiesReachAnMQTT5Subscriber() async throws {
        let broker = try await MosquittoBroker.running()
        // An independent MQTT 5 subscriber printing content type, expiry, user properties, payload.
        let sub = try ChildProcess(
            "/usr/bin/mosquitto_sub",
            [
                "-h", "127.0.0.1", "-p", String(broker.port), "-V", "5", "-q", "1", "-t", "n/#",
                "-F", "%t|%C|%E|%P|%p",
            ])
        try await Task.sleep(for: .milliseconds(500))
        var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: "v5-\(Int.random(in: 0..<1_000_000))")
        options.reconnectMaxSeconds = 2
        let client = try MQTTClient(options: options, logger: Self.logger)
        let events = EventRecorder(client)
        try client.start()
        #expect(await events.wait { $0 == .connected })
        #expect(client.protocolVersion == 5)
        let reading = OutboxMessage(
            seq: 42, kind: .data, topic: "n/sensor/outdoor/temperature", payload: Array("{\"v\":21.5,\"seq\":42}".utf8),
            qos: 1, retain: false, createdMs: 0, schema: "reading")
        let health = OutboxMessage(
            seq: 42, kind: .health, topic: "n/health", payload: Array("{\"seq\":42}".utf8),
            qos: 0, retain: true, createdMs: 0, schema: "health")
        #expect(client.publish(reading.mqtt) == .sent)
        #expect(client.publish(health.mqtt) == .sent)
        #expect(await Network.eventually(timeout: 10) { sub.stdout.split(separator: "\n").count >= 2 })
        sub.signal(SIGTERM)
        let lines = sub.stdout.split(separator: "\n").map(String.init)
        let r = try #require(lines.first { $0.hasPrefix("n/sensor/outdoor/temperature|") })
        #expect(r.contains("|application/json|"))
        #expect(r.contains("seq:42"))
        #expect(r.contains("schema:https://sensegate.example/schemas/reading.schema.json"))
        #expect(r.contains("schema_version:1"))
        let h = try #require(lines.first { $0.hasPrefix("n/health|") })
        #expect((170...180).contains(Int(h.split(separator: "|")[2]) ?? 0))  // expiry left: 180 s less transit
        await client.shutdown(last: nil, timeout: .seconds(1))
    }

    @Test func aBrokerWithoutMQTT5IsSpokenToIn311() async throws {
        let broker = try LegacyBroker()
        var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: "legacy-\(Int.random(in: 0..<1_000_000))")
        options.reconnectMinSeconds = 1
        options.reconnectMaxSeconds = 1
        let client = try MQTTClient(options: options, logger: Self.logger)
        let events = EventRecorder(client)
        try client.start()
        #expect(await events.wait(timeout: 15) { $0 == .connected })
        #expect(broker.connectLevels.first == 5)
        #expect(broker.connectLevels.last == 4)
        #expect(client.protocolVersion == 4)
        #expect(events.all.contains { if case .connectRefused(132, _) = $0 { true } else { false } })
        // Properties are left out on 3.1.1, and the message still goes.
        let m = OutboxMessage(
            seq: 7, kind: .data, topic: "n/sensor/a/b", payload: Array("{}".utf8), qos: 1, retain: false, createdMs: 0, schema: "reading")
        #expect(client.publish(m.mqtt) == .sent)
        #expect(await Network.eventually(timeout: 5) { broker.publishedTopics.contains("n/sensor/a/b") })
        await client.shutdown(last: nil, timeout: .seconds(1))
        broker.stop()
    }

    @Test func aClientSetTo311NeverTries5() async throws {
        let broker = try LegacyBroker()
        var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: "v311-\(Int.random(in: 0..<1_000_000))")
        options.protocolChoice = .v311
        let client = try MQTTClient(options: options, logger: Self.logger)
        let events = EventRecorder(client)
        try client.start()
        #expect(await events.wait(timeout: 10) { $0 == .connected })
        #expect(broker.connectLevels == [4])
        await client.shutdown(last: nil, timeout: .seconds(1))
        broker.stop()
    }
}

/// The subscription options the gateway uses on MQTT 5 (no local, retain as published), against
/// a real mosquitto: what it must still receive, and what it must see as retained.
@Suite struct SubscriptionOptionTests {
    /// A config this gateway published retained in an earlier run (same client id) must still come
    /// back when it subscribes, or stale Home Assistant configs would never be deleted.
    @Test func ownRetainedMessagesFromAnEarlierRunStillArrive() async throws {
        let broker = try await MosquittoBroker.running()
        let id = "same-\(Int.random(in: 0..<1_000_000))"
        let first = try MQTTClient(options: MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: id), logger: MQTT5Tests.logger)
        let firstEvents = EventRecorder(first)
        try first.start()
        #expect(await firstEvents.wait { $0 == .connected })
        _ = first.publish(MQTTMessage(topic: "own/config", text: "stale", qos: 1, retain: true))
        await first.shutdown(last: nil, timeout: .seconds(2))
        let second = try MQTTClient(options: MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: id), logger: MQTT5Tests.logger)
        let events = EventRecorder(second)
        try second.subscribe("own/#", qos: 1)
        try second.start()
        #expect(await events.wait { $0 == .connected })
        #expect(second.protocolVersion == 5)
        #expect(
            await events.waitMessage { $0.topic == "own/config" && $0.retained && $0.payload == Array("stale".utf8) },
            "an earlier run's retained message must arrive despite no-local")
        await second.shutdown(last: nil, timeout: .seconds(1))
    }

    /// A retained message published while the subscriber is connected keeps its flag (retain as
    /// published), so a retained command is recognised on arrival, not only at the next restart.
    @Test func aLiveRetainedMessageKeepsItsFlag() async throws {
        let broker = try await MosquittoBroker.running()
        let client = try MQTTClient(
            options: MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: "rap-\(getpid())"),
            logger: MQTT5Tests.logger)
        let events = EventRecorder(client)
        try client.subscribe("cmd/#", qos: 1)
        try client.start()
        #expect(await events.wait { $0 == .connected })
        try await Task.sleep(for: .milliseconds(300))
        try Subscriber.publish(port: broker.port, topic: "cmd/live", payload: "retained", retain: true)
        try Subscriber.publish(port: broker.port, topic: "cmd/live", payload: "plain", retain: false)
        #expect(await events.waitMessage { $0.topic == "cmd/live" && $0.payload == Array("retained".utf8) && $0.retained })
        #expect(await events.waitMessage { $0.topic == "cmd/live" && $0.payload == Array("plain".utf8) && !$0.retained })
        await client.shutdown(last: nil, timeout: .seconds(1))
    }
}
