import SenseAnalysis
import SenseCore
import SenseReaction

package enum ReactionPayloads {
    /// What `<root>/actuator/<name>` carries (retained).
    package struct ActuatorState {
        package var actuator: Actuator
        package var since: WallTime
        package var overrideUntil: WallTime?
        package var line: (pin: String, high: Bool)?
        package var fault: String?
        package var description: String

        package init(
            actuator: Actuator, since: WallTime, overrideUntil: WallTime?, line: (pin: String, high: Bool)?, fault: String?,
            description: String
        ) {
            self.actuator = actuator
            self.since = since
            self.overrideUntil = overrideUntil
            self.line = line
            self.fault = fault
            self.description = description
        }
    }

    package static func actuator(_ a: ActuatorState, wall: WallTime, seq: UInt64) -> [UInt8] {
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
    package static func rule(_ r: RuleSnapshot, seq: UInt64) -> [UInt8] {
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
