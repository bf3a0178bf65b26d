import Logging
import SenseCore
import SenseSimulator
import SenseTesting
import Testing

@testable import SenseDaemon

@Suite struct SensorPollerTests {
    @Test func faultsAreBadWithReasonAndRetriedWithBackoff() async throws {
        let clock = ManualClock(autoAdvance: true)
        let start = clock.monotonicNow
        let driver = ScriptedSensorDriver(
            [.value(20), .fault(.nack), .fault(.nack), .fault(.timeout), .value(21), .value(22)],
            clock: clock)
        let emitted = Emitted()
        var poller = SensorPoller(
            name: "outdoor", driver: driver, interval: .seconds(10), clock: clock, sink: emitted, liveness: Liveness(), logger: Logger(label: "test"))
        await poller.run()

        // On time, then 1 s, 2 s, 4 s after each failure, then back on the interval.
        let offsets = driver.fetchTimes.map { ($0 - start).seconds }
        #expect(Array(offsets.prefix(6)) == [0, 10, 11, 13, 17, 27])
        // Re-initialised (probe, calibration) after every fault.
        #expect(driver.initializations == 4)
        // Every channel of each fetch, in one batch; faults carry no value and the reason.
        let all = emitted.all.filter { $0.reason != .io }
        #expect(all.map(\.quantity) == Array(repeating: ["temperature", "pressure"], count: 6).flatMap { $0 })
        let s = all.filter { $0.quantity == "temperature" }
        #expect(s.allSatisfy { $0.sensor == "outdoor" })
        #expect(s.map(\.value) == [20, nil, nil, nil, 21, 22])
        #expect(s.map(\.reason) == [nil, .nack, .nack, .timeout, nil, nil])
        #expect(s.map(\.quality) == [.good, .bad, .bad, .bad, .good, .good])
    }

    @Test func backoffIsCappedAtTheLargerOfIntervalAndAMinute() async {
        let clock = ManualClock(autoAdvance: true)
        let driver = ScriptedSensorDriver(Array(repeating: .fault(.nack), count: 10), clock: clock)
        var poller = SensorPoller(
            name: "s", driver: driver, interval: .seconds(5), clock: clock, sink: Emitted(), liveness: Liveness(), logger: Logger(label: "test"))
        await poller.run()
        let gaps = zip(driver.fetchTimes.dropFirst(), driver.fetchTimes).map { ($0 - $1).seconds }
        #expect(Array(gaps.prefix(9)) == [1, 2, 4, 8, 16, 32, 60, 60, 60])
    }

    @Test func livenessTracksPromises() {
        let l = Liveness()
        let t0 = MonotonicInstant(nanoseconds: 0)
        l.expect("a", by: t0 + .seconds(10))
        l.expect("b", by: t0 + .seconds(20))
        #expect(l.overdue(at: t0 + .seconds(15)) == ["a"])
        l.completedCycle("a")
        #expect(!l.allCompletedFirstCycle(["a", "b"]))
        l.completedCycle("b")
        #expect(l.allCompletedFirstCycle(["a", "b"]))
        l.remove("a")
        #expect(l.overdue(at: t0 + .seconds(25)) == ["b"])
    }
}
