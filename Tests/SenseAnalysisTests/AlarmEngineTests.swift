import SenseAnalysis
import SenseCore
import Testing

@Suite struct AlarmEngineTests {
    static let hot = AlarmDefinition(
        name: "hot", channel: .sensor("outdoor", quantity: "temperature"),
        threshold: .init(direction: .high, limit: 30, deadband: 1, onDelay: .samples(2)),
        priority: .high, maximumShelve: .seconds(3600),
        allowedCommands: [.ack, .shelve, .unshelve], description: "too hot outside")

    func t(_ v: Double?, _ s: Double, quality: Quality = .good) -> Sample {
        reading("outdoor", "temperature", v, .celsius, at: s, quality: quality, reason: quality == .bad ? .nack : nil)
    }

    @Test func transitionsAreReportedWithValueLimitAndTime() throws {
        var e = AlarmEngine([Self.hot])
        #expect(e.snapshots(wall: WallTime(nanosecondsSinceEpoch: 0)).map(\.state) == [.normal])
        #expect(e.update([t(31, 0)]).isEmpty)  // on-delay: one sample is not enough
        let raised = e.update([t(31.5, 1)])
        #expect(raised.map(\.state) == [.activeUnacknowledged])
        let r = try #require(raised.first)
        #expect(r.value == 31.5 && r.limit == 30 && r.deadband == 1 && r.direction == .high && r.priority == .high)
        #expect(r.since == t(31.5, 1).wall && r.description == "too hot outside")
        #expect(e.update([t(29.5, 2)]).isEmpty)  // inside the deadband: still active
        #expect(e.update([t(28.9, 3)]).map(\.state) == [.clearedUnacknowledged])
        let acked = try e.command(.ack, alarm: "hot", at: at(4), wall: WallTime(nanosecondsSinceEpoch: 4))
        #expect(acked.state == .normal)
    }

    @Test func otherChannelsAndDerivedRefsAreRouted() {
        let dew = AlarmDefinition(
            name: "condensation", channel: .derived("dew_point"),
            threshold: .init(direction: .high, limit: 20))
        var e = AlarmEngine([Self.hot, dew])
        #expect(e.update([reading("outdoor", "humidity", 99, .relativeHumidity, at: 0)]).isEmpty)
        let out = e.update([reading(DerivedEngine.sensorName, "dew_point", 21, .celsius, at: 0)])
        #expect(out.map(\.name) == ["condensation"])
    }

    @Test func rateOfRiseThroughAWindowAggregate() throws {
        // A river stage rising faster than 0.2 m/h: an alarm on the window's rate.
        let d = AlarmDefinition(
            name: "rising", channel: .aggregate("stage_15m", function: "rate"),
            threshold: .init(direction: .high, limit: 0.2))
        var e = AlarmEngine([d])
        var w = WindowAggregator(.init(length: .seconds(900), functions: [.rate, .last], expected: 15))
        var changes: [AlarmSnapshot] = []
        for minute in 0...31 {
            let stage = minute < 16 ? 1.0 + 0.001 * Double(minute) : 1.016 + 0.01 * Double(minute - 16)  // then 0.6 m/h
            let s = reading("gauge", "stage", stage, .metre, at: Double(minute * 60))
            for r in w.add(s) {
                changes += e.update(WindowAggregator.samples(window: "stage_15m", r, functions: [.rate, .last], at: s.monotonic))
            }
        }
        #expect(changes.map(\.state) == [.activeUnacknowledged])
        #expect(changes.first.map { $0.value! > 0.2 && $0.channel.description == "aggregate.stage_15m.rate" } == true, "\(changes)")
    }

    @Test func commandsAreCheckedAndRefusedWithReasons() throws {
        var e = AlarmEngine([
            Self.hot,
            AlarmDefinition(
                name: "locked", channel: .sensor("x", quantity: "y"),
                threshold: .init(direction: .low, limit: 0), allowedCommands: [.ack]),
        ])
        let w = WallTime(nanosecondsSinceEpoch: 0)
        #expect(throws: AlarmEngine.CommandRefusal.unknownAlarm("nope")) { try e.command(.ack, alarm: "nope", at: at(0), wall: w) }
        #expect(throws: AlarmEngine.CommandRefusal.refused(.nothingToAcknowledge)) { try e.command(.ack, alarm: "hot", at: at(0), wall: w) }
        #expect(throws: AlarmEngine.CommandRefusal.notAllowed("locked", .shelve)) {
            try e.command(.shelve, alarm: "locked", shelveFor: .seconds(60), at: at(0), wall: w)
        }
        #expect(throws: AlarmEngine.CommandRefusal.refused(.shelveTooLong(maximum: .seconds(3600)))) {
            try e.command(.shelve, alarm: "hot", shelveFor: .seconds(7200), at: at(0), wall: w)
        }
        #expect(throws: AlarmEngine.CommandRefusal.refused(.notShelved)) { try e.command(.unshelve, alarm: "hot", at: at(0), wall: w) }
        let shelved = try e.command(.shelve, alarm: "hot", shelveFor: .seconds(600), at: at(0), wall: w)
        #expect(shelved.shelved)
        #expect(e.tick(at: at(599), wall: w).isEmpty)
        #expect(e.tick(at: at(600), wall: w).map(\.shelved) == [false])
    }

    @Test func chatteringIsFlagged() {
        let d = AlarmDefinition(
            name: "flappy", channel: .sensor("outdoor", quantity: "temperature"),
            threshold: .init(direction: .high, limit: 30), chatter: .init(activations: 3, window: .seconds(60)))
        var e = AlarmEngine([d])
        var flagged: [Bool] = []
        for i in 0..<4 {
            flagged += e.update([t(31, Double(i * 10))]).map(\.chattering)
            flagged += e.update([t(29, Double(i * 10 + 5))]).map(\.chattering)
        }
        #expect(flagged.contains(true))
        #expect(flagged.first == false)
    }

    @Test func badSamplesDoNotRaiseOrClear() {
        var e = AlarmEngine([Self.hot])
        _ = e.update([t(35, 0)])
        _ = e.update([t(35, 1)])
        #expect(e.update([t(nil, 2, quality: .bad)]).isEmpty)
        #expect(e.snapshots(wall: WallTime(nanosecondsSinceEpoch: 0)).first?.quality == .bad)
        #expect(e.snapshots(wall: WallTime(nanosecondsSinceEpoch: 0)).first?.state == .activeUnacknowledged)
    }
}
