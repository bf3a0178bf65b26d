import SenseCore
import SenseReaction
import Testing

func at(_ s: Double) -> MonotonicInstant { MonotonicInstant(nanoseconds: 1_000_000_000_000 + Int64(s * 1e9)) }

@Suite struct ActuatorTests {
    @Test func ruleTurnsOnAndOffAndSaysWhy() {
        var a = Actuator(.init(), at: at(0))
        let on = a.setRule((true, "flood_warning"), at: at(1))
        #expect(on == Actuator.Change(level: true, source: .rule, detail: "flood_warning", at: at(1)))
        let off = a.setRule(nil, at: at(2))
        #expect(off?.level == false && off?.source == .default)
    }

    @Test func minimumOffAppliesFromStartToo() {
        // After a restart the time the output was off is unknown: protect the equipment.
        var a = Actuator(.init(minimumOff: .seconds(30)), at: at(0))
        #expect(a.setRule((true, "r"), at: at(5)) == nil)
        #expect(a.evaluate(at: at(30))?.level == true)
    }

    @Test func minimumOnAndOffTimesHold() {
        var a = Actuator(.init(minimumOn: .seconds(10), minimumOff: .seconds(30)), at: at(-100))
        #expect(a.setRule((true, "r"), at: at(0))?.level == true)
        #expect(a.setRule(nil, at: at(3)) == nil)  // held on for 10 s
        #expect(a.nextDeadline(after: at(3)) == at(10))
        #expect(a.evaluate(at: at(10))?.level == false)
        #expect(a.setRule((true, "r"), at: at(15)) == nil)  // held off for 30 s
        #expect(a.nextDeadline(after: at(15)) == at(40))
        #expect(a.evaluate(at: at(40))?.level == true)
        // Once a limit has passed it is no deadline (the reaction timer would spin on it).
        #expect(a.setRule(nil, at: at(100))?.level == false)
        #expect(a.nextDeadline(after: at(100)) == at(130))
        #expect(a.nextDeadline(after: at(131)) == nil)
    }

    @Test func failsafeOverridesEverythingIncludingMinimumTimes() {
        var a = Actuator(.init(failsafe: false, minimumOn: .seconds(60)), at: at(0))
        _ = a.setRule((true, "r"), at: at(0))
        let f = a.setFailsafe(true, reason: "shutting down", at: at(1))
        #expect(f?.level == false && f?.source == .failsafe && f?.detail == "shutting down")
        #expect(a.setRule((true, "r"), at: at(2)) == nil)  // a rule cannot beat failsafe
        let manual: Actuator.Change?? = try? a.override(true, for: .seconds(10), detail: "op", at: at(3))
        #expect(manual == .some(nil))
    }

    @Test func failsafeCanBeOn() {
        var a = Actuator(.init(failsafe: true), at: at(0))  // e.g. a spillway gate that must open
        #expect(a.setFailsafe(true, reason: "bad input", at: at(1))?.level == true)
        #expect(a.setFailsafe(false, reason: "", at: at(2))?.level == false)
    }

    @Test func manualOverrideBeatsARuleAndExpires() throws {
        var a = Actuator(.init(maximumOverride: .seconds(600)), at: at(0))
        _ = a.setRule((true, "r"), at: at(0))
        let off = try a.override(false, for: .seconds(60), detail: "maintenance", at: at(5))
        #expect(off?.level == false && off?.source == .manual && off?.detail == "maintenance")
        #expect(a.nextDeadline(after: at(0)) == at(65))
        let back = a.evaluate(at: at(65))
        #expect(back?.level == true && back?.source == .rule)
        #expect(throws: Actuator.Refusal.overrideTooLong(maximum: .seconds(600))) {
            _ = try a.override(true, for: .seconds(601), detail: "x", at: at(70))
        }
        #expect(throws: Actuator.Refusal.notOverridden) { _ = try a.release(at: at(70)) }
    }

    @Test func pulse() throws {
        var a = Actuator(.init(), at: at(0))
        #expect(try a.override(true, for: .seconds(2), detail: "pulse 2 s", at: at(1))?.level == true)
        #expect(a.evaluate(at: at(2)) == nil)
        #expect(a.evaluate(at: at(3))?.level == false)
    }

    @Test func maximumOnForcesOffUntilTheRequestIsReleased() {
        var a = Actuator(.init(maximumOn: .seconds(600)), at: at(0))
        _ = a.setRule((true, "pump_when_high"), at: at(0))
        #expect(a.nextDeadline(after: at(0)) == at(600))
        let forced = a.evaluate(at: at(600))
        #expect(forced?.level == false && forced?.source == .maxOn)
        #expect(a.evaluate(at: at(700)) == nil)  // stays off while the rule still asks
        #expect(a.setRule(nil, at: at(800)) == nil)  // released: latch ends, output already off
        #expect(a.setRule((true, "pump_when_high"), at: at(900))?.level == true)
    }
}

@Suite struct ActuatorBankTests {
    @Test func exclusiveActuatorsAreNeverOnTogether() throws {
        var bank = ActuatorBank([("plan_a", .init()), ("plan_b", .init())], exclusive: [["plan_a", "plan_b"]], at: at(0))
        #expect(bank.setRule("plan_a", (true, "normal"), at: at(1)).map(\.actuator) == ["plan_a"])
        #expect(bank.setRule("plan_b", (true, "congestion"), at: at(2)).isEmpty)  // interlocked
        #expect(bank.actuator("plan_b")?.level == false && bank.actuator("plan_b")?.source == .interlock)
        #expect(throws: ActuatorBank.Refusal.interlocked("plan_b", by: "plan_a")) {
            _ = try bank.override("plan_b", level: true, for: nil, detail: "op", at: at(3))
        }
        // Releasing A lets B, which still asks, come on: one change each, never both on.
        let events = bank.setRule("plan_a", nil, at: at(4))
        #expect(events.map { "\($0.actuator)=\($0.change.level)" } == ["plan_a=false", "plan_b=true"])
        #expect(bank.actuator("plan_b")?.source == .rule)
    }

    @Test func failsafeForAllAndUnknownNames() {
        var bank = ActuatorBank([("siren", .init(failsafe: false)), ("gate", .init(failsafe: true))], exclusive: [], at: at(0))
        _ = bank.setRule("siren", (true, "r"), at: at(1))
        let events = bank.setFailsafe(true, reason: "SIGTERM", at: at(2))
        #expect(Set(events.map { "\($0.actuator)=\($0.change.level)" }) == ["siren=false", "gate=true"])
        #expect(throws: ActuatorBank.Refusal.unknownActuator("pump")) { _ = try bank.release("pump", at: at(3)) }
    }

    /// A failsafe whose cause changes while the output stays there (no reading yet, then a hold
    /// until the input has been good long enough) says the current cause, without an event.
    @Test func aFailsafesReasonFollowsItsCause() {
        var bank = ActuatorBank([("fan", .init(failsafe: false))], exclusive: [], at: at(0))
        let first = bank.setFailsafe([("fan", "no reading yet from cabinet.temperature")], at: at(1))
        #expect(first.isEmpty, "already off: no change of level")
        #expect(bank.actuator("fan")?.detail == "no reading yet from cabinet.temperature")
        let later = bank.setFailsafe([("fan", "no reading yet from cabinet.temperature; holding until good for 30s")], at: at(5))
        #expect(later.isEmpty)
        #expect(bank.actuator("fan")?.detail == "no reading yet from cabinet.temperature; holding until good for 30s")
        #expect(bank.actuator("fan")?.isFailsafe == true)
    }
}
