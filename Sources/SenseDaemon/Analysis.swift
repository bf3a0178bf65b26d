import SenseAnalysis
import SenseConfig
import SenseCore

/// The analysis of one configuration: a pipeline per configured channel, the derived engine,
/// and which quantities are published. Pure; the Outlet runs it under a lock.
package struct Analysis: Sendable {
    private var pipelines: [ChannelKey: ChannelPipeline] = [:]
    private var derived: DerivedEngine
    private(set) var alarms: AlarmEngine
    package private(set) var rules: RuleEngine
    private var windows: [(definition: WindowDefinition, aggregator: WindowAggregator)]
    private let published: Set<ChannelKey>

    struct ChannelKey: Hashable, Sendable {
        var sensor: String
        var quantity: String
    }

    /// `config` has been checked, so its derived channels have no cycle.
    package init(_ config: SensegateConfig) {
        for sensor in config.sensors {
            for (quantity, settings) in sensor.channels {
                pipelines[ChannelKey(sensor: sensor.name, quantity: quantity)] = ChannelPipeline(settings)
            }
        }
        published = Set(config.sensors.flatMap { s in s.publish.map { ChannelKey(sensor: s.name, quantity: $0) } })
        do throws(DerivedEngine.CycleError) {
            derived = try DerivedEngine(config.derived)
        } catch {
            preconditionFailure("a checked config has no derived cycle: \(error)")
        }
        alarms = AlarmEngine(config.alarms, flood: config.alarmFlood)
        do throws(RuleEngine.CycleError) {
            rules = try RuleEngine(config.rules + Reaction.permitRules(config.actuators))
        } catch {
            preconditionFailure("a checked config has no rule cycle: \(error)")
        }
        windows = config.windows.map { ($0, WindowAggregator($0.settings)) }
    }

    /// What a reload kept.
    package struct Kept: Equatable {
        package var alarms: [String] = []
        package var rules: [String] = []
        package var isEmpty: Bool { alarms.isEmpty && rules.isEmpty }
    }

    /// A reload keeps what did not change: a channel's filters and quality gate when its settings
    /// are the same, a window's open buckets when its definition is, every unchanged alarm's
    /// state, acknowledgement and shelf included (`AlarmEngine.carryOver`), and every unchanged
    /// rule's truth and `for:` timers (`RuleEngine.carryOver`). What changed starts afresh.
    @discardableResult
    package mutating func carryOver(from old: Analysis) -> Kept {
        for (key, pipeline) in old.pipelines where pipelines[key]?.settings == pipeline.settings {
            pipelines[key] = pipeline
        }
        for i in windows.indices {
            if let previous = old.windows.first(where: { $0.definition == windows[i].definition }) {
                windows[i].aggregator = previous.aggregator
            }
        }
        let rulesKept = rules.carryOver(from: old.rules)
        return Kept(alarms: alarms.carryOver(from: old.alarms), rules: rulesKept)
    }

    /// A closed window, ready to publish.
    package struct Aggregate: Sendable {
        var name: String
        var functions: [WindowAggregator.Function]
        var result: WindowAggregator.Result
    }

    /// What one batch produces: samples to publish and alarms that changed.
    package struct Output {
        package var samples: [Sample]
        package var alarms: [AlarmSnapshot]
        package var aggregates: [Aggregate] = []
    }

    /// The samples to publish for one batch: each channel through its pipeline (dropped ones
    /// omitted, unpublished quantities analysed but not sent), then the derived channels.
    package mutating func process(_ batch: [Sample]) -> Output {
        var analysed: [Sample] = []
        for sample in batch {
            let key = ChannelKey(sensor: sample.sensor, quantity: sample.quantity)
            if pipelines[key] == nil {
                analysed.append(sample)
            } else if let out = pipelines[key]!.process(sample) {
                analysed.append(out)
            }
        }
        return finish(analysed)
    }

    /// Derived channels, then alarms (on every analysed channel, published or not).
    private mutating func finish(_ analysed: [Sample]) -> Output {
        let outputs = derived.update(analysed)
        let all = analysed + outputs
        let changed = alarms.update(all)
        // Every window whose period has ended closes now, not when its own channel next speaks,
        // so windows ending at the same hour close together and what is derived from them (an
        // AQI of several hourly means) is computed once, from all of them.
        var aggregates = closeAll(upTo: all.max { $0.wall < $1.wall }?.wall)
        for sample in all {
            let ref = ChannelRef(sample)
            for i in windows.indices where windows[i].definition.channel == ref {
                aggregates += windows[i].aggregator.add(sample).map {
                    Aggregate(name: windows[i].definition.name, functions: windows[i].definition.settings.functions, result: $0)
                }
            }
        }
        let now = all.map(\.monotonic).max() ?? MonotonicInstant(nanoseconds: 0)
        rules.record(all)
        let after = afterAggregates(aggregates, at: now)
        return Output(
            samples: analysed.filter { published.contains(ChannelKey(sensor: $0.sensor, quantity: $0.quantity)) }
                + outputs + after.derived,
            alarms: changed + after.alarms, aggregates: aggregates)
    }

    /// Derived channels fed by aggregates (NowCast from hourly means, an AQI from those), and
    /// alarms watching aggregates (e.g. a rate-of-rise limit on a window's `rate`). Channels
    /// derived from aggregates are not aggregated again (the configuration refuses such windows).
    private mutating func afterAggregates(
        _ aggregates: [Aggregate],
        at now: MonotonicInstant
    ) -> (derived: [Sample], alarms: [AlarmSnapshot]) {
        guard !aggregates.isEmpty else { return ([], []) }
        let samples = aggregates.flatMap { WindowAggregator.samples(window: $0.name, $0.result, functions: $0.functions, at: now) }
        let outputs = derived.update(samples)
        rules.record(samples + outputs)
        return (outputs, alarms.update(samples + outputs))
    }

    /// Closes windows whose end has passed (a silent channel still reports).
    package mutating func closeWindows(at now: MonotonicInstant, wall: WallTime) -> Output {
        let out = closeAll(upTo: wall)
        let after = afterAggregates(out, at: now)
        return Output(samples: after.derived, alarms: after.alarms, aggregates: out)
    }

    private mutating func closeAll(upTo wall: WallTime?) -> [Aggregate] {
        guard let wall else { return [] }
        var out: [Aggregate] = []
        for i in windows.indices {
            out += windows[i].aggregator.close(upTo: wall).map {
                Aggregate(name: windows[i].definition.name, functions: windows[i].definition.settings.functions, result: $0)
            }
        }
        return out
    }

    /// Evaluates the rules on everything seen so far; the published rules that changed.
    package mutating func evaluateRules(at now: MonotonicInstant, wall: WallTime) -> [RuleSnapshot] {
        let alarms = self.alarms
        return rules.evaluate(alarmActive: alarms.isActive, at: now, wall: wall)
    }

    package mutating func tickAlarms(at now: MonotonicInstant, wall: WallTime) -> [AlarmSnapshot] {
        alarms.tick(at: now, wall: wall)
    }

    package mutating func command(
        _ c: AlarmDefinition.Command, alarm: String, shelveFor: Duration?, at now: MonotonicInstant,
        wall: WallTime
    ) throws(AlarmEngine.CommandRefusal) -> AlarmSnapshot {
        try alarms.command(c, alarm: alarm, shelveFor: shelveFor, at: now, wall: wall)
    }

    /// Stale samples of channels that have gone silent, with the derived values they affect.
    package mutating func checkStale(at now: MonotonicInstant, wall: WallTime) -> Output {
        var stale: [Sample] = []
        for key in pipelines.keys.sorted(by: { ($0.sensor, $0.quantity) < ($1.sensor, $1.quantity) }) {
            if let s = pipelines[key]!.checkStale(at: now, wall: wall) { stale.append(s) }
        }
        guard !stale.isEmpty else { return Output(samples: [], alarms: []) }
        return finish(stale)
    }
}
