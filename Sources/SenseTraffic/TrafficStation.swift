import SenseCore

package struct LaneSettings: Sendable, Hashable {
    package var name: String
    package var direction: String
    /// Spacing 0 for a lane with one detector (counts and occupancy, no speeds).
    package var geometry: TrapGeometry
    /// Mean effective length (vehicle + zone, m) assumed for the occupancy density when too few
    /// steady vehicles measure it.
    package var effectiveLength: Double

    package init(name: String, direction: String, geometry: TrapGeometry, effectiveLength: Double = 6.5) {
        self.name = name
        self.direction = direction
        self.geometry = geometry
        self.effectiveLength = effectiveLength
    }

    package var roles: [DetectorRole] { geometry.isTrap ? [.upstream, .downstream] : [.upstream] }
}

package struct StationSettings: Sendable, Hashable {
    package var name: String
    package var lanes: [LaneSettings]
    /// Interval lengths, e.g. 20 s, 1 min, 15 min; aligned to the wall clock.
    package var periods: [Duration]
    package var classes: VehicleClasses
    package var faults: DetectorFaultSettings
    package var congestion: CongestionSettings
    package var utcOffsetMinutes: Int

    package init(
        name: String, lanes: [LaneSettings], periods: [Duration], classes: VehicleClasses = .standard,
        faults: DetectorFaultSettings = .init(), congestion: CongestionSettings = .init(), utcOffsetMinutes: Int = 0
    ) {
        self.name = name
        self.lanes = lanes
        self.periods = periods
        self.classes = classes
        self.faults = faults
        self.congestion = congestion
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    package var directions: [String] {
        var seen: [String] = []
        for l in lanes where !seen.contains(l.direction) { seen.append(l.direction) }
        return seen
    }

    /// How long after an interval ends it is closed: long enough for a vehicle that arrived just
    /// before the end to be decided at the slowest matched speed.
    package var closeDelay: Duration {
        let travel = lanes.map { $0.geometry.isTrap ? $0.geometry.maxTravel : .zero }.max() ?? .zero
        return min(travel, .seconds(10)) + .seconds(1)
    }
}

/// A traffic station: its lanes' detectors in, vehicles and per-interval summaries of lanes and
/// directions out. Pure and clock-free: it is told every edge (with the kernel's timestamp) and
/// how far time has advanced, so it is tested to the nanosecond.
package struct TrafficStation: Sendable {
    package struct Output: Sendable {
        package var vehicles: [(lane: String, vehicle: Vehicle)] = []
        package var summaries: [TrafficSummary] = []
        /// Detectors whose set of faults changed, with the new set.
        package var faultChanges: [(lane: String, detector: DetectorRole, faults: Set<DetectorFault>)] = []
    }

    private struct Detector: Sendable {
        var health: DetectorHealth
        var occupiedSince: MonotonicInstant?
        /// Completed pulses not yet out of every open interval.
        var pulses: [DetectorPulse] = []
        var faults: Set<DetectorFault> = []
    }

    private struct Lane: Sendable {
        var settings: LaneSettings
        var trap: SpeedTrap?
        var detectors: [DetectorRole: Detector]
        var previous: Vehicle?
        /// Per period: decided vehicles (and downstream-only sightings) waiting for their interval
        /// to close, faults seen in it, lost edges at its start.
        var pending: [[(vehicle: Vehicle, seenBy: DetectorRole?)]]
        var faultsSeen: [Set<String>]
        var lostAtStart: [UInt64]
    }

    private struct Period: Sendable {
        var length: Duration
        var start: MonotonicInstant
        var end: MonotonicInstant
        var congestion: [String: CongestionFlag] = [:]
    }

    package let settings: StationSettings
    /// Wall time minus monotonic time, fixed at start: intervals align to the wall clock.
    package let wallOffset: Duration
    private var lanes: [Lane]
    /// Vehicles decided since the last `advance`, in the order they arrived in each lane.
    private var decided: [(lane: String, vehicle: Vehicle)] = []
    private var periods: [Period]

    package init(settings: StationSettings, startedAt: MonotonicInstant, wallOffset: Duration) {
        self.settings = settings
        self.wallOffset = wallOffset
        lanes = settings.lanes.map { l in
            Lane(
                settings: l, trap: l.geometry.isTrap ? SpeedTrap(geometry: l.geometry) : nil,
                detectors: Dictionary(
                    uniqueKeysWithValues: l.roles.map {
                        ($0, Detector(health: DetectorHealth(settings: settings.faults, startedAt: startedAt)))
                    }),
                pending: Array(repeating: [], count: settings.periods.count),
                faultsSeen: Array(repeating: [], count: settings.periods.count),
                lostAtStart: Array(repeating: 0, count: settings.periods.count))
        }
        periods = settings.periods.map { p in
            let wall = startedAt.nanoseconds + wallOffset.nanoseconds
            let alignedEnd = (wall / p.nanoseconds + 1) * p.nanoseconds - wallOffset.nanoseconds
            return Period(
                length: p, start: startedAt, end: MonotonicInstant(nanoseconds: alignedEnd),
                congestion: Dictionary(
                    uniqueKeysWithValues: (settings.lanes.map(\.name) + settings.directions).map {
                        ($0, CongestionFlag(settings: settings.congestion))
                    }))
        }
    }

    package func wallTime(of t: MonotonicInstant) -> WallTime { WallTime(nanosecondsSinceEpoch: t.nanoseconds + wallOffset.nanoseconds) }

    /// A raw edge of a detector, before debouncing (for chatter and lost-edge detection).
    package mutating func rawEdge(lane: Int, detector role: DetectorRole, at time: MonotonicInstant, sequence: UInt64) {
        lanes[lane].detectors[role]?.health.rawEdge(at: time, sequence: sequence)
    }

    /// A debounced change of a detector: occupied (a front entered) or free (a rear left).
    package mutating func changed(lane i: Int, detector role: DetectorRole, occupied: Bool, at time: MonotonicInstant) {
        guard var d = lanes[i].detectors[role] else { return }
        d.health.changed(occupied: occupied, at: time)
        if occupied {
            d.occupiedSince = time
            if role == .downstream { lanes[i].trap?.downstreamOccupied(since: time) }
        } else if let since = d.occupiedSince {
            d.occupiedSince = nil
            // A reader that fell further behind the kernel than its settle lag can tell a change
            // stamped before the one it already confirmed: that pulse cannot be measured. It is
            // counted as a lost edge (counts may be short), never a trap.
            guard time >= since else {
                d.health.edgeOutOfOrder()
                lanes[i].detectors[role] = d
                return
            }
            let pulse = DetectorPulse(on: since, off: time)
            d.pulses.append(pulse)
            if var trap = lanes[i].trap {
                trap.add(pulse, from: role)
                lanes[i].trap = trap
            } else {
                decide(lane: i, vehicle: Vehicle(single: pulse), seenBy: .upstream)
            }
        }
        lanes[i].detectors[role] = d
    }

    /// Everything up to `horizon` is known (every edge before it has been told): decides vehicles,
    /// judges detectors, closes the intervals that are due.
    package mutating func advance(to horizon: MonotonicInstant) -> Output {
        var out = Output()
        let minute = localMinuteOfDay(horizon)
        for i in lanes.indices {
            if var trap = lanes[i].trap {
                let outcomes = trap.resolve(upTo: horizon)
                lanes[i].trap = trap
                for o in outcomes {
                    switch o {
                    case let .matched(a, b):
                        decide(
                            lane: i, vehicle: Vehicle(matched: a, b, geometry: lanes[i].settings.geometry, classes: settings.classes),
                            seenBy: nil)
                    case let .upstreamOnly(a): decide(lane: i, vehicle: Vehicle(single: a), seenBy: .upstream)
                    case let .downstreamOnly(b): decide(lane: i, vehicle: Vehicle(single: b), seenBy: .downstream)
                    }
                }
            }
            for (role, var d) in lanes[i].detectors {
                d.health.updateChatter(at: horizon)
                let now = d.health.faults(at: horizon, localMinuteOfDay: minute)
                if now != d.faults {
                    out.faultChanges.append((lanes[i].settings.name, role, now))
                    if now.contains(.stuckOn), !d.faults.contains(.stuckOn) { forgetCongestion(lane: i) }
                    d.faults = now
                }
                for p in periods.indices { lanes[i].faultsSeen[p].formUnion(now.map { "\(role.rawValue):\($0.rawValue)" }) }
                lanes[i].detectors[role] = d
            }
        }
        out.vehicles = decided
        decided.removeAll(keepingCapacity: true)
        let delay = settings.closeDelay
        for p in periods.indices {
            while periods[p].end + delay <= horizon {
                out.summaries += close(period: p)
            }
        }
        prunePulses()
        return out
    }

    // MARK: internals

    /// Until `stuck_on` has elapsed a stuck detector looks like a standing queue; once it is
    /// known to be stuck, congestion built on its occupancy is forgotten (its lane and direction
    /// start again from trustworthy intervals).
    private mutating func forgetCongestion(lane i: Int) {
        for p in periods.indices {
            for group in [lanes[i].settings.name, lanes[i].settings.direction] {
                periods[p].congestion[group] = CongestionFlag(settings: settings.congestion)
            }
        }
    }

    private mutating func decide(lane i: Int, vehicle: Vehicle, seenBy: DetectorRole?) {
        var v = vehicle
        if seenBy != .downstream {
            if let prev = lanes[i].previous {
                v.headway = v.arrival - prev.arrival
                v.gap = v.arrival > prev.departure ? v.arrival - prev.departure : .zero
            }
            lanes[i].previous = v
            decided.append((lanes[i].settings.name, v))
        }
        for p in periods.indices { lanes[i].pending[p].append((v, seenBy)) }
    }

    private func localMinuteOfDay(_ t: MonotonicInstant) -> Int {
        let s = (t.nanoseconds + wallOffset.nanoseconds) / 1_000_000_000 + Int64(settings.utcOffsetMinutes * 60)
        return Int(((s % 86400) + 86400) % 86400 / 60)
    }

    private mutating func close(period p: Int) -> [TrafficSummary] {
        let start = periods[p].start, end = periods[p].end
        var laneSummaries: [TrafficSummary] = []
        var laneVehicles: [[Vehicle]] = []
        var laneOnTimes: [Duration] = []
        for i in lanes.indices {
            var s = TrafficSummary(
                station: settings.name, group: lanes[i].settings.name, scope: .lane, period: periods[p].length,
                start: start, end: end, lanes: 1)
            let due = lanes[i].pending[p].filter { $0.vehicle.arrival < end }
            lanes[i].pending[p].removeAll { $0.vehicle.arrival < end }
            var faults = lanes[i].faultsSeen[p]
            let lost = (lanes[i].detectors.values.map(\.health.lostEdges).reduce(0, +))
            if lost > lanes[i].lostAtStart[p] { faults.insert("lane:\(DetectorFault.lostEdges.rawValue)") }
            lanes[i].lostAtStart[p] = lost
            let upFaulty = Self.untrustworthy(faults, .upstream)
            let downFaulty = lanes[i].trap == nil || Self.untrustworthy(faults, .downstream)
            s.countedBy = upFaulty && !downFaulty ? .downstream : .upstream
            s.unmatchedUpstream = due.filter { $0.seenBy == .upstream }.count
            s.unmatchedDownstream = due.filter { $0.seenBy == .downstream }.count
            let matched = due.filter { $0.seenBy == nil }.count
            if lanes[i].trap != nil, matched + s.unmatchedUpstream + s.unmatchedDownstream >= 10,
                Double(s.unmatchedUpstream + s.unmatchedDownstream) > settings.faults.unmatchedLimit
                    * Double(matched * 2 + s.unmatchedUpstream + s.unmatchedDownstream)
            {
                faults.insert("lane:\(DetectorFault.unmatched.rawValue)")
            }
            let counted = due.filter { $0.seenBy == nil || $0.seenBy == s.countedBy }.map(\.vehicle)
            let onTime = occupiedTime(lane: i, role: s.countedBy, start: start, end: end)
            s.faults = faults.sorted()
            if upFaulty && downFaulty {
                s.withhold()
            } else {
                s.measure(vehicles: counted, onTime: onTime, effectiveLength: lanes[i].settings.effectiveLength, lanes: 1)
                if !faults.isEmpty { s.quality = .uncertain }
            }
            laneSummaries.append(s)
            laneVehicles.append(counted)
            laneOnTimes.append(onTime)
            lanes[i].faultsSeen[p] = Set(lanes[i].detectors.flatMap { role, d in d.faults.map { "\(role.rawValue):\($0.rawValue)" } })
        }
        var summaries = laneSummaries
        for direction in settings.directions {
            let members = lanes.indices.filter { lanes[$0].settings.direction == direction }
            var s = TrafficSummary(
                station: settings.name, group: direction, scope: .direction, period: periods[p].length,
                start: start, end: end, lanes: members.count)
            let parts = members.map { laneSummaries[$0] }
            s.faults = parts.flatMap { part in part.faults.map { "\(part.group)/\($0)" } }.sorted()
            if parts.contains(where: { $0.quality == .bad }) {
                s.withhold()
            } else {
                let lEff = members.map { lanes[$0].settings.effectiveLength }.reduce(0, +) / Double(members.count)
                s.measure(
                    vehicles: members.flatMap { laneVehicles[$0] }, onTime: members.map { laneOnTimes[$0] }.reduce(.zero, +),
                    effectiveLength: lEff, lanes: members.count)
                s.unmatchedUpstream = parts.map(\.unmatchedUpstream).reduce(0, +)
                s.unmatchedDownstream = parts.map(\.unmatchedDownstream).reduce(0, +)
                if parts.contains(where: { $0.quality != .good }) { s.quality = .uncertain }
            }
            summaries.append(s)
        }
        for k in summaries.indices {
            var flag = periods[p].congestion[summaries[k].group]!
            flag.update(occupancy: summaries[k].occupancy, speed: summaries[k].speedSpaceMean)
            periods[p].congestion[summaries[k].group] = flag
            summaries[k].congested = flag.congested
        }
        periods[p].start = end
        periods[p].end = end + periods[p].length
        return summaries
    }

    /// Time the detector was occupied within `[start, end)`, including a pulse still going on.
    private func occupiedTime(lane i: Int, role: DetectorRole, start: MonotonicInstant, end: MonotonicInstant) -> Duration {
        guard let d = lanes[i].detectors[role] else { return .zero }
        var total = d.pulses.reduce(Duration.zero) { $0 + $1.overlap(start, end) }
        if let since = d.occupiedSince, since < end { total += end - max(since, start) }
        return total
    }

    /// Pulses that ended before every open interval began are no longer needed.
    private mutating func prunePulses() {
        guard let earliest = periods.map(\.start).min() else { return }
        for i in lanes.indices {
            for role in lanes[i].settings.roles { lanes[i].detectors[role]!.pulses.removeAll { $0.off < earliest } }
        }
    }

    /// Whether a detector's count cannot be trusted in the interval closing (stuck, chattering,
    /// or silent at any time in it).
    private static func untrustworthy(_ seen: Set<String>, _ role: DetectorRole) -> Bool {
        [DetectorFault.stuckOn, .chattering, .silent].contains { seen.contains("\(role.rawValue):\($0.rawValue)") }
    }
}
