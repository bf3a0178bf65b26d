import SenseCore
import SenseSimulator
import SenseTraffic
import Testing

/// The trap's pairing on its own: exact pulses of known vehicles, then the same with pulses
/// missed, split or added, in light and in dense traffic.
@Suite struct SpeedTrapTests {
    static let geometry = TrapGeometry(spacing: 4, detectorLength: 2)

    struct Truth {
        var arrival: Double  // s
        var speed: Double  // m/s
        var length: Double  // m
    }

    static func t(_ s: Double) -> MonotonicInstant { MonotonicInstant(nanoseconds: Int64((s * 1e9).rounded())) }

    /// The pulses a vehicle at constant speed makes on each zone.
    static func pulses(_ v: Truth, geometry g: TrapGeometry = geometry) -> (DetectorPulse, DetectorPulse) {
        let on = (g.detectorLength + v.length) / v.speed
        let up = DetectorPulse(on: t(v.arrival), off: t(v.arrival + on))
        let down = DetectorPulse(on: t(v.arrival + g.spacing / v.speed), off: t(v.arrival + g.spacing / v.speed + on))
        return (up, down)
    }

    /// Feeds pulses to a trap the way the station does (each detector in order, interleaved by
    /// time) and resolves at the end.
    static func run(_ up: [DetectorPulse], _ down: [DetectorPulse], geometry: TrapGeometry = geometry) -> [SpeedTrap.Outcome] {
        var trap = SpeedTrap(geometry: geometry)
        enum Event { case complete(DetectorRole, DetectorPulse), downstreamOn(MonotonicInstant) }
        let events: [(MonotonicInstant, Event)] =
            up.map { ($0.off, .complete(.upstream, $0)) }
            + down.flatMap { [($0.on, Event.downstreamOn($0.on)), ($0.off, .complete(.downstream, $0))] }
        var out: [SpeedTrap.Outcome] = []
        for (time, event) in events.sorted(by: { $0.0 < $1.0 }) {
            switch event {
            case let .complete(role, p): trap.add(p, from: role)
            case let .downstreamOn(at): trap.downstreamOccupied(since: at)
            }
            out += trap.resolve(upTo: time)
        }
        out += trap.resolve(upTo: t(1e6))
        return out
    }

    /// A stream of vehicles with random speeds and lengths, fronts at least `minHeadway` apart,
    /// none catching up with the one ahead on the trap (each zone holds one vehicle at a time).
    static func traffic(count: Int, speeds: ClosedRange<Double>, minHeadway: Double, seed: UInt64) -> [Truth] {
        var rng = SplitMix64(seed: seed)
        var earliest = 1.0
        var previous: (DetectorPulse, DetectorPulse)?
        return (0..<count).map { _ in
            let length = rng.unit() < 0.05 ? 1.9 + 0.4 * rng.unit() : (rng.unit() < 0.1 ? 8 + 10 * rng.unit() : 3.8 + 1.5 * rng.unit())
            let speed = speeds.lowerBound + (speeds.upperBound - speeds.lowerBound) * rng.unit()
            var t = earliest + rng.unit() * 2
            if let (a, b) = previous {
                t = max(t, Double(a.off.nanoseconds) / 1e9 + 0.3, Double(b.off.nanoseconds) / 1e9 + 0.3 - geometry.spacing / speed)
            }
            let v = Truth(arrival: t, speed: speed, length: length)
            previous = pulses(v)
            earliest = t + minHeadway
            return v
        }
    }

    @Test func everyVehicleOfASteadyStreamIsPairedWithItsOwnPulses() {
        let truth = Self.traffic(count: 500, speeds: 8...35, minHeadway: 0.8, seed: 3)
        let (up, down) = (truth.map { Self.pulses($0).0 }, truth.map { Self.pulses($0).1 })
        let out = Self.run(up, down)
        #expect(out.count == 500)
        for (o, v) in zip(out, truth) {
            guard case let .matched(a, b) = o else {
                Issue.record("not matched: \(o)")
                continue
            }
            #expect(a.on == Self.t(v.arrival))
            let vehicle = Vehicle(matched: a, b, geometry: Self.geometry, classes: .standard)
            #expect(abs(vehicle.speed! - v.speed) / v.speed < 1e-6)
            #expect(abs(vehicle.length! - v.length) < 1e-6)
        }
    }

