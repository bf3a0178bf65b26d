import SenseCore
import SenseModels

/// A pulse-output flow meter (F = k·Q, e.g. YF-S201 k = 7.5 Hz per L/min): flow from the pulse
/// frequency measured between kernel timestamps, volume totals since installation, this hour and
/// this day.
package struct PulseFlowMeter: PulseAccumulator {
    package struct Settings: Sendable, Hashable {
        package var hertzPerLitrePerMinute: Double
        /// Flow is measured over the pulses of this last stretch of time (the report interval).
        package var gate: Duration
        package var utcOffsetMinutes: Int

        package init(hertzPerLitrePerMinute: Double, gate: Duration, utcOffsetMinutes: Int = 0) {
            self.hertzPerLitrePerMinute = hertzPerLitrePerMinute
            self.gate = gate
            self.utcOffsetMinutes = utcOffsetMinutes
        }
    }

    package let settings: Settings
    package private(set) var totals: PulseTotals
    /// Pulses within the gate, oldest first (bounded by the gate times the fastest rate).
    private var recent: [MonotonicInstant] = []
    static let maximumRecent = 100_000

    package init(settings: Settings, totals: PulseTotals = PulseTotals()) {
        self.settings = settings
        self.totals = totals
    }

    package static let quantities: [(quantity: String, unit: Unit)] = [
        ("flow", .litrePerMinute), ("frequency", .hertz), ("volume_total", .litre), ("volume_hour", .litre), ("volume_day", .litre),
    ]
    package var channels: [(quantity: String, unit: Unit)] { Self.quantities }
    package var reportsEveryPulse: Bool { false }

    /// Flow events do not end: a pipe's "event" is the day.
    private static let noEvents = Duration.seconds(86400 * 365)

    package mutating func pulse(at monotonic: MonotonicInstant, wall: WallTime) {
        totals.count(at: wall, utcOffsetMinutes: settings.utcOffsetMinutes, eventGap: Self.noEvents)
        recent.append(monotonic)
        if recent.count > Self.maximumRecent { recent.removeFirst(recent.count - Self.maximumRecent) }
    }

    package mutating func readings(at monotonic: MonotonicInstant, wall: WallTime) -> [ChannelReading] {
        totals.roll(to: wall, utcOffsetMinutes: settings.utcOffsetMinutes, eventGap: Self.noEvents)
        let from = monotonic + (.zero - settings.gate)
        if let keep = recent.firstIndex(where: { $0 > from }) { recent.removeFirst(keep) } else { recent.removeAll() }
        let f = frequency(at: monotonic)
        let k = settings.hertzPerLitrePerMinute
        let litres = { (n: UInt64) in PulseFlow.volume(pulses: Int(n), hertzPerLitrePerMinute: k) }
        return [
            .good("flow", PulseFlow.flow(frequency: f, hertzPerLitrePerMinute: k), .litrePerMinute),
            .good("frequency", f, .hertz),
            .good("volume_total", litres(totals.total), .litre),
            .good("volume_hour", litres(totals.hourCount), .litre),
            .good("volume_day", litres(totals.dayCount), .litre),
        ]
    }

    /// Reciprocal counting (pulses − 1 over the time from first to last) while the pulses are
    /// still coming; plain counting over the gate once they have stopped or are too few.
    func frequency(at now: MonotonicInstant) -> Double {
        guard recent.count >= 2, let first = recent.first, let last = recent.last, last > first else {
            return Double(recent.count) / settings.gate.seconds
        }
        let period = (last - first).seconds / Double(recent.count - 1)
        if (now - last).seconds <= 2 * period { return 1 / period }
        return Double(recent.count) / settings.gate.seconds
    }
}
