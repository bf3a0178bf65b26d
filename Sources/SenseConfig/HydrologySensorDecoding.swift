import SenseCore
import SenseDrivers
import SenseHardware

/// Decoding of the GPIO sensors of a hydrology station: `tipping_bucket`, `flow_meter` and
/// `hcsr04`, with the checks that keep them honest (a debounce that cannot swallow real pulses,
/// a listening time that cannot take one ping's echo for the next's).
enum HydrologySensorDecoding {
    static func kind(_ m: inout MappingReader, driver: String, board: Board?, interval: Duration, sink: DiagnosticSink) -> SensorKind? {
        switch driver {
        case "tipping_bucket": tippingBucket(&m, board: board, sink: sink)
        case "flow_meter": flowMeter(&m, board: board, sink: sink)
        case "hcsr04": ultrasonic(&m, board: board, interval: interval, sink: sink)
        default: nil
        }
    }

    /// `pin`, `bias` (pull-up), `active_low` (true), `debounce`, `flush` (60s). `shortestPulse`
    /// is the time between pulses at the sensor's rated maximum: the debounce must stay well under it.
    static func pulseInput(
        _ m: inout MappingReader, board: Board?, defaultDebounce: Duration,
        shortestPulse: (Duration, String)?, sink: DiagnosticSink
    ) -> PulseInputOptions? {
        let s = ScalarReader(sink)
        let line = BoardPins.line(&m, "pin", board: board, sink: sink)
        let bias = m.node("bias").flatMap { s.choice($0, m.child("bias"), Bias.allCases) } ?? .pullUp
        let activeLow = m.node("active_low").flatMap { s.bool($0, m.child("active_low")) } ?? true
        let debounce = m.node("debounce").flatMap { s.duration($0, m.child("debounce"), in: .zero...(.seconds(10))) } ?? defaultDebounce
        if let (shortest, why) = shortestPulse, debounce * 2 > shortest {
            sink.error(
                m.keyMark("debounce"), m.child("debounce"),
                "\(debounce.configText) would swallow real pulses: \(why) they come every \(shortest.configText); keep the debounce under half that")
        }
        let flush =
            m.node("flush").flatMap {
                s.duration(
                    $0, m.child("flush"), in: .seconds(1)...(.seconds(3600)), why: "between 1s (SD-card wear) and 1h (what a power cut may lose)")
            } ?? .seconds(60)
        guard let line else { return nil }
        return PulseInputOptions(line: line.0, pinName: line.1, bias: bias, activeLow: activeLow, debounce: debounce, flush: flush)
    }

    static func tippingBucket(_ m: inout MappingReader, board: Board?, sink: DiagnosticSink) -> SensorKind? {
        let s = ScalarReader(sink)
        let mm = m.required("mm_per_tip").flatMap { v -> Double? in
            guard let x = s.number(v, m.child("mm_per_tip")) else { return nil }
            guard (0.01...10).contains(x) else {
                sink.error(v.mark, m.child("mm_per_tip"), "a bucket holds 0.01…10 mm (commonly 0.2 or 0.254)")
                return nil
            }
            return x
        }
        let maxIntensity =
            m.node("max_intensity").flatMap { s.number($0, m.child("max_intensity"), in: 1...2000, why: "between 1 and 2000 mm/h") } ?? 500
        var windows: [Duration] = [.seconds(300), .seconds(900), .seconds(3600)]
        if let w = m.node("windows"), let items = s.list(w, m.child("windows")) {
            windows = []
            for (i, item) in items.enumerated() {
                guard
                    let d = s.duration(
                        item, m.child("windows[\(i)]"), in: .seconds(60)...(.seconds(86400)),
                        why: "an intensity window is 1m…24h")
                else { continue }
                if windows.contains(d) {
                    sink.error(item.mark, m.child("windows[\(i)]"), "\(d.configText) is listed twice")
                } else {
                    windows.append(d)
                }
            }
            if items.isEmpty { sink.error(w.mark, m.child("windows"), "at least one window") }
        }
        let eventGap =
            m.node("event_gap").flatMap {
                s.duration($0, m.child("event_gap"), in: .seconds(600)...(.seconds(72 * 3600)), why: "between 10m and 72h")
            } ?? .seconds(6 * 3600)
        let shortest = mm.map { (Duration.milliseconds(Int64($0 * 3600 / maxIntensity * 1000)), "at \(maxIntensity) mm/h (max_intensity)") }
        let input = pulseInput(&m, board: board, defaultDebounce: .milliseconds(25), shortestPulse: shortest, sink: sink)
        guard let input, let mm else { return nil }
        return .tippingBucket(TippingBucketOptions(input: input, millimetresPerTip: mm, windows: windows, eventGap: eventGap))
    }

