import SenseCore
import SenseTraffic

/// Traffic records and vehicle events (schemas: docs/schemas/traffic-*.schema.json).
package enum TrafficPayloads {
    /// One lane or direction over one period. Speeds km/h, flow veh/h, occupancy %, densities
    /// veh/km (all lanes of a direction), headway s. A `bad` record has null measures.
    package static func summary(_ s: TrafficSummary, offset: Duration, seq: UInt64) -> [UInt8] {
        func wall(_ t: MonotonicInstant) -> String { WallTime(nanosecondsSinceEpoch: t.nanoseconds + offset.nanoseconds).rfc3339 }
        func r(_ v: Double?, _ places: Double = 100) -> Double? { v.map { ($0 * places).rounded() / places } }
        var w = JSONWriter()
        w.beginObject()
        w.field(s.scope.rawValue, s.group)
        w.field("period", s.period.configText)
        w.field("from", wall(s.start))
        w.field("to", wall(s.end))
        w.field("lanes", Int64(s.lanes))
        w.field("count", s.count.map(Double.init))
        w.field("flow", r(s.flow, 10))
        w.field("occupancy", r(s.occupancy.map { $0 * 100 }))
        w.field("speed", r(s.speedMean))
        w.field("speed_space_mean", r(s.speedSpaceMean))
        w.field("speed_p85", r(s.speedP85))
        w.field("speed_n", Int64(s.speedSamples))
        w.field("density", r(s.density))
        w.field("density_occupancy", r(s.densityFromOccupancy))
        w.field("density_pc_mi_ln", r(s.densityPcPerMileLane))
        w.key("los")
        if let los = s.los { w.value(los.rawValue) } else { w.null() }
        w.key("congested")
        if s.quality == .bad { w.null() } else { w.value(s.congested) }
        w.field("headway", r(s.headwayMean, 1000))
        w.key("classes")
        w.beginObject()
        for (name, n) in s.classes.sorted(by: { $0.key < $1.key }) { w.field(name, Int64(n)) }
        w.endObject()
        w.key("unmatched")
        w.beginObject()
        w.field("upstream", Int64(s.unmatchedUpstream))
        w.field("downstream", Int64(s.unmatchedDownstream))
        w.endObject()
        w.field("counted_by", s.countedBy.rawValue)
        w.field("q", s.quality.rawValue)
        if s.quality != .good { w.field("r", QualityReason.detectorFault.rawValue) }
        w.key("faults")
        w.beginArray()
        for f in s.faults { w.value(f) }
        w.endArray()
        w.field("t", wall(s.end))
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }

    /// One vehicle, anonymous: when it arrived, how fast, how long, its class, how close to the one ahead.
    package static func vehicle(_ v: Vehicle, offset: Duration, seq: UInt64) -> [UInt8] {
        func r(_ x: Double?, _ places: Double = 100) -> Double? { x.map { ($0 * places).rounded() / places } }
        var w = JSONWriter()
        w.beginObject()
        w.field("t", WallTime(nanosecondsSinceEpoch: v.arrival.nanoseconds + offset.nanoseconds).rfc3339)
        w.field("speed", r(v.speed.map { $0 * 3.6 }))
        w.field("length", r(v.length))
        w.field("class", v.vehicleClass)
        w.field("occupancy_time", r(v.onTime.seconds, 1000))
        w.field("headway", r(v.headway?.seconds, 1000))
        w.field("gap", r(v.gap?.seconds, 1000))
        w.field("steady", v.steady)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }
}
