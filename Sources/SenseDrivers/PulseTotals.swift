import SenseCore

/// The running totals of a pulse counter (a rain gauge's tips, a flow meter's pulses): since
/// installation, this clock hour, this local day and this event. They are what a restart must not
/// lose, so they have a text form that `PulseTotalsStore` writes to the state directory.
package struct PulseTotals: Sendable, Hashable {
    package var total: UInt64 = 0
    /// Local hour and day since the epoch (with the site's UTC offset) the counts belong to.
    package var hour: Int64 = 0
    package var hourCount: UInt64 = 0
    package var day: Int64 = 0
    package var dayCount: UInt64 = 0
    /// The current event (pulses with no gap longer than the event gap); nil between events.
    package var eventStart: WallTime?
    package var eventCount: UInt64 = 0
    package var lastPulse: WallTime?

    package init() {}

    static let hourNanos: Int64 = 3_600_000_000_000
    /// 2100-01-01T00:00Z in nanoseconds since 1970.
    static let latest: Int64 = 4_102_444_800_000_000_000

    /// Moves the hour, day and event on to `wall`: counts of a period that has ended start again
    /// from zero, and an event ends after `eventGap` without a pulse.
    package mutating func roll(to wall: WallTime, utcOffsetMinutes: Int, eventGap: Duration) {
        let local = wall.nanosecondsSinceEpoch + Int64(utcOffsetMinutes) * 60_000_000_000
        let h = Self.floorDiv(local, Self.hourNanos)
        let d = Self.floorDiv(local, 24 * Self.hourNanos)
        if h != hour {
            hour = h
            hourCount = 0
        }
        if d != day {
            day = d
            dayCount = 0
        }
        if let last = lastPulse, wall.nanosecondsSinceEpoch - last.nanosecondsSinceEpoch > eventGap.nanoseconds {
            eventStart = nil
            eventCount = 0
        }
    }

    package mutating func count(at wall: WallTime, utcOffsetMinutes: Int, eventGap: Duration) {
        roll(to: wall, utcOffsetMinutes: utcOffsetMinutes, eventGap: eventGap)
        total += 1
        hourCount += 1
        dayCount += 1
        if eventStart == nil { eventStart = wall }
        eventCount += 1
        lastPulse = wall
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : (a - b + 1) / b }

    /// `key value` lines, one per field, ending with a check line so a torn write is detected.
    package var text: String {
        var lines = [
            "total \(total)", "hour \(hour)", "hour_count \(hourCount)", "day \(day)", "day_count \(dayCount)",
            "event_count \(eventCount)",
        ]
        if let e = eventStart { lines.append("event_start \(e.nanosecondsSinceEpoch)") }
        if let l = lastPulse { lines.append("last_pulse \(l.nanosecondsSinceEpoch)") }
        lines.append("end \(lines.count)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// Parses `text`; nil if anything is missing, unknown or torn.
    package init?(text: String) {
        var fields: [String: Int64] = [:]
        var end: Int?
        let lines = text.split(separator: "\n")
        for (i, line) in lines.enumerated() {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let v = Int64(parts[1]) else { return nil }
            if parts[0] == "end" {
                guard i == lines.count - 1, v == Int64(i) else { return nil }
                end = i
            } else {
                guard
                    ["total", "hour", "hour_count", "day", "day_count", "event_count", "event_start", "last_pulse"]
                        .contains(String(parts[0])), fields[String(parts[0])] == nil
                else { return nil }
                fields[String(parts[0])] = v
            }
        }
        guard end != nil, let total = fields["total"], let hour = fields["hour"], let hc = fields["hour_count"],
            let day = fields["day"], let dc = fields["day_count"], let ec = fields["event_count"],
            total >= 0, hc >= 0, dc >= 0, ec >= 0
        else { return nil }
        // Times between 1970 and 2100: anything else is damage (and would overflow the event gap).
        for key in ["event_start", "last_pulse"] {
            if let t = fields[key], !(0...Self.latest).contains(t) { return nil }
        }
        self.total = UInt64(total)
        self.hour = hour
        hourCount = UInt64(hc)
        self.day = day
        dayCount = UInt64(dc)
        eventCount = UInt64(ec)
        eventStart = fields["event_start"].map { WallTime(nanosecondsSinceEpoch: $0) }
        lastPulse = fields["last_pulse"].map { WallTime(nanosecondsSinceEpoch: $0) }
    }
}

/// A pulse sensor's arithmetic: pulses in (kernel-stamped, debounced), channels out. Pure, so the
/// daemon's watcher, tests and benchmarks drive it the same way.
package protocol PulseAccumulator: Sendable {
    var totals: PulseTotals { get }
    var channels: [(quantity: String, unit: Unit)] { get }
    /// Whether each pulse is worth a message (a rain tip), or only the periodic report (a flow
    /// meter's hundreds of pulses per second).
    var reportsEveryPulse: Bool { get }
    mutating func pulse(at monotonic: MonotonicInstant, wall: WallTime)
    mutating func readings(at monotonic: MonotonicInstant, wall: WallTime) -> [ChannelReading]
}
