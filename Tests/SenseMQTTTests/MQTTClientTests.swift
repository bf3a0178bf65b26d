import Logging
import SenseCore
import SenseMQTT
import SenseTesting
import SenseWire
import Testing

/// libmosquitto against a real mosquitto on a free loopback port.
@Suite(.serialized) struct MQTTClientTests {
    static let logger = Logger(label: "test")

    static func options(_ broker: MosquittoBroker, id: String = "sensegate-test-\(Int.random(in: 0..<1_000_000))") -> MQTTClientOptions {
        var o = MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: id)
        o.keepalive = 5
        o.will = MQTTMessage(topic: "t/\(id)/status", text: "offline", qos: 1, retain: true)
        o.birth = MQTTMessage(topic: "t/\(id)/status", text: "online", qos: 1, retain: true)
        o.reconnectMinSeconds = 1
        o.reconnectMaxSeconds = 2
        return o
    }

    @Test func birthIsRetainedAndCleanShutdownSaysOffline() async throws {
        let broker = try await MosquittoBroker.running()
        let o = Self.options(broker)
        let client = try MQTTClient(options: o, logger: Self.logger)
        let events = EventRecorder(client)
        try client.start()
        #expect(await events.wait { $0 == .connected })
        // A subscriber arriving later gets the retained birth.
        let late = try await Subscriber.connected(port: broker.port, filter: o.birth!.topic)
        let birth = await late.wait { $0.topic == o.birth!.topic }
        #expect(birth.first?.payload == "online")
        #expect(birth.first?.retained == true)
        await client.shutdown(last: MQTTMessage(topic: o.birth!.topic, text: "offline", qos: 1, retain: true), timeout: .seconds(2))
        #expect(await late.wait(for: 2) { $0.topic == o.birth!.topic }.last?.payload == "offline")
        #expect(!client.isConnected)
    }

    @Test func lastWillWhenTheClientVanishes() async throws {
        let broker = try await MosquittoBroker.running()
        let o = Self.options(broker)
        let watcher = try await Subscriber.connected(port: broker.port, filter: o.will!.topic)
        do {
            let client = try MQTTClient(options: o, logger: Self.logger)
            let events = EventRecorder(client)
            try client.start()
            #expect(await events.wait { $0 == .connected })
            #expect(await watcher.wait { $0.payload == "online" }.count == 1)
            // Leaving scope destroys the client without DISCONNECT: the socket just closes.
        }
        let will = await watcher.wait(timeout: 15) { $0.payload == "offline" }
        #expect(will.count == 1)
    }

    @Test func reconnectsAndResubscribesAfterBrokerRestart() async throws {
        let broker = try await MosquittoBroker.running()
        let client = try MQTTClient(options: Self.options(broker), logger: Self.logger)
        let events = EventRecorder(client)
        try client.subscribe("t/commands/#", qos: 1)
        try client.start()
        #expect(await events.wait { $0 == .connected })
        try Subscriber.publish(port: broker.port, topic: "t/commands/a", payload: "before")
        #expect(await events.waitMessage { $0.topic == "t/commands/a" })

        broker.kill()  // SIGKILL: no goodbye
        #expect(await events.wait { if case .disconnected = $0 { true } else { false } })
        #expect(!client.isConnected)
        try await broker.restart()
        #expect(await events.wait(count: 2, timeout: 15) { $0 == .connected })
        try Subscriber.publish(port: broker.port, topic: "t/commands/b", payload: "after")
        let got = await events.waitMessage(timeout: 10) { $0.topic == "t/commands/b" && $0.payload == Array("after".utf8) }
        #expect(got)
        // The birth message is published again on the new connection (the broker forgot it).
        let watcher = try await Subscriber.connected(port: broker.port, filter: client.options.birth!.topic)
        #expect(await watcher.wait { $0.retained && $0.payload == "online" }.count == 1)
        await client.shutdown(last: nil, timeout: .seconds(1))
    }

    @Test func tlsWithHostnameVerification() async throws {
        let tls = try TLSFixture(commonName: "localhost")
        let broker = try await MosquittoBroker.running(tls: tls)
        var good = MQTTClientOptions(host: "localhost", port: broker.port, clientID: "tls-ok")
        good.tls = .init(caFile: tls.caFile)
        let client = try MQTTClient(options: good, logger: Self.logger)
        let events = EventRecorder(client)
        try client.start()
        #expect(await events.wait(timeout: 15) { $0 == .connected })
        await client.shutdown(last: nil, timeout: .seconds(1))

        // A certificate for another name must be refused even though the CA is trusted.
        let other = try TLSFixture(commonName: "broker.example.org")
        let impostor = try await MosquittoBroker.running(tls: other)
        var bad = MQTTClientOptions(host: "localhost", port: impostor.port, clientID: "tls-bad")
        bad.tls = .init(caFile: other.caFile)
        bad.reconnectMinSeconds = 1
        bad.reconnectMaxSeconds = 1
        let refused = try MQTTClient(options: bad, logger: Self.logger)
        let refusedEvents = EventRecorder(refused)
        try refused.start()
        #expect(await !refusedEvents.wait(timeout: 3) { $0 == .connected })
        await refused.shutdown(last: nil, timeout: .milliseconds(100))
    }
}

