import SenseCore
import SenseDrivers
import Testing

@Suite struct DebouncerTests {
    static func t(_ ms: Int64) -> MonotonicInstant { MonotonicInstant(nanoseconds: 1_000_000_000 + ms * 1_000_000) }

    @Test func bounceIsRemovedAndTheChangeKeepsItsFirstEdgeTime() {
        var d = Debouncer(initialLevel: false, holdTime: .milliseconds(20))
        // A closing contact: 0.3 ms pulses for 2 ms, then it stays closed.
        #expect(d.edge(level: true, at: Self.t(0)) == nil)
        #expect(d.edge(level: false, at: Self.t(0) + .microseconds(300)) == nil)
        #expect(d.edge(level: true, at: Self.t(0) + .microseconds(700)) == nil)
        #expect(d.edge(level: false, at: Self.t(1)) == nil)
        #expect(d.edge(level: true, at: Self.t(2)) == nil)
        #expect(d.settle(at: Self.t(21)) == nil)  // only 19 ms since the last edge
        let c = d.settle(at: Self.t(22))
        #expect(c?.level == true)
        #expect(c?.at == Self.t(2))  // the edge that stuck
        #expect(d.stableLevel)
        #expect(d.pendingDeadline == nil)
    }

    @Test func aGlitchShorterThanTheHoldTimeIsIgnored() {
        var d = Debouncer(initialLevel: true, holdTime: .milliseconds(50))
        #expect(d.edge(level: false, at: Self.t(0)) == nil)
        #expect(d.edge(level: true, at: Self.t(10)) == nil)  // back to stable: nothing pending
        #expect(d.pendingDeadline == nil)
        #expect(d.settle(at: Self.t(1000)) == nil)
        #expect(d.stableLevel)
    }

    @Test func aNewEdgeConfirmsThePreviousLevelIfItHeld() {
        var d = Debouncer(initialLevel: false, holdTime: .milliseconds(5))
        #expect(d.edge(level: true, at: Self.t(0)) == nil)
        let c = d.edge(level: false, at: Self.t(100))  // held 100 ms: confirmed now
        #expect(c?.level == true && c?.at == Self.t(0))
        #expect(d.pendingDeadline == Self.t(105))
    }

    @Test func zeroHoldTimeReportsEveryEdge() {
        var d = Debouncer(initialLevel: false, holdTime: .zero)
        #expect(d.edge(level: true, at: Self.t(1))?.level == true)
        #expect(d.edge(level: false, at: Self.t(2))?.level == false)
    }
}
