import SenseCore
import SenseHardware
import SenseTraffic

/// A traffic station's wiring and settings: `driver: traffic` (docs/traffic.md).
package struct TrafficStationOptions: Sendable, Hashable {
    package struct DetectorLine: Sendable, Hashable {
        package var line: Board.Line
        package var pin: String
        package init(line: Board.Line, pin: String) {
            self.line = line
            self.pin = pin
        }
    }

    package struct LaneWiring: Sendable, Hashable {
        package var upstream: DetectorLine
        package var downstream: DetectorLine?
        package init(upstream: DetectorLine, downstream: DetectorLine?) {
            self.upstream = upstream
            self.downstream = downstream
        }
    }

    package init(
        station: StationSettings, wiring: [LaneWiring], bias: Bias, activeLow: Bool, minOn: Duration, minOff: Duration,
        publishVehicles: Bool
    ) {
        self.station = station
        self.wiring = wiring
        self.bias = bias
        self.activeLow = activeLow
        self.minOn = minOn
        self.minOff = minOff
        self.publishVehicles = publishVehicles
    }

    /// Lanes in the same order as `station.lanes`.
    package var station: StationSettings
    package var wiring: [LaneWiring]
    package var bias: Bias
    package var activeLow: Bool
    /// Shorter occupations are noise; shorter dropouts (a trailer's hitch) are bridged.
    package var minOn: Duration
    package var minOff: Duration
    /// Publish an anonymous event per vehicle.
    package var publishVehicles: Bool

    /// The measures each lane and direction gives per period, with their units.
    package static let measures: [(String, Unit)] = [
        ("count", .count), ("flow", .perHour), ("occupancy", .percent), ("speed", .kilometrePerHour),
        ("speed_p85", .kilometrePerHour), ("density", .perKilometre), ("los", .none), ("congested", .none),
    ]

    /// `group.period.measure` for every lane and direction (e.g. `nb1.1m.occupancy`).
    package var channels: [(String, Unit)] {
        (station.lanes.map(\.name) + station.directions).flatMap { g in
            station.periods.flatMap { p in Self.measures.map { ("\(g).\(p.configText).\($0.0)", $0.1) } }
        }
    }

    package var lines: [(line: Board.Line, pin: String)] {
        wiring.flatMap { w in [w.upstream] + (w.downstream.map { [$0] } ?? []) }.map { ($0.line, $0.pin) }
    }
}

enum TrafficSensorDecoding {
    static func station(_ m: inout MappingReader, name: String?, board: Board?, sink: DiagnosticSink) -> SensorKind? {
        let s = ScalarReader(sink)
        var periods: [Duration] = [.seconds(60), .seconds(900)]
        if let p = m.node("periods"), let items = s.list(p, m.child("periods")) {
            periods = []
            for (i, item) in items.enumerated() {
                let why = "a period is 10s…1h and divides the hour (e.g. 20s, 30s, 1m, 5m, 15m)"
                guard let d = s.duration(item, m.child("periods[\(i)]"), in: .seconds(10)...(.seconds(3600)), why: why) else { continue }
                if (3600 * 1_000_000_000) % d.nanoseconds != 0 {
                    sink.error(item.mark, m.child("periods[\(i)]"), "a period is 10s…1h and divides the hour (e.g. 20s, 30s, 1m, 5m, 15m)")
                } else if periods.contains(d) {
                    sink.error(item.mark, m.child("periods[\(i)]"), "\(d.configText) is listed twice")
                } else {
                    periods.append(d)
                }
            }
            if items.isEmpty { sink.error(p.mark, m.child("periods"), "at least one period") }
        }
        periods.sort()
        let vehicles = m.node("vehicles").flatMap { s.bool($0, m.child("vehicles")) } ?? false
        let classes = m.node("classes").flatMap { Self.classes($0, path: m.child("classes"), sink: sink) } ?? .standard
        let congestion = m.node("congestion").flatMap { Self.congestion($0, path: m.child("congestion"), sink: sink) } ?? CongestionSettings()
        let faults = m.node("faults").flatMap { Self.faults($0, path: m.child("faults"), sink: sink) } ?? DetectorFaultSettings()
        // Detector inputs: opto-isolated contacts from the detector cards pull the line low when occupied.
        var bias = Bias.pullUp, activeLow = true, minOn = Duration.milliseconds(20), minOff = Duration.milliseconds(30)
        if let d = m.node("detector"), var dm = MappingReader(d, path: m.child("detector"), sink: sink) {
            bias = dm.node("bias").flatMap { s.choice($0, dm.child("bias"), Bias.allCases) } ?? bias
            activeLow = dm.node("active_low").flatMap { s.bool($0, dm.child("active_low")) } ?? activeLow
            for (key, target) in [("min_on", 0), ("min_off", 1)] {
                guard let v = dm.node(key),
                    let x = s.duration(
                        v, dm.child(key), in: .zero...(.milliseconds(500)),
                        why: "at most 500ms: a vehicle at 100 km/h occupies a 2 m loop for about 230 ms")
                else { continue }
                if target == 0 { minOn = x } else { minOff = x }
            }
            dm.finish()
        }
        var lanes: [LaneSettings] = []
        var wiring: [TrafficStationOptions.LaneWiring] = []
        if let l = m.required("lanes"), let items = s.list(l, m.child("lanes")) {
            if items.isEmpty { sink.error(l.mark, m.child("lanes"), "at least one lane") }
            for (i, item) in items.enumerated() {
                guard let (lane, wire) = Self.lane(item, path: m.child("lanes[\(i)]"), board: board, sink: sink) else { continue }
                if lanes.contains(where: { $0.name == lane.name }) {
                    sink.error(item.mark, m.child("lanes[\(i)].name"), "duplicate lane name '\(lane.name)'")
                    continue
                }
                lanes.append(lane)
                wiring.append(wire)
            }
            let directions = Set(lanes.map(\.direction))
            for lane in lanes where directions.contains(lane.name) {
                sink.error(l.mark, m.child("lanes"), "'\(lane.name)' names both a lane and a direction; their topics would collide")
            }
        }
        guard let name, !lanes.isEmpty, lanes.count == wiring.count else { return nil }
        let settings = StationSettings(
            name: name, lanes: lanes, periods: periods, classes: classes, faults: faults,
            congestion: congestion)
        return .traffic(
            TrafficStationOptions(
                station: settings, wiring: wiring, bias: bias, activeLow: activeLow, minOn: minOn,
                minOff: minOff, publishVehicles: vehicles))
    }

