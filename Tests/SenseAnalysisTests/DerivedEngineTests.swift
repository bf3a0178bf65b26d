import SenseAnalysis
import SenseCore
import SenseModels
import Testing

func reading(
    _ sensor: String, _ quantity: String, _ v: Double?, _ unit: Unit, at seconds: Double,
    quality: Quality = .good, reason: QualityReason? = nil
) -> Sample {
    Sample(
        sensor: sensor, quantity: quantity, value: quality == .bad ? nil : v, unit: unit, quality: quality,
        reason: reason, monotonic: MonotonicInstant(nanoseconds: 1_000_000_000_000 + Int64(seconds * 1e9)),
        wall: WallTime(nanosecondsSinceEpoch: 1_795_406_839_000_000_000 + Int64(seconds * 1e9)))
}

@Suite struct DerivedEngineTests {
    static let dew = DerivedDefinition(
        name: "dew_point", model: .dewPoint,
        inputs: [
            "temperature": .sensor("outdoor", quantity: "temperature"),
            "humidity": .sensor("outdoor", quantity: "humidity"),
        ])

    static func fetch(_ t: Double?, _ rh: Double?, at s: Double, tQuality: Quality = .good) -> [Sample] {
        [
            reading("outdoor", "temperature", t, .celsius, at: s, quality: tQuality, reason: tQuality == .bad ? .nack : nil),
            reading("outdoor", "humidity", rh, .relativeHumidity, at: s),
        ]
    }

    @Test func oneValuePerFetchMatchingTheModel() throws {
        var e = try DerivedEngine([Self.dew])
        let out = e.update(Self.fetch(20, 50, at: 0))
        #expect(out.count == 1)
        let d = try #require(out.first)
        #expect(d.sensor == DerivedEngine.sensorName && d.quantity == "dew_point" && d.unit == .celsius)
        #expect(abs(d.value! - 9.2552) < 0.005)  // vector A4-DEW-03
        #expect(d.quality == .good && d.monotonic == Self.fetch(20, 50, at: 0)[0].monotonic)
        // Unrelated channels do not trigger it.
        #expect(e.update([reading("outdoor", "pressure", 1e5, .pascal, at: 1)]).isEmpty)
    }

    @Test func nothingUntilEveryInputHasBeenSeen() throws {
        var e = try DerivedEngine([Self.dew])
        #expect(e.update([reading("outdoor", "temperature", 20, .celsius, at: 0)]).isEmpty)
        #expect(e.update([reading("outdoor", "humidity", 50, .relativeHumidity, at: 1)]).count == 1)
    }

    @Test func aBadInputMakesTheOutputBad() throws {
        var e = try DerivedEngine([Self.dew])
        _ = e.update(Self.fetch(20, 50, at: 0))
        let out = try #require(e.update(Self.fetch(nil, 50, at: 1, tQuality: .bad)).first)
        #expect(out.quality == .bad && out.value == nil && out.reason == .inputBad)
    }

    @Test func holdKeepsTheLastGoodInputForALimitedTime() throws {
        var d = Self.dew
        d.hold = .seconds(30)
        var e = try DerivedEngine([d])
        _ = e.update(Self.fetch(20, 50, at: 0))
        let held = try #require(e.update(Self.fetch(nil, 60, at: 10, tQuality: .bad)).first)
        #expect(held.quality == .uncertain && held.reason == .held)
        #expect(abs(held.value! - Psychrometrics.dewPoint(celsius: 20, relativeHumidity: 60)!) < 1e-9)
        let expired = try #require(e.update(Self.fetch(nil, 60, at: 31, tQuality: .bad)).first)
        #expect(expired.quality == .bad && expired.reason == .inputBad)
    }

    @Test func uncertainInputsGiveAnUncertainOutput() throws {
        var e = try DerivedEngine([Self.dew])
        let batch = [
            reading("outdoor", "temperature", 20, .celsius, at: 0, quality: .uncertain, reason: .stuck),
            reading("outdoor", "humidity", 50, .relativeHumidity, at: 0),
        ]
        let out = try #require(e.update(batch).first)
        #expect(out.quality == .uncertain && out.reason == .stuck && out.value != nil)
    }

    @Test func seaLevelPressureFromPascals() throws {
        let slp = DerivedDefinition(
            name: "slp", model: .seaLevelPressure,
            inputs: [
                "pressure": .sensor("b", quantity: "pressure"),
                "temperature": .sensor("b", quantity: "temperature"),
            ],
            parameters: ["altitude": 150])
        var e = try DerivedEngine([slp])
        let out = e.update([reading("b", "pressure", 100_300, .pascal, at: 0), reading("b", "temperature", 15, .celsius, at: 0)])
        #expect(abs(out[0].value! - 102_097.0202) < 0.1)  // vector A4-SLP-01 in Pa
        #expect(out[0].unit == .pascal)
    }

    @Test func derivedOfDerivedIsEvaluatedInDependencyOrder() throws {
        // Declared before its input: the engine orders them.
        let hi = DerivedDefinition(
            name: "dew_heat", model: .heatIndex,
            inputs: ["temperature": .derived("dew_point"), "humidity": .sensor("outdoor", quantity: "humidity")])
        var e = try DerivedEngine([hi, Self.dew])
        #expect(e.order.map(\.name) == ["dew_point", "dew_heat"])
        let out = e.update(Self.fetch(30, 80, at: 0))
        #expect(out.map(\.quantity) == ["dew_point", "dew_heat"])
    }

    @Test func cyclesAreRefusedAndNamed() {
        let a = DerivedDefinition(
            name: "a", model: .dewPoint, inputs: ["temperature": .derived("b"), "humidity": .sensor("s", quantity: "humidity")])
        let b = DerivedDefinition(
            name: "b", model: .dewPoint, inputs: ["temperature": .derived("a"), "humidity": .sensor("s", quantity: "humidity")])
        #expect(throws: DerivedEngine.CycleError(cycle: ["a", "b", "a"])) { _ = try DerivedEngine([a, b]) }
        let selfLoop = DerivedDefinition(
            name: "c", model: .dewPoint, inputs: ["temperature": .derived("c"), "humidity": .sensor("s", quantity: "humidity")])
        #expect(throws: DerivedEngine.CycleError(cycle: ["c", "c"])) { _ = try DerivedEngine([selfLoop]) }
    }

    @Test func noDewPointAtZeroHumidityIsBadNotANumber() throws {
        var e = try DerivedEngine([Self.dew])
        let out = try #require(e.update(Self.fetch(20, 0, at: 0)).first)
        #expect(out.quality == .bad && out.value == nil && out.reason == .outOfRange)
    }
}
