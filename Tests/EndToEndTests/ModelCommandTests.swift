import Foundation
import SenseTesting
import Testing

/// `sensegate model` as a process: every §A vector through the command line, and every kind of
/// mistake refused with exit 2 and a message naming it.
@Suite struct ModelCommandTests {
    /// Runs the command; the exit status and the decoded `outputs` object.
    func model(_ arguments: [String]) throws -> (status: Int32, outputs: [String: Any], stderr: String) {
        let r = try SensegateBinary.run(["model"] + arguments)
        guard r.status == 0 else { return (r.status, [:], r.stderr) }
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return (r.status, object?["outputs"] as? [String: Any] ?? [:], r.stderr)
    }

    static let shortNames = [
        "pm25_24h": "pm25", "pm10_24h": "pm10", "o3_8h": "o3_8h", "o3_1h": "o3_1h", "co_8h": "co",
        "no2_1h": "no2", "so2_1h": "so2_1h", "so2_24h": "so2_24h",
    ]

    @Test func everyAQIVector() throws {
        for v in Vectors.all where v.model == "epa_aqi_2024" {
            let r = try model([
                "aqi", "pollutant=\(Self.shortNames[v.inputs["pollutant"].string]!)",
                "concentration=\(v.inputs["concentration"].double)",
            ])
            #expect(r.status == 0, "\(v.id): \(r.stderr)")
            #expect(r.outputs["aqi"] as? Int == v.expected["aqi"].int, "\(v.id)")
            #expect(r.outputs["category"] as? String == v.expected["category"].string, "\(v.id)")
            #expect(r.outputs["hex"] as? String == v.expected["hex"].string, "\(v.id)")
            #expect(abs((r.outputs["aqi_unrounded"] as? Double ?? .nan) - v.expected["aqi_unrounded"].double) < 0.001, "\(v.id)")
        }
        let beyond = try model(["aqi", "pollutant=pm25", "concentration=400"])
        #expect(beyond.outputs["aqi"] as? Int == 500 && beyond.outputs["category"] as? String == "Beyond the AQI")
        let overall = try model(["aqi-overall", "pm25=35.9", "o3_8h=0.065", "no2=120"])
        #expect(overall.outputs["aqi"] as? Int == Vectors.named("A1-OVERALL-01").expected["aqi"].int)
        #expect(overall.outputs["responsible"] as? String == "no2")
        let ozone = try model(["aqi-overall", "o3_8h=0.065", "o3_1h=0.13"])
        #expect(ozone.outputs["aqi"] as? Int == Vectors.named("A1-O3-MAX-01").expected["aqi"].int)
    }

