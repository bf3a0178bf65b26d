import SenseAnalysis
import SenseCore

package enum AggregatePayloads {
    /// `{"from":…,"to":…,"u":"Cel","q":"good","completeness":1,"mean":…,"min":…,"t":…,"seq":…}`;
    /// every configured function is present, `null` when the window had no usable sample.
    package static func aggregate(functions: [WindowAggregator.Function], result: WindowAggregator.Result, seq: UInt64) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("from", result.from.rfc3339)
        w.field("to", result.to.rfc3339)
        if result.unit != .none { w.field("u", result.unit.rawValue) }
        w.field("q", result.quality.rawValue)
        if let r = result.reason { w.field("r", r.rawValue) }
        w.field("completeness", (result.completeness * 1000).rounded() / 1000)
        for f in functions {
            // A count has no unit; the other functions share the channel's (and its resolution).
            w.field(f.rawValue, result.values[f].map { Payloads.rounded($0, f == .count ? .count : result.unit) })
        }
        w.field("t", result.to.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }
}
