import SenseCore

/// One occupation of a detector: from the leading edge (the vehicle's front enters the detection
/// zone) to the trailing edge (its rear leaves), at the kernel's timestamps.
package struct DetectorPulse: Sendable, Hashable {
    package var on: MonotonicInstant
    package var off: MonotonicInstant

    package init(on: MonotonicInstant, off: MonotonicInstant) {
        precondition(off >= on, "a pulse ends after it starts")
        self.on = on
        self.off = off
    }

    package var onTime: Duration { off - on }

    /// How much of `[start, end)` the pulse covers.
    package func overlap(_ start: MonotonicInstant, _ end: MonotonicInstant) -> Duration {
        let a = max(on, start), b = min(off, end)
        return b > a ? b - a : .zero
    }
}

/// Which detector of a lane: the one a vehicle reaches first (and the one that counts), or the
/// second of a speed trap.
package enum DetectorRole: String, Sendable, Hashable, CaseIterable {
    case upstream
    case downstream
}
