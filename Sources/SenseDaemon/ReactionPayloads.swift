import SenseAnalysis
import SenseCore
import SenseMQTT
import SenseReaction

enum ReactionPayloads {
    /// What `<root>/actuator/<name>` carries (retained).
    struct ActuatorState {
        var actuator: Actuator
        var since: WallTime
        var overrideUntil: WallTime?
        var line: (pin: String, high: Bool)?
        var fault: String?
        var description: String
    }

    static func actuator(_ a: ActuatorState, wall: WallTime, seq: UInt64) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("state", a.actuator.level ? "on" : "off")
        w.field("source", a.actuator.source.rawValue)
        w.field("reason", a.actuator.detail)
        w.field("since", a.since.rfc3339)
        if let until = a.overrideUntil { w.field("override_until", until.rfc3339) }
        if let line = a.line {
            w.field("pin", line.pin)
            w.field("line", line.high ? "high" : "low")
        }
        if let fault = a.fault { w.field("fault", fault) }
        if !a.description.isEmpty { w.field("description", a.description) }
        w.field("t", wall.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }

    /// What `<root>/rule/<name>` carries (retained).
    static func rule(_ r: RuleSnapshot, seq: UInt64) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("state", r.truth.rawValue)
        w.field("active", r.truth == .true)
        if let since = r.since { w.field("since", since.rfc3339) }
        if !r.description.isEmpty { w.field("description", r.description) }
        w.field("t", r.time.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }
}
