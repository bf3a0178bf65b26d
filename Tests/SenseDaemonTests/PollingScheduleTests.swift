import Logging
import SenseCore
import SenseDrivers
import SenseSimulator
import SenseTesting
import Testing

@testable import SenseDaemon

/// Waits are long: in the parallel suite, tests that block the cooperative pool's two threads
/// (child processes, brokers) can hold off the schedule's tasks for many seconds.
@Suite struct PollingScheduleTests {
    /// A schedule of one poller per driver, named s0, s1, …, all on `interval`.
    static func schedule(
        _ drivers: [any PolledSensorDriver], every interval: Duration, clock: ManualClock, sink: Emitted = Emitted()
    ) -> PollingSchedule {
        PollingSchedule(
            pollers: drivers.enumerated().map { i, d in
                SensorPoller(
                    name: "s\(i)", driver: d, interval: interval, clock: clock, sink: sink, liveness: Liveness(),
                    logger: Logger(label: "test"))
            }, clock: clock)
    }

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
        // The clock is at 11 s now, and the rounds due then may have run.
        #expect(seconds(a).filter { $0 <= 10 } == expected["a"]!)
        #expect(seconds(b).filter { $0 <= 10 } == expected["b"]!)
        #expect(seconds(c).filter { $0 <= 10 } == expected["c"]!)
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
        var schedule = Self.schedule(drivers, every: .seconds(1), clock: clock)
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

    /// A converting part holds no slot: with one slot, five staged sensors all start at once,
    /// and each is read when its conversion (and a busy read's extra quarter) is over.
    @Test func aConvertingPartHoldsNoSlot() async throws {
        let clock = ManualClock()
        let start = clock.monotonicNow
        let drivers = (0..<5).map { FakeStagedDriver(conversion: .milliseconds(8), busyReads: $0 == 4 ? 1 : 0, clock: clock) }
        let emitted = Emitted()
        var schedule = Self.schedule(drivers, every: .seconds(1), clock: clock, sink: emitted)
        schedule.maxInFlight = 1
        let running = Task { await schedule.run() }
        let millis = { (d: FakeStagedDriver) in d.readTimes.map { ($0 - start).nanoseconds / 1_000_000 } }
        #expect(await Network.eventually(timeout: 60) { drivers.allSatisfy { $0.startTimes == [start] } })
        #expect(await Network.eventually(timeout: 1) { clock.sleeperCount >= 1 })
        #expect(drivers.allSatisfy { $0.readTimes.isEmpty }, "nothing read before the conversion time")
        clock.advance(by: .milliseconds(8))
        #expect(await Network.eventually(timeout: 60) { emitted.all.count == 4 })
        #expect(drivers.prefix(4).allSatisfy { millis($0) == [8] })
        #expect(drivers[4].readTimes.isEmpty, "still converting")
        #expect(await Network.eventually(timeout: 1) { clock.sleeperCount >= 1 })
        clock.advance(by: .milliseconds(2))
        #expect(await Network.eventually(timeout: 60) { emitted.all.count == 5 })
        #expect(millis(drivers[4]) == [10])
        // The next round is due on the interval from the start of this one.
        #expect(await Network.eventually(timeout: 1) { clock.sleeperCount >= 1 })
        clock.advance(by: .milliseconds(990))
        #expect(await Network.eventually(timeout: 60) { drivers.allSatisfy { $0.startTimes.count == 2 } })
        #expect(drivers.allSatisfy { $0.startTimes.last == start + .seconds(1) })
        running.cancel()
        await running.value
    }

    /// Sensors of one interval are spread over it in slots of at most `sensorsPerSlot`; the
    /// first round runs at once for all, the next ones each at its slot.
    @Test func sensorsOfOneIntervalAreSpreadInSlots() async throws {
        func pollers(_ count: Int, every interval: Duration) -> [SensorPoller] {
            (0..<count).map { i in
                SensorPoller(
                    name: "s\(i)", driver: ScriptedSensorDriver([], clock: ManualClock()), interval: interval, clock: ManualClock(),
                    sink: Emitted(), liveness: Liveness(), logger: Logger(label: "test"))
            }
        }
        var many = pollers(1200, every: .seconds(1)) + pollers(3, every: .milliseconds(15)) + pollers(2, every: .seconds(10))
        PollingSchedule.spread(&many, perSlot: 500)
        let phases: [Duration: Int] = Dictionary(grouping: many.prefix(1200), by: \.phase).mapValues(\.count)
        let third: Duration = .seconds(1) / 3
        let expected: [Duration: Int] = [.zero: 400, third: 400, third * 2: 400]
        #expect(phases == expected, "three slots of 400")
        #expect(many[1200..<1203].allSatisfy { $0.phase == .zero }, "slots are at least 10 ms apart: one slot in 15 ms")
        #expect(many.suffix(2).allSatisfy { $0.phase == .zero }, "two sensors fit one slot")

        let clock = ManualClock()
        let start = clock.monotonicNow
        let drivers = (0..<3).map { _ in ScriptedSensorDriver(Array(repeating: .value(1), count: 5), clock: clock) }
        var schedule = Self.schedule(drivers, every: .seconds(3), clock: clock)
        schedule.sensorsPerSlot = 1
        let running = Task { await schedule.run() }
        let seconds = { (d: ScriptedSensorDriver) in d.fetchTimes.map { ($0 - start).nanoseconds / 1_000_000_000 } }
        for t in Int64(0)...6 {
            let due = [[0, 3, 6], [0, 4], [0, 5]].map { $0.filter { $0 <= t }.count }
            #expect(await Network.eventually(timeout: 60) { drivers.map { $0.fetchTimes.count } == due }, "at \(t) s: \(drivers.map(seconds))")
            _ = await Network.eventually(timeout: 1) { clock.sleeperCount >= 1 }
            clock.advance(by: .seconds(1))
        }
        #expect(drivers.map { seconds($0).filter { $0 <= 6 } } == [[0, 3, 6], [0, 4], [0, 5]])
        running.cancel()
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
