import SenseAnalysis
import SenseCore
import Testing

func at(_ s: Double) -> MonotonicInstant { MonotonicInstant(nanoseconds: 1_000_000_000_000 + Int64(s * 1e9)) }

@Suite struct ThresholdTests {
    @Test func hysteresisAsInVectorD1Hyst01() {
        let samples = [30.0, 35.5, 34.0, 36.0, 33.0, 32.0, 35.4]
        var withDeadband = Threshold(.init(direction: .high, limit: 35.5, deadband: 2.5))
        #expect(
            samples.enumerated().map { withDeadband.update($1, at: at(Double($0))) }
                == [false, true, true, true, false, false, false])
        var without = Threshold(.init(direction: .high, limit: 35.5))
        #expect(
            samples.enumerated().map { without.update($1, at: at(Double($0))) }
                == [false, true, false, true, false, false, false])
    }

    @Test func onAndOffDelaysAsInVectorD1Delay01() {
        let samples: [Double] = [10, 60, 60, 10, 60, 60, 60, 60, 10, 10, 10]
        var t = Threshold(.init(direction: .high, limit: 50, onDelay: .samples(3), offDelay: .samples(2)))
        #expect(
            samples.enumerated().map { t.update($1, at: at(Double($0))) }
                == [false, false, false, false, false, false, true, true, true, false, false])
    }

    @Test func timeDelaysNeedTheConditionToHoldContinuously() {
        var t = Threshold(.init(direction: .high, limit: 50, onDelay: .time(.seconds(30))))
        // 60 at 0 and 20 s, interrupted at 25 s, then 60 from 30 s: active only 30 s after that.
        let states = [(60.0, 0.0), (60, 20), (40, 25), (60, 30), (60, 55), (60, 60)].map { t.update($0.0, at: at($0.1)) }
        #expect(states == [false, false, false, false, false, true])
    }

    @Test func lowLimitsMirror() {
        var t = Threshold(.init(direction: .low, limit: 5, deadband: 1))
        #expect([6.0, 5, 5.5, 6, 4].enumerated().map { t.update($1, at: at(Double($0))) } == [false, true, true, false, true])
    }

    @Test func badSamplesChangeNothingAndRestartQualification() {
        var t = Threshold(.init(direction: .high, limit: 50, onDelay: .samples(2)))
        var states = [t.update(60, at: at(0))]
        states.append(t.update(nil, quality: .bad, at: at(1)))
        states.append(t.update(60, at: at(2)))  // counting restarted after the fault
        states.append(t.update(60, at: at(3)))
        states.append(t.update(nil, quality: .bad, at: at(4)))  // a fault does not clear an active limit
        #expect(states == [false, false, false, true, true])
    }
}

@Suite struct AlarmTests {
    @Test func stateMachineAsInVectorD2Isa01() throws {
        var a = Alarm()
        var states: [Alarm.State] = []
        a.condition(true, at: at(0))
        states.append(a.state)
        a.condition(false, at: at(1))
        states.append(a.state)
        a.condition(true, at: at(2))
        states.append(a.state)
        try a.acknowledge(at: at(3))
        states.append(a.state)
        a.condition(false, at: at(4))
        states.append(a.state)
        #expect(states == [.activeUnacknowledged, .clearedUnacknowledged, .activeUnacknowledged, .activeAcknowledged, .normal])
        #expect(a.since == at(4))
    }

    @Test func acknowledgingAClearedAlarmReturnsItToNormal() throws {
        var a = Alarm()
        a.condition(true, at: at(0))
        a.condition(false, at: at(1))
        let acknowledged = try a.acknowledge(at: at(2))
        #expect(acknowledged == .normal)
        #expect(throws: Alarm.Refusal.nothingToAcknowledge) { try a.acknowledge(at: at(3)) }
    }

    @Test func unchangedConditionsAreNotTransitions() {
        var a = Alarm()
        let changes = [a.condition(false, at: at(0)), a.condition(true, at: at(1)), a.condition(true, at: at(2))]
        #expect(changes == [nil, .activeUnacknowledged, nil])
    }

    @Test func shelvingExpiresAndIsBounded() throws {
        var a = Alarm(maximumShelve: .seconds(3600))
        #expect(throws: Alarm.Refusal.shelveTooLong(maximum: .seconds(3600))) { try a.shelve(for: .seconds(7200), at: at(0)) }
        try a.shelve(for: .seconds(600), at: at(0))
        let shelved = [a.isShelved(at: at(599)), a.isShelved(at: at(600))]
        #expect(shelved == [true, false])
        #expect(throws: Alarm.Refusal.notShelved) { try a.unshelve() }
    }

    @Test func chatteringAsInVectorD2Chatter01() {
        let times = [0.0, 15, 35, 50, 200].map(at)
        #expect(Alarm.maximumInWindow(times, window: .seconds(60)) == 4)
        var a = Alarm(chatter: .init(activations: 3, window: .seconds(60)))
        for t in times.prefix(4) {
            a.condition(true, at: t)
            a.condition(false, at: t + .seconds(5))
        }
        #expect(a.isChattering(at: at(55)))
        #expect(!a.isChattering(at: at(200)))
    }

    @Test func floodAsInVectorD2Flood01() {
        // More than 10 alarms in 10 minutes is a flood for one operator.
        let times = stride(from: 0.0, through: 550, by: 50).map(at)
        #expect(Alarm.maximumInWindow(times, window: .seconds(600)) == 12)
        #expect(Alarm.maximumInWindow(times, window: .seconds(600)) > 10)
    }
}
