#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A road past a traffic station: vehicles arrive in each lane at a rate that follows the
/// scenario, drive by the Intelligent Driver Model (Treiber, Hennecke & Helbing 2000) — free
/// driving, following, queueing and stop-and-go — and occupy the detection zones of the lane's
/// detectors. Each zone's edges are solved exactly from the motion within a step (constant
/// acceleration), so they are true to the nanosecond at any step size. Deterministic for a seed.
package struct RoadWorld: Sendable {
    package enum Scenario: String, Sendable, Hashable, CaseIterable {
        /// Steady light traffic at the demand rate.
        case freeFlow = "free_flow"
        /// Demand rises from the base rate to the peak and falls back over the episode.
        case rushHour = "rush_hour"
        /// At the demand rate; during the episode a blockage downstream of the station lets
        /// traffic through only part of the time, so a queue backs up over the detectors
        /// (stop-and-go), then discharges when it clears.
        case incident
    }

    package struct Settings: Sendable, Hashable {
        package var scenario: Scenario
        /// Vehicles per hour per lane outside the episode.
        package var demand: Double
        /// Rush hour's peak, vehicles per hour per lane.
        package var peakDemand: Double
        /// The episode (rush hour, incident), seconds after the world starts, and its length.
        package var episodeStart: Double
        package var episodeLength: Double
        /// Mean desired speed, km/h (drivers' own speeds scatter ±10 % around it).
        package var speedLimit: Double
        /// An incident on top of any scenario (the `incident` scenario has one over its episode):
        /// when it begins, how long it lasts, and the lanes it blocks (nil: all).
        package var incidentStart: Double?
        package var incidentLength: Double
        package var incidentLanes: Set<Int>?

        package init(
            scenario: Scenario = .freeFlow, demand: Double = 500, peakDemand: Double = 1500, episodeStart: Double = 300,
            episodeLength: Double = 1200, speedLimit: Double = 50, incidentStart: Double? = nil, incidentLength: Double = 600,
            incidentLanes: Set<Int>? = nil
        ) {
            self.scenario = scenario
            self.demand = demand
            self.peakDemand = peakDemand
            self.episodeStart = episodeStart
            self.episodeLength = episodeLength
            self.speedLimit = speedLimit
            self.incidentStart = incidentStart
            self.incidentLength = incidentLength
            self.incidentLanes = incidentLanes
        }
    }

    /// A lane's detectors: the upstream zone begins `stationPosition` metres down the road; the
    /// second begins `spacing` later (spacing 0: a single detector); both are `zoneLength` long.
    package struct LaneLayout: Sendable, Hashable {
        package var spacing: Double
        package var zoneLength: Double
        package init(spacing: Double, zoneLength: Double) {
            self.spacing = spacing
            self.zoneLength = zoneLength
        }
    }

    /// A change of a detection zone's occupancy (any vehicle on it), at seconds since the world began.
    package struct ZoneEdge: Sendable, Hashable {
        package var lane: Int
        /// 0 upstream, 1 downstream.
        package var zone: Int
        package var time: Double
        package var occupied: Bool
    }

    /// The truth about one vehicle's passage, for tests: when its front reached each zone, its
    /// speed as its front passed the middle of the trap, its length.
    package struct Passage: Sendable, Hashable {
        package var lane: Int
        package var frontAtUpstream: Double
        package var speedAtTrap: Double
        package var length: Double
    }

    struct Car: Sendable {
        var x: Double
        var v: Double
        var desired: Double
        var length: Double
        var crossed: Set<Int> = []  // targets already passed (see `targets`)
        var times: [Int: Double] = [:]
    }

    struct Lane: Sendable {
        var layout: LaneLayout
        var cars: [Car] = []  // front of the road first
        var waiting = 0  // arrived but not yet room to enter
        var nextArrival: Double
        var occupancy = [0, 0]
    }

    package static let roadLength = 400.0
    package static let stationPosition = 200.0
    /// Where the incident's blockage stands.
    package static let blockagePosition = 320.0
    package static let step = 0.1

    // IDM parameters for urban cars: max acceleration, comfortable deceleration, time headway,
    // jam distance (≥ 3 m, so a stopped queue leaves each 2 m zone free between vehicles).
    static let acceleration = 1.5, deceleration = 2.0, timeHeadway = 1.2, jamDistance = 3.0

    package let settings: Settings
    package private(set) var time = 0.0
    private var lanes: [Lane]
    private var rng: SplitMix64
    private var edges: [ZoneEdge] = []
    private var passages: [Passage] = []

    package init(settings: Settings, lanes layouts: [LaneLayout], seed: UInt64) {
        self.settings = settings
        rng = SplitMix64(seed: seed ^ 0x726F_6164)
        lanes = layouts.map { Lane(layout: $0, nextArrival: 0) }
        for i in lanes.indices { lanes[i].nextArrival = nextGap(at: 0) }
    }

    /// Vehicles per hour per lane wanting to pass at `t`.
    package func demand(at t: Double) -> Double {
        guard settings.scenario == .rushHour else { return settings.demand }
        let u = (t - settings.episodeStart) / settings.episodeLength
        guard u > 0, u < 1 else { return settings.demand }
        let bell = sin(Double.pi * u)
        return settings.demand + (settings.peakDemand - settings.demand) * bell * bell
    }

    /// Whether the incident's blockage stops traffic in `lane` at `t`: while it lasts, closed 30 s of every 40 s.
    package func blocked(lane: Int, at t: Double) -> Bool {
        let (start, length): (Double, Double)
        if settings.scenario == .incident {
            (start, length) = (settings.episodeStart, settings.episodeLength)
        } else if let s = settings.incidentStart, settings.incidentLanes?.contains(lane) ?? true {
            (start, length) = (s, settings.incidentLength)
        } else {
            return false
        }
        guard t >= start, t < start + length else { return false }
        return (t - start).truncatingRemainder(dividingBy: 40) < 30
    }

    /// Runs the world to `until` (seconds since it began); returns the zone edges in that span, in time order.
    package mutating func advance(to until: Double) -> [ZoneEdge] {
        while time + Self.step <= until + 1e-9 { stepOnce() }
        defer { edges.removeAll(keepingCapacity: true) }
        return edges.sorted { ($0.time, $0.lane, $0.zone) < ($1.time, $1.lane, $1.zone) }
    }

    /// The passages recorded since the last call.
    package mutating func takePassages() -> [Passage] {
        defer { passages.removeAll(keepingCapacity: true) }
        return passages
    }

    /// Vehicles currently on the road (for bounds and tests).
    package var vehiclesOnRoad: Int { lanes.map(\.cars.count).reduce(0, +) }

    // MARK: the motion

    private mutating func stepOnce() {
        let dt = Self.step
        let t0 = time
        for i in lanes.indices {
            while lanes[i].nextArrival <= t0 + dt {
                lanes[i].waiting += 1
                lanes[i].nextArrival += nextGap(at: lanes[i].nextArrival)
            }
            enter(lane: i)
            var cars = lanes[i].cars
            let wall = blocked(lane: i, at: t0) ? Self.blockagePosition : nil
            var accelerations: [Double] = []
            for k in cars.indices {
                var leader: (x: Double, v: Double, length: Double)? = k > 0 ? (cars[k - 1].x, cars[k - 1].v, cars[k - 1].length) : nil
                // A driver who can no longer stop at 4 m/s² before the blockage closes goes through.
                if let wall, cars[k].x < wall - 0.5, cars[k].v * cars[k].v / 8 < wall - cars[k].x,
                    leader.map({ $0.x - $0.length > wall }) ?? true
                {
                    leader = (wall, 0, 0)
                }
                accelerations.append(Self.idm(cars[k], leader: leader))
            }
            for k in cars.indices {
                let before = cars[k]
                var a = accelerations[k]
                var tau = dt
                if before.v + a * dt < 0 {  // stops within the step
                    tau = -before.v / a
                }
                if tau <= 0 {
                    a = 0
                    tau = dt
                }
                cars[k].x = before.x + before.v * tau + 0.5 * a * tau * tau
                cars[k].v = max(0, before.v + a * tau)
                if tau < dt { cars[k].v = 0 }
                crossings(lane: i, car: &cars[k], from: before, acceleration: a, stopAfter: tau, t0: t0)
            }
            cars.removeAll { $0.x - $0.length > Self.roadLength }
            lanes[i].cars = cars
        }
        time = t0 + dt
    }

    /// IDM acceleration towards the leader (or free road).
    static func idm(_ car: Car, leader: (x: Double, v: Double, length: Double)?) -> Double {
        let free = 1 - pow(car.v / car.desired, 4)
        guard let l = leader else { return acceleration * free }
        let s = max(0.1, l.x - l.length - car.x)
        let sStar = jamDistance + max(0, car.v * timeHeadway + car.v * (car.v - l.v) / (2 * (acceleration * deceleration).squareRoot()))
        return acceleration * (free - (sStar / s) * (sStar / s))
    }

    /// A waiting vehicle enters at the start of the road when there is room, at a speed it can keep.
    private mutating func enter(lane i: Int) {
        guard lanes[i].waiting > 0 else { return }
        let desired = settings.speedLimit / 3.6 * (0.9 + 0.2 * rng.unit())
        let length = drawLength()
        var speed = desired
        if let last = lanes[i].cars.last {
            let space = last.x - last.length
            guard space > Self.jamDistance + 2 else { return }
            // The speed whose IDM safe gap fits the space behind the last vehicle.
            speed = min(desired, max(0, (space - Self.jamDistance) / (Self.timeHeadway + 0.3)), last.v + 2)
        }
        lanes[i].cars.append(Car(x: 0, v: speed, desired: desired, length: length))
        lanes[i].waiting -= 1
    }

    /// The fleet: 3 % motorcycles, 83 % cars, 10 % vans and single-unit trucks, 4 % articulated trucks.
    private mutating func drawLength() -> Double {
        let u = rng.unit(), w = rng.unit()
        switch u {
        case ..<0.03: return 2.0 + 0.3 * w
        case ..<0.86: return 3.8 + 1.4 * w
        case ..<0.96: return 6.5 + 3.5 * w
        default: return 15.5 + 2.0 * w
        }
    }

    /// Exponential inter-arrival time at the rate of the moment (a Poisson stream).
    private mutating func nextGap(at t: Double) -> Double {
        -log(max(1e-12, 1 - rng.unit())) * 3600 / max(1, demand(at: t))
    }

    /// The instants within this step at which the front or the rear crosses a zone's boundary.
    /// Targets: 0/1 front reaches upstream/downstream zone, 2/3 rear leaves them, 4 front at the trap's middle.
    private mutating func crossings(lane i: Int, car: inout Car, from before: Car, acceleration a: Double, stopAfter tau: Double, t0: Double) {
        let layout = lanes[i].layout
        let start = Self.stationPosition
        let zones = layout.spacing > 0 ? [start, start + layout.spacing] : [start]
        var targets: [(Int, Double)] = []
        for (z, x) in zones.enumerated() {
            targets.append((z, x))  // front enters
            targets.append((2 + z, x + layout.zoneLength + car.length))  // rear leaves (front position)
        }
        targets.append((4, start + max(layout.spacing, 0) / 2))
        for (id, x) in targets where !car.crossed.contains(id) && car.x >= x && before.x < x {
            guard let dt = Self.timeToReach(x - before.x, v: before.v, a: a, limit: tau) else { continue }
            let t = t0 + dt
            car.crossed.insert(id)
            car.times[id] = t
            switch id {
            case 0, 1: zoneChange(lane: i, zone: id, at: t, entering: true)
            case 2, 3: zoneChange(lane: i, zone: id - 2, at: t, entering: false)
            default:
                passages.append(Passage(lane: i, frontAtUpstream: car.times[0] ?? t, speedAtTrap: before.v + a * dt, length: car.length))
            }
        }
    }

    private mutating func zoneChange(lane i: Int, zone: Int, at t: Double, entering: Bool) {
        let was = lanes[i].occupancy[zone]
        lanes[i].occupancy[zone] += entering ? 1 : -1
        let now = lanes[i].occupancy[zone]
        if (was == 0) != (now == 0) { edges.append(ZoneEdge(lane: i, zone: zone, time: t, occupied: now > 0)) }
    }

    /// The time to cover `distance` from speed v at constant acceleration a (within `limit`).
    static func timeToReach(_ distance: Double, v: Double, a: Double, limit: Double) -> Double? {
        let t: Double
        if abs(a) < 1e-12 {
            guard v > 0 else { return nil }
            t = distance / v
        } else {
            let disc = v * v + 2 * a * distance
            guard disc >= 0 else { return nil }
            t = (-v + disc.squareRoot()) / a
        }
        return min(max(t, 0), limit)
    }
}