@Suite(.serialized) struct MQTTAuthenticationTests {
    @Test func usernameAndPassword() async throws {
        let broker = try await MosquittoBroker.running(users: ["roof-01": "s3cret"])
        var good = MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: "auth-ok")
        good.username = "roof-01"
        good.password = "s3cret"
        let client = try MQTTClient(options: good, logger: MQTTClientTests.logger)
        let events = EventRecorder(client)
        try client.start()
        #expect(await events.wait { $0 == .connected })
        await client.shutdown(last: nil, timeout: .milliseconds(100))

        var bad = good
        bad.clientID = "auth-bad"
        bad.password = "wrong"
        let refused = try MQTTClient(options: bad, logger: MQTTClientTests.logger)
        let refusedEvents = EventRecorder(refused)
        try refused.start()
        // The broker's CONNACK refusal reaches the caller with its reason.
        #expect(await refusedEvents.wait { if case .connectRefused = $0 { true } else { false } })
        #expect(!refused.isConnected)
        await refused.shutdown(last: nil, timeout: .milliseconds(100))
    }

    @Test func clientCertificate() async throws {
        let tls = try TLSFixture(commonName: "localhost")
        let broker = try await MosquittoBroker.running(tls: tls, requireClientCertificate: true)
        var withCert = MQTTClientOptions(host: "localhost", port: broker.port, clientID: "mtls-ok")
        withCert.tls = .init(caFile: tls.caFile, certFile: tls.clientCert, keyFile: tls.clientKey)
        let client = try MQTTClient(options: withCert, logger: MQTTClientTests.logger)
        let events = EventRecorder(client)
        try client.start()
        #expect(await events.wait(timeout: 15) { $0 == .connected })
        await client.shutdown(last: nil, timeout: .milliseconds(100))

        var without = MQTTClientOptions(host: "localhost", port: broker.port, clientID: "mtls-none")
        without.tls = .init(caFile: tls.caFile)
        let refused = try MQTTClient(options: without, logger: MQTTClientTests.logger)
        let refusedEvents = EventRecorder(refused)
        try refused.start()
        #expect(await !refusedEvents.wait(timeout: 3) { $0 == .connected })
        await refused.shutdown(last: nil, timeout: .milliseconds(100))
    }
}

@Suite struct PayloadTests {
    @Test func readingPayloadShape() {
        let s = Sample(
            sensor: "outdoor", quantity: "temperature", value: 21.534999, unit: .celsius, quality: .good,
            monotonic: .init(nanoseconds: 0), wall: WallTime(nanosecondsSinceEpoch: 1_795_406_839_123_000_000))
        #expect(
            String(decoding: Payloads.reading(s, seq: 42), as: UTF8.self)
                == #"{"v":21.53,"u":"Cel","q":"good","t":"2026-11-23T04:07:19.123Z","seq":42}"#)
    }

    @Test func badReadingHasNoValueAndAReason() {
        let s = Sample(
            sensor: "outdoor", quantity: "pressure", value: nil, unit: .pascal, quality: .bad, reason: .nack,
            monotonic: .init(nanoseconds: 0), wall: WallTime(nanosecondsSinceEpoch: 0))
        #expect(
            String(decoding: Payloads.reading(s, seq: 7), as: UTF8.self)
                == #"{"v":null,"u":"Pa","q":"bad","r":"nack","t":"1970-01-01T00:00:00.000Z","seq":7}"#)
    }

    @Test func jsonEscaping() {
        var w = JSONWriter()
        w.beginObject()
        w.field("k", "a\"b\\c\n\u{01}é")
        w.field("n", 1e-7)
        w.field("i", Int64(-3))
        w.endObject()
        #expect(w.text == #"{"k":"a\"b\\c\n\u0001é","n":1e-07,"i":-3}"#)
    }

    @Test func topicTree() {
        let t = TopicTree(prefix: "city/air", node: "roof-01")
        #expect(t.status == "city/air/roof-01/status")
        #expect(t.health == "city/air/roof-01/health")
        #expect(t.reading(sensor: "ambient", quantity: "humidity") == "city/air/roof-01/sensor/ambient/humidity")
    }
}