    static func lane(_ n: YAMLNode, path: String, board: Board?, sink: DiagnosticSink) -> (LaneSettings, TrafficStationOptions.LaneWiring)? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        let name = m.required("name").flatMap { s.string($0, m.child("name")) }.flatMap { v -> String? in
            guard ConfigLoader.isIdentifier(v, max: 32) else {
                sink.error(
                    m.keyMark("name"), m.child("name"), "'\(v)' is not a valid name: use 1–32 of a-z, 0-9, '-' and '_' (it becomes a topic level)")
                return nil
            }
            return v
        }
        let direction = m.required("direction").flatMap { s.string($0, m.child("direction")) }.flatMap { v -> String? in
            guard ConfigLoader.isIdentifier(v, max: 32) else {
                sink.error(
                    m.keyMark("direction"), m.child("direction"),
                    "'\(v)' is not a valid name: use 1–32 of a-z, 0-9, '-' and '_' (it becomes a topic level)")
                return nil
            }
            return v
        }
        let up = BoardPins.line(&m, "upstream", board: board, sink: sink)
        var down: (Board.Line, String)?
        if m.has("downstream") {
            down = BoardPins.line(&m, "downstream", board: board, sink: sink)
        }
        func metres(_ key: String, _ range: ClosedRange<Double>, _ why: String) -> Double? {
            guard let v = m.node(key), let x = s.number(v, m.child(key)) else { return nil }
            guard range.contains(x) else {
                sink.error(v.mark, m.child(key), why)
                return nil
            }
            return x
        }
        let zone = metres("zone_length", 0.3...10, "a detection zone is 0.3…10 m long (a 2 m loop; a beam is ~0.3 m)") ?? 2
        var spacing: Double = 0
        if down != nil {
            if let sp = m.required("spacing") {
                if let x = s.number(sp, m.child("spacing")) {
                    if x < 1 || x > 50 {
                        sink.error(sp.mark, m.child("spacing"), "leading edge to leading edge, 1…50 m")
                    } else if x < zone {
                        sink.error(sp.mark, m.child("spacing"), "the zones would overlap: spacing \(x) m is less than zone_length \(zone) m")
                    } else {
                        spacing = x
                    }
                }
            }
        } else if let sp = m.node("spacing") {
            sink.error(sp.mark, m.child("spacing"), "spacing needs a downstream detector")
        }
        let effective = metres("effective_length", 2...30, "a mean effective length (vehicle + zone) is 2…30 m") ?? 6.5
        let minSpeed = metres("min_speed", 0.5...30, "min_speed is 0.5…30 km/h") ?? 1
        m.finish()
        guard let name, let direction, let up else { return nil }
        if m.has("downstream"), down == nil || spacing == 0 { return nil }
        let geometry = TrapGeometry(spacing: spacing, detectorLength: zone, minSpeed: minSpeed / 3.6)
        return (
            LaneSettings(name: name, direction: direction, geometry: geometry, effectiveLength: effective),
            .init(upstream: .init(line: up.0, pin: up.1), downstream: down.map { .init(line: $0.0, pin: $0.1) })
        )
    }

    static func classes(_ n: YAMLNode, path: String, sink: DiagnosticSink) -> VehicleClasses? {
        let s = ScalarReader(sink)
        guard let items = s.list(n, path) else { return nil }
        var bins: [VehicleClasses.Bin] = []
        var ok = !items.isEmpty
        if items.isEmpty { sink.error(n.mark, path, "at least one class") }
        for (i, item) in items.enumerated() {
            let p = "\(path)[\(i)]"
            guard var m = MappingReader(item, path: p, sink: sink) else {
                ok = false
                continue
            }
            let name = m.required("name").flatMap { s.string($0, m.child("name")) }
            let below = m.node("below").flatMap { v -> Double? in
                guard let x = s.number(v, m.child("below")) else { return nil }
                guard x > (bins.last?.below ?? 0), x <= 40 else {
                    sink.error(v.mark, m.child("below"), "lengths ascend, up to 40 m")
                    return nil
                }
                return x
            }
            let pce =
                m.node("pce").flatMap { v -> Double? in
                    guard let x = s.number(v, m.child("pce")), (0.2...10).contains(x) else {
                        sink.error(v.mark, m.child("pce"), "a passenger-car equivalent is 0.2…10")
                        return nil
                    }
                    return x
                } ?? 1
            let last = i == items.count - 1
            if last, m.has("below") {
                sink.error(m.keyMark("below"), m.child("below"), "the last class takes every longer vehicle: leave out below")
                ok = false
            } else if !last, below == nil {
                if !m.has("below") { sink.error(m.mark, m.child("below"), "every class but the last needs below: (m)") }
                ok = false
            }
            if let name, name == VehicleClasses.unclassified || bins.contains(where: { $0.name == name }) {
                sink.error(m.keyMark("name"), m.child("name"), "'\(name)' is taken")
                ok = false
            }
            m.finish()
            guard let name else {
                ok = false
                continue
            }
            bins.append(.init(name: name, below: last ? nil : below, pce: pce))
        }
        return ok ? VehicleClasses(bins: bins) : nil
    }

    static func congestion(_ n: YAMLNode, path: String, sink: DiagnosticSink) -> CongestionSettings? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        var c = CongestionSettings()
        if let v = m.node("occupancy"), let x = s.number(v, m.child("occupancy")) {
            if (1...100).contains(x) { c.occupancy = x / 100 } else { sink.error(v.mark, m.child("occupancy"), "a percentage, 1…100") }
        }
        c.clearOccupancy = min(c.clearOccupancy, c.occupancy)
        if let v = m.node("clear"), let x = s.number(v, m.child("clear")) {
            if x > 0, x / 100 <= c.occupancy {
                c.clearOccupancy = x / 100
            } else {
                sink.error(v.mark, m.child("clear"), "a percentage above 0 and at most occupancy (\(c.occupancy * 100))")
            }
        }
        if let v = m.node("speed_below"), let x = s.number(v, m.child("speed_below")) {
            if (1...200).contains(x) { c.speedBelow = x } else { sink.error(v.mark, m.child("speed_below"), "1…200 km/h") }
        }
        if let v = m.node("intervals"), let x = s.integer(v, m.child("intervals")) {
            if (1...100).contains(x) { c.intervals = x } else { sink.error(v.mark, m.child("intervals"), "1…100") }
        }
        m.finish()
        return c
    }

    static func faults(_ n: YAMLNode, path: String, sink: DiagnosticSink) -> DetectorFaultSettings? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        var f = DetectorFaultSettings()
        if let v = m.node("stuck_on"),
            let d = s.duration(v, m.child("stuck_on"), in: .seconds(30)...(.seconds(86400)), why: "30s…24h (longer than any red light)")
        {
            f.stuckOn = d
        }
        if let v = m.node("silent_after"), let d = s.duration(v, m.child("silent_after"), in: .seconds(60)...(.seconds(7 * 86400))) {
            f.silentAfter = d
        }
        if let v = m.node("chatter_per_minute"), let x = s.integer(v, m.child("chatter_per_minute")) {
            if (2...100_000).contains(x) { f.chatterPerMinute = x } else { sink.error(v.mark, m.child("chatter_per_minute"), "2…100000") }
        }
        if let v = m.node("unmatched"), let x = s.number(v, m.child("unmatched")) {
            if (1...100).contains(x) { f.unmatchedLimit = x / 100 } else { sink.error(v.mark, m.child("unmatched"), "a percentage, 1…100") }
        }
        if let v = m.node("expected_hours"), let text = s.string(v, m.child("expected_hours")) {
            let parts = text.split(separator: "-").map { String($0.filter { $0 != " " }) }
            let minutes = parts.compactMap(Self.minuteOfDay)
            if parts.count == 2, minutes.count == 2 {
                (f.expectedFrom, f.expectedUntil) = (minutes[0], minutes[1])
            } else {
                sink.error(v.mark, m.child("expected_hours"), "a local time range such as 06:00-22:00 (00:00-24:00 for always)")
            }
        }
        m.finish()
        return f
    }

    /// `simulation.traffic`: the road's scenario, an incident, detector faults.
    static func simulation(_ n: YAMLNode, into t: inout TrafficSimulation, sensors: Named<SensorConfig>, sink: DiagnosticSink) {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "simulation.traffic", sink: sink) else { return }
        if let v = m.node("scenario"), let c = s.choice(v, m.child("scenario"), RoadScenario.allCases) { t.scenario = c }
        if let v = m.node("after"), let d = s.duration(v, m.child("after"), in: ConfigLoader.simulatedTime) { t.after = d }
        if let v = m.node("for"), let d = s.duration(v, m.child("for"), in: .seconds(60)...ConfigLoader.simulatedTime.upperBound) {
            t.duration = d
        }
        for (key, range) in [("demand", 0.0...2400), ("peak_demand", 0.0...2400), ("speed_limit", 10.0...130)] {
            guard let v = m.node(key), let x = s.number(v, m.child(key)) else { continue }
            guard range.contains(x) else {
                sink.error(v.mark, m.child(key), key == "speed_limit" ? "10…130 km/h" : "0…2400 vehicles per hour per lane")
                continue
            }
            switch key {
            case "demand": t.demand = x
            case "peak_demand": t.peakDemand = x
            default: t.speedLimit = x
            }
        }
        if let v = m.node("incident"), var im = MappingReader(v, path: m.child("incident"), sink: sink) {
            let after = im.node("after").flatMap { s.duration($0, im.child("after"), in: ConfigLoader.simulatedTime) } ?? .seconds(600)
            let duration = im.node("for").flatMap { s.duration($0, im.child("for"), in: ConfigLoader.simulatedTime) } ?? .seconds(600)
            var direction: String?
            if let d = im.node("direction"), let text = s.string(d, im.child("direction")) {
                let known = sensors.flatMap { sensor -> [String] in if case let .traffic(o) = sensor.kind { o.station.directions } else { [] } }
                if known.contains(text) {
                    direction = text
                } else {
                    sink.error(d.mark, im.child("direction"), "no traffic direction named '\(text)'; directions: \(known.joined(separator: ", "))")
                }
            }
            im.finish()
            t.incident = .init(after: after, duration: duration, direction: direction)
        }
        if let f = m.node("faults"), let items = s.list(f, m.child("faults")) {
            for (i, item) in items.enumerated() {
                guard var fm = MappingReader(item, path: m.child("faults[\(i)]"), sink: sink) else { continue }
                var place: (String, String, String)?
                if let v = fm.required("detector"), let text = s.string(v, fm.child("detector")) {
                    // STATION.LANE.upstream|downstream
                    let parts = text.split(separator: ".").map(String.init)
                    if parts.count == 3, case let .traffic(o)? = sensors[parts[0]]?.kind,
                        let lane = o.station.lanes.first(where: { $0.name == parts[1] }),
                        parts[2] == "upstream" || (parts[2] == "downstream" && lane.geometry.isTrap)
                    {
                        place = (parts[0], parts[1], parts[2])
                    } else {
                        sink.error(
                            v.mark, fm.child("detector"), "'\(text)' is not a detector: write STATION.LANE.upstream or STATION.LANE.downstream")
                    }
                }
                let kind = fm.required("fault").flatMap { s.choice($0, fm.child("fault"), TrafficSimulation.DetectorFaultKind.allCases) }
                let after = fm.node("after").flatMap { s.duration($0, fm.child("after"), in: ConfigLoader.simulatedTime) } ?? .zero
                let duration = fm.node("for").flatMap { s.duration($0, fm.child("for"), in: ConfigLoader.simulatedTime) }
                fm.finish()
                if let place, let kind {
                    t.faults.append(.init(station: place.0, lane: place.1, detector: place.2, kind: kind, after: after, duration: duration))
                }
            }
        }
        m.finish()
    }

    /// `HH:MM` (24:00 allowed as the end of the day).
    static func minuteOfDay(_ s: String) -> Int? {
        let hm = s.split(separator: ":")
        guard hm.count == 2, let h = Int(hm[0]), let mm = Int(hm[1]), (0...24).contains(h), (0..<60).contains(mm), h * 60 + mm <= 1440 else {
            return nil
        }
        return h * 60 + mm
    }
}
