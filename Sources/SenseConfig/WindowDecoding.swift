import SenseAnalysis
import SenseCore

/// A declared window: which channel, and how it is aggregated.
package struct WindowDefinition: Sendable, Hashable {
    package var name: String
    package var channel: ChannelRef
    package var settings: WindowAggregator.Settings
}

/// Decoding of `windows:`.
enum WindowDecoding {
    static func windows(
        _ list: [YAMLNode], sensors: Named<SensorConfig>, derived: Named<DerivedDefinition>,
        sink: DiagnosticSink
    ) -> [WindowDefinition] {
        let s = ScalarReader(sink)
        var out: [WindowDefinition] = []
        var taken: Set<String> = []
        for (i, item) in list.enumerated() {
            guard var m = MappingReader(item, path: "windows[\(i)]", sink: sink) else { continue }
            let name = AnalysisDecoding.uniqueName(&m, kind: "window", taken: &taken, sink: sink)
            let resolved = m.required("channel").flatMap {
                AnalysisDecoding.existingChannel($0, path: m.child("channel"), sensors: sensors, derived: derived, sink: sink)
            }
            let channel = resolved?.ref
            let interval = resolved?.interval
            let length = m.required("length").flatMap { s.duration($0, m.child("length"), in: .seconds(1)...(.seconds(7 * 86400))) }
            let every = m.node("every").flatMap { n -> Duration? in
                guard let d = s.duration(n, m.child("every"), in: .seconds(1)...(.seconds(7 * 86400))) else { return nil }
                if let length, d > length {
                    sink.error(n.mark, m.child("every"), "a sliding window reports at most once per its length")
                    return nil
                }
                return d
            }
            var functions: [WindowAggregator.Function] = []
            if let f = m.required("functions"), let items = s.list(f, m.child("functions")) {
                for (j, item) in items.enumerated() {
                    guard let fn = s.choice(item, m.child("functions[\(j)]"), WindowAggregator.Function.allCases) else { continue }
                    if functions.contains(fn) {
                        sink.error(item.mark, m.child("functions[\(j)]"), "'\(fn.rawValue)' is listed twice")
                    } else {
                        functions.append(fn)
                    }
                }
                if items.isEmpty { sink.error(f.mark, m.child("functions"), "name at least one function") }
            }
            let minimum = m.node("min_completeness").flatMap { s.number($0, m.child("min_completeness"), in: 0...1) } ?? 0.75
            var expected = m.node("expected").flatMap { s.integer($0, m.child("expected"), in: 1...10_000_000) }
            m.finish()
            if expected == nil, let length, let interval {
                expected = max(1, Int((length.seconds / interval.seconds).rounded(.down)))
            }
            guard let name, let channel, let length, !functions.isEmpty else { continue }
            guard let expected else {
                sink.error(item.mark, "windows[\(i)].expected", "a window on a derived channel needs 'expected' (samples in a full window)")
                continue
            }
            out.append(
                WindowDefinition(
                    name: name, channel: channel,
                    settings: .init(
                        length: length, every: every, functions: functions,
                        expected: expected, minimumCompleteness: minimum)))
        }
        return out
    }
}
