import Logging
import SenseConfig
import SenseCore
import SenseHardware
import SenseSimulator
import Testing

@testable import SenseDaemon

/// Collects what a watcher or poller emits.
final class Emitted: SampleSink {
    private let samples = Locked<[Sample]>([])
    var all: [Sample] { samples.withLock { $0 } }
    func accept(_ batch: [Sample]) { samples.withLock { $0 += batch } }

    func wait(count: Int, clock: ManualClock? = nil) async {
        for _ in 0..<2000 where all.count < count { try? await Task.sleep(for: .milliseconds(1)) }
    }
}

@Suite struct DigitalInputWatcherTests {
    static let logger = Logger(label: "test")

    func start(
        activeLow: Bool, clock: ManualClock, chip: SimulatedGPIOChip,
        emitted: Emitted
    ) throws -> (Task<Void, Never>, any GPIOInput) {
        let input = try chip.requestInput(offset: 17, bias: .pullUp, consumer: "test")
        let options = DigitalInputOptions(
            line: .init(chip: "gpiochip0", offset: 17, pin: 11), pinName: "GPIO17",
            bias: .pullUp, activeLow: activeLow, debounce: .milliseconds(20))
        let watcher = DigitalInputWatcher(
            name: "door", input: input, options: options, interval: .seconds(60),
            clock: clock, sink: emitted, liveness: Liveness(), logger: Self.logger)
        return (Task { await watcher.run() }, input)
    }

    @Test func bouncingContactGivesOneChangeAtTheFirstStableEdge() async throws {
        let clock = ManualClock()
        let chip = SimulatedGPIOChip(name: "gpiochip0", clock: clock)
        let emitted = Emitted()
        let (task, input) = try start(activeLow: true, clock: clock, chip: chip, emitted: emitted)
        await emitted.wait(count: 1)
        #expect(emitted.all.first?.value == 0)  // pulled up, active low: inactive
        let closedAt = clock.monotonicNow
        for _ in 0..<3 {  // the contact closes with bounce
            chip.drive(17, high: false)
            clock.advance(by: .microseconds(300))
            chip.drive(17, high: true)
            clock.advance(by: .microseconds(400))
        }
        chip.drive(17, high: false)
        let lastEdge = clock.monotonicNow
        while clock.sleeperCount < 2 { await Task.yield() }  // debounce timer and heartbeat
        clock.advance(by: .milliseconds(25))
        await emitted.wait(count: 2)
        let change = try #require(emitted.all.dropFirst().first)
        #expect(change.value == 1)
        #expect(change.monotonic == lastEdge)  // stamped with the edge, not the wake-up
        #expect(change.monotonic > closedAt)
        #expect(change.quality == .good && change.unit == .none && change.quantity == "state")
        #expect(emitted.all.count == 2)  // bounce produced no extra samples
        task.cancel()
        input.release()
        await task.value
        #expect(!chip.isRequested(17))
    }

    @Test func heartbeatRepeatsTheStableState() async throws {
        let clock = ManualClock()
        let chip = SimulatedGPIOChip(name: "gpiochip0", clock: clock)
        let emitted = Emitted()
        let (task, input) = try start(activeLow: false, clock: clock, chip: chip, emitted: emitted)
        await emitted.wait(count: 1)
        #expect(emitted.all.first?.value == 1)  // pulled up, active high: active
        while clock.sleeperCount < 1 { await Task.yield() }
        clock.advance(by: .seconds(60))
        await emitted.wait(count: 2)
        #expect(emitted.all.map(\.value) == [1, 1])
        task.cancel()
        input.release()
        await task.value
        #expect(!chip.isRequested(17))
    }
}
