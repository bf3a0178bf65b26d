import SenseAnalysis
import SenseCore
import SenseMQTT

enum AggregatePayloads {
    /// `{"from":…,"to":…,"u":"Cel","q":"good","completeness":1,"mean":…,"min":…,"t":…,"seq":…}`;
    /// every configured function is present, `null` when the window had no usable sample.
    static func aggregate(_ a: Analysis.Aggregate, seq: UInt64) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("from", a.result.from.rfc3339)
        w.field("to", a.result.to.rfc3339)
        if a.result.unit != .none { w.field("u", a.result.unit.rawValue) }
        w.field("q", a.result.quality.rawValue)
        if let r = a.result.reason { w.field("r", r.rawValue) }
        w.field("completeness", (a.result.completeness * 1000).rounded() / 1000)
        for f in a.functions {
            // A count has no unit; the other functions share the channel's (and its resolution).
            w.field(f.rawValue, a.result.values[f].map { Payloads.rounded($0, f == .count ? .count : a.result.unit) })
        }
        w.field("t", a.result.to.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }
}
