import SenseCore
import SenseModels

/// A tipping-bucket rain gauge: depth per tip from its calibration; totals since installation,
/// this hour, this day and this event; intensity over sliding windows and by the inter-tip time.
package struct TippingBucket: PulseAccumulator {
    package struct Settings: Sendable, Hashable {
        package var millimetresPerTip: Double
        package var windows: [Duration]
        /// A dry spell longer than this ends an event (and the inter-tip intensity).
        package var eventGap: Duration
        package var utcOffsetMinutes: Int

        package init(
            millimetresPerTip: Double, windows: [Duration] = [.seconds(300), .seconds(900), .seconds(3600)],
            eventGap: Duration = .seconds(6 * 3600), utcOffsetMinutes: Int = 0
        ) {
            self.millimetresPerTip = millimetresPerTip
            self.windows = windows
            self.eventGap = eventGap
            self.utcOffsetMinutes = utcOffsetMinutes
        }
    }

    package let settings: Settings
    package private(set) var totals: PulseTotals
    private let started: MonotonicInstant
    /// Tips within the longest window, oldest first.
    private var recent: [MonotonicInstant] = []
    private var lastTip: MonotonicInstant?
    private var lastInterval: Duration?

    package init(settings: Settings, totals: PulseTotals = PulseTotals(), startedAt: MonotonicInstant) {
        self.settings = settings
        self.totals = totals
        started = startedAt
    }

    package static func channels(_ s: Settings) -> [(quantity: String, unit: Unit)] {
        [("rain_total", .millimetre), ("rain_hour", .millimetre), ("rain_day", .millimetre), ("rain_event", .millimetre)]
            + s.windows.map { ("intensity_\($0.configText)", .millimetrePerHour) }
            + [("intensity", .millimetrePerHour)]
    }

    package var channels: [(quantity: String, unit: Unit)] { Self.channels(settings) }
    package var reportsEveryPulse: Bool { true }

    package mutating func pulse(at monotonic: MonotonicInstant, wall: WallTime) {
        totals.count(at: wall, utcOffsetMinutes: settings.utcOffsetMinutes, eventGap: settings.eventGap)
        if let last = lastTip, monotonic - last <= settings.eventGap { lastInterval = monotonic - last } else { lastInterval = nil }
        lastTip = monotonic
        recent.append(monotonic)
        trim(monotonic)
    }

    package mutating func readings(at monotonic: MonotonicInstant, wall: WallTime) -> [ChannelReading] {
        totals.roll(to: wall, utcOffsetMinutes: settings.utcOffsetMinutes, eventGap: settings.eventGap)
        trim(monotonic)
        let mm = settings.millimetresPerTip
        var out: [ChannelReading] = [
            .good("rain_total", Double(totals.total) * mm, .millimetre),
            .good("rain_hour", Double(totals.hourCount) * mm, .millimetre),
            .good("rain_day", Double(totals.dayCount) * mm, .millimetre),
            .good("rain_event", Double(totals.eventCount) * mm, .millimetre),
        ]
        for w in settings.windows {
            let from = monotonic + (.zero - w)
            let tips = recent.reduce(0) { $0 + ($1 > from ? 1 : 0) }
            var r = ChannelReading.good(
                "intensity_\(w.configText)",
                Rainfall.intensity(
                    tips: tips, millimetresPerTip: mm,
                    windowSeconds: w.seconds), .millimetrePerHour)
            // Since the start the window has not been watched in full: it may miss earlier tips.
            if monotonic - started < w {
                r.quality = .uncertain
                r.reason = .incomplete
            }
            out.append(r)
        }
        out.append(.good("intensity", interTipIntensity(at: monotonic), .millimetrePerHour))
        return out
    }

    /// One tip's depth over the last inter-tip time; while the next tip is overdue, the depth
    /// over the time since the last tip (an upper bound that decays as the rain stops); 0 after
    /// the event gap or before the second tip of an event.
    func interTipIntensity(at now: MonotonicInstant) -> Double {
        guard let last = lastTip, let interval = lastInterval, now - last <= settings.eventGap else { return 0 }
        let since = now - last
        return Rainfall.interTipIntensity(
            millimetresPerTip: settings.millimetresPerTip,
            interTipSeconds: max(interval, since).seconds)
    }

    private mutating func trim(_ now: MonotonicInstant) {
        guard let longest = settings.windows.max() else {
            recent.removeAll()
            return
        }
        let from = now + (.zero - longest)
        if let keep = recent.firstIndex(where: { $0 > from }) { recent.removeFirst(keep) } else { recent.removeAll() }
    }
}
