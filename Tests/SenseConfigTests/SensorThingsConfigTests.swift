import SenseAnalysis
import SenseConfig
import SenseCore
import SenseTesting
import SenseWire
import Testing

/// `sensorthings:`: channels mapped to Datastreams, and every mistake named with its place.
@Suite struct SensorThingsConfigTests {
    static let base =
        ConfigFixture.valid + """

            derived:
              - {name: dew, model: dew_point, inputs: {temperature: outdoor.temperature, humidity: outdoor.humidity}}
            sensorthings:
              version: v1.0
              qos: 0
              datastreams:
                outdoor.temperature: 17
                outdoor.humidity: "roof-01:humidity"
                derived.dew: 9007199254740992
                outdoor.pressure: 18
            """

    @Test func theSectionDecodes() throws {
        let c = try ConfigFixture.load(Self.base)
        let t = try #require(c.mqtt.sensorThings)
        #expect(t.version == .v1_0 && t.qos == 0)
        #expect(
            t.datastreams == [
                .init(channel: .sensor("outdoor", quantity: "temperature"), id: .number(17)),
                .init(channel: .sensor("outdoor", quantity: "humidity"), id: .text("roof-01:humidity")),
                .init(channel: .derived("dew"), id: .number(9_007_199_254_740_992)),
                .init(channel: .sensor("outdoor", quantity: "pressure"), id: .number(18)),
            ])
        #expect(t.topics["outdoor"]?["temperature"] == "v1.0/Datastreams(17)/Observations")
        #expect(t.topics["outdoor"]?["humidity"] == "v1.0/Datastreams('roof-01:humidity')/Observations")
        #expect(t.topics[DerivedEngine.sensorName]?["dew"] == "v1.0/Datastreams(9007199254740992)/Observations")
        #expect(t.topics["outdoor"]?["dew"] == nil && t.topics["outdoor"]?.count == 3)
    }

    @Test func theSectionIsOptionalAndCanBeOff() throws {
        #expect(try ConfigFixture.load(ConfigFixture.valid).mqtt.sensorThings == nil)
        let off = try ConfigFixture.load(Self.base.replacing("  version: v1.0", with: "  enabled: false\n  version: v1.0"))
        #expect(off.mqtt.sensorThings == nil)
        let defaults = try ConfigFixture.load(ConfigFixture.valid + "\nsensorthings: {datastreams: {outdoor.pressure: 3}}\n")
        #expect(defaults.mqtt.sensorThings?.version == .v1_1 && defaults.mqtt.sensorThings?.qos == nil)
    }

    @Test(arguments: [
        ("outdoor.temperature: 17", "outdoor.temp: 17", "sensorthings.datastreams.outdoor.temp", "has no quantity 'temp'"),
        ("outdoor.temperature: 17", "indoor.temperature: 17", "sensorthings.datastreams.indoor.temperature", "no sensor named 'indoor'"),
        ("outdoor.temperature: 17", "temperature: 17", "sensorthings.datastreams.temperature", "is not a channel"),
        ("outdoor.temperature: 17", "aggregate.w.mean: 17", "sensorthings.datastreams.aggregate.w.mean", "cannot be used here"),
        ("outdoor.temperature: 17", "outdoor.temperature: -1", "sensorthings.datastreams.outdoor.temperature", "-1"),
        ("derived.dew: 9007199254740992", "derived.dew: 9007199254740993", "sensorthings.datastreams.derived.dew", "exact to 2^53"),
        ("derived.dew: 9007199254740992", "derived.dew: 99999999999999999999999", "sensorthings.datastreams.derived.dew", "too large"),
        ("outdoor.temperature: 17", "outdoor.temperature: 'a/b'", "sensorthings.datastreams.outdoor.temperature", "is not a Datastream id"),
        ("outdoor.temperature: 17", "outdoor.temperature: \"x')/#\"", "sensorthings.datastreams.outdoor.temperature", "is not a Datastream id"),
        ("outdoor.temperature: 17", "outdoor.temperature: ''", "sensorthings.datastreams.outdoor.temperature", "is not a Datastream id"),
        ("outdoor.temperature: 17", "outdoor.temperature: [17]", "sensorthings.datastreams.outdoor.temperature", "expected a Datastream id"),
        ("derived.dew: 9007199254740992", "derived.dew: 17", "sensorthings.datastreams.derived.dew", "already outdoor.temperature's"),
        ("version: v1.0", "version: v2", "sensorthings.version", "write v1.0 or v1.1"),
        ("qos: 0", "qos: 2", "sensorthings.qos", "QoS 2 is not offered"),
        ("qos: 0", "qso: 0", "sensorthings.qso", "unknown key 'qso'"),
        (
            "interval: 10s", "interval: 10s\n    publish: [temperature, humidity]", "sensorthings.datastreams.outdoor.pressure",
            "does not publish 'pressure'"
        ),
    ])
    func mistakesAreNamed(original: String, replacement: String, path: String, phrase: String) {
        #expect(Self.base.contains(original), "fixture lacks \(original)")
        let (file, diagnostics) = ConfigFixture.errors(Self.base.replacing(original, with: replacement))
        #expect(diagnostics.contains { $0.path == path && $0.message.contains(phrase) }, "\(diagnostics.map(\.description))")
        #expect(diagnostics.allSatisfy { $0.description.hasPrefix(file + ":") && $0.mark.line > 1 })
    }

    @Test func datastreamsAreRequiredAndNotEmpty() {
        let missing = ConfigFixture.errors(ConfigFixture.valid + "\nsensorthings: {version: v1.1}\n").diagnostics
        #expect(missing.map(\.path) == ["sensorthings.datastreams"] && missing.first?.message.contains("missing required key") == true)
        let empty = ConfigFixture.errors(ConfigFixture.valid + "\nsensorthings: {datastreams: {}}\n").diagnostics
        #expect(empty.map(\.path) == ["sensorthings.datastreams"] && empty.first?.message.contains("at least one channel") == true)
        let list = ConfigFixture.errors(ConfigFixture.valid + "\nsensorthings: {datastreams: [outdoor.temperature]}\n").diagnostics
        #expect(list.first?.message.contains("expected a mapping of channels") == true)
    }

    /// The body as OGC 18-088 defines an Observation, valid against the documented schema; a bad
    /// sample (it carries no value) or a NaN is no Observation.
    @Test func observationsFollowTheStandard() throws {
        func sample(_ value: Double?, _ quality: Quality, _ reason: QualityReason? = nil) -> Sample {
            Sample(
                sensor: "outdoor", quantity: "temperature", value: value, unit: .celsius, quality: quality, reason: reason,
                monotonic: MonotonicInstant(nanoseconds: 1), wall: WallTime(nanosecondsSinceEpoch: 1_795_425_374_123_000_000))
        }
        let good = try #require(SensorThingsPayloads.observation(sample(21.534, .good), node: "roof-01", seq: 42))
        #expect(
            String(decoding: good, as: UTF8.self)
                == #"{"phenomenonTime":"2026-11-23T09:16:14.123Z","resultTime":"2026-11-23T09:16:14.123Z","result":21.53,"#
                + #""resultQuality":"good","parameters":{"node":"roof-01","channel":"outdoor.temperature","unit":"Cel","seq":42}}"#)
        let uncertain = try #require(SensorThingsPayloads.observation(sample(-3, .uncertain, .outOfRange), node: "n", seq: 1))
        #expect(SensorThingsPayloads.observation(sample(nil, .bad, .nack), node: "n", seq: 2) == nil)
        #expect(SensorThingsPayloads.observation(sample(.nan, .good), node: "n", seq: 4) == nil)
        let payloads = [good, uncertain].map { String(decoding: $0, as: UTF8.self) }
        #expect(try SchemaValidator.errors(schema: "sensorthings-observation.schema.json", payloads: payloads) == [])
        // The schema is no formality: what the standard does not define is refused.
        let wrong = [
            #"{"result":1,"phenomenonTime":"yesterday"}"#, #"{"phenomenonTime":"2026-11-23T04:36:14Z"}"#,
            #"{"result":1,"Datastream@iot.navigationLink":"x"}"#,
        ]
        #expect(try SchemaValidator.errors(schema: "sensorthings-observation.schema.json", payloads: wrong).count >= 3)
    }
}
