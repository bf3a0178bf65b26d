import SenseCore

/// The analysis of one channel: quality gate, then filters, then staleness. Pure and
/// deterministic: time comes only from the samples and from `checkStale(at:)`.
package struct ChannelPipeline: Sendable {
    package struct Settings: Sendable, Hashable {
        package var quality: QualityGate.Settings
        package var filters: [FilterSpec]
        /// No sample at all for this long → one `bad`/`stale` sample.
        package var staleAfter: Duration?

        package init(quality: QualityGate.Settings = .init(), filters: [FilterSpec] = [], staleAfter: Duration? = nil) {
            self.quality = quality
            self.filters = filters
            self.staleAfter = staleAfter
        }
    }

    package let settings: Settings
    private var gate: QualityGate
    private var stages: [FilterStage]
    private let heartbeat: Duration?
    private var lastOutput: MonotonicInstant?
    private var lastSeen: Sample?
    private var staleReported = false

    package init(_ settings: Settings) {
        self.settings = settings
        gate = QualityGate(settings.quality)
        stages = settings.filters.map(FilterStage.init)
        heartbeat = settings.filters.lazy.compactMap { if case let .heartbeat(d) = $0 { d } else { nil } }.first
    }

    /// The sample to publish, or nil when a filter dropped it. Bad samples bypass the filters
    /// (they must not feed averages) and are always published.
    package mutating func process(_ sample: Sample) -> Sample? {
        lastSeen = sample
        staleReported = false
        var s = gate.apply(sample)
        guard s.quality != .bad, var x = s.value else {
            lastOutput = s.monotonic
            return s
        }
        let exempt = heartbeat.map { hb in lastOutput.map { s.monotonic - $0 >= hb } ?? true } ?? false
        for i in stages.indices {
            guard let y = stages[i].apply(x, at: s.monotonic, exempt: exempt) else { return nil }
            x = y
        }
        s.value = x
        lastOutput = s.monotonic
        return s
    }

    /// One `stale` sample when nothing has arrived for `staleAfter` (then silence until a sample
    /// arrives again).
    package mutating func checkStale(at now: MonotonicInstant, wall: WallTime) -> Sample? {
        guard let limit = settings.staleAfter, let last = lastSeen, !staleReported, now - last.monotonic > limit else {
            return nil
        }
        staleReported = true
        return Sample(
            sensor: last.sensor, quantity: last.quantity, value: nil, unit: last.unit, quality: .bad,
            reason: .stale, monotonic: now, wall: wall)
    }
}
