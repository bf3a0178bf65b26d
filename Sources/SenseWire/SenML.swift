import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// Readings as SenML packs (RFC 8428, JSON): one pack per sensor and fetch, with a base name
/// and a base time, values in units of the SenML registry (RFC 8428 and RFC 8798).
package enum SenML {
    /// The registered unit a value is published in and the factor from the sensegate unit, or no
    /// unit where the registry has none (a number concentration per cm³, vehicles per km).
    package static func unit(_ u: Unit) -> (symbol: String?, scale: Double) {
        switch u {
        case .celsius: ("Cel", 1)
        case .pascal: ("Pa", 1)
        case .hectopascal: ("Pa", 100)
        case .relativeHumidity: ("%RH", 1)
        case .percent: ("%", 1)
        case .gramPerCubicMetre: ("kg/m3", 1e-3)
        case .milligramPerCubicMetre: ("kg/m3", 1e-6)
        case .microgramPerCubicMetre: ("kg/m3", 1e-9)
        case .ppm: ("/", 1e-6)
        case .ppb: ("/", 1e-9)
        case .metre: ("m", 1)
        case .millimetre: ("m", 1e-3)
        case .micrometre: ("m", 1e-6)
        case .volt: ("V", 1)
        case .milliampere: ("A", 1e-3)
        case .count: ("count", 1)
        case .millimetrePerHour: ("m/s", 1e-3 / 3600)
        case .metrePerHour: ("m/s", 1.0 / 3600)
        case .kilometrePerHour: ("m/s", 1.0 / 3.6)
        case .cubicMetrePerSecond: ("m3/s", 1)
        case .litre: ("m3", 1e-3)
        case .litrePerMinute: ("m3/s", 1e-3 / 60)
        case .hertz: ("Hz", 1)
        case .microsecond: ("s", 1e-6)
        case .perHour: ("1/s", 1.0 / 3600)
        case .perCubicCentimetre, .perKilometre, .none: (nil, 1)
        }
    }

    /// Whether a pack for these samples would hold a record (not when all are bad).
    package static func hasRecords(_ samples: [Sample]) -> Bool { samples.contains { $0.quality != .bad && $0.value != nil } }

    /// One pack for samples of one sensor taken together. `bn` is `<baseName>` (e.g.
    /// `sensegate/roof-01/outdoor/`), `bt` the first sample's time in seconds since the epoch,
    /// each record's `t` its offset from `bt` when not zero. Bad samples have no value to give and
    /// are left out (the sensegate format and health carry their faults); an uncertain one keeps
    /// its value with `q` and `r`, and the first record carries `seq`: extension fields a SenML
    /// consumer that does not know them ignores (RFC 8428 §4.4; none ends in `_`).
    package static func pack(_ samples: [Sample], baseName: String, seq: UInt64) -> [UInt8] {
        let kept = samples.filter { $0.quality != .bad && $0.value != nil }
        var w = JSONWriter()
        w.beginArray()
        let base = kept.first?.wall ?? samples.first?.wall
        for (i, s) in kept.enumerated() {
            w.beginObject()
            if i == 0 {
                w.field("bn", baseName)
                if let base { w.field("bt", Double(base.nanosecondsSinceEpoch / 1_000_000) / 1000) }
                w.field("seq", Int64(seq))
            }
            w.field("n", s.quantity)
            let (symbol, scale) = unit(s.unit)
            if let symbol { w.field("u", symbol) }
            w.field("v", significant(s.value! * scale))
            if let base, s.wall != base { w.field("t", Double((s.wall.nanosecondsSinceEpoch - base.nanosecondsSinceEpoch) / 1_000_000) / 1000) }
            if s.quality != .good {
                w.field("q", s.quality.rawValue)
                if let r = s.reason { w.field("r", r.rawValue) }
            }
            w.endObject()
        }
        w.endArray()
        return w.bytes
    }

    /// 10 significant digits: scaling by powers of ten leaves binary noise (1.2300000000000001e-08).
    package static func significant(_ v: Double) -> Double {
        guard v != 0, v.isFinite else { return v }
        let magnitude = floor(log10(abs(v)))
        let factor = pow(10, 9 - magnitude)
        return (v * factor).rounded() / factor
    }
}
