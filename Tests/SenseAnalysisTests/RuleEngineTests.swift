import SenseAnalysis
import SenseCore
import Testing

/// 2026-11-23 (a Monday) 00:00 UTC plus `s` seconds.
func wall(_ s: Double) -> WallTime { WallTime(nanosecondsSinceEpoch: 1_795_392_000_000_000_000 + Int64(s * 1e9)) }

func sample(_ sensor: String, _ quantity: String, _ v: Double?, quality: Quality = .good, at s: Double) -> Sample {
    Sample(
        sensor: sensor, quantity: quantity, value: v, unit: .none, quality: v == nil ? .bad : quality,
        reason: v == nil ? .nack : nil, monotonic: at(s), wall: wall(s))
}

private let rain = ChannelRef.aggregate("rain_15m", function: "rate")
private let stage = ChannelRef.sensor("gauge", quantity: "stage")

/// Runs a rule engine over a script: samples, then an evaluation at each time.
private struct Script {
    var engine: RuleEngine
    var alarms: Set<String> = []

    init(_ rules: [RuleDefinition]) throws { engine = try RuleEngine(rules) }

    mutating func step(_ s: Double, _ samples: [Sample] = []) -> [String: Truth] {
        engine.record(samples)
        let active = alarms
        _ = engine.evaluate(alarmActive: { active.contains($0) }, at: at(s), wall: wall(s))
        return Dictionary(uniqueKeysWithValues: engine.order.map { ($0, engine.truth($0)) })
    }
}

@Suite struct RuleEngineTests {
    @Test func floodWarningNeedsRainAndRisingStageTogether() throws {
        // "rain intensity > 20 mm/h AND stage rising (an alarm) → flood warning"
        var s = try Script([
            RuleDefinition(
                name: "flood_warning",
                condition: .all([.compare(rain, Comparison(.above, 20)), .alarm("stage_rising")]))
        ])
        let rainSample = { (v: Double, t: Double) in
            Sample(sensor: "aggregate", quantity: "rain_15m.rate", value: v, unit: .none, quality: .good, monotonic: at(t), wall: wall(t))
        }
        #expect(s.step(0, [rainSample(25, 0)])["flood_warning"] == .false)  // rain, stage quiet
        s.alarms = ["stage_rising"]
        #expect(s.step(1)["flood_warning"] == .true)
        #expect(s.step(2, [rainSample(12, 2)])["flood_warning"] == .false)
    }

    @Test func kleeneLogicKeepsFaultsUnknown() throws {
        var s = try Script([
            RuleDefinition(name: "high", condition: .compare(stage, Comparison(.above, 2))),
            RuleDefinition(name: "not_high", condition: .not(.rule("high"))),
            RuleDefinition(name: "either", condition: .any([.rule("high"), .alarm("door")])),
            RuleDefinition(name: "both", condition: .all([.rule("high"), .alarm("door")])),
        ])
        // No reading yet: unknown, and `not` of unknown is unknown — never a reason to act.
        var t = s.step(0)
        #expect(t["high"] == .unknown && t["not_high"] == .unknown && t["either"] == .unknown && t["both"] == .false)
        s.alarms = ["door"]
        t = s.step(1)
        #expect(t["either"] == .true && t["both"] == .unknown)
        t = s.step(2, [sample("gauge", "stage", 2.5, at: 2)])
        #expect(t["high"] == .true && t["not_high"] == .false && t["both"] == .true)
        t = s.step(3, [sample("gauge", "stage", nil, at: 3)])  // the sensor fails
        #expect(t["high"] == .unknown && t["both"] == .unknown && t["either"] == .true)
        #expect(s.engine.quality(of: stage) == .bad)
    }

    @Test func comparisonDeadbandAvoidsFlapping() throws {
        var s = try Script([RuleDefinition(name: "hot", condition: .compare(stage, Comparison(.above, 30, deadband: 2)))])
        let values = [29.0, 30.5, 29.5, 28.5, 27.9, 30.1]
        let truths = values.enumerated().map { i, v in s.step(Double(i), [sample("gauge", "stage", v, at: Double(i))])["hot"]! }
        #expect(truths == [.false, .true, .true, .true, .false, .true])
    }

