import SenseConfig
import SenseCore
import SenseSimulator

/// A fault present for a share of its window in short random bursts, as interference or a loose
/// connector shows it: each burst and each gap lasts 20 … 180 ms, so a sensor read every few
/// hundred milliseconds meets the fault in about `rate` of its measurements. Seeded: the same
/// config gives the same storm.
package struct FaultBursts {
    package let rate: Double
    var rng: SplitMix64

    package init(rate: Double, seed: UInt64) {
        self.rate = rate
        rng = SplitMix64(seed: seed)
    }

    /// Toggles the fault on `target` until `duration` has passed (nil: until cancelled); the
    /// caller clears it afterwards.
    package mutating func run(
        _ kind: SimulationConfig.FaultKind, on target: any SimulatedFaultTarget, for duration: Duration?,
        clock: any SenseClock
    ) async throws {
        var left = duration
        while left.map({ $0 > .zero }) ?? true {
            let present = rng.unit() < rate
            target.inject(present ? kind : nil)
            var slice = Duration.milliseconds(20 + Int64(rng.unit() * 160))
            if let l = left { slice = min(slice, l) }
            try await clock.sleep(for: slice)
            left = left.map { $0 - slice }
        }
    }
}
