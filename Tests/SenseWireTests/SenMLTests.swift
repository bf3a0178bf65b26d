import SenseCore
import SenseTesting
import SenseWire
import Testing

/// SenML packs (RFC 8428): base name and time, registered units, names, and the schema.
@Suite struct SenMLTests {
    static let wall = WallTime(nanosecondsSinceEpoch: 1_795_425_374_123_000_000)

    static func sample(
        _ quantity: String, _ value: Double?, _ unit: Unit, quality: Quality = .good,
        reason: QualityReason? = nil, after ms: Int64 = 0
    ) -> Sample {
        Sample(
            sensor: "outdoor", quantity: quantity, value: value, unit: unit, quality: quality, reason: reason,
            monotonic: MonotonicInstant(nanoseconds: 0), wall: WallTime(nanosecondsSinceEpoch: wall.nanosecondsSinceEpoch + ms * 1_000_000))
    }

    @Test func aFetchIsOnePackWithBaseNameAndTime() {
        let pack = SenML.pack(
            [
                Self.sample("temperature", 21.53, .celsius), Self.sample("pressure", 101_325.12, .pascal),
                Self.sample("humidity", 45.678, .relativeHumidity),
            ],
            baseName: "sensegate/roof-01/outdoor/", seq: 42)
        #expect(
            String(decoding: pack, as: UTF8.self) == """
                [{"bn":"sensegate/roof-01/outdoor/","bt":1795425374.123,"seq":42,"n":"temperature","u":"Cel","v":21.53},\
                {"n":"pressure","u":"Pa","v":101325.12},{"n":"humidity","u":"%RH","v":45.678}]
                """)
    }

    @Test func valuesAreInRegisteredUnits() {
        let cases: [(Double, Unit, String, Double)] = [
            (12.3, .microgramPerCubicMetre, "kg/m3", 1.23e-8), (0.5, .milligramPerCubicMetre, "kg/m3", 5e-7),
            (412, .ppm, "/", 4.12e-4), (35, .ppb, "/", 3.5e-8), (1013.25, .hectopascal, "Pa", 101_325),
            (36, .millimetrePerHour, "m/s", 1e-5), (0.36, .metrePerHour, "m/s", 1e-4), (54, .kilometrePerHour, "m/s", 15),
            (6, .litrePerMinute, "m3/s", 1e-4), (250, .litre, "m3", 0.25), (20, .milliampere, "A", 0.02),
            (5800, .microsecond, "s", 0.0058), (2.5, .micrometre, "m", 2.5e-6), (1800, .perHour, "1/s", 0.5),
            (3.2, .millimetre, "m", 0.0032),
        ]
        for (value, unit, symbol, expected) in cases {
            let (s, scale) = SenML.unit(unit)
            #expect(s == symbol, "\(unit)")
            let text = String(decoding: SenML.pack([Self.sample("q", value, unit)], baseName: "b/", seq: 1), as: UTF8.self)
            let v = Double(text.split(separator: "\"v\":")[1].prefix { $0 != "}" && $0 != "," })!
            #expect(abs(v - expected) <= abs(expected) * 1e-9, "\(value) \(unit) → \(v) \(symbol), expected \(expected) (scale \(scale))")
        }
        // No registered unit: the record has a value and a name, and no `u`.
        #expect(SenML.unit(.perCubicCentimetre).symbol == nil)
        #expect(
            !String(decoding: SenML.pack([Self.sample("nc2_5", 10, .perCubicCentimetre)], baseName: "b/", seq: 1), as: UTF8.self).contains("\"u\""))
    }

    @Test func faultsAreNeverAValue() {
        let samples = [
            Self.sample("temperature", nil, .celsius, quality: .bad, reason: .nack),
            Self.sample("humidity", 45.2, .relativeHumidity, quality: .uncertain, reason: .stuck, after: 20),
        ]
        let text = String(decoding: SenML.pack(samples, baseName: "sensegate/n/outdoor/", seq: 7), as: UTF8.self)
        #expect(!text.contains("temperature"))
        #expect(text == #"[{"bn":"sensegate/n/outdoor/","bt":1795425374.143,"seq":7,"n":"humidity","u":"%RH","v":45.2,"q":"uncertain","r":"stuck"}]"#)
        #expect(!SenML.hasRecords([Self.sample("temperature", nil, .celsius, quality: .bad, reason: .nack)]))
    }

    @Test func recordTimesAreOffsetsFromTheBaseTime() {
        let text = String(
            decoding: SenML.pack(
                [Self.sample("a", 1, .count), Self.sample("b", 2, .count, after: 250)],
                baseName: "x/", seq: 3), as: UTF8.self)
        #expect(text.contains(#"{"n":"b","u":"count","v":2,"t":0.25}"#))
    }

    @Test func packsValidateAndNamesAreSenMLNames() throws {
        var packs: [String] = []
        for unit in Unit.allCases {
            let text = String(
                decoding: SenML.pack(
                    [Self.sample("pm2_5", 12.5, unit), Self.sample("nc0_5", 3, unit, after: 5)],
                    baseName: "city/air/roof-01/sps30/", seq: 9), as: UTF8.self)
            packs.append(text)
            for name in ["city/air/roof-01/sps30/pm2_5", "city/air/roof-01/sps30/nc0_5"] {
                #expect(name.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9:.\/_-]*/) != nil)
            }
        }
        #expect(try SchemaValidator.errors(schema: "senml.schema.json", payloads: packs) == [])
        // The schema is not a rubber stamp: an unregistered unit and a missing base time fail.
        #expect(
            try SchemaValidator.errors(schema: "senml.schema.json", payloads: [#"[{"bn":"a/","bt":1,"seq":1,"n":"x","u":"ug/m3","v":1}]"#]).isEmpty
                == false)
        #expect(
            try SchemaValidator.errors(schema: "senml.schema.json", payloads: [#"[{"bn":"a/","seq":1,"n":"x","u":"Cel","v":1}]"#]).isEmpty == false)
    }
}