    @Test func everyNowCastVector() throws {
        for v in Vectors.all where v.model == "epa_nowcast_pm" || v.model == "airnow_nowcast_ozone" {
            let ozone = v.model == "airnow_nowcast_ozone"
            let hours = v.inputs[ozone ? "hourly_ppb_oldest_to_newest" : "hourly_ugm3_oldest_to_newest"].optionalDoubles
            let values = hours.reversed().map { $0.map { "\($0)" } ?? "" }.joined(separator: ",")
            let r = try model(["nowcast", "values=\(values)"] + (ozone ? ["pollutant=o3"] : []))
            if v.expected.field("valid") != nil {
                #expect(r.status == 2 && r.stderr.contains("fewer than 2 of the 3 most recent hours"), "\(v.id)")
                continue
            }
            #expect(r.status == 0, "\(v.id): \(r.stderr)")
            let expected = v.expected.field("nowcast") ?? v.expected["nowcast_ppb_truncated"]
            #expect(abs((r.outputs["nowcast"] as? Double ?? .nan) - expected.double) < 1e-9, "\(v.id): \(r.outputs)")
            if let aqi = v.expected.field("aqi_pm25_2024") { #expect(r.outputs["aqi"] as? Int == aqi.int, "\(v.id)") }
        }
    }

    @Test func everyCorrectionAndPsychrometricVector() throws {
        let cases: [(String, [String], String, String)] = [
            ("A3-PA-01", ["pm25-correction", "pm25=20", "rh=50"], "pm25_corrected", "pm25_corrected"),
            ("A3-PA-02", ["pm25-correction", "pm25=100", "rh=30"], "pm25_corrected", "pm25_corrected"),
            ("A3-FASM-01", ["pm25-correction", "pm25=100", "rh=30", "method=smoke"], "pm25_corrected", "pm25_corrected"),
            ("A3-FASM-02", ["pm25-correction", "pm25=40", "rh=60", "method=smoke"], "pm25_corrected", "pm25_corrected"),
            ("A3-FASM-03", ["pm25-correction", "pm25=300", "rh=50", "method=smoke"], "pm25_corrected", "pm25_corrected"),
            ("A3-KAPPA-01", ["pm25-correction", "pm25=30", "rh=60", "method=kappa"], "pm25_dry", "pm_dry_ugm3"),
            ("A3-KAPPA-02", ["pm25-correction", "pm25=30", "rh=95", "method=kappa"], "pm25_dry", "pm_dry_ugm3"),
            ("A4-DEW-01", ["dewpoint", "t=25", "rh=10"], "dewpoint", "dewpoint_c"),
            ("A4-DEW-02", ["dewpoint", "t=50", "rh=90"], "dewpoint", "dewpoint_c"),
            ("A4-DEW-03", ["dewpoint", "t=20", "rh=50"], "dewpoint", "dewpoint_c"),
            ("A4-DEW-04", ["dewpoint", "t=-10", "rh=80"], "dewpoint", "dewpoint_c"),
            ("A4-AH-01", ["dewpoint", "t=20", "rh=50"], "absolute_humidity", "abs_humidity_gm3"),
            ("A4-AH-02", ["dewpoint", "t=30", "rh=80"], "absolute_humidity", "abs_humidity_gm3"),
            ("A4-SLP-01", ["sea-level-pressure", "p=1003", "t=15", "altitude=150"], "sea_level_pressure", "p_sealevel_hpa"),
        ]
        for (id, arguments, output, field) in cases {
            let r = try model(arguments)
            #expect(r.status == 0, "\(id): \(r.stderr)")
            #expect(abs((r.outputs[output] as? Double ?? .nan) - Vectors.named(id).expected[field].double) < 1e-3, "\(id): \(r.outputs)")
        }
        for v in Vectors.all where v.model == "nws_heat_index" {
            let celsius = (v.inputs["t_f"].double - 32) / 1.8
            let r = try model(["heat-index", "t=\(celsius)", "rh=\(v.inputs["rh_pct"].double)"])
            #expect(abs((r.outputs["heat_index"] as? Double ?? .nan) - v.expected["heat_index_c"].double) < 0.01, "\(v.id): \(r.outputs)")
        }
    }

    @Test func mistakesExitTwoAndSayWhat() throws {
        let mistakes: [([String], String)] = [
            (["colour"], "unknown model 'colour'"),
            (["aqi", "pollutant=pm25"], "missing input 'concentration'"),
            (["aqi", "pollutant=pm25", "concentration=lots"], "'concentration' must be a number"),
            (["aqi", "pollutant=soot", "concentration=1"], "'pollutant' must be one of"),
            (["aqi", "pollutant=pm25", "concentration=-3"], "outside the model's valid range"),
            (["aqi", "pollutant=o3_8h", "concentration=0.3"], "the AQI comes from the 1-hour ozone average"),
            (["aqi", "pollutant=pm25", "concentration=1", "concentration=2"], "'concentration' given twice"),
            (["aqi", "pollutant=pm25", "level=1"], "aqi has no input 'level'"),
            (["aqi", "pm25"], "'pm25' is not key=value"),
            (["aqi-overall"], "give at least one pollutant"),
            (["nowcast", "values=1,x,3"], "'values' item 2 must be a non-negative number"),
            (["nowcast", "values=" + Array(repeating: "1", count: 13).joined(separator: ",")], "at most 12 hours"),
            (["pm25-correction", "pm25=400", "rh=50"], "outside the model's valid range 0.0…300.0"),
            (["pm25-correction", "pm25=40", "rh=130"], "'rh' = 130 is outside"),
            (["dewpoint", "t=20", "rh=0"], "'rh' = 0 is outside"),
            (["sea-level-pressure", "p=2000", "t=10", "altitude=10"], "'p' = 2000 is outside"),
        ]
        for (arguments, phrase) in mistakes {
            let r = try model(arguments)
            #expect(r.status == 2 && r.stderr.contains(phrase), "\(arguments): \(r.status) \(r.stderr)")
        }
        let list = try SensegateBinary.run(["model", "--list"])
        #expect(list.status == 0)
        for name in ["aqi", "aqi-overall", "nowcast", "pm25-correction", "dewpoint", "heat-index", "sea-level-pressure"] {
            #expect(list.stdout.contains("\(name): "), "\(name)")
        }
    }

    @Test func theOutputEchoesInputsWithUnits() throws {
        let r = try SensegateBinary.run(["model", "aqi", "pollutant=no2", "concentration=120"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["model"] as? String == "aqi")
        #expect((object["inputs"] as? [String: Any])?["concentration"] as? Int == 120)
        #expect((object["units"] as? [String: String])?["concentration"] == "ppb")
    }

    /// A model and its inputs as the config spells them, in the units the daemon publishes.
    @Test func theConfigsNamesAreAccepted() throws {
        let plain = try ModelRun(["dewpoint", "t=20", "rh=50"])
        for spelling in [["dew_point", "temperature=20", "humidity=50"], ["Dew-Point", "t=20", "humidity=50"]] {
            let r = try ModelRun(spelling)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.outputs["dewpoint"] as? Double == plain.outputs["dewpoint"] as? Double)
        }
        // 100000 Pa as the daemon publishes it is 1000 hPa to the model.
        let pa = try ModelRun(["sea_level_pressure", "pressure=100000", "temperature=10", "altitude=100"])
        let hpa = try ModelRun(["sea-level-pressure", "p=1000", "t=10", "altitude=100"])
        #expect(pa.status == 0 && hpa.status == 0, "\(pa.stderr)")
        let a = try #require(pa.outputs["sea_level_pressure"] as? Double)
        let b = try #require(hpa.outputs["sea_level_pressure"] as? Double)
        // Asked for by the config's name, the answer is in the daemon's unit too (Pa, not hPa).
        #expect(abs(a - b * 100) < 1e-6, "\(a) \(b)")
        let units =
            try #require(
                try JSONSerialization.jsonObject(
                    with: Data(
                        try SensegateBinary.run(["model", "sea_level_pressure", "pressure=100000", "temperature=10", "altitude=100"]).stdout.utf8))
                    as? [String: Any])["units"] as? [String: String]
        #expect(units?["sea_level_pressure"] == "Pa")
        let twice = try ModelRun(["dew_point", "t=20", "temperature=21", "rh=50"])
        #expect(twice.status == 2 && twice.stderr.contains("'t' given twice"), "\(twice.stderr)")
        let unknown = try ModelRun(["dew_point", "pressure=1"])
        #expect(unknown.status == 2 && unknown.stderr.contains("or as the config names them: humidity, temperature"), "\(unknown.stderr)")
        let list = try SensegateBinary.run(["model", "--list"])
        #expect(list.stdout.contains("dewpoint: ") && list.stdout.contains("also: absolute_humidity, dew_point"), "\(list.stdout.prefix(800))")
    }
}
