import SenseModels
import SenseTesting
import Testing

/// Every vector of physics reference §A1–§A3 through the Swift API.
@Suite struct AirQualityIndexTests {
    @Test(arguments: Vectors.all.filter { $0.model == "epa_aqi_2024" }.map(\.id))
    func subIndexAsInTheVector(id: String) throws {
        let v = Vectors.named(id)
        let pollutant = try #require(AirQualityIndex.Pollutant(rawValue: v.inputs["pollutant"].string))
        let s = try AirQualityIndex.subIndex(pollutant, concentration: v.inputs["concentration"].double)
        #expect(abs(s.truncated - v.expected["truncated_concentration"].double) < 1e-9)
        #expect(abs(s.unrounded - v.expected["aqi_unrounded"].double) < 0.001, "\(s.unrounded)")
        #expect(s.aqi == v.expected["aqi"].int)
        #expect(s.category.rawValue == v.expected["category"].string)
        #expect(s.category.colour.name == v.expected["color"].string && s.category.colour.hex == v.expected["hex"].string)
    }

    @Test func decimalTruncationOfAFloatMeanAsInVectorA1PM25Float01() throws {
        let v = Vectors.named("A1-PM25-FLOAT-01")
        let values = v.inputs["hourly_or_daily_values"].optionalDoubles.compactMap { $0 }
        let mean = values.reduce(0, +) / Double(values.count)
        #expect("\(mean)" == v.expected["float_mean_repr"].string)  // the trap is real
        let s = try AirQualityIndex.subIndex(.pm25, concentration: mean)
        #expect(s.truncated == v.expected["decimal_mean"].double && s.aqi == v.expected["correct_aqi"].int)
    }

    @Test func overallIsTheLargestSubIndexAsInVectorA1Overall01() throws {
        let v = Vectors.named("A1-OVERALL-01")
        let input: [(AirQualityIndex.Pollutant, Double)] = [(.pm25, 35.9), (.o3_8h, 0.065), (.no2, 120)]
        #expect(v.inputs["concentrations"].field("pm25_24h")?.double == 35.9)
        let o = try #require(AirQualityIndex.overall(input))
        #expect(o.aqi == v.expected["aqi"].int && o.responsible.rawValue == v.expected["dominant"].string)
        #expect(o.category.rawValue == v.expected["category"].string)
        for s in o.subIndices { #expect(s.aqi == v.expected["sub_indices"][s.pollutant.rawValue].int) }
    }

    @Test func ozoneReportsTheLargerOfEightAndOneHourAsInVectorA1O3Max01() throws {
        let v = Vectors.named("A1-O3-MAX-01")
        let o = try #require(AirQualityIndex.overall([(.o3_8h, v.inputs["o3_8h_ppm"].double), (.o3_1h, v.inputs["o3_1h_ppm"].double)]))
        #expect(o.subIndices.map(\.aqi) == [v.expected["aqi_8h"].int, v.expected["aqi_1h"].int])
        #expect(o.aqi == v.expected["aqi"].int && o.responsible == .o3_1h)
    }

    @Test func beyondTheTableIsCappedAndSaysSoAsInVectorA1PM2509() throws {
        let v = Vectors.named("A1-PM25-09")
        let s = try AirQualityIndex.subIndex(.pm25, concentration: v.inputs["concentration"].double)
        #expect(s.aqi == v.expected["aqi_capped"].int && s.category == .beyond)
        #expect(abs(s.unrounded - v.expected["aqi_extrapolated_top_segment"].double) < 0.01)
        #expect(v.expected["category"].string.hasPrefix(s.category.rawValue))
    }

    @Test func the2012TableIsNotUsed() throws {
        // 12.0 µg/m³ was the top of "Good" until 2024; now it is Moderate 56.
        #expect(try AirQualityIndex.subIndex(.pm25, concentration: 12.0).aqi == 56)
    }

    @Test func concentrationsOutsideAPollutantsTablesAreRefusedWithTheReason() {
        #expect(throws: AirQualityIndex.Undefined.useOneHourOzone) { try AirQualityIndex.subIndex(.o3_8h, concentration: 0.25) }
        #expect(throws: AirQualityIndex.Undefined.belowOneHourOzoneTable) { try AirQualityIndex.subIndex(.o3_1h, concentration: 0.1) }
        #expect(throws: AirQualityIndex.Undefined.useDailySO2) { try AirQualityIndex.subIndex(.so2_1h, concentration: 400) }
        #expect(throws: AirQualityIndex.Undefined.belowDailySO2Table) { try AirQualityIndex.subIndex(.so2_24h, concentration: 100) }
        #expect(throws: AirQualityIndex.Undefined.negative(.pm10)) { try AirQualityIndex.subIndex(.pm10, concentration: -1) }
        #expect(throws: AirQualityIndex.Undefined.notFinite(.co)) { try AirQualityIndex.subIndex(.co, concentration: .nan) }
        // Overall leaves an undefined one out instead of failing.
        #expect(AirQualityIndex.overall([(.o3_8h, 0.05), (.o3_1h, 0.05)])?.responsible == .o3_8h)
        #expect(AirQualityIndex.overall([(.o3_1h, 0.05)]) == nil)
    }
}

@Suite struct NowCastTests {
    @Test(arguments: Vectors.all.filter { $0.model == "epa_nowcast_pm" }.map(\.id))
    func particulateAsInTheVector(id: String) {
        let v = Vectors.named(id)
        let newestFirst = Array(v.inputs["hourly_ugm3_oldest_to_newest"].optionalDoubles.reversed())
        let r = NowCast.compute(.particulate, hourly: newestFirst)
        if v.expected.field("valid").map({ if case .bool(false) = $0 { true } else { false } }) == true {
            #expect(r == nil)
            return
        }
        guard let r else {
            Issue.record("no NowCast")
            return
        }
        #expect(abs(r.weight - v.expected["weight_factor"].double) < 1e-9)
        if let u = v.expected.field("nowcast_unrounded") { #expect(abs(r.unrounded - u.double) < 1e-6, "\(r.unrounded)") }
        #expect(abs(r.value - v.expected["nowcast"].double) < 1e-9)
        if let aqi = v.expected.field("aqi_pm25_2024") {
            #expect((try? AirQualityIndex.subIndex(.pm25, concentration: r.value))?.aqi == aqi.int)
        }
    }

    @Test func ozoneAsInVectorA2NowcastO301() throws {
        let v = Vectors.named("A2-NOWCAST-O3-01")
        let r = try #require(NowCast.compute(.ozone, hourly: Array(v.inputs["hourly_ppb_oldest_to_newest"].optionalDoubles.reversed())))
        #expect(abs(r.weight - v.expected["weight_factor"].double) < 1e-3)
        #expect(abs(r.unrounded - v.expected["nowcast_unrounded_ppb"].double) < 1e-3)
        #expect(r.value == v.expected["nowcast_ppb_truncated"].double)
    }

    @Test func onlyTheWindowCountsAndZeroAirIsZero() throws {
        // Hours beyond the twelfth are ignored; all-zero air has a NowCast of 0.
        #expect(NowCast.compute(.particulate, hourly: Array(repeating: 5, count: 12) + [500])?.value == 5)
        #expect(NowCast.compute(.particulate, hourly: Array(repeating: 0, count: 12))?.value == 0)
        #expect(NowCast.compute(.particulate, hourly: [nil, 3, nil]) == nil)
    }
}

@Suite struct PMCorrectionTests {
    @Test func usWideCorrectionAsInVectorsA3PA() {
        for id in ["A3-PA-01", "A3-PA-02"] {
            let v = Vectors.named(id)
            let y = PMCorrection.epa2021(pm: v.inputs["pa_cf1_ugm3"].double, relativeHumidity: v.inputs["rh_pct"].double)
            #expect(abs(y - v.expected["pm25_corrected"].double) < 1e-4, "\(id): \(y)")
        }
        #expect(PMCorrection.epa2021(pm: 0, relativeHumidity: 95) == 0)  // never negative
    }

