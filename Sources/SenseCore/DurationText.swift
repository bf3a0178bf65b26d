/// Durations as operators write them (`250ms`, `10s`, `1.5m`, `2h`, `7d`, or a plain number of
/// seconds), parsed totally: one grammar for the config, MQTT commands and the CLI, so a value
/// that overflows is a typed problem everywhere instead of a trap somewhere.
public enum DurationText {
    public enum Problem: Error, Sendable, Hashable, CustomStringConvertible {
        /// Not `NUMBER[UNIT]` with a plain decimal number.
        case malformed(String)
        case negative(String)
        /// Beyond what any setting could mean (and beyond what nanoseconds in 64 bits hold).
        case tooLong(String)

        public var description: String {
            switch self {
            case let .malformed(t): "expected a duration such as 500ms, 10s, 5m, 1h or 2d, got '\(t)'"
            case let .negative(t): "'\(t)' is negative: a duration is 0 or longer"
            case let .tooLong(t): "'\(t)' is longer than 100 years, the longest duration sensegate accepts"
            }
        }
    }

    /// The longest duration any text may name. Each setting has a tighter limit of its own; this
    /// one keeps every later computation (instants in nanoseconds, products of settings) far from
    /// overflow.
    public static let longest: Duration = .seconds(100 * 365 * 86_400)

    static let units: [(suffix: String, nanoseconds: Double)] = [
        ("ms", 1e6), ("s", 1e9), ("m", 60e9), ("h", 3_600e9), ("d", 86_400e9),
    ]

    /// A duration, rounded to the nanosecond.
    public static func parse(_ text: String) -> Result<Duration, Problem> {
        var number = Substring(text)
        var scale = 1e9
        for unit in units where text.hasSuffix(unit.suffix) {
            // "ms" ends in "s" too: the longer suffix is listed first and wins.
            number = text.dropLast(unit.suffix.count)
            scale = unit.nanoseconds
            break
        }
        var sign = false
        if number.first == "-" {
            sign = true
            number = number.dropFirst()
        }
        guard let value = plainDecimal(number) else { return .failure(.malformed(text)) }
        if sign, value > 0 { return .failure(.negative(text)) }
        let ns = value * scale
        guard ns <= Double(longest.nanoseconds), let whole = Int64(checkedRounding: ns) else { return .failure(.tooLong(text)) }
        return .success(.nanoseconds(whole))
    }

    /// A non-negative number written with digits and at most one decimal point: no exponent,
    /// no sign, no `inf`, `nan` or hexadecimal, all of which `Double(_:)` would accept.
    public static func plainDecimal(_ s: Substring) -> Double? {
        var digits = 0
        var points = 0
        for c in s.utf8 {
            if c >= 48, c <= 57 { digits += 1 } else if c == 46 { points += 1 } else { return nil }
        }
        guard digits > 0, points <= 1, digits <= 40, let v = Double(s), v.isFinite else { return nil }
        return v
    }
}

extension Duration {
    /// A duration of `seconds`, or nil when it is NaN, infinite, negative or longer than
    /// `DurationText.longest`: for seconds that come from outside as a number (a JSON command).
    public init?(checkedSeconds seconds: Double) {
        guard seconds >= 0, seconds <= DurationText.longest.seconds, let ns = Int64(checkedRounding: seconds * 1e9) else { return nil }
        self = .nanoseconds(ns)
    }

    /// As a limit reads in a message: `200ms`, `24h`, `7d`.
    public var limitText: String {
        let ns = nanoseconds
        if ns != 0, ns % 86_400_000_000_000 == 0 { return "\(ns / 86_400_000_000_000)d" }
        return configText
    }
}

extension ClosedRange where Bound == Duration {
    /// `between 200ms and 24h`, for messages about a setting's limits.
    public var limitText: String {
        lowerBound == .zero ? "at most \(upperBound.limitText)" : "between \(lowerBound.limitText) and \(upperBound.limitText)"
    }
}
