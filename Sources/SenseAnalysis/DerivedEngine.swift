import SenseCore
import SenseModels

/// A channel: a sensor's quantity, a derived channel, or one function of a window's aggregates.
package enum ChannelRef: Sendable, Hashable, CustomStringConvertible {
    case sensor(String, quantity: String)
    case derived(String)
    case aggregate(String, function: String)

    package var description: String {
        switch self {
        case let .sensor(s, q): "\(s).\(q)"
        case let .derived(n): "derived.\(n)"
        case let .aggregate(w, f): "aggregate.\(w).\(f)"
        }
    }

    /// The channel a sample belongs to (derived and aggregate samples carry reserved sensor names).
    package init(_ s: Sample) {
        switch s.sensor {
        case DerivedEngine.sensorName:
            self = .derived(s.quantity)
        case WindowAggregator.sensorName:
            let parts = s.quantity.split(separator: ".", maxSplits: 1).map(String.init)
            self = .aggregate(parts[0], function: parts.count > 1 ? parts[1] : "")
        default:
            self = .sensor(s.sensor, quantity: s.quantity)
        }
    }
}

package struct DerivedDefinition: Sendable, Hashable {
    package var name: String
    package var model: DerivedModel
    /// Model input name → the channel that feeds it.
    package var inputs: [String: ChannelRef]
    package var parameters: [String: Double]
    /// While an input is bad, keep computing with its last good value for at most this long
    /// (output `uncertain`, reason `held`); nil: the output is `bad` at once (`input_bad`).
    package var hold: Duration?
    /// The site's stage–discharge rating, for `discharge_rating`.
    package var rating: RatingCurve?

    package init(
        name: String, model: DerivedModel, inputs: [String: ChannelRef], parameters: [String: Double] = [:],
        hold: Duration? = nil, rating: RatingCurve? = nil
    ) {
        self.name = name
        self.model = model
        self.inputs = inputs
        self.parameters = parameters
        self.hold = hold
        self.rating = rating
    }
}

