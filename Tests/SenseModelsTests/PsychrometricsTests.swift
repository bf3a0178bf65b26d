import SenseModels
import SenseTesting
import Testing

/// Against the reference vectors A4-* (vectors.json in SenseTesting).
@Suite struct PsychrometricsTests {
    struct Vector {
        var id: String
        var inputs: [String: Double]
        var expected: [String: Double]
    }

    static let vectors: [String: Vector] = {
        func numbers(_ v: JSONValue) -> [String: Double] {
            guard case let .object(o) = v else { return [:] }
            return o.compactMapValues { if case let .number(n) = $0 { n } else { nil } }
        }
        return Dictionary(
            uniqueKeysWithValues: Vectors.with(prefix: "A4-").map {
                ($0.id, Vector(id: $0.id, inputs: numbers($0.inputs), expected: numbers($0.expected)))
            })
    }()

    @Test(arguments: ["A4-DEW-01", "A4-DEW-02", "A4-DEW-03", "A4-DEW-04"])
    func dewPoint(id: String) throws {
        let v = try #require(Self.vectors[id])
        let td = try #require(Psychrometrics.dewPoint(celsius: v.inputs["t_c"]!, relativeHumidity: v.inputs["rh_pct"]!))
        #expect(abs(td - v.expected["dewpoint_c"]!) <= 0.005)
        #expect(abs(Psychrometrics.saturationVapourPressure(celsius: v.inputs["t_c"]!) - v.expected["e_s_hpa"]!) <= 0.001)
    }

    @Test func noDewPointWithoutVapour() {
        #expect(Psychrometrics.dewPoint(celsius: 20, relativeHumidity: 0) == nil)
        #expect(Psychrometrics.dewPoint(celsius: 20, relativeHumidity: 100).map { abs($0 - 20) < 1e-9 } == true)
    }

    @Test(arguments: ["A4-AH-01", "A4-AH-02"])
    func absoluteHumidity(id: String) throws {
        let v = try #require(Self.vectors[id])
        let ah = Psychrometrics.absoluteHumidity(celsius: v.inputs["t_c"]!, relativeHumidity: v.inputs["rh_pct"]!)
        #expect(abs(ah - v.expected["abs_humidity_gm3"]!) <= 0.005)
    }

    @Test(arguments: ["A4-HI-01", "A4-HI-02", "A4-HI-03", "A4-HI-04", "A4-HI-05"])
    func heatIndex(id: String) throws {
        let v = try #require(Self.vectors[id])
        let f = Psychrometrics.heatIndexFahrenheit(v.inputs["t_f"]!, relativeHumidity: v.inputs["rh_pct"]!)
        #expect(abs(f - v.expected["heat_index_f"]!) <= 0.01)
        let c = Psychrometrics.heatIndex(celsius: (v.inputs["t_f"]! - 32) * 5 / 9, relativeHumidity: v.inputs["rh_pct"]!)
        #expect(abs(c - v.expected["heat_index_c"]!) <= 0.01)
    }

    @Test func seaLevelPressureForms() throws {
        let lapse = try #require(Self.vectors["A4-SLP-01"])
        #expect(abs(Barometry.seaLevelPressure(station: 1003, altitude: 150, celsius: 15) - lapse.expected["p_sealevel_hpa"]!) <= 0.001)
        let bosch = try #require(Self.vectors["A4-SLP-02"])
        #expect(abs(Barometry.seaLevelPressureISA(station: 996.4, altitude: 112.2) - bosch.expected["p_sealevel_hpa"]!) <= 0.001)
        let alt = try #require(Self.vectors["A4-ALT-01"])
        #expect(abs(Barometry.altitude(pressure: 996.4, seaLevel: 1013.25) - alt.expected["altitude_m"]!) <= 0.001)
        let hyps = try #require(Self.vectors["A4-SLP-03"])
        #expect(abs(Barometry.seaLevelPressureHypsometric(station: 1003, altitude: 150, celsius: 15) - hyps.expected["p_sealevel_hpa"]!) <= 0.001)
        let high = try #require(Self.vectors["A4-SLP-04"])
        #expect(abs(Barometry.seaLevelPressureHypsometric(station: 850, altitude: 1500, celsius: 5) - high.expected["p_sealevel_hpa"]!) <= 0.01)
        #expect(abs(Barometry.seaLevelPressure(station: 850, altitude: 1500, celsius: 5) - high.expected["p_sealevel_hpa_lapse5257"]!) <= 0.01)
        #expect(abs(Barometry.seaLevelPressureISA(station: 850, altitude: 1500) - high.expected["p_sealevel_hpa_bosch"]!) <= 0.01)
    }
}
