// Throughput of a traffic station on one core: `swift run -c release sensegate-bench traffic`.
// A four-lane trap station (two detectors per lane) fed the exact zone edges of a simulated
// rush hour with an incident (RoadWorld, pre-computed so the road's own cost is not measured),
// advanced once per simulated second with 20 s, 1 min and 15 min periods: pairing, vehicle
// events, health checks and interval summaries. Prints detector edges per second, best of five.
import SenseCore
import SenseSimulator
import SenseTraffic

#if canImport(Glibc)
    import Glibc
#endif

enum TrafficBenchmark {
    static func run() {
        let layouts = Array(repeating: RoadWorld.LaneLayout(spacing: 4, zoneLength: 2), count: 4)
        var world = RoadWorld(
            settings: .init(
                scenario: .rushHour, demand: 600, peakDemand: 1500, episodeStart: 600, episodeLength: 3600,
                speedLimit: 60, incidentStart: 2400, incidentLength: 900), lanes: layouts, seed: 1)
        var seconds: [[RoadWorld.ZoneEdge]] = []
        for s in 1...5400 { seconds.append(world.advance(to: Double(s))) }
        let edges = seconds.map(\.count).reduce(0, +)
        let lanes = (0..<4).map {
            LaneSettings(name: "l\($0)", direction: $0 < 2 ? "in" : "out", geometry: TrapGeometry(spacing: 4, detectorLength: 2))
        }
        let settings = StationSettings(name: "bench", lanes: lanes, periods: [.seconds(20), .seconds(60), .seconds(900)])
        func t(_ s: Double) -> MonotonicInstant { MonotonicInstant(nanoseconds: Int64((s * 1e9).rounded())) }
        var best = 0.0
        var vehicles = 0, summaries = 0
        for _ in 0..<5 {
            var station = TrafficStation(settings: settings, startedAt: t(0), wallOffset: .seconds(1_795_406_839))
            vehicles = 0
            summaries = 0
            let start = SystemClock().monotonicNow
            for (s, batch) in seconds.enumerated() {
                for e in batch {
                    station.changed(lane: e.lane, detector: e.zone == 0 ? .upstream : .downstream, occupied: e.occupied, at: t(e.time))
                }
                let out = station.advance(to: t(Double(s) - 1))
                vehicles += out.vehicles.count
                summaries += out.summaries.count
            }
            let elapsed = (SystemClock().monotonicNow - start).seconds
            best = max(best, Double(edges) / elapsed)
        }
        print(
            "traffic station: \(edges) edges of 90 simulated minutes (4 lanes, rush hour and an incident), \(vehicles) vehicles, \(summaries) summaries"
        )
        print("best of 5: \(Int(best)) edges/s (\(Int(best / Double(edges) * 5400))x real time on one core)")
    }
}
