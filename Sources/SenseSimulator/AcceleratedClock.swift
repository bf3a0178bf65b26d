import SenseCore

/// Real time sped up by a factor, for demos: at 60× a simulated hour passes in a minute, and a
/// 10 s polling interval takes a sixth of a second. Both clocks run from the moment of creation.
package struct AcceleratedClock: SenseClock {
    package let speed: Double
    private let base: SystemClock
    private let monotonicOrigin: MonotonicInstant
    private let wallOrigin: WallTime

    package init(speed: Double, startWall: WallTime? = nil) {
        precondition(speed > 0, "speed must be positive")
        self.speed = speed
        base = SystemClock()
        monotonicOrigin = base.monotonicNow
        wallOrigin = startWall ?? base.wallNow
    }

    private var elapsed: Int64 {
        Int64(Double((base.monotonicNow - monotonicOrigin).nanoseconds) * speed)
    }

    package var monotonicNow: MonotonicInstant {
        MonotonicInstant(nanoseconds: monotonicOrigin.nanoseconds + elapsed)
    }

    package var wallNow: WallTime {
        WallTime(nanosecondsSinceEpoch: wallOrigin.nanosecondsSinceEpoch + elapsed)
    }

    package func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: .nanoseconds(Int64(Double(duration.nanoseconds) / speed)))
    }
}