    @Test func forNeedsTheConditionWithoutInterruptionAndReportsItsDeadline() throws {
        var s = try Script([
            RuleDefinition(
                name: "sustained",
                condition: .sustained(.compare(stage, Comparison(.above, 2)), .seconds(300)))
        ])
        #expect(s.step(0, [sample("gauge", "stage", 2.5, at: 0)])["sustained"] == .false)
        #expect(s.engine.nextDeadline(now: at(0), wall: wall(0)) == at(300))
        #expect(s.step(200, [sample("gauge", "stage", 1.5, at: 200)])["sustained"] == .false)  // interrupted
        #expect(s.engine.nextDeadline(now: at(200), wall: wall(200)) == nil)
        #expect(s.step(210, [sample("gauge", "stage", 2.5, at: 210)])["sustained"] == .false)
        #expect(s.step(509)["sustained"] == .false)
        #expect(s.step(510)["sustained"] == .true)
        #expect(s.engine.nextDeadline(now: at(510), wall: wall(510)) == nil)
        // A fault resets the timer and makes it unknown, not false.
        #expect(s.step(511, [sample("gauge", "stage", nil, at: 511)])["sustained"] == .unknown)
        #expect(s.step(512, [sample("gauge", "stage", 2.5, at: 512)])["sustained"] == .false)
    }

    @Test func dailyWindowsWrapMidnightAndFollowWeekdays() {
        // Local time = UTC+01:00. 2026-11-23 is a Monday.
        let night = DailyWindow(from: 22 * 60, to: 6 * 60, days: [.mon], utcOffsetMinutes: 60)
        #expect(night.contains(wall(21 * 3600)))  // 22:00 Monday local
        #expect(night.contains(wall(28 * 3600)))  // 05:00 Tuesday local: Monday's night
        #expect(!night.contains(wall(29 * 3600)))  // 06:00 Tuesday local
        #expect(!night.contains(wall(-2 * 3600)))  // 23:00 Sunday local: not a Monday night
        #expect(night.untilNextBoundary(wall(20 * 3600)) == .seconds(3600))  // 21:00 local → 22:00
        let rush = DailyWindow(from: 7 * 60 + 30, to: 9 * 60, days: [.mon, .tue, .wed, .thu, .fri])
        #expect(rush.contains(wall(8 * 3600)) && !rush.contains(wall(9 * 3600)))
        #expect(!rush.contains(wall(8 * 3600 - 2 * 86400)))  // Saturday
        #expect(DailyWindow.Weekday.allCases.count == 7)
    }

    @Test func timeConditionsScheduleTheirEdges() throws {
        var s = try Script([RuleDefinition(name: "night", condition: .time(DailyWindow(from: 22 * 60, to: 6 * 60)))])
        #expect(s.step(21 * 3600)["night"] == .false)
        #expect(s.engine.nextDeadline(now: at(21 * 3600), wall: wall(21 * 3600)) == at(22 * 3600))
        #expect(s.step(22 * 3600)["night"] == .true)
    }

    @Test func cyclesAreRefusedWithTheirMembers() {
        #expect(throws: RuleEngine.CycleError(cycle: ["a", "b", "a"])) {
            try RuleEngine([RuleDefinition(name: "a", condition: .rule("b")), RuleDefinition(name: "b", condition: .not(.rule("a")))])
        }
    }

    @Test func onlyChangesArePublishedAndHiddenRulesNever() throws {
        var engine = try RuleEngine([
            RuleDefinition(name: "shown", condition: .alarm("x")),
            RuleDefinition(name: "pump.only_while", condition: .alarm("x"), published: false),
        ])
        let first = engine.evaluate(alarmActive: { _ in false }, at: at(0), wall: wall(0))
        #expect(first.map(\.name) == ["shown"] && first[0].truth == .false)
        #expect(engine.evaluate(alarmActive: { _ in false }, at: at(1), wall: wall(1)).isEmpty)
        let changed = engine.evaluate(alarmActive: { _ in true }, at: at(2), wall: wall(2))
        #expect(changed.map(\.name) == ["shown"] && changed[0].since == wall(2))
        #expect(engine.truth("pump.only_while") == .true)
    }
}

