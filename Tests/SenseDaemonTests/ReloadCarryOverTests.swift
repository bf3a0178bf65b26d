import SenseAnalysis
import SenseConfig
import SenseCore
import SenseTesting
import Testing

@testable import SenseDaemon

/// Issue 21: a reload keeps what did not change. An acknowledged alarm is still acknowledged, a
/// shelved one still shelved; a changed or new alarm starts afresh; a filter whose settings did
/// not change keeps its history.
@Suite struct ReloadCarryOverTests {
    static func config(coldLimit: Double, extra: String = "") throws -> SensegateConfig {
        try ConfigFixture.load(
            ConfigFixture.valid + """

                    channels: {humidity: {filters: [{moving_average: 4}]}}
                alarms:
                  - {name: hot, channel: outdoor.temperature, high: 28, priority: high}
                  - {name: cold, channel: outdoor.temperature, low: \(coldLimit)}
                  - {name: damp, channel: outdoor.humidity, high: 90}
                \(extra)
                """)
    }

    static func batch(_ temperature: Double, _ humidity: Double, at second: Int64) -> [Sample] {
        let mono = MonotonicInstant(nanoseconds: second * 1_000_000_000)
        let wall = WallTime(nanosecondsSinceEpoch: 1_795_425_374_000_000_000 + second * 1_000_000_000)
        return [
            Sample(sensor: "outdoor", quantity: "temperature", value: temperature, unit: .celsius, quality: .good, monotonic: mono, wall: wall),
            Sample(sensor: "outdoor", quantity: "humidity", value: humidity, unit: .relativeHumidity, quality: .good, monotonic: mono, wall: wall),
        ]
    }

    static func state(_ a: Analysis, _ name: String) -> AlarmSnapshot? {
        a.alarms.snapshots(wall: WallTime(nanosecondsSinceEpoch: 0)).first { $0.name == name }
    }

    @Test func unchangedAlarmsKeepTheirStateChangedOnesStartAfresh() throws {
        var before = Analysis(try Self.config(coldLimit: 35))
        // Hot (30 °C > 28) and, with a limit of 35, cold too; humidity averaged over 4.
        for s in 0..<4 { _ = before.process(Self.batch(30, 40 + Double(s) * 10, at: Int64(s))) }
        let t = MonotonicInstant(nanoseconds: 5_000_000_000)
        let wall = WallTime(nanosecondsSinceEpoch: 1_795_425_379_000_000_000)
        _ = try before.command(.ack, alarm: "hot", shelveFor: nil, at: t, wall: wall)
        _ = try before.command(.shelve, alarm: "damp", shelveFor: .seconds(3600), at: t, wall: wall)
        #expect(Self.state(before, "hot")?.state == .activeAcknowledged)
        #expect(Self.state(before, "cold")?.state == .activeUnacknowledged)
        #expect(Self.state(before, "damp")?.shelved == true)

        // The reload changes cold's limit and adds an alarm; hot and damp are as they were.
        var after = Analysis(try Self.config(coldLimit: 5, extra: "  - {name: storm, channel: outdoor.pressure, low: 95000}"))
        let kept = after.carryOver(from: before)
        #expect(kept.alarms == ["hot", "damp"] && kept.rules.isEmpty)
        #expect(Self.state(after, "hot")?.state == .activeAcknowledged, "an acknowledged alarm is still acknowledged")
        #expect(Self.state(after, "damp")?.shelved == true, "a shelved alarm is still shelved")
        #expect(Self.state(after, "cold")?.state == .normal, "a changed alarm starts afresh")
        #expect(Self.state(after, "storm")?.state == .normal)

        // The humidity filter kept its window: the next average includes the four before (40…70).
        let out = after.process(Self.batch(30, 80, at: 6))
        let humidity = try #require(out.samples.first { $0.quantity == "humidity" }?.value)
        #expect(humidity == (50 + 60 + 70 + 80) / 4, "moving average over the last four, across the reload")
        // Without carrying over, a fresh filter would have given 80.
        var fresh = Analysis(try Self.config(coldLimit: 5))
        #expect(fresh.process(Self.batch(30, 80, at: 6)).samples.first { $0.quantity == "humidity" }?.value == 80)
    }

    /// An unchanged rule keeps its `for:` timer across a reload; a changed one starts it again.
    @Test func unchangedRulesKeepTheirTimers() throws {
        func config(warmFor: String) throws -> SensegateConfig {
            try Self.config(
                coldLimit: 5,
                extra: """
                    rules:
                      - {name: sustained_heat, when: {alarm: hot, for: 10s}, then: {fan: on}}
                      - {name: warm, when: {alarm: hot, for: \(warmFor)}, then: {fan: on}}
                    actuators:
                      - {name: fan, pin: GPIO23, failsafe: off}
                    """)
        }
        func at(_ second: Int64) -> MonotonicInstant { MonotonicInstant(nanoseconds: second * 1_000_000_000) }
        let wall = WallTime(nanosecondsSinceEpoch: 1_795_425_374_000_000_000)
        var before = Analysis(try config(warmFor: "5s"))
        _ = before.process(Self.batch(30, 40, at: 0))  // hot: 30 °C > 28
        _ = before.evaluateRules(at: at(0), wall: wall)
        _ = before.evaluateRules(at: at(4), wall: wall)
        #expect(before.rules.truth("sustained_heat") == .false && before.rules.truth("warm") == .false)

        // Reloaded at 4 s: sustained_heat unchanged, warm now needs 8 s.
        var after = Analysis(try config(warmFor: "8s"))
        #expect(after.carryOver(from: before) == .init(alarms: ["hot", "cold", "damp"], rules: ["sustained_heat"]))
        _ = after.evaluateRules(at: at(10), wall: wall)
        #expect(after.rules.truth("sustained_heat") == .true, "10 s after the alarm, as before the reload")
        #expect(after.rules.truth("warm") == .false, "a changed rule's timer starts again at its first evaluation")
        _ = after.evaluateRules(at: at(18), wall: wall)
        #expect(after.rules.truth("warm") == .true)
        // Without carrying over, the timer would have started again at 10 s.
        var fresh = Analysis(try config(warmFor: "8s"))
        _ = fresh.process(Self.batch(30, 40, at: 10))
        _ = fresh.evaluateRules(at: at(10), wall: wall)
        #expect(fresh.rules.truth("sustained_heat") == .false)
    }
}
