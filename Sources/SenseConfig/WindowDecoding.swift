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
            let name = m.required("name").flatMap { n -> String? in
                guard let v = s.string(n, m.child("name")) else { return nil }
                guard ConfigLoader.isIdentifier(v, max: 48) else {
                    sink.error(n.mark, m.child("name"), "'\(v)' is not a valid window name: 1–48 of a-z, 0-9, '-' and '_' (a topic level)")
                    return nil
                }
                guard !out.contains(where: { $0.name == v }) else {
                    sink.error(n.mark, m.child("name"), "duplicate window '\(v)'")
                    return nil
                }
                return v
            }
            var interval: Duration?
            let channel = m.required("channel").flatMap { n -> ChannelRef? in
                guard let v = s.string(n, m.child("channel")) else { return nil }
                guard let ref = AnalysisDecoding.reference(v) else {
                    sink.error(n.mark, m.child("channel"), "'\(v)' is not a channel: write SENSOR.QUANTITY or derived.NAME")
                    return nil
                }
                switch ref {
                case let .sensor(sensor, quantity):
                    guard let cfg = sensors.first(where: { $0.name == sensor }),
                          DriverCatalogue.quantities(cfg.kind.driverName).contains(quantity) else {
                        sink.error(n.mark, m.child("channel"), "no channel '\(v)': name a sensor and one of its quantities")
                        return nil
                    }
                    interval = cfg.interval
                case let .derived(d):
                    guard derived.contains(where: { $0.name == d }) else {
                        sink.error(n.mark, m.child("channel"), "no derived channel named '\(d)'")
                        return nil
                    }
                }
                return ref
            }
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
