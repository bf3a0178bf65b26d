import Foundation
import Logging
import SenseConfig
import SenseCore
import SenseParts
import SenseSimulator
import SenseTesting
import Testing

@testable import SenseDaemon
@testable import sensegate_bench

/// Issue 18: the reaction step only decides; the executor sets the lines after the engine's lock
/// is released. With a line that takes as long as the test says, a sample that decides nothing is
/// processed while the line is still being set, and the line ends at the last decision.
@Suite(.serialized) struct OutputExecutorTests {
    static func config(stateDirectory: String, port: Int = 1) throws -> SensegateConfig {
        let path = TemporaryDirectory.make("sensegate-executor") + "/executor.yaml"
        try FileList.write(
            """
            node: executor
            board: \(RepositoryPaths.boards)/sim.yaml
            state_dir: \(stateDirectory)
            mqtt:
              broker: mqtt://127.0.0.1:\(port)
            sensors:
              # Not digital inputs: the harness would watch those, and their samples would decide too.
              - name: loop
                driver: ads1115
                bus: i2c-1
                inputs: [{name: state, input: ain0, unit: "", transfer: {polynomial: [0, 1]}}]
              - name: other
                driver: ads1115
                bus: i2c-1
                address: 0x49
                inputs: [{name: state, input: ain0, unit: "", transfer: {polynomial: [0, 1]}}]
            rules:
              - name: vehicle
                when: {channel: loop.state, equals: 1}
                then: {signal: on}
            actuators:
              - {name: signal, pin: GPIO22}
            """, to: path)
        return try ConfigLoader.load(path, parts: .standard)
    }

    static func sample(_ sensor: String, _ value: Double) -> Sample {
        Sample(
            sensor: sensor, quantity: "state", value: value, unit: .none, quality: .good, reason: nil,
            monotonic: SystemClock().monotonicNow, wall: SystemClock().wallNow)
    }

    /// Runs `body` on a thread of its own (not the concurrency pool's: it blocks), and says when done.
    final class Worker: Sendable {
        private let finished = Locked(false)

        init(_ body: @escaping @Sendable () -> Void) {
            Thread {
                body()
                self.finished.withLock { $0 = true }
            }.start()
        }

        var isDone: Bool { finished.withLock { $0 } }
    }

    @Test func aSlowLineNeverHoldsTheEngine() async throws {
        var logger = Logger(label: "executor")
        logger.logLevel = .critical
        let lines = GatedOutputs(SimulatedHardware(clock: SystemClock()))
        let h = try ReflexHarness(
            config: Self.config(stateDirectory: TemporaryDirectory.make("sensegate-executor-state")), mqtt: false, logger: logger,
            outputs: lines)
        lines.close()
        // The loop occupied: the rule turns the signal on, and its line waits at the gate.
        let decided = Worker { h.outlet.accept([Self.sample("loop", 1)]) }
        #expect(await Network.eventually(timeout: 5) { lines.waiting == 1 }, "the line was never set")
        // Meanwhile another sensor's sample, which decides nothing, goes through the engine.
        let other = Worker { h.outlet.accept([Self.sample("other", 1)]) }
        #expect(
            await Network.eventually(timeout: 5) { other.isDone },
            "a sample waited for a line being set: the engine's lock is held during line I/O")
        // The loop clears while the first set is still waiting: the last decision wins.
        let cleared = Worker { h.outlet.accept([Self.sample("loop", 0)]) }
        try await Task.sleep(for: .milliseconds(100))
        #expect(!decided.isDone && !cleared.isDone)
        lines.open()
        #expect(await Network.eventually(timeout: 5) { decided.isDone && cleared.isDone })
        #expect(lines.completedSets == 2)
        #expect(h.outlet.lineHigh("signal") == false, "the line ends at the last decision (off)")
        await h.stop()
    }

    /// Seen in CI: a sample that decided nothing published the actuators while another's decision
    /// was still setting the line, and the wire said `on` with the line at its `off` level. An
    /// actuator is published only with the line it has: after the set, by whoever made it.
    @Test func anActuatorIsNeverPublishedBeforeItsLineIsSet() async throws {
        let broker = try await MosquittoBroker.running()
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/executor/actuator/signal")
        var logger = Logger(label: "executor")
        logger.logLevel = .critical
        let lines = GatedOutputs(SimulatedHardware(clock: SystemClock()))
        let h = try ReflexHarness(
            config: Self.config(stateDirectory: TemporaryDirectory.make("sensegate-executor-state"), port: broker.port), mqtt: true,
            logger: logger, outputs: lines)
        #expect(await Network.eventually(timeout: 10) { h.isConnected })
        let initial = await sub.wait { $0.payload.contains("\"state\":\"off\"") }
        #expect(initial.first?.payload.contains("\"line\":\"low\"") == true, "\(initial)")
        lines.close()
        let decided = Worker { h.outlet.accept([Self.sample("loop", 1)]) }
        #expect(await Network.eventually(timeout: 5) { lines.waiting == 1 }, "the line was never set")
        let other = Worker { h.outlet.accept([Self.sample("other", 1)]) }
        #expect(await Network.eventually(timeout: 5) { other.isDone })
        // Whatever the other sample sent has reached the broker and come back by now.
        try await Task.sleep(for: .milliseconds(300))
        #expect(!sub.messages.contains { $0.payload.contains("\"state\":\"on\"") }, "published before its line was set: \(sub.messages)")
        lines.open()
        #expect(await Network.eventually(timeout: 5) { decided.isDone })
        let on = await sub.wait { $0.payload.contains("\"state\":\"on\"") }
        #expect(on.count == 1 && on.first?.payload.contains("\"line\":\"high\"") == true, "\(on)")
        await h.stop()
    }
}
