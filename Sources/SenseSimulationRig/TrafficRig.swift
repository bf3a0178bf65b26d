import Logging
import SenseConfig
import SenseCore
import SenseHardware
import SenseSimulator

/// The road past each traffic station on the simulated board: a `RoadWorld` per station whose
/// zone edges drive the detector lines, each stamped at the instant the world solved for it and
/// delivered when the world's clock gets there, with the configured detector faults.
struct TrafficRig: Sendable {
    struct Detector: Sendable {
        var chip: SimulatedGPIOChip
        var offset: Int
        var activeLow: Bool
        var name: String  // STATION.LANE.upstream|downstream
    }

    struct Station: Sendable {
        var name: String
        var settings: RoadWorld.Settings
        var layouts: [RoadWorld.LaneLayout]
        /// Per lane: upstream, then downstream if any.
        var detectors: [[Detector]]
    }

    let stations: [Station]
    let faults: [TrafficSimulation.DetectorFault]

    init(config: SensegateConfig, simulation: SimulationConfig, hardware: SimulatedHardware) {
        let t = simulation.traffic
        stations = config.sensors.compactMap { sensor in
            guard case let .traffic(o) = sensor.kind else { return nil }
            var settings = RoadWorld.Settings(
                scenario: SimulationRig.world(t.scenario), demand: t.demand, peakDemand: t.peakDemand, episodeStart: t.after.seconds,
                episodeLength: t.duration.seconds, speedLimit: t.speedLimit)
            if let incident = t.incident {
                settings.incidentStart = incident.after.seconds
                settings.incidentLength = incident.duration.seconds
                settings.incidentLanes = incident.direction.map { d in Set(o.station.lanes.indices.filter { o.station.lanes[$0].direction == d }) }
            }
            return Station(
                name: sensor.name, settings: settings,
                layouts: o.station.lanes.map { .init(spacing: $0.geometry.spacing, zoneLength: $0.geometry.detectorLength) },
                detectors: zip(o.station.lanes, o.wiring).map { lane, w in
                    ([("upstream", w.upstream)] + (w.downstream.map { [("downstream", $0)] } ?? [])).map { role, d in
                        Detector(
                            chip: hardware.chip(d.line.chip), offset: d.line.offset, activeLow: o.activeLow,
                            name: "\(sensor.name).\(lane.name).\(role)")
                    }
                })
        }
        faults = t.faults
    }

    func run(clock: any SenseClock, seed: UInt64, logger: Logger, group: inout TaskGroup<Void>) {
        for (k, station) in stations.enumerated() {
            let faults = self.faults.filter { $0.station == station.name }
            group.addTask { await drive(station, faults: faults, clock: clock, seed: seed &+ UInt64(k) &* 104_729, logger: logger) }
        }
    }

    private func drive(
        _ station: Station, faults: [TrafficSimulation.DetectorFault], clock: any SenseClock, seed: UInt64,
        logger: Logger
    ) async {
        var world = RoadWorld(settings: station.settings, lanes: station.layouts, seed: seed)
        let origin = clock.monotonicNow
        func at(_ seconds: Double) -> MonotonicInstant { origin + .nanoseconds(Int64((seconds * 1e9).rounded())) }
        func set(_ d: Detector, occupied: Bool, at time: MonotonicInstant) { d.chip.drive(d.offset, high: occupied != d.activeLow, at: time) }
        var state: [String: TrafficSimulation.DetectorFaultKind] = [:]
        var occupied: [String: Bool] = [:]
        var step = 0
        while !Task.isCancelled {
            step += 1
            let until = Double(step) * 0.1
            do { try await clock.sleep(until: at(until)) } catch { return }
            for f in faults {  // faults begin and end on the world's clock
                let begins = f.after.seconds, ends = f.duration.map { begins + $0.seconds }
                let name = "\(f.station).\(f.lane).\(f.detector)"
                let active = until >= begins && ends.map { until < $0 } ?? true
                guard active != (state[name] == f.kind) else { continue }
                guard let d = station.detectors.joined().first(where: { $0.name == name }) else { continue }
                if active {
                    logger.notice("simulation: \(f.kind.rawValue) on traffic detector \(name)")
                    state[name] = f.kind
                    if f.kind == .stuckOn { set(d, occupied: true, at: at(until)) }
                } else {
                    logger.notice("simulation: clearing \(f.kind.rawValue) on traffic detector \(name)")
                    state[name] = nil
                    set(d, occupied: occupied[name] ?? false, at: at(until))
                }
            }
            for e in world.advance(to: until) {
                let d = station.detectors[e.lane][e.zone]
                occupied[d.name] = e.occupied
                if state[d.name] == nil { set(d, occupied: e.occupied, at: at(e.time)) }
            }
            // A chattering detector: a burst of 2 ms blips (far shorter than any vehicle) each second.
            for d in station.detectors.joined() where state[d.name] == .chatter && step % 10 == 0 && occupied[d.name] != true {
                for k in 0..<4 {
                    let t = at(until - 0.05 + Double(k) * 0.005)
                    set(d, occupied: true, at: t)
                    set(d, occupied: false, at: t + .milliseconds(2))
                }
            }
        }
    }
}
