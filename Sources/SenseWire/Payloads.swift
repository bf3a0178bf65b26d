import SenseCore

/// Payload encodings, one function per message kind (schemas in docs/mqtt.md).
package enum Payloads {
    /// `{"v":21.53,"u":"Cel","q":"good","t":"2026-11-23T04:07:19.123Z","seq":42}`; a bad sample
    /// has `"v":null` and a reason `"r"`; an uncertain one keeps its value and gives a reason.
    package static func reading(_ s: Sample, seq: UInt64) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("v", s.value.map { rounded($0, s.unit) })
        if s.unit != .none { w.field("u", s.unit.rawValue) }
        w.field("q", s.quality.rawValue)
        if let r = s.reason { w.field("r", r.rawValue) }
        if let a = s.attributes {
            for key in a.keys.sorted() { w.field(key, a[key]!) }
        }
        w.field("t", s.wall.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }

    /// Values are rounded to a little below the best resolution of the sensors that report them
    /// (BME280: 0.01 °C, 0.18 Pa, 0.008 %RH), so payloads carry no binary noise such as
    /// 101647.83203125 for a value known to ±100 Pa.
    package static func rounded(_ v: Double, _ unit: Unit) -> Double {
        guard abs(v) < 1e12 else { return v }
        let scale: Double =
            switch unit {
            case .celsius, .pascal, .percent: 100
            case .relativeHumidity: 1000
            case .hectopascal: 10_000
            default: 1_000_000
            }
        return (v * scale).rounded() / scale
    }
}
