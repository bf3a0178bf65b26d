import SenseCore

/// What can be wrong with a detector, from its own edges (physics reference §C1, §D1).
package enum DetectorFault: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Occupied for longer than any vehicle stops on it: a stuck card, a parked car, a short.
    case stuckOn = "stuck_on"
    /// Many more edges than vehicles: a loose lead, a failing card, crosstalk.
    case chattering
    /// No vehicle for longer than traffic allows in the hours it is expected: a dead loop or card.
    case silent
    /// The kernel dropped edges (its event queue overflowed): counts may be short.
    case lostEdges = "lost_edges"
    /// The two detectors of a trap disagree about too many vehicles.
    case unmatched

    package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

package struct DetectorFaultSettings: Sendable, Hashable {
    package var stuckOn: Duration
    /// Rejected edges (bounces that never became a level) per minute that make a detector chattering.
    package var chatterPerMinute: Int
    package var silentAfter: Duration
    /// Minutes of the local day in which traffic is expected (start inclusive, end exclusive;
    /// the range may wrap past midnight). Silence outside it is no fault.
    package var expectedFrom: Int
    package var expectedUntil: Int
    /// The fraction of a trap's pulses left unpaired in an interval (of at least 10) that flags it.
    package var unmatchedLimit: Double

    package init(
        stuckOn: Duration = .seconds(300), chatterPerMinute: Int = 30, silentAfter: Duration = .seconds(1800),
        expectedFrom: Int = 6 * 60, expectedUntil: Int = 22 * 60, unmatchedLimit: Double = 0.2
    ) {
        self.stuckOn = stuckOn
        self.chatterPerMinute = chatterPerMinute
        self.silentAfter = silentAfter
        self.expectedFrom = expectedFrom
        self.expectedUntil = expectedUntil
        self.unmatchedLimit = unmatchedLimit
    }

    package func expectsTraffic(minuteOfDay m: Int) -> Bool {
        expectedFrom <= expectedUntil ? (m >= expectedFrom && m < expectedUntil) : (m >= expectedFrom || m < expectedUntil)
    }
}

/// One detector's fault watch: fed its raw edges and its debounced pulses, asked for its faults.
package struct DetectorHealth: Sendable {
    package let settings: DetectorFaultSettings
    private var occupiedSince: MonotonicInstant?
    private var lastActivity: MonotonicInstant
    /// Per second of the last minute: raw edges and the edges that became a level change.
    private var buckets = [(second: Int64, raw: Int, kept: Int)](repeating: (-1, 0, 0), count: 60)
    private var chattering = false
    private var lastSequence: UInt64?
    package private(set) var lostEdges: UInt64 = 0

    package init(settings: DetectorFaultSettings, startedAt: MonotonicInstant) {
        self.settings = settings
        lastActivity = startedAt
    }

    /// A raw edge as the kernel reported it, with its sequence number (a gap is a lost edge).
    package mutating func rawEdge(at time: MonotonicInstant, sequence: UInt64) {
        if let last = lastSequence, sequence > last + 1 { lostEdges += sequence - last - 1 }
        lastSequence = sequence
        bump(time) { $0.raw += 1 }
    }

    /// A change stamped before the one confirmed last (the reader fell behind): its pulse is lost.
    package mutating func edgeOutOfOrder() { lostEdges += 1 }

    /// A debounced level change (two raw edges were kept for it: the pulse's edges).
    package mutating func changed(occupied: Bool, at time: MonotonicInstant) {
        occupiedSince = occupied ? time : nil
        lastActivity = time
        bump(time) { $0.kept += 1 }
    }

    package func faults(at now: MonotonicInstant, localMinuteOfDay: Int) -> Set<DetectorFault> {
        var f: Set<DetectorFault> = []
        if let s = occupiedSince, now - s > settings.stuckOn { f.insert(.stuckOn) }
        if chattering { f.insert(.chattering) }
        if occupiedSince == nil, now - lastActivity > settings.silentAfter, settings.expectsTraffic(minuteOfDay: localMinuteOfDay) {
            f.insert(.silent)
        }
        return f
    }

    /// Re-judges chatter over the last minute up to `now` (with hysteresis: it clears below half the limit).
    package mutating func updateChatter(at now: MonotonicInstant) {
        let second = now.nanoseconds / 1_000_000_000
        let rejected = buckets.filter { $0.second > second - 60 && $0.second <= second }.reduce(0) { $0 + max(0, $1.raw - $1.kept) }
        if rejected >= settings.chatterPerMinute { chattering = true } else if rejected < settings.chatterPerMinute / 2 { chattering = false }
    }

    private mutating func bump(_ time: MonotonicInstant, _ change: (inout (second: Int64, raw: Int, kept: Int)) -> Void) {
        let second = time.nanoseconds / 1_000_000_000
        let i = Int(((second % 60) + 60) % 60)
        if buckets[i].second != second { buckets[i] = (second, 0, 0) }
        change(&buckets[i])
    }
}
