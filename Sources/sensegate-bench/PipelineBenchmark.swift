// Throughput of the analysis pipeline on one core: `swift run -c release sensegate-bench pipeline`.
// Each sample goes through a quality gate (range, rate, stuck over 30), filters (median of 5,
// EMA, delta with heartbeat) and, per fetch of three channels, the derived engine (dew point and
// sea-level pressure), the alarm engine (three limits with deadband and delays) and the rule engine
// (two rules, one with for:). Prints samples per second, best of five runs (docs/benchmarks.md).
import SenseAnalysis
import SenseCore

enum PipelineBenchmark {
    static let fetches = 400_000
    static let channelsPerFetch = 3

    static func makeBatches() -> [[Sample]] {
        var batches: [[Sample]] = []
        batches.reserveCapacity(fetches)
        for i in 0..<fetches {
            let t = MonotonicInstant(nanoseconds: Int64(i) * 1_000_000_000)
            let w = WallTime(nanosecondsSinceEpoch: 1_795_406_839_000_000_000 + Int64(i) * 1_000_000_000)
            let phase = Double(i % 600) / 600
            batches.append([
                Sample(sensor: "outdoor", quantity: "temperature", value: 15 + 5 * phase, unit: .celsius, quality: .good, monotonic: t, wall: w),
                Sample(sensor: "outdoor", quantity: "pressure", value: 100_000 + 50 * phase, unit: .pascal, quality: .good, monotonic: t, wall: w),
                Sample(
                    sensor: "outdoor", quantity: "humidity", value: 60 - 20 * phase, unit: .relativeHumidity, quality: .good, monotonic: t, wall: w),
            ])
        }
        return batches
    }

    static let settings = ChannelPipeline.Settings(
        quality: .init(minimum: -40, maximum: 110_000, maxRatePerSecond: 1_000, stuckSamples: 30, stuckMinStd: 1e-6),
        filters: [.median(5), .ema(tau: .seconds(60)), .delta(0.001), .heartbeat(.seconds(60))])
    static let derived = [
        DerivedDefinition(
            name: "dew_point", model: .dewPoint,
            inputs: [
                "temperature": .sensor("outdoor", quantity: "temperature"),
                "humidity": .sensor("outdoor", quantity: "humidity"),
            ]),
        DerivedDefinition(
            name: "slp", model: .seaLevelPressure,
            inputs: [
                "pressure": .sensor("outdoor", quantity: "pressure"),
                "temperature": .sensor("outdoor", quantity: "temperature"),
            ],
            parameters: ["altitude": 120]),
    ]

    static let alarms = [
        AlarmDefinition(
            name: "hot", channel: .sensor("outdoor", quantity: "temperature"),
            threshold: .init(direction: .high, limit: 18, deadband: 0.5, onDelay: .samples(3))),
        AlarmDefinition(
            name: "dry", channel: .sensor("outdoor", quantity: "humidity"),
            threshold: .init(direction: .low, limit: 45, deadband: 1, offDelay: .time(.seconds(30)))),
        AlarmDefinition(
            name: "condensation", channel: .derived("dew_point"),
            threshold: .init(direction: .high, limit: 8, deadband: 0.2)),
    ]

    static let rules = [
        RuleDefinition(
            name: "cooling",
            condition: .sustained(
                .all([.alarm("hot"), .compare(.derived("dew_point"), Comparison(.below, 12))]),
                .seconds(60))),
        RuleDefinition(name: "attention", condition: .any([.alarm("dry"), .rule("cooling"), .not(.alarm("condensation"))])),
    ]

    static func run() {
        let batches = makeBatches()
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000)
        var published = 0
        for _ in 0..<5 {
            var pipelines = ["temperature", "pressure", "humidity"].map { _ in ChannelPipeline(settings) }
            var engine = try! DerivedEngine(derived)
            var alarmEngine = AlarmEngine(alarms)
            var ruleEngine = try! RuleEngine(rules)
            var out = 0
            let elapsed = clock.measure {
                for batch in batches {
                    var analysed: [Sample] = []
                    analysed.reserveCapacity(channelsPerFetch)
                    for (i, s) in batch.enumerated() {
                        if let r = pipelines[i].process(s) { analysed.append(r) }
                    }
                    let derivedOut = engine.update(analysed)
                    out += analysed.count + derivedOut.count + alarmEngine.update(analysed + derivedOut).count
                    ruleEngine.record(analysed + derivedOut)
                    let alarmsNow = alarmEngine
                    out += ruleEngine.evaluate(alarmActive: { alarmsNow.isActive($0) }, at: batch[0].monotonic, wall: batch[0].wall).count
                }
            }
            best = min(best, elapsed)
            published = out
        }
        let samples = fetches * channelsPerFetch
        let perSecond = Double(samples) / best.seconds
        print("analysis pipeline: \(samples) samples (\(fetches) fetches of \(channelsPerFetch) channels) in \(best) (best of 5)")
        print(
            "  \(Int(perSecond)) samples/s, \(Int(best.seconds * 1e9 / Double(samples))) ns/sample; \(published) outputs (channels, derived, alarm and rule transitions)"
        )
    }
}