    static func flowMeter(_ m: inout MappingReader, board: Board?, sink: DiagnosticSink) -> SensorKind? {
        let s = ScalarReader(sink)
        var k: Double?
        switch (m.node("k"), m.node("pulses_per_litre")) {
        case let (kn?, nil):
            k = s.number(kn, m.child("k"))
        case let (nil, pn?):
            k = s.number(pn, m.child("pulses_per_litre")).map { $0 / 60 }
        case (_?, _?):
            sink.error(m.keyMark("pulses_per_litre"), m.child("pulses_per_litre"), "give k or pulses_per_litre, not both")
        case (nil, nil):
            sink.error(m.mark, m.child("k"), "a flow meter needs its factor: k (Hz per L/min; YF-S201: 7.5) or pulses_per_litre (450)")
        }
        if let kv = k, !(0.001...100_000).contains(kv) {
            sink.error(m.mark, m.child("k"), "k = \(kv) Hz per L/min is not a flow meter's factor")
            k = nil
        }
        let maxFlow = m.node("max_flow").flatMap { s.number($0, m.child("max_flow"), in: 0.01...100_000, why: "between 0.01 and 100000 L/min") } ?? 30
        let shortest = k.map { (Duration.microseconds(Int64(1e6 / ($0 * maxFlow))), "at \(maxFlow) L/min (max_flow)") }
        let input = pulseInput(&m, board: board, defaultDebounce: .zero, shortestPulse: shortest, sink: sink)
        guard let input, let k else { return nil }
        return .flowMeter(FlowMeterOptions(input: input, hertzPerLitrePerMinute: k))
    }

    static func ultrasonic(_ m: inout MappingReader, board: Board?, interval: Duration, sink: DiagnosticSink) -> SensorKind? {
        let s = ScalarReader(sink)
        let trigger = BoardPins.line(&m, "trigger", board: board, sink: sink)
        let echo = BoardPins.line(&m, "echo", board: board, sink: sink)
        if let t = trigger, let e = echo, t.0 == e.0 {
            sink.error(m.keyMark("echo"), m.child("echo"), "trigger and echo must be different lines")
        }
        var settings = UltrasonicRanger.Settings()
        if let v = m.node("pings"), let n = s.integer(v, m.child("pings")) {
            if (1...15).contains(n) {
                settings.pings = n
            } else {
                sink.error(v.mark, m.child("pings"), "1…15 pings per reading (odd numbers give a true median)")
            }
        }
        if let v = m.node("ping_interval"),
            let d = s.duration(
                v, m.child("ping_interval"), in: .milliseconds(60)...(.seconds(1)),
                why: "60ms…1s: the module needs 60 ms for an echo to die away")
        {
            settings.pingInterval = d
        }
        if let r = m.node("range"), let items = s.list(r, m.child("range")) {
            if items.count == 2, let lo = s.number(items[0], m.child("range[0]")), let hi = s.number(items[1], m.child("range[1]")) {
                if lo >= 0.02, hi <= 10, lo < hi {
                    settings.minimumDistance = lo
                    settings.maximumDistance = hi
                } else {
                    sink.error(r.mark, m.child("range"), "[min, max] in metres with 0.02 ≤ min < max ≤ 10")
                }
            } else {
                sink.error(r.mark, m.child("range"), "expected [min, max] in metres")
            }
        }
        if interval < settings.burstDuration + .milliseconds(100) {
            sink.error(
                m.keyMark("interval"), m.child("interval"),
                "a burst of \(settings.pings) pings takes \(settings.burstDuration.configText): the interval must be longer than that by 100ms")
        }
        guard let trigger, let echo else { return nil }
        return .hcsr04(UltrasonicOptions(trigger: trigger.0, triggerPin: trigger.1, echo: echo.0, echoPin: echo.1, settings: settings))
    }
}
