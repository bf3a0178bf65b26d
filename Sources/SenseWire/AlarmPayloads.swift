import SenseAnalysis
import SenseCore

package enum AlarmPayloads {
    /// The retained state on `<root>/alarm/<name>`.
    package static func state(_ a: AlarmSnapshot, seq: UInt64) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("state", a.state.rawValue)
        w.field("active", a.state.isActive)
        w.field("priority", a.priority.rawValue)
        w.field("channel", a.channel.description)
        w.field("direction", a.direction.rawValue)
        w.field("limit", a.limit)
        w.field("deadband", a.deadband)
        w.field("value", a.value)
        w.field("q", a.quality.rawValue)
        if let since = a.since { w.field("since", since.rfc3339) }
        w.field("shelved", a.shelved)
        w.field("chattering", a.chattering)
        if a.latched { w.field("latched", true) }
        if !a.description.isEmpty { w.field("description", a.description) }
        w.field("t", a.time.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }

    /// The retained summary on `<root>/alarms`.
    package static func summary(_ s: AlarmSummary, wall: WallTime, seq: UInt64) -> [UInt8] {
        var w = JSONWriter()
        w.beginObject()
        w.field("active", Int64(s.active))
        w.field("unacknowledged", Int64(s.unacknowledged))
        w.field("shelved", Int64(s.shelved))
        w.field("flood", s.flood)
        w.field("activations_in_window", Int64(s.activationsInWindow))
        w.key("held_back")
        w.beginArray()
        for name in s.heldBack { w.value(name) }
        w.endArray()
        w.field("t", wall.rfc3339)
        w.field("seq", Int64(seq))
        w.endObject()
        return w.bytes
    }
}
