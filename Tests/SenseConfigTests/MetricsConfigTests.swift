import SenseConfig
import SenseTesting
import Testing

/// `metrics:` — the Prometheus textfile (docs/operations.md, "Metrics for Prometheus").
@Suite struct MetricsConfigTests {
    @Test func aTextfileWithItsDefaultInterval() throws {
        let c = try ConfigFixture.load(ConfigFixture.valid + "\nmetrics: {textfile: /run/sensegate/sensegate.prom}\n")
        #expect(c.metrics == MetricsSettings(textfile: "/run/sensegate/sensegate.prom", interval: .seconds(15)))
        #expect(try ConfigFixture.load(ConfigFixture.valid).metrics == nil)
    }

    @Test(arguments: [
        ("{textfile: sensegate.prom}", "metrics.textfile", "is not an absolute path ending in .prom"),
        ("{textfile: /run/sensegate/metrics.txt}", "metrics.textfile", "is not an absolute path ending in .prom"),
        ("{textfile: /run/sensegate/.prom}", "metrics.textfile", "is not an absolute path ending in .prom"),
        ("{textfile: \"\"}", "metrics.textfile", ""),
        ("{interval: 15s}", "metrics.textfile", ""),
        ("{textfile: /run/x.prom, interval: 0s}", "metrics.interval", ""),
        ("{textfile: /run/x.prom, interval: 2h}", "metrics.interval", ""),
        ("{textfile: /run/x.prom, interval: 99999999999999999999s}", "metrics.interval", ""),
        ("{textfile: /run/x.prom, port: 9100}", "metrics.port", ""),
        ("[/run/x.prom]", "metrics", ""),
    ])
    func mistakes(text: String, path: String, message: String) {
        let d = ConfigFixture.errors(ConfigFixture.valid + "\nmetrics: \(text)\n").diagnostics
        #expect(d.count == 1, "\(d)")
        #expect(d.first?.path == path, "\(d)")
        #expect(message.isEmpty || d.first?.message.contains(message) == true, "\(d)")
    }
}
