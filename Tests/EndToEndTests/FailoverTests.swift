import Foundation
import SenseTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `mqtt.brokers`: the primary broker dies, the gateway moves to the fall-back, and moves back
/// once the primary answers again; every numbered message reaches one broker or the other.
@Suite struct FailoverTests {
    @Test func movesToTheFallbackAndBackLosingNothing() async throws {
        let primary = try await MosquittoBroker.running(persistent: true)
        let atPrimary = try await Subscriber.connected(port: primary.port, filter: "sensegate/fo/#", session: "platform")
        primary.stop()  // a clean stop saves the platform's session, which every later start restores
        try await primary.restart()
        try await atPrimary.reconnected()
        let fallback = try await MosquittoBroker.running()
        let atFallback = try await Subscriber.connected(port: fallback.port, filter: "sensegate/fo/#")
        let site = Site()
        let config = site.write(
            "failover.yaml",
            """
            node: fo
            board: sim
            state_dir: \(site.state)
            mqtt:
              brokers: [mqtt://127.0.0.1:\(primary.port), mqtt://127.0.0.1:\(fallback.port)]
              failover: {after: 2s, retry_primary: 10s}
              reconnect: {min: 1s, max: 1s}
            sensors:
              - {name: air, driver: bme280, bus: i2c-1, address: 0x76, interval: 200ms}
            simulation:
              seed: 7
            """)
        let daemon = try SensegateBinary.start(["run", "--config", config])
        let reading = { (m: ReceivedMessage) in m.topic.hasPrefix("sensegate/fo/sensor/") && !m.retained }
        #expect(!(await atPrimary.wait(timeout: 15, where: reading)).isEmpty, "readings at the primary")

        primary.kill()
        #expect(!(await atFallback.wait(timeout: 30, where: reading)).isEmpty, "no readings at the fall-back\n\(daemon.stderr)")
        try await Task.sleep(for: .seconds(2))
        try await primary.restart()
        try await atPrimary.reconnected()
        // Back on the primary within retry_primary (10 s) and a probe.
        let movedBack = await Network.eventually(timeout: 40) {
            let latest = Tally(atFallback.messages).seen.max() ?? 0
            return atPrimary.messages.contains { reading($0) && (SeqField.of($0.payload) ?? 0) > latest }
                && daemon.stderr.contains("moving back")
        }
        #expect(movedBack, "not back on the primary\n\(daemon.stderr)")
        try await Task.sleep(for: .seconds(1))
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)

        // Every numbered message (health aside: only its newest is kept) reached one of the two.
        let all = Tally(atPrimary.messages + atFallback.messages)
        let last = try #require(all.seen.max())
        let missing = Set(1...last).subtracting(all.seen).sorted()
        #expect(missing.isEmpty, "missing \(missing.count): \(missing.prefix(40))\n\(daemon.stderr)")
        // In order at each broker, within each class.
        for sub in [atPrimary, atFallback] {
            let readings = Tally(sub.messages) { $0.topic.contains("/sensor/") }
            #expect(readings.firstOccurrences == readings.firstOccurrences.sorted())
        }
        #expect(daemon.stderr.contains("moving to mqtt://127.0.0.1:\(fallback.port)"), "\(daemon.stderr)")
        #expect(try PayloadSchemas.errors(atPrimary.messages + atFallback.messages) == [])
    }

    typealias Tally = DeliveryTests.Tally
}
