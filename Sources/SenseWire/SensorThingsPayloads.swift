import SenseCore

/// Readings as OGC SensorThings Observations (OGC 18-088, SensorThings API Part 1: Sensing 1.1,
/// §8.2.7 and the MQTT extension §14.2.1): the body a service creates an Observation from when
/// it is published on `v1.1/Datastreams(<id>)/Observations` (docs/sensorthings.md).
package enum SensorThingsPayloads {
    /// `phenomenonTime` and `resultTime` are the sample's time (the result exists when it is
    /// read); `result` the value as readings round it; `resultQuality` sensegate's quality;
    /// `parameters` what ties the Observation to the node's numbered stream. A sample without a
    /// value, or a bad one, is no Observation: nil (a platform that reads `result` and not
    /// `resultQuality` would take a fault for a measurement; the fault is on the node's own
    /// reading topic).
    package static func isObservation(_ s: Sample) -> Bool { s.quality != .bad && s.value?.isFinite == true }

    package static func observation(_ s: Sample, node: String, seq: UInt64) -> [UInt8]? {
        guard isObservation(s), let value = s.value else { return nil }
        let time = s.wall.rfc3339
        var w = JSONWriter()
        w.beginObject()
        w.field("phenomenonTime", time)
        w.field("resultTime", time)
        w.field("result", Payloads.rounded(value, s.unit))
        w.field("resultQuality", s.quality.rawValue)
        w.key("parameters")
        w.beginObject()
        w.field("node", node)
        w.field("channel", s.sensor + "." + s.quantity)
        if s.unit != .none { w.field("unit", s.unit.rawValue) }
        if let r = s.reason { w.field("reason", r.rawValue) }
        w.field("seq", Int64(seq))
        w.endObject()
        w.endObject()
        return w.bytes
    }
}
