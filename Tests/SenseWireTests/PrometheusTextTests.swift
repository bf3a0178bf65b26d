import Testing

@testable import SenseWire

@Suite struct PrometheusTextTests {
    @Test func familiesAndSamplesAsTheExpositionFormatSpellsThem() {
        var p = PrometheusText()
        p.family("sensegate_sensor_samples_total", .counter, "Samples.\nSecond line with a \\ backslash.")
        p.sample("sensegate_sensor_samples_total", ["sensor": "outdoor"], 42)
        p.sample("sensegate_sensor_samples_total", ["sensor": #"a"b\c"# + "\nd"], 1)
        p.family("sensegate_up", .gauge, "Up.")
        p.sample("sensegate_up", true)
        #expect(
            p.text == """
                # HELP sensegate_sensor_samples_total Samples.\\nSecond line with a \\\\ backslash.
                # TYPE sensegate_sensor_samples_total counter
                sensegate_sensor_samples_total{sensor="outdoor"} 42
                sensegate_sensor_samples_total{sensor="a\\"b\\\\c\\nd"} 1
                # HELP sensegate_up Up.
                # TYPE sensegate_up gauge
                sensegate_up 1

                """)
    }

    @Test(arguments: [
        (0.0, "0"), (-3.0, "-3"), (0.25, "0.25"), (1_796_556_382.3855, "1796556382.3855"), (1e300, "1e+300"),
        (Double.nan, "NaN"), (Double.infinity, "+Inf"), (-Double.infinity, "-Inf"),
    ])
    func values(value: Double, text: String) {
        #expect(PrometheusText.format(value) == text)
    }

    @Test func names() {
        #expect(PrometheusText.isMetricName("sensegate_outbox_bytes"))
        #expect(PrometheusText.isMetricName("a:b_c1"))
        #expect(!PrometheusText.isMetricName("1abc"))
        #expect(!PrometheusText.isMetricName("a-b"))
        #expect(!PrometheusText.isMetricName(""))
        #expect(PrometheusText.isLabelName("sensor"))
        #expect(!PrometheusText.isLabelName("__name__"))
        #expect(!PrometheusText.isLabelName("a:b"))
    }
}