    @Test func smokeMapCorrectionAsInVectorsA3FASM() {
        for id in ["A3-FASM-01", "A3-FASM-02", "A3-FASM-03"] {
            let v = Vectors.named(id)
            let y = PMCorrection.smokeMap2021(pm: v.inputs["pa_ugm3"].double, relativeHumidity: v.inputs["rh_pct"].double)
            #expect(abs(y - v.expected["pm25_corrected"].double) < 1e-4, "\(id): \(y)")
        }
        // Continuous where the segments meet.
        for x in [30.0, 50, 210, 260] {
            let below = PMCorrection.smokeMap2021(pm: x - 1e-9, relativeHumidity: 50)
            let at = PMCorrection.smokeMap2021(pm: x, relativeHumidity: 50)
            #expect(abs(below - at) < 0.01, "discontinuity at \(x): \(below) vs \(at)")
        }
    }

    @Test func kappaGrowthAsInVectorsA3Kappa() {
        for id in ["A3-KAPPA-01", "A3-KAPPA-02"] {
            let v = Vectors.named(id)
            let r = PMCorrection.kappa(
                pm: v.inputs["pm_ugm3"].double, relativeHumidity: v.inputs["rh_pct"].double,
                kappa: v.inputs["kappa"].double)
            #expect(abs(r.pm - v.expected["pm_dry_ugm3"].double) < 1e-4, "\(id): \(r.pm)")
            if let used = v.expected.field("rh_used_pct") { #expect(r.rhUsed == used.double) }
        }
    }
}

/// Found by fuzzing (`sensegate model nowcast values=31,777,,9999…`): a concentration whose
/// sub-index is beyond Int trapped; the same code computes the AQI channel from live readings.
@Suite struct AirQualityHostileTests {
    @Test(arguments: [1e30, 1e300, Double.greatestFiniteMagnitude])
    func anAbsurdConcentrationIsBeyondTheIndex(c: Double) throws {
        let s = try AirQualityIndex.subIndex(.pm25, concentration: c)
        #expect(s.aqi == 500 && s.category == .beyond)
    }
}
