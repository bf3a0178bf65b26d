import SenseConfig
import SenseCore
import SenseSimulationRig
import SenseSimulator
import Synchronization
import Testing

/// A fault storm: present for about its rate of the time, in short bursts, and cleared by its end.
@Suite struct FaultBurstsTests {
    /// Records how long the fault was present, by the clock.
    final class PresenceRecorder: SimulatedFaultTarget {
        let clock: ManualClock
        let state = Locked<(present: Bool, since: MonotonicInstant, total: Duration, bursts: Int)>(
            (false, MonotonicInstant(nanoseconds: 0), .zero, 0))
        init(clock: ManualClock) { self.clock = clock }
        func inject(_ fault: SimulationConfig.FaultKind?) {
            let now = clock.monotonicNow
            state.withLock { s in
                if s.present { s.total += now - s.since }
                if fault != nil, !s.present { s.bursts += 1 }
                s.present = fault != nil
                s.since = now
            }
        }
    }

    @Test(arguments: [0.1, 0.5, 0.9])
    func aStormIsPresentForItsShareOfTheTime(rate: Double) async throws {
        let clock = ManualClock(autoAdvance: true)
        let target = PresenceRecorder(clock: clock)
        var bursts = FaultBursts(rate: rate, seed: 11)
        try await bursts.run(.nack, on: target, for: .seconds(600), clock: clock)
        target.inject(nil)
        let (share, count) = target.state.withLock { ($0.total / .seconds(600), $0.bursts) }
        #expect(abs(share - rate) < 0.05, "present \(share) of the time at rate \(rate)")
        #expect(count > 100, "in \(count) bursts, not one long spell")
    }
}
