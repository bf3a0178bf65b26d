/// `metrics:` — Prometheus text exposition written to a file for node_exporter's textfile
/// collector (no HTTP server in the daemon).
package struct MetricsSettings: Sendable, Hashable {
    /// Where the file goes: an absolute path ending in `.prom` (the collector reads no other).
    package var textfile: String
    package var interval: Duration
    package init(textfile: String, interval: Duration = .seconds(15)) {
        self.textfile = textfile
        self.interval = interval
    }
}

enum MetricsDecoding {
    static func settings(_ n: YAMLNode, sink: DiagnosticSink) -> MetricsSettings? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "metrics", sink: sink) else { return nil }
        let textfile = m.required("textfile").flatMap { v -> String? in
            guard let path = s.nonEmptyString(v, m.child("textfile")) else { return nil }
            guard path.hasPrefix("/"), path.hasSuffix(".prom"), path.utf8.count <= 4096, !path.hasSuffix("/.prom"),
                !path.contains("\0")
            else {
                sink.error(
                    v.mark, m.child("textfile"),
                    "'\(path)' is not an absolute path ending in .prom (node_exporter's textfile collector reads only *.prom files)")
                return nil
            }
            return path
        }
        let interval = m.node("interval").flatMap {
            s.duration($0, m.child("interval"), in: .seconds(1)...(.seconds(3600)), why: "node_exporter reads the file at every scrape")
        }
        m.finish()
        guard let textfile else { return nil }
        return MetricsSettings(textfile: textfile, interval: interval ?? .seconds(15))
    }
}
