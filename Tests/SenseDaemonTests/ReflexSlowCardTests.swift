import Foundation
import Logging
import SenseConfig
import SenseCore
import SenseMQTT
import SenseParts
import SenseTesting
import Testing

@testable import SenseDaemon
@testable import sensegate_bench

/// Issue 18: no file write, fsync or blocking call on the path from a sample to an actuator.
/// The reflex benchmark's station (a loop detector's edge → alarm → rule → the signal's line),
/// with its alarm issuing a CAP alert on every edge and every state file write taking 500 ms:
/// numbering (`seq` reservations) and the public alerts' file are both written while edges
/// keep coming.
@Suite(.serialized) struct ReflexSlowCardTests {
    static func config(stateDirectory: String, port: Int) throws -> SensegateConfig {
        let dir = TemporaryDirectory.make("sensegate-reflex-slow")
        let path = dir + "/reflex.yaml"
        try FileList.write(
            """
            node: bench
            board: \(RepositoryPaths.boards)/sim.yaml
            state_dir: \(stateDirectory)
            mqtt:
              broker: mqtt://127.0.0.1:\(port)
              qos: 1
            sensors:
              - {name: loop, driver: digital_input, pin: GPIO17, debounce: 0s, interval: 1h}
            alarms:
              - name: occupied
                channel: loop.state
                high: 1
                description: A vehicle on the loop
                cap: {event: Test, category: [Transport]}
            cap:
              sender: bench@alerts.example
              area: {description: the test loop, circle: {lat: 52.2, lon: 0.12, radius_km: 0.1}}
            rules:
              - name: vehicle
                when: {any: [{channel: loop.state, equals: 1}, {alarm: occupied}]}
                then: {signal: on}
            actuators:
              - {name: signal, pin: GPIO22}
            """, to: path)
        return try ConfigLoader.load(path, parts: .standard)
    }

    @Test func theReflexNeverWaitsForASlowCardAndNothingIsLost() async throws {
        let broker = try await MosquittoBroker.running()
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/bench/#")
        let state = TemporaryDirectory.make("sensegate-reflex-state")
        let card = SlowStateFiles(delayMilliseconds: 500)
        var logger = Logger(label: "reflex")
        logger.logLevel = .warning
        let h = try ReflexHarness(config: Self.config(stateDirectory: state, port: broker.port), mqtt: true, logger: logger, files: card)
        #expect(await Network.eventually(timeout: 10) { h.isConnected })
        try await Task.sleep(for: .milliseconds(200))  // the watcher reads the initial level
        let clock = SystemClock()
        var latencies: [Duration] = []
        let edges = 1000
        for i in 0..<edges {
            let previous = h.chip.lastOutputChange(22)?.0
            let t0 = clock.monotonicNow
            h.chip.drive(17, high: i % 2 == 0)
            var t1: MonotonicInstant?
            for _ in 0..<2000 {
                if let (t, _) = h.chip.lastOutputChange(22), t != previous {
                    t1 = t
                    break
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            latencies.append(try #require(t1) - t0)
            try await Task.sleep(for: .milliseconds(2))
        }
        let writesDuringEdges = card.writes
        await h.stop()
        let sorted = latencies.sorted()
        let p99 = sorted[sorted.count * 99 / 100]
        print("reflex with 500 ms state file writes: p50 \(sorted[sorted.count / 2]), p99 \(p99), max \(sorted.last!), \(writesDuringEdges) writes")
        // Waiting once for the card would take 500 ms; the goal is 1 ms at p99 (a loaded test
        // machine is allowed some slack above the benchmark's figure, never a write's time).
        #expect(sorted.last! < .milliseconds(250), "an edge waited for the card")
        #expect(p99 < .milliseconds(5))
        #expect(writesDuringEdges >= 3, "the card was written while edges came (\(writesDuringEdges))")
        // Every reading and every CAP message reached the broker, numbered without a gap.
        #expect(await Network.eventually(timeout: 20) { sub.messages(on: "sensegate/bench/sensor/loop/state").count >= edges })
        let readings = sub.messages(on: "sensegate/bench/sensor/loop/state").compactMap { ReadingPayload.decode($0.payload) }
        #expect(readings.count >= edges)
        // CAP messages are XML: their seq is the last part of the identifier.
        let cap = sub.messages.filter { $0.topic.hasPrefix("sensegate/bench/cap/") }
        let capSeqs = cap.compactMap { m -> UInt64? in
            guard let open = m.payload.range(of: "<identifier>"), let close = m.payload.range(of: "</identifier>") else { return nil }
            return m.payload[open.upperBound..<close.lowerBound].split(separator: ".").last.flatMap { UInt64($0) }
        }
        #expect(cap.count >= 2 && capSeqs.count == cap.count, "alerts issued and cancelled while edges came")
        let numbered = sub.messages.filter { !$0.retained && !$0.topic.hasSuffix("/health") }.compactMap { SeqField.of($0.payload) } + capSeqs
        let seen = Set(numbered)
        #expect(seen.count == numbered.count, "no number twice")
        if let lo = seen.min(), let hi = seen.max() { #expect(seen.count == Int(hi - lo + 1), "no gap in seq") }
        // The public alerts' file holds the last state, written once the card caught up.
        #expect(FileManager.default.fileExists(atPath: state + "/cap-alerts"))
    }
}
