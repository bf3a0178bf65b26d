import Logging
import SenseCore
import SenseSimulator
import SenseTesting
import Testing

@testable import SenseDaemon

/// Waits are long: in the parallel suite, tests that block the cooperative pool's two threads
/// (child processes, brokers) can hold off the schedule's tasks for many seconds.
@Suite struct PollingScheduleTests {
    /// Three sensors on one schedule: each keeps its own interval and backoff, and one stuck in
    /// its first fetch for five seconds delays neither of the others.
    @Test func eachSensorKeepsItsTimeAndAStuckOneDelaysNoOther() async throws {
        let clock = ManualClock()
        let start = clock.monotonicNow
        let a = ScriptedSensorDriver(Array(repeating: .value(1), count: 20), clock: clock)
        let b = ScriptedSensorDriver([.value(1), .fault(.nack)] + Array(repeating: .value(2), count: 20), clock: clock)
        let c = ScriptedSensorDriver(Array(repeating: .value(3), count: 20), clock: clock, holdsFirstFetch: true)
        let liveness = Liveness()
        func poller(_ name: String, _ driver: ScriptedSensorDriver, _ seconds: Int64) -> SensorPoller {
            SensorPoller(
                name: name, driver: driver, interval: .seconds(seconds), clock: clock, sink: Emitted(), liveness: liveness,
                logger: Logger(label: "test"))
        }
        let schedule = PollingSchedule(pollers: [poller("a", a, 2), poller("b", b, 3), poller("c", c, 1)], clock: clock)
        let running = Task { await schedule.run() }

        // The fetch times each second brings, from the intervals: a every 2 s; b every 3 s, its
        // fault at 3 retried 1 s later and the interval counted from there; c held from 0 to 5,
        // then at once (it is overdue) and every second.
        let expected: [String: [Int64]] = [
            "a": [0, 2, 4, 6, 8, 10], "b": [0, 3, 4, 7, 10], "c": [0, 5, 6, 7, 8, 9, 10],
        ]
        func seconds(_ d: ScriptedSensorDriver) -> [Int64] { d.fetchTimes.map { ($0 - start).nanoseconds / 1_000_000_000 } }
        for t in Int64(0)...10 {
            if t == 5 { c.release() }
            let due = expected.mapValues { $0.filter { $0 <= t }.count }
            let reached = await Network.eventually(timeout: 60) {
                seconds(a).count == due["a"] && seconds(b).count == due["b"] && seconds(c).count == due["c"]
            }
            #expect(reached, "at \(t) s: a \(seconds(a)), b \(seconds(b)), c \(seconds(c))")
            // Let the schedule set its next timer before the clock moves (it would fire at once
            // if late, so this only keeps the times exact).
            _ = await Network.eventually(timeout: 1) { clock.sleeperCount >= 1 }
            clock.advance(by: .seconds(1))
        }
        #expect(seconds(a) == Array(expected["a"]!.prefix(seconds(a).count)))
        #expect(seconds(b) == Array(expected["b"]!.prefix(seconds(b).count)))
        #expect(seconds(c) == Array(expected["c"]!.prefix(seconds(c).count)))
        #expect(b.initializations == 2, "re-initialised after its fault")

        running.cancel()
        await running.value
        // Stopped: no sensor owes the watchdog a cycle any more.
        #expect(liveness.overdue(at: clock.monotonicNow + .seconds(3600)).isEmpty)
    }

    @Test func aSensorWhoseTaskIsCancelledLeavesTheOthersRunning() async throws {
        let clock = ManualClock(autoAdvance: true)
        // A script that runs out cancels the cycle's own task: that sensor stops, the rest go on.
        let short = ScriptedSensorDriver([.value(1)], clock: clock)
        let long = ScriptedSensorDriver(Array(repeating: .value(2), count: 5), clock: clock)
        let liveness = Liveness()
        let schedule = PollingSchedule(
            pollers: [
                SensorPoller(
                    name: "short", driver: short, interval: .seconds(1), clock: clock, sink: Emitted(), liveness: liveness,
                    logger: Logger(label: "test")),
                SensorPoller(
                    name: "long", driver: long, interval: .seconds(1), clock: clock, sink: Emitted(), liveness: liveness,
                    logger: Logger(label: "test")),
            ], clock: clock)
        await schedule.run()  // returns once both scripts are used up
        #expect(short.fetchTimes.count == 2)
        #expect(long.fetchTimes.count == 6)
        #expect(liveness.overdue(at: clock.monotonicNow + .seconds(3600)).isEmpty)
    }

    /// At most `maxInFlight` cycles at once: the rest wait in the queue, and start as slots free.
    @Test func cyclesInFlightAreBounded() async throws {
        let clock = ManualClock()
        let drivers = (0..<10).map { _ in ScriptedSensorDriver(Array(repeating: .value(1), count: 5), clock: clock, holdsFirstFetch: true) }
        var schedule = PollingSchedule(
            pollers: drivers.enumerated().map { i, d in
                SensorPoller(
                    name: "s\(i)", driver: d, interval: .seconds(1), clock: clock, sink: Emitted(), liveness: Liveness(),
                    logger: Logger(label: "test"))
            }, clock: clock)
        schedule.maxInFlight = 4
        let running = Task { await schedule.run() }
        let started = { drivers.filter { !$0.fetchTimes.isEmpty }.count }
        #expect(await Network.eventually(timeout: 60) { started() == 4 })
        try await Task.sleep(for: .milliseconds(100))
        #expect(started() == 4, "no more than four at once")
        drivers.first { !$0.fetchTimes.isEmpty }?.release()
        #expect(await Network.eventually(timeout: 60) { started() == 5 }, "a slot freed starts the next")
        for d in drivers { d.release() }
        #expect(await Network.eventually(timeout: 60) { started() == 10 })
        running.cancel()
        for d in drivers { d.release() }
        await running.value
    }

    @Test func theQueueGivesTheEarliestFirst() {
        var queue = DueQueue()
        var generator = SystemRandomNumberGenerator()
        let dues = (0..<500).map { _ in Int64.random(in: 0..<1_000, using: &generator) }
        for (i, d) in dues.enumerated() { queue.push(MonotonicInstant(nanoseconds: d), i) }
        var out: [Int64] = []
        while let (due, index) = queue.first {
            #expect(dues[index] == due.nanoseconds)
            out.append(due.nanoseconds)
            queue.removeFirst()
        }
        #expect(out == dues.sorted())
    }
}
