import Logging
import SenseMQTT
import SenseTesting
import Testing

/// Issue 18: the client's lifetime. A broker that answers CONNECT with a malformed packet ends a
/// connection with a protocol error, after which libmosquitto's own loop would give up for good;
/// the client's network thread (`MQTTNetworkLoop`) backs off and tries again. A client released
/// meanwhile must never be touched again: no reconnect (the broker would see another CONNECT)
/// and no crash.
@Suite(.serialized) struct MQTTClientLifetimeTests {
    static let logger = Logger(label: "lifetime")

    /// CONNECTs from one of this test's clients (the fake broker's port may have been another test's).
    static func connects(_ broker: LegacyBroker, _ id: String) -> Int {
        broker.connectClients.filter { $0 == id }.count
    }

    @Test func aClientReleasedBeforeItsLoopRestartsIsNeverTouchedAgain() async throws {
        let broker = try LegacyBroker(malformed: true)
        var atRelease: [String: Int] = [:]
        for i in 0..<8 {
            let id = "released-\(i)"
            var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: id)
            options.reconnectMinSeconds = 1
            options.protocolChoice = .v311
            var client: MQTTClient? = try MQTTClient(options: options, logger: Self.logger)
            weak let released = client
            try client?.start()
            #expect(await Network.eventually(timeout: 10) { Self.connects(broker, id) >= 1 })
            try await Task.sleep(for: .milliseconds(100))  // the protocol error: a retry is pending
            atRelease[id] = Self.connects(broker, id)
            client = nil
            #expect(released == nil, "the client outlived its last reference")
        }
        try await Task.sleep(for: .seconds(2))  // every pending retry has woken by now
        for (id, n) in atRelease.sorted(by: { $0.key < $1.key }) {
            #expect(Self.connects(broker, id) == n, "\(id) connected again after it was released")
        }
    }

    @Test func aLiveClientTriesAgainAfterAProtocolError() async throws {
        // The other side of the same guard: while the client lives, the loop comes back.
        let broker = try LegacyBroker(malformed: true)
        var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: "kept")
        options.reconnectMinSeconds = 1
        options.protocolChoice = .v311
        let client = try MQTTClient(options: options, logger: Self.logger)
        try client.start()
        #expect(await Network.eventually(timeout: 10) { Self.connects(broker, "kept") >= 2 }, "the client did not try again")
        await client.shutdown(last: nil, timeout: .milliseconds(100))
    }
}
