import Foundation
import SenseCore
import SenseDrivers
import Testing

/// The rain gauge's and the flow meter's arithmetic, fed kernel-style timestamps.
@Suite struct PulseCounterTests {
    let t0 = MonotonicInstant(nanoseconds: 1_000_000_000)
    /// 2026-07-01T00:00:00Z
    let w0 = WallTime(nanosecondsSinceEpoch: 1_782_864_000_000_000_000)

    func at(_ s: Double) -> (MonotonicInstant, WallTime) {
        (t0 + .nanoseconds(Int64(s * 1e9)), w0 + .nanoseconds(Int64(s * 1e9)))
    }

    func value(_ r: [ChannelReading], _ q: String) -> Double? { r.first { $0.quantity == q }?.value }

    @Test func windowAndInterTipIntensities() {
        var gauge = TippingBucket(settings: .init(millimetresPerTip: 0.2, windows: [.seconds(900)]), startedAt: t0)
        // 37 tips in 15 minutes (vector B3-RAIN-01): 29.6 mm/h, heavy.
        for i in 0..<37 {
            let (m, w) = at(Double(i) * 24 + 1)
            gauge.pulse(at: m, wall: w)
        }
        let (m, w) = at(900)
        let r = gauge.readings(at: m, wall: w)
        #expect(abs(value(r, "intensity_15m")! - 29.6) < 1e-9)
        #expect(r.first { $0.quantity == "intensity_15m" }?.quality == .good)
        #expect(abs(value(r, "rain_event")! - 7.4) < 1e-9)
        // 24 s between tips: 0.2 mm per 24 s = 30 mm/h by the inter-tip method.
        #expect(abs(value(gauge.readings(at: at(866).0, wall: at(866).1), "intensity")! - 30) < 1e-9)
        // The next tip is overdue: the bound decays with the time since the last tip (865 s).
        let late = gauge.readings(at: at(925).0, wall: at(925).1)
        #expect(abs(value(late, "intensity")! - 0.2 * 3600 / 60) < 1e-9)
        // An hour later the 15-minute window is empty.
        #expect(value(gauge.readings(at: at(4000).0, wall: at(4000).1), "intensity_15m") == 0)
    }

    @Test func aWindowNotYetWatchedInFullIsIncomplete() {
        var gauge = TippingBucket(settings: .init(millimetresPerTip: 0.2, windows: [.seconds(3600)]), startedAt: t0)
        let r = gauge.readings(at: at(600).0, wall: at(600).1)
        #expect(r.first { $0.quantity == "intensity_1h" }?.quality == .uncertain)
        #expect(r.first { $0.quantity == "intensity_1h" }?.reason == .incomplete)
    }

    @Test func hourDayAndEventTotalsRollOver() {
        var gauge = TippingBucket(settings: .init(millimetresPerTip: 0.5, eventGap: .seconds(3 * 3600), utcOffsetMinutes: 60), startedAt: t0)
        // 22:30 and 22:50 UTC = 23:30 and 23:50 local; then 00:10 local (next day), then after a 4 h dry spell.
        for s in [22.5, 22.8333, 23.1667] {
            let (m, w) = at(s * 3600)
            gauge.pulse(at: m, wall: w)
        }
        var r = gauge.readings(at: at(23.2 * 3600).0, wall: at(23.2 * 3600).1)
        #expect(value(r, "rain_hour") == 0.5)
        #expect(value(r, "rain_day") == 0.5)
        #expect(value(r, "rain_event") == 1.5)
        #expect(value(r, "rain_total") == 1.5)
        let (m, w) = at(27.5 * 3600)
        gauge.pulse(at: m, wall: w)
        r = gauge.readings(at: m, wall: w)
        #expect(value(r, "rain_event") == 0.5)  // a new event
        #expect(value(r, "rain_day") == 1.0)
        #expect(value(r, "rain_total") == 2.0)
        #expect(value(r, "intensity") == 0)  // the first tip of an event has no inter-tip time
    }

    @Test func totalsSurviveTheirTextForm() throws {
        var totals = PulseTotals()
        totals.count(at: w0, utcOffsetMinutes: 0, eventGap: .seconds(3600))
        totals.count(at: w0 + .seconds(30), utcOffsetMinutes: 0, eventGap: .seconds(3600))
        #expect(PulseTotals(text: totals.text) == totals)
        #expect(PulseTotals(text: PulseTotals().text) == PulseTotals())
        // A torn write, an unknown key or a changed count line is refused.
        let text = totals.text
        #expect(PulseTotals(text: String(text.dropLast(12))) == nil)
        #expect(PulseTotals(text: text.replacingOccurrences(of: "total", with: "totl")) == nil)
        #expect(PulseTotals(text: "") == nil)
    }

    @Test func flowByReciprocalCountingAndVolume() {
        // YF-S201 (k = 7.5): 60 Hz is 8 L/min (vector B3-FLOW-01); 900 pulses are 2 L.
        var meter = PulseFlowMeter(settings: .init(hertzPerLitrePerMinute: 7.5, gate: .seconds(15)))
        for i in 0..<900 {
            let (m, w) = at(Double(i) / 60)
            meter.pulse(at: m, wall: w)
        }
        let (m, w) = at(899.0 / 60 + 0.001)
        let r = meter.readings(at: m, wall: w)
        #expect(abs(value(r, "frequency")! - 60) < 1e-6)
        #expect(abs(value(r, "flow")! - 8) < 1e-6)
        #expect(abs(value(r, "volume_total")! - 2) < 1e-12)
        // Stopped: after the gate there is no flow, and the volume stays.
        let later = meter.readings(at: at(40).0, wall: at(40).1)
        #expect(value(later, "flow") == 0)
        #expect(abs(value(later, "volume_total")! - 2) < 1e-12)
    }
}

/// Found by fuzzing (the state target): a totals file with `last_pulse -9223372036854775808`
/// made the next pulse overflow; such a file is now unreadable (moved aside, counting from zero).
@Suite struct PulseTotalsHostileTests {
    @Test(arguments: ["last_pulse -9223372036854775808", "event_start 9223372036854775807", "last_pulse 4102444800000000001"])
    func impossibleTimesAreRefused(line: String) {
        let text = "total 1\nhour 1\nhour_count 1\nday 1\nday_count 1\nevent_count 1\n\(line)\nend 7\n"
        #expect(PulseTotals(text: text) == nil)
    }
}