/// The derived channels: evaluated in dependency order whenever an input changes; a cycle is
/// refused at construction (so `sensegate check` reports it).
package struct DerivedEngine: Sendable {
    /// The `sensor` field of samples this engine produces (`derived/<name>` on MQTT).
    package static let sensorName = "derived"

    package struct CycleError: Error, Sendable, Hashable, CustomStringConvertible {
        package var cycle: [String]
        package init(cycle: [String]) { self.cycle = cycle }
        package var description: String { "derived channels depend on each other in a cycle: " + cycle.joined(separator: " → ") }
    }

    package let order: [DerivedDefinition]
    /// The channels some derived channel reads: only these are remembered (a station of
    /// thousands of sensors would otherwise keep every channel's last sample twice).
    private let inputs: Set<ChannelRef>
    private var latest: [ChannelRef: Sample] = [:]
    private var lastGood: [ChannelRef: Sample] = [:]
    /// NowCast channels' hourly averages by hour since the epoch (nil: a bad hour).
    private var hourly: [String: [Int64: (Double, Quality)?]] = [:]

    package init(_ definitions: [DerivedDefinition]) throws(CycleError) {
        order = try Self.topologicalOrder(definitions)
        inputs = Set(order.flatMap(\.inputs.values))
    }

    /// Records a batch of samples taken together (one fetch) and returns every derived sample
    /// that changed, in dependency order.
    package mutating func update(_ batch: [Sample]) -> [Sample] {
        guard !order.isEmpty else { return [] }
        var changed = Set<ChannelRef>()
        for s in batch {
            let ref = ChannelRef(s)
            guard inputs.contains(ref) else { continue }
            record(s, ref)
            changed.insert(ref)
        }
        var out: [Sample] = []
        for d in order where d.inputs.values.contains(where: changed.contains) {
            guard let s = evaluate(d) else { continue }
            if inputs.contains(.derived(d.name)) { record(s, .derived(d.name)) }
            changed.insert(.derived(d.name))
            out.append(s)
        }
        return out
    }

    private mutating func record(_ s: Sample, _ ref: ChannelRef) {
        latest[ref] = s
        if s.quality != .bad { lastGood[ref] = s }
    }

    private mutating func evaluate(_ d: DerivedDefinition) -> Sample? {
        if d.model.keepsHourlyHistory { return evaluateNowCast(d) }
        var values: [String: Double] = [:]
        for name in d.model.parameterFallbacks where d.inputs[name] == nil { values[name] = d.parameters[name] }
        var quality = Quality.good
        var reason: QualityReason?
        var newest: Sample?
        for (input, ref) in d.inputs {
            guard let s = latest[ref] else {
                if d.model.inputsAreOptional { continue }
                return nil  // not seen yet: nothing to say
            }
            if newest == nil || s.monotonic > newest!.monotonic { newest = s }
            if let v = s.value, s.quality != .bad {
                values[input] = v
                if s.quality > quality {
                    quality = s.quality
                    reason = s.reason
                }
            } else if let hold = d.hold, let g = lastGood[ref], let v = g.value, s.monotonic - g.monotonic <= hold {
                values[input] = v
                quality = max(quality, .uncertain)
                reason = .held
            } else if d.model.inputsAreOptional {
                // An index of the other pollutants may understate the air: say so.
                quality = max(quality, .uncertain)
                reason = .inputBad
            } else {
                return output(d, nil, .bad, .inputBad, at: newest!)
            }
        }
        guard let at = newest else { return nil }
        guard !values.isEmpty else { return output(d, nil, .bad, .inputBad, at: at) }
        guard let r = d.model.evaluate(values, d.parameters, rating: d.rating), r.value.isFinite else {
            return output(d, nil, .bad, .outOfRange, at: at)
        }
        var (q, why) = (quality, reason)
        if let caveat = r.caveat, q == .good { (q, why) = (.uncertain, caveat) }
        var sample = output(d, r.value, q, why, at: at)
        sample.attributes = r.attributes
        return sample
    }

    /// NowCast: each hourly average (a window's sample stamped at the hour's end) is kept by its
    /// hour; hours never seen, `bad` or incomplete are missing, as the method specifies. The value is
    /// `uncertain` (`incomplete`) when any hour of the window is missing or uncertain, `bad` when
    /// fewer than 2 of the 3 latest hours are valid.
    private mutating func evaluateNowCast(_ d: DerivedDefinition) -> Sample? {
        guard let ref = d.inputs.values.first, let s = latest[ref] else { return nil }
        let hourNanos: Int64 = 3_600_000_000_000
        let hour = (s.wall.nanosecondsSinceEpoch - 1) / hourNanos  // the hour the average covers
        var history = hourly[d.name] ?? [:]
        // An hour under the window's completeness (AirNow: 45 of 60 minutes) is a missing hour.
        history[hour] = s.quality == .bad || s.reason == .incomplete ? nil : s.value.map { ($0, s.quality) }
        history = history.filter { $0.key > hour - 24 }
        hourly[d.name] = history
        let kind: NowCast.Kind = d.model == .nowcastO3 ? .ozone : .particulate
        let series = (0..<Int64(kind.hours)).map { history[hour - $0] ?? nil }
        guard let r = NowCast.compute(kind, hourly: series.map { $0?.0 }) else {
            return output(d, nil, .bad, .incomplete, at: s)
        }
        let complete = series.allSatisfy { hour in hour.map { $0.1 == Quality.good } ?? false }
        return output(d, r.value, complete ? .good : .uncertain, complete ? nil : .incomplete, at: s)
    }

    private func output(_ d: DerivedDefinition, _ v: Double?, _ q: Quality, _ r: QualityReason?, at s: Sample) -> Sample {
        Sample(
            sensor: Self.sensorName, quantity: d.name, value: v, unit: d.model.unit, quality: q, reason: r,
            monotonic: s.monotonic, wall: s.wall)
    }

    static func topologicalOrder(_ defs: [DerivedDefinition]) throws(CycleError) -> [DerivedDefinition] {
        do throws(DependencyOrder.Cycle) {
            return try DependencyOrder.sorted(defs, name: \.name) { d in
                d.inputs.values.compactMap { if case let .derived(dep) = $0 { dep } else { nil } }
            }
        } catch {
            throw CycleError(cycle: error.path)
        }
    }
}
