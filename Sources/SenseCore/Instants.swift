/// A point on the monotonic clock, in nanoseconds since an arbitrary origin (boot on Linux).
/// Used for intervals, delays and rates; never for payload timestamps.
public struct MonotonicInstant: Sendable, Hashable, Comparable {
    public var nanoseconds: Int64
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }

    public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }
    public static func + (a: Self, d: Duration) -> Self { Self(nanoseconds: a.nanoseconds + d.nanoseconds) }
    public static func - (a: Self, b: Self) -> Duration { .nanoseconds(a.nanoseconds - b.nanoseconds) }
}

/// A point in civil time, in nanoseconds since the Unix epoch (UTC). Only for payloads.
public struct WallTime: Sendable, Hashable, Comparable {
    public var nanosecondsSinceEpoch: Int64
    public init(nanosecondsSinceEpoch: Int64) { self.nanosecondsSinceEpoch = nanosecondsSinceEpoch }

    public static func < (a: Self, b: Self) -> Bool { a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch }
    public static func + (a: Self, d: Duration) -> Self {
        Self(nanosecondsSinceEpoch: a.nanosecondsSinceEpoch + d.nanoseconds)
    }
    public var secondsSinceEpoch: Double { Double(nanosecondsSinceEpoch) / 1e9 }
}

extension Duration {
    /// The whole duration in nanoseconds (saturating far beyond any interval this program uses).
    public var nanoseconds: Int64 {
        let (s, atto) = components
        return s * 1_000_000_000 + atto / 1_000_000_000
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