@Suite struct AlarmLatchAndChatterTests {
    @Test func aLatchedAlarmStaysActiveUntilReset() throws {
        var a = Alarm(latched: true)
        a.condition(true, at: at(0))
        #expect(a.condition(false, at: at(1)) == nil)
        #expect(a.state == .activeUnacknowledged && !a.conditionPresent)
        #expect(try a.acknowledge(at: at(2)) == .normal)  // the reset
        a.condition(true, at: at(3))
        #expect(try a.acknowledge(at: at(4)) == .activeAcknowledged)  // still present: acknowledged, not reset
        #expect(a.condition(false, at: at(5)) == .normal)
    }

    @Test func chatteringIsAnnouncedOnceThenSuppressedUntilItEnds() {
        let def = AlarmDefinition(
            name: "flappy", channel: .sensor("s", quantity: "v"), threshold: .init(direction: .high, limit: 10),
            chatter: .init(activations: 3, window: .seconds(60)))
        var engine = AlarmEngine([def])
        var published: [AlarmSnapshot] = []
        for (i, v) in [12.0, 8, 12, 8, 12, 8, 12, 8].enumerated() {
            published += engine.update([sample("s", "v", v, at: Double(i * 5))])
        }
        // Activation, clear, activation, clear, third activation (now chattering) — then silence.
        #expect(
            published.map(\.state) == [
                .activeUnacknowledged, .clearedUnacknowledged, .activeUnacknowledged,
                .clearedUnacknowledged, .activeUnacknowledged,
            ])
        #expect(published.last?.chattering == true)
        #expect(engine.isActive("flappy") == false)  // the state is still kept (it cleared at 35 s)
        let ended = engine.tick(at: at(100), wall: wall(100))
        #expect(ended.count == 1 && ended[0].chattering == false && ended[0].state == .clearedUnacknowledged)
    }
}

@Suite struct AlarmFloodTests {
    @Test func floodAsInVectorD2Flood01StartsAboveTenAndEndsBelowFive() {
        var f = AlarmFlood()
        // Twelve activations 50 s apart: the eleventh (at 500 s) makes more than ten in 10 min.
        let changes = stride(from: 0.0, through: 550, by: 50).map { f.activation(at: at($0)) }
        #expect(changes.firstIndex(of: true) == 10 && f.isFlooding && f.count(at: at(550)) == 12)
        #expect(!f.update(at: at(800)) && f.isFlooding)  // 7 in the last 10 min (250…550)
        #expect(f.update(at: at(960)) && !f.isFlooding)  // 4 (400…550)
    }

    @Test func aFloodHoldsBackLowPrioritiesAndReleasesThemWhenItEnds() {
        var defs = (0..<11).map {
            AlarmDefinition(
                name: "a\($0)", channel: .sensor("s\($0)", quantity: "v"), threshold: .init(direction: .high, limit: 1),
                priority: .high)
        }
        defs.append(
            AlarmDefinition(
                name: "minor", channel: .sensor("m", quantity: "v"), threshold: .init(direction: .high, limit: 1),
                priority: .low))
        defs.append(
            AlarmDefinition(
                name: "major", channel: .sensor("M", quantity: "v"), threshold: .init(direction: .high, limit: 1),
                priority: .critical))
        var engine = AlarmEngine(defs, flood: .init(activations: 10, window: .seconds(600), endBelow: 5))
        for i in 0..<11 { _ = engine.update([sample("s\(i)", "v", 2, at: Double(i))]) }
        #expect(engine.summary(at: at(11)).flood && engine.summary(at: at(11)).active == 11)
        #expect(engine.update([sample("m", "v", 2, at: 12)]).isEmpty)  // low: held back
        #expect(engine.update([sample("M", "v", 2, at: 13)]).map(\.name) == ["major"])  // critical: annunciated
        #expect(engine.isActive("minor") && engine.summary(at: at(14)).heldBack == ["minor"])
        #expect(engine.tick(at: at(300), wall: wall(300)).isEmpty)  // still flooding
        let released = engine.tick(at: at(620), wall: wall(620))  // window empty: over
        #expect(released.map(\.name) == ["minor"] && released[0].state == .activeUnacknowledged)
        #expect(!engine.summary(at: at(620)).flood && engine.summary(at: at(620)).heldBack.isEmpty)
    }
}
