import SenseAnalysis
import SenseCore

/// A declared window: which channel, and how it is aggregated.
public struct WindowDefinition: Sendable, Hashable {
    public var name: String
    public var channel: ChannelRef
    public var settings: WindowAggregator.Settings
}

/// Decoding of `windows:`.
enum WindowDecoding {
    static func windows(_ list: [YAMLNode], sensors: [SensorConfig], derived: [DerivedDefinition],
                        sink: DiagnosticSink) -> [WindowDefinition] {
        let s = ScalarReader(sink)
        var out: [WindowDefinition] = []
        for (i, item) in list.enumerated() {
            guard var m = MappingReader(item, path: "windows[\(i)]", sink: sink) else { continue }
            let name = AnalysisDecoding.uniqueName(&m, kind: "window", taken: { n in out.contains { $0.name == n } }, sink: sink)
            let resolved = m.required("channel").flatMap {
                AnalysisDecoding.existingChannel($0, path: m.child("channel"), sensors: sensors, derived: derived, sink: sink)
            }
            let channel = resolved?.ref
            let interval = resolved?.interval
            let length = m.required("length").flatMap { n -> Duration? in
                guard let d = s.duration(n, m.child("length")) else { return nil }
                guard d >= .seconds(1), d <= .seconds(7 * 86400) else {
                    sink.error(n.mark, m.child("length"), "between 1s and 7d")
                    return nil
                }
                return d
            }
            let every = m.node("every").flatMap { n -> Duration? in
                guard let d = s.duration(n, m.child("every")) else { return nil }
                if let length, d <= .zero || d > length {
                    sink.error(n.mark, m.child("every"), "a sliding window reports at most once per its length")
                    return nil
                }
                return d
            }
            var functions: [WindowAggregator.Function] = []
            if let f = m.required("functions"), let items = s.list(f, m.child("functions")) {
                for (j, item) in items.enumerated() {
                    guard let fn = s.choice(item, m.child("functions[\(j)]"), WindowAggregator.Function.allCases) else { continue }
                    if functions.contains(fn) { sink.error(item.mark, m.child("functions[\(j)]"), "'\(fn.rawValue)' is listed twice") }
                    else { functions.append(fn) }
                }
                if items.isEmpty { sink.error(f.mark, m.child("functions"), "name at least one function") }
            }
            let minimum = m.node("min_completeness").flatMap { n -> Double? in
                guard let v = s.number(n, m.child("min_completeness")) else { return nil }
                guard (0...1).contains(v) else { sink.error(n.mark, m.child("min_completeness"), "between 0 and 1"); return nil }
                return v
            } ?? 0.75
            var expected = m.node("expected").flatMap { n -> Int? in
                guard let v = s.integer(n, m.child("expected")) else { return nil }
                guard v >= 1 else { sink.error(n.mark, m.child("expected"), "at least 1"); return nil }
                return v
            }
            m.finish()
            if expected == nil, let length, let interval {
                expected = max(1, Int((length.seconds / interval.seconds).rounded(.down)))
            }
            guard let name, let channel, let length, !functions.isEmpty else { continue }
            guard let expected else {
                sink.error(item.mark, "windows[\(i)].expected", "a window on a derived channel needs 'expected' (samples in a full window)")
                continue
            }
            out.append(WindowDefinition(name: name, channel: channel,
                                        settings: .init(length: length, every: every, functions: functions,
                                                        expected: expected, minimumCompleteness: minimum)))
        }
        return out
    }
}
