import SenseCore
import SenseSimulator
import SenseTraffic
import Testing

/// The station against the simulated road, edge for edge: what it measures is compared with the
/// world's truth about every vehicle.
@Suite struct RoadStationTests {
    static let geometry = TrapGeometry(spacing: 4, detectorLength: 2)

    struct Run {
        var vehicles: [(lane: String, vehicle: Vehicle)] = []
        var summaries: [TrafficSummary] = []
        var passages: [RoadWorld.Passage] = []
    }

    /// Drives `world` for `seconds`, telling the station each zone edge (exactly stamped) and
    /// advancing it one second behind, as the daemon does.
    static func run(
        _ world: inout RoadWorld, station: inout TrafficStation, seconds: Double,
        alter: (RoadWorld.ZoneEdge) -> [RoadWorld.ZoneEdge] = { [$0] }
    ) -> Run {
        var r = Run()
        var t = 0.0
        while t < seconds {
            t += 0.5
            for e in world.advance(to: t) {
                for edge in alter(e) {
                    station.changed(
                        lane: edge.lane, detector: edge.zone == 0 ? .upstream : .downstream, occupied: edge.occupied,
                        at: instant(edge.time))
                }
            }
            let out = station.advance(to: instant(t - 1))
            r.vehicles += out.vehicles
            r.summaries += out.summaries
        }
        r.passages = world.takePassages()
        return r
    }

    static func instant(_ seconds: Double) -> MonotonicInstant { MonotonicInstant(nanoseconds: Int64((seconds * 1e9).rounded())) }

    static func station(lanes: Int, periods: [Duration] = [.seconds(60)], geometry: TrapGeometry = geometry) -> TrafficStation {
        TrafficStation(
            settings: StationSettings(
                name: "x", lanes: (0..<lanes).map { LaneSettings(name: "l\($0)", direction: "in", geometry: geometry) },
                periods: periods, faults: DetectorFaultSettings(expectedFrom: 0, expectedUntil: 0)),
            startedAt: instant(0), wallOffset: .seconds(1_700_000_000))
    }

    /// Each measured vehicle paired with the world's passage that arrived at the same instant.
    static func pair(_ r: Run, lane: Int) -> (pairs: [(Vehicle, RoadWorld.Passage)], phantoms: [Vehicle]) {
        var byTime: [Int64: RoadWorld.Passage] = [:]
        for p in r.passages where p.lane == lane { byTime[instant(p.frontAtUpstream).nanoseconds / 1000] = p }
        var pairs: [(Vehicle, RoadWorld.Passage)] = []
        var phantoms: [Vehicle] = []
        for (l, v) in r.vehicles where l == "l\(lane)" {
            let key = v.arrival.nanoseconds / 1000
            if let p = byTime[key] ?? byTime[key - 1] ?? byTime[key + 1] { pairs.append((v, p)) } else { phantoms.append(v) }
        }
        return (pairs, phantoms)
    }

    @Test func freeFlowSpeedsWithinOnePercentAndCountsExact() {
        var world = RoadWorld(
            settings: .init(scenario: .freeFlow, demand: 700, speedLimit: 60),
            lanes: [.init(spacing: 4, zoneLength: 2), .init(spacing: 4, zoneLength: 2)], seed: 7)
        var station = Self.station(lanes: 2)
        let r = Self.run(&world, station: &station, seconds: 1800)
        for lane in 0..<2 {
            let (pairs, phantoms) = Self.pair(r, lane: lane)
            let truth = r.passages.filter { $0.lane == lane && $0.frontAtUpstream < 1798 - 10 }
            let counted = pairs.filter { $0.1.frontAtUpstream < 1798 - 10 }
            #expect(phantoms.isEmpty)
            #expect(truth.count > 250, "lane \(lane): \(truth.count) vehicles")
            #expect(counted.count == truth.count, "lane \(lane)")
            for (v, p) in pairs {
                guard let speed = v.speed else {
                    Issue.record("no speed at \(v.arrival)")
                    continue
                }
                #expect(abs(speed - p.speedAtTrap) / p.speedAtTrap < 0.01, "\(speed * 3.6) vs \(p.speedAtTrap * 3.6) km/h")
                if let length = v.length { #expect(abs(length - p.length) < 0.25, "\(length) vs \(p.length) m") }
            }
            #expect(pairs.filter { $0.0.steady }.count >= pairs.count * 95 / 100)
        }
        // Interval counts add up to the vehicles, and the flows are what was counted.
        let lane0 = r.summaries.filter { $0.group == "l0" }
        #expect(lane0.allSatisfy { $0.quality == .good })
        #expect(
            lane0.compactMap(\.count).reduce(0, +) == r.vehicles.filter { $0.lane == "l0" }.count
                - r.vehicles.filter { $0.lane == "l0" && $0.vehicle.arrival >= lane0.last!.end }.count)
        let dir = r.summaries.filter { $0.scope == .direction }
        #expect(dir.count == lane0.count)
        for d in dir.dropFirst() {
            // 700 veh/h/ln at ~60 km/h is ~11.7 veh/km/ln, ~19 pc/mi/ln before trucks' equivalents:
            // C or D by the freeway thresholds, never F.
            #expect(d.los! >= .b && d.los! <= .d, "\(d.densityPcPerMileLane!)")
            #expect(abs(d.density! - d.flow! / d.speedSpaceMean!) < 1e-9)
            let lanes = r.summaries.filter { $0.scope == .lane && $0.end == d.end }
            #expect(abs(d.flow! - lanes.map { $0.flow! }.reduce(0, +)) < 1e-9)
            #expect(abs(d.occupancy! - lanes.map { $0.occupancy! }.reduce(0, +) / 2) < 1e-9)
            #expect(!d.congested)
        }
    }

    @Test func stopAndGoCountsWithinTwoPercentAndNoPhantoms() {
        var world = RoadWorld(
            settings: .init(scenario: .incident, demand: 700, episodeStart: 120, episodeLength: 600, speedLimit: 50),
            lanes: [.init(spacing: 4, zoneLength: 2)], seed: 11)
        var station = Self.station(lanes: 1)
        let r = Self.run(&world, station: &station, seconds: 2100)
        let (pairs, phantoms) = Self.pair(r, lane: 0)
        #expect(phantoms.isEmpty, "\(phantoms.count) phantom vehicles")
        let truth = r.passages.filter { $0.frontAtUpstream < 2080 }.count
        let counted = pairs.filter { $0.1.frontAtUpstream < 2080 }.count
        #expect(abs(counted - truth) <= max(1, truth * 2 / 100), "\(counted) counted of \(truth)")
        // The queue really stopped traffic over the detectors and the station said so.
        let minutes = r.summaries.filter { $0.scope == .lane }
        #expect(minutes.contains { ($0.occupancy ?? 0) > 0.4 }, "\(minutes.map { $0.occupancy ?? -1 })")
        #expect(minutes.contains { $0.congested })
        #expect(minutes.contains { $0.los == .f })
        #expect(!minutes.last!.congested, "the jam clears after the incident")
        // A wrong pairing would show as a speed far from the truth.
        let steady = pairs.filter { $0.0.steady }
        for (v, p) in steady where p.speedAtTrap > 2 { #expect(abs(v.speed! - p.speedAtTrap) / p.speedAtTrap < 0.1) }
    }
}
