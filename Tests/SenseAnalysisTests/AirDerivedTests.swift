import SenseAnalysis
import SenseCore
import SenseModels
import Testing

/// The air-quality derived channels in the engine: NowCast from hourly window samples (missing,
/// bad and incomplete hours), the AQI of whichever pollutants are usable, the PM corrections.
@Suite struct AirDerivedTests {
    static let nowcast = DerivedDefinition(name: "nc", model: .nowcastPM, inputs: ["hourly": .aggregate("h", function: "mean")])
    static let aqi = DerivedDefinition(
        name: "aqi", model: .aqi,
        inputs: [
            "pm2_5": .derived("nc"),
            "o3_8h": .sensor("gas", quantity: "o3"),
        ])

    /// The hourly mean for the hour ending `hoursFromStart` hours after a whole hour.
    static func hour(_ n: Int, _ v: Double?, quality: Quality = .good, reason: QualityReason? = nil) -> Sample {
        let end: Int64 = 1_795_406_400_000_000_000 + Int64(n) * 3_600_000_000_000  // a whole hour
        return Sample(
            sensor: "aggregate", quantity: "h.mean", value: quality == .bad ? nil : v, unit: .microgramPerCubicMetre,
            quality: quality, reason: reason ?? (quality == .bad ? .noData : nil),
            monotonic: MonotonicInstant(nanoseconds: Int64(n) * 3_600_000_000_000), wall: WallTime(nanosecondsSinceEpoch: end))
    }

    @Test func nowcastOfTwelveHoursMatchesTheModel() throws {
        var e = try DerivedEngine([Self.nowcast])
        let series = [13.0, 14.5, 11.2, 40.1, 55.0, 20.4, 9.8, 12.0, 15.5, 16.0, 30.2, 28.7]  // oldest first
        var last: Sample?
        for (i, v) in series.enumerated() { last = e.update([Self.hour(i, v)]).first }
        let out = try #require(last)
        let expected = NowCast.compute(.particulate, hourly: series.reversed())!.value
        #expect(out.value == expected && out.quality == .good && out.unit == .microgramPerCubicMetre)
    }

    @Test func missingBadAndIncompleteHoursAreGaps() throws {
        // One hour: fewer than 2 of the 3 latest → bad.
        var e2 = try DerivedEngine([Self.nowcast])
        let first = e2.update([Self.hour(0, 10)]).first!
        #expect(first.quality == .bad && first.reason == .incomplete && first.value == nil)
        let second = e2.update([Self.hour(1, 20)]).first!
        #expect(second.quality == .uncertain && second.reason == .incomplete)  // 10 of 12 hours missing
        #expect(second.value == NowCast.compute(.particulate, hourly: [20, 10])!.value)
        // Hour 2 under the completeness threshold and hour 3 bad: two of the three latest missing.
        _ = e2.update([Self.hour(2, 99, quality: .uncertain, reason: .incomplete)])
        let gap = e2.update([Self.hour(3, nil, quality: .bad)]).first!
        #expect(gap.quality == .bad && gap.value == nil)
        // Hour 5 comes after a silent hour 4 (the daemon was down): 5 and 3 missing, 4 never seen.
        let after = e2.update([Self.hour(5, 30)]).first!
        #expect(after.quality == .bad)
        let back = e2.update([Self.hour(6, 31)]).first!
        #expect(back.value == NowCast.compute(.particulate, hourly: [31, 30, nil, nil, nil, 20, 10])!.value)
    }

    @Test func aqiOfWhatIsUsableWithCategoryAndPollutant() throws {
        var e = try DerivedEngine([Self.nowcast, Self.aqi])
        _ = e.update([Self.hour(0, 40)])
        let out = e.update([Self.hour(1, 40)])
        let a = try #require(out.first { $0.quantity == "aqi" })
        // NowCast 40.0 µg/m³ → 112 (2024 table), the only pollutant seen; uncertain because the
        // NowCast has 2 of its 12 hours.
        #expect(a.value == 112 && a.unit == .none && a.quality == .uncertain && a.reason == .incomplete)
        #expect(a.attributes == ["category": "Unhealthy for Sensitive Groups", "colour": "#FF7E00", "pollutant": "pm2_5"])
        // Ozone 0.080 ppm (8 h) → 133, larger: it becomes the responsible pollutant.
        let o3 = Sample(
            sensor: "gas", quantity: "o3", value: 0.080, unit: .ppm, quality: .good,
            monotonic: MonotonicInstant(nanoseconds: 4_000_000_000_000), wall: WallTime(nanosecondsSinceEpoch: 1_795_414_000_000_000_000))
        let b = try #require(e.update([o3]).first)
        #expect(b.value == 133 && b.attributes?["pollutant"] == "o3_8h" && b.reason == .incomplete)
        // Ozone fails: the PM index alone is reported, uncertain, since it may understate the air.
        var bad = o3
        bad.value = nil
        bad.quality = .bad
        bad.reason = .nack
        let c = try #require(e.update([bad]).first)
        #expect(c.value == 112 && c.quality == .uncertain && c.reason == .inputBad)
    }

    @Test func pmCorrectionsAndTheirValidRange() throws {
        let inputs: [String: ChannelRef] = ["pm2_5": .sensor("pm", quantity: "pm2_5"), "humidity": .sensor("pm", quantity: "humidity")]
        var e = try DerivedEngine([
            DerivedDefinition(name: "epa", model: .pm25EPA, inputs: inputs),
            DerivedDefinition(name: "smoke", model: .pm25Smoke, inputs: inputs),
        ])
        func fetch(_ pm: Double, _ rh: Double) -> [Sample] {
            [reading("pm", "pm2_5", pm, .microgramPerCubicMetre, at: 0), reading("pm", "humidity", rh, .relativeHumidity, at: 0)]
        }
        var out = e.update(fetch(50, 60))
        #expect(out[0].value == PMCorrection.epa2021(pm: 50, relativeHumidity: 60) && out[0].quality == .good)
        #expect(out[1].value == PMCorrection.smokeMap2021(pm: 50, relativeHumidity: 60))
        out = e.update(fetch(400, 60))
        // Beyond 300 µg/m³ the US-wide fit does not hold: uncertain, out_of_range; the smoke fit is good.
        #expect(out[0].quality == .uncertain && out[0].reason == .outOfRange)
        #expect(out[1].quality == .good)
    }
}
