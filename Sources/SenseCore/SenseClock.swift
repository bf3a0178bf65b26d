#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The two clocks the pipeline runs on, injected so analysis and actuation are deterministic
/// under test (a manual clock) and demos can run faster than real time (an accelerated clock).
public protocol SenseClock: Sendable {
    /// Monotonic time: intervals, delays, rates.
    var monotonicNow: MonotonicInstant { get }
    /// Civil time: payload timestamps only.
    var wallNow: WallTime { get }
    /// Suspends for `duration` of this clock's time. Throws `CancellationError` when cancelled.
    func sleep(for duration: Duration) async throws
}

extension SenseClock {
    /// The wall time of a past monotonic instant (a kernel-stamped edge): now, less how long ago it was.
    public func wallTime(of instant: MonotonicInstant) -> WallTime {
        wallNow + (.zero - max(monotonicNow - instant, .zero))
    }

    public func sleep(until deadline: MonotonicInstant) async throws {
        let remaining = deadline - monotonicNow
        if remaining > .zero { try await sleep(for: remaining) }
    }
}

/// The operating system's clocks: CLOCK_MONOTONIC (the clock GPIO edge timestamps use) and
/// CLOCK_REALTIME.
public struct SystemClock: SenseClock {
    public init() {}

    public var monotonicNow: MonotonicInstant {
        MonotonicInstant(nanoseconds: Self.read(CLOCK_MONOTONIC))
    }

    public var wallNow: WallTime {
        WallTime(nanosecondsSinceEpoch: Self.read(CLOCK_REALTIME))
    }

    public func sleep(for duration: Duration) async throws {
        try await Task.sleep(for: duration)
    }

    static func read(_ id: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(id, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
