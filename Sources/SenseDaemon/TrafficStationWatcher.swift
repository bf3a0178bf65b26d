import Logging
import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseTraffic

/// What a traffic station hands the outlet at each step: the anonymous vehicles decided, the
/// closed intervals, and their measures as samples for rules and alarms.
package struct TrafficReport: Sendable {
    package var station: String
    package var vehicles: [(lane: String, vehicle: Vehicle)]
    package var summaries: [TrafficSummary]
    package var samples: [Sample]
    package var wallOffset: Duration
    package var publishVehicles: Bool
}

/// A traffic station on GPIO inputs: each detector's edges, with the kernel's timestamps, go
/// through a debouncer (minimum pulse, minimum gap) into the station; once a second the station
/// is advanced to a horizon a little behind now (so every edge before it has been read) and
/// what it decided is reported.
struct TrafficStationWatcher: Sendable {
    let name: String
    /// Per lane, the upstream input and the downstream one (if any).
    let inputs: [(upstream: any GPIOInput, downstream: (any GPIOInput)?)]
    let options: TrafficStationOptions
    /// How far the reading task may lag the kernel (`DebouncedEdges`' settle lag).
    let readerLag: Duration
    let utcOffsetMinutes: Int
    let clock: any SenseClock
    let sink: any TrafficReportSink
    let liveness: Liveness
    let logger: Logger

    /// How far behind now the station is advanced: every level change before it has been read
    /// and confirmed (the holds, the reader's lag, and a margin of at least 2 s).
    var settle: Duration { max(options.minOn, options.minOff) + max(.seconds(2), readerLag * 5 / 2) }

    func run() async {
        var settings = options.station
        settings.utcOffsetMinutes = utcOffsetMinutes
        let now = clock.monotonicNow
        let wall = clock.wallTime(of: now)
        let offset = Duration.nanoseconds(wall.nanosecondsSinceEpoch - now.nanoseconds)
        let station = Shared(TrafficStation(settings: settings, startedAt: now, wallOffset: offset))
        var lines: [(lane: Int, role: DetectorRole, input: any GPIOInput)] = []
        for (i, pair) in inputs.enumerated() {
            lines.append((i, .upstream, pair.upstream))
            if let d = pair.downstream { lines.append((i, .downstream, d)) }
        }
        var initial: [Bool] = []
        for l in lines {
            do {
                initial.append(try l.input.level() != options.activeLow)
            } catch {
                logger.error("traffic \(name): cannot read lane \(settings.lanes[l.lane].name) \(l.role.rawValue) detector: \(error)")
                initial.append(false)
            }
        }
        for (l, occupied) in zip(lines, initial) where occupied {
            station.withLock { $0.changed(lane: l.lane, detector: l.role, occupied: true, at: now) }
        }
        liveness.completedCycle(name)
        let period = settings.periods.min() ?? .seconds(60)
        await withTaskGroup(of: Void.self) { group in
            for (l, occupied) in zip(lines, initial) {
                let debouncer = Shared(Debouncer(initialLevel: occupied, riseHold: options.minOn, fallHold: options.minOff))
                let lane = settings.lanes[l.lane].name
                group.addTask {
                    await DebouncedEdges.watch(
                        l.input, debouncer: debouncer, activeLow: options.activeLow, clock: clock, logger: logger,
                        name: "traffic \(name) lane \(lane) \(l.role.rawValue)", settleLag: readerLag,
                        raw: { e in station.withLock { $0.rawEdge(lane: l.lane, detector: l.role, at: e.timestamp, sequence: e.sequence) } }
                    ) { c in
                        station.withLock { $0.changed(lane: l.lane, detector: l.role, occupied: c.level, at: c.at) }
                    }
                }
            }
            group.addTask {  // advance once a second
                while !Task.isCancelled {
                    liveness.expect(name, by: clock.monotonicNow + period + .seconds(30))
                    do { try await clock.sleep(for: .seconds(1)) } catch { return }
                    let out = station.withLock { $0.advance(to: clock.monotonicNow + (.zero - settle)) }
                    deliver(out, offset: offset)
                    liveness.completedCycle(name)
                }
            }
            await group.next()
            group.cancelAll()
        }
        liveness.remove(name)
    }

    private func deliver(_ out: TrafficStation.Output, offset: Duration) {
        for change in out.faultChanges {
            if change.faults.isEmpty {
                logger.notice("traffic \(name): lane \(change.lane) \(change.detector.rawValue) detector is healthy again")
            } else {
                logger.warning(
                    "traffic \(name): lane \(change.lane) \(change.detector.rawValue) detector: \(change.faults.sorted().map(\.rawValue).joined(separator: ", "))"
                )
            }
        }
        guard !out.vehicles.isEmpty || !out.summaries.isEmpty else { return }
        sink.accept(
            TrafficReport(
                station: name, vehicles: out.vehicles, summaries: out.summaries,
                samples: out.summaries.flatMap { Self.samples($0, station: name, offset: offset) },
                wallOffset: offset, publishVehicles: options.publishVehicles))
    }

    /// A summary's measures as samples `group.period.measure` (units as `TrafficStationOptions.measures`).
    static func samples(_ s: TrafficSummary, station: String, offset: Duration) -> [Sample] {
        let wall = WallTime(nanosecondsSinceEpoch: s.end.nanoseconds + offset.nanoseconds)
        let values: [String: Double?] = [
            "count": s.count.map(Double.init), "flow": s.flow, "occupancy": s.occupancy.map { $0 * 100 }, "speed": s.speedMean,
            "speed_p85": s.speedP85, "density": s.density, "los": s.los.map { Double($0.rank) },
            "congested": s.quality == .bad ? nil : (s.congested ? 1 : 0),
        ]
        return TrafficStationOptions.measures.compactMap { measure, unit in
            let v = values[measure] ?? nil
            guard v != nil || s.quality == .bad else { return nil }
            var sample = Sample(
                sensor: station, quantity: "\(s.group).\(s.period.configText).\(measure)", value: s.quality == .bad ? nil : v,
                unit: unit, quality: s.quality, reason: s.quality == .good ? nil : .detectorFault, monotonic: s.end, wall: wall)
            if measure == "los", let los = s.los { sample.attributes = ["los": los.rawValue] }
            return sample
        }
    }
}