    @Test func motorcyclesShorterThanTheGapArePairedToo() {
        // 1.9 m long: never on both 2 m zones 2 m apart at once.
        let truth = (0..<20).map { Truth(arrival: Double($0) * 3 + 1, speed: 10 + Double($0), length: 1.9) }
        let out = Self.run(truth.map { Self.pulses($0).0 }, truth.map { Self.pulses($0).1 })
        #expect(out.count == 20)
        #expect(out.allSatisfy { if case .matched = $0 { true } else { false } })
    }

    @Test func missedAndExtraPulsesAreCountedNeverInvented() {
        let truth = Self.traffic(count: 2000, speeds: 2...30, minHeadway: 0.6, seed: 5)
        var rng = SplitMix64(seed: 9)
        var up: [DetectorPulse] = [], down: [DetectorPulse] = []
        var missedUp = 0, missedDown = 0
        for v in truth {
            let (a, b) = Self.pulses(v)
            if rng.unit() < 0.02 { missedUp += 1 } else { up.append(a) }
            if rng.unit() < 0.02 { missedDown += 1 } else { down.append(b) }
        }
        // Spurious short pulses downstream between vehicles (crosstalk from the next lane).
        var extra = 0
        for (p, q) in zip(down, down.dropFirst()).map({ ($0, $1) }) where (q.on - p.off) > .milliseconds(200) && rng.unit() < 0.01 {
            let mid = p.off + .nanoseconds((q.on - p.off).nanoseconds / 2)
            down.append(DetectorPulse(on: mid, off: mid + .milliseconds(40)))
            extra += 1
        }
        down.sort { $0.on < $1.on }
        #expect(extra > 5)
        let out = Self.run(up, down)
        var matched = 0, upOnly = 0, downOnly = 0
        for o in out {
            switch o {
            case let .matched(a, b):
                matched += 1
                // A pair is right only if both pulses belong to the same true vehicle.
                let v = truth.first { Self.t($0.arrival) == a.on }!
                #expect(Self.pulses(v).1 == b, "wrong pair at \(a.on)")
            case .upstreamOnly: upOnly += 1
            case .downstreamOnly: downOnly += 1
            }
        }
        #expect(matched + upOnly == up.count, "every upstream pulse is one vehicle, once")
        #expect(matched + downOnly == down.count)
        #expect(matched >= truth.count - missedUp - missedDown)
    }

    @Test func denseQueueCreepingOverTheTrapKeepsOrder() {
        // Stop-and-go: 2–6 km/h, fronts 1.5 s apart at least: several vehicles are between
        // upstream and downstream edges at once.
        let truth = Self.traffic(count: 300, speeds: 0.6...1.7, minHeadway: 1.5, seed: 13)
        let out = Self.run(truth.map { Self.pulses($0).0 }, truth.map { Self.pulses($0).1 })
        let arrivals = out.compactMap { o -> MonotonicInstant? in if case let .matched(a, _) = o { a.on } else { nil } }
        #expect(arrivals.count == 300)
        #expect(arrivals == truth.map { Self.t($0.arrival) })
    }

    @Test func aPairTooSlowOrInconsistentIsNotForced() {
        // The downstream pulse comes 20 s later: slower than the slowest matched speed (3 km/h over 4 m = 4.8 s).
        let a = DetectorPulse(on: Self.t(1), off: Self.t(1.3))
        let b = DetectorPulse(on: Self.t(21), off: Self.t(21.3))
        #expect(Set(Self.run([a], [b])) == [.upstreamOnly(a), .downstreamOnly(b)])
    }
}
