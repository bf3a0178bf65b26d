/// A point on the monotonic clock, in nanoseconds since an arbitrary origin (boot on Linux).
/// Used for intervals, delays and rates; never for payload timestamps.
public struct MonotonicInstant: Sendable, Hashable, Comparable {
    public var nanoseconds: Int64
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }
    // Saturating: an instant plus a configured or commanded duration must never trap, however
    // long the duration (outside values are bounded too, by `DurationText.longest`).
    public static func + (a: Self, d: Duration) -> Self { Self(nanoseconds: a.nanoseconds.saturatingAdd(d.nanoseconds)) }
    public static func - (a: Self, b: Self) -> Duration { .nanoseconds(a.nanoseconds.saturatingSubtract(b.nanoseconds)) }
}

/// A point in civil time, in nanoseconds since the Unix epoch (UTC). Only for payloads.
public struct WallTime: Sendable, Hashable, Comparable {
    public var nanosecondsSinceEpoch: Int64
    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    public static func < (a: Self, b: Self) -> Bool { a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch }
    public static func + (a: Self, d: Duration) -> Self {
        Self(nanosecondsSinceEpoch: a.nanosecondsSinceEpoch.saturatingAdd(d.nanoseconds))
    }
    public var secondsSinceEpoch: Double { Double(nanosecondsSinceEpoch) / 1e9 }
}

extension Duration {
    /// The whole duration in nanoseconds, saturating at ±292 years (far beyond any interval this
    /// program uses, and never a trap).
    public var nanoseconds: Int64 {
        let (s, atto) = components
        let (whole, overflow) = s.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return s < 0 ? .min : .max }
        return whole.saturatingAdd(atto / 1_000_000_000)
    }

    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// As the configuration writes it: `500ms`, `5s`, `2m`, `1h` (the largest whole unit).
    public var configText: String {
        let ns = nanoseconds
        for (unit, size) in [("h", Int64(3_600_000_000_000)), ("m", 60_000_000_000), ("s", 1_000_000_000), ("ms", 1_000_000)]
        where ns != 0 && ns % size == 0 {
            return "\(ns / size)\(unit)"
        }
        return "\(Double(ns) / 1e6)ms"
    }
}

extension Int64 {
    /// `self + other`, held at `.min`/`.max` instead of trapping.
    public func saturatingAdd(_ other: Int64) -> Int64 {
        let (v, overflow) = addingReportingOverflow(other)
        return overflow ? (other < 0 ? .min : .max) : v
    }

    public func saturatingSubtract(_ other: Int64) -> Int64 {
        let (v, overflow) = subtractingReportingOverflow(other)
        return overflow ? (other < 0 ? .max : .min) : v
    }

    /// `value` rounded to the nearest whole number, or nil when it is NaN, infinite or outside
    /// Int64: the checked form of a rounding conversion, for values computed from outside input.
    public init?(checkedRounding value: Double) {
        let r = value.rounded()
        guard r.isFinite, r >= -9.223_372_036_854_775e18, r < 9.223_372_036_854_775e18 else { return nil }
        self.init(r)
    }
}

extension Int {
    /// The checked form of rounding by `rule` to an `Int`: nil for NaN, infinities and values outside Int.
    public init?(checkedRounding value: Double, _ rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) {
        guard let v = Int64(checkedRounding: value.rounded(rule)) else { return nil }
        self.init(v)
    }
}
