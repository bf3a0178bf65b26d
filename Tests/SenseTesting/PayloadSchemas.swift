import Foundation

/// Every message a test saw, checked against the schema its topic promises (docs/mqtt.md): JSON
/// payloads against docs/schemas/*.schema.json, CAP alerts against the CAP 1.2 structure, Home
/// Assistant configs as Home Assistant takes them. A topic with no documented schema is an error
/// itself, so nothing published escapes the check.
public enum PayloadSchemas {
    /// The schema file for a topic, `cap` or `home-assistant` for the non-JSON-Schema checks, nil
    /// for what carries no schema: `status` (text), deletions (empty), inbound commands (tests send
    /// malformed ones on purpose) and the subscriber's probes.
    public static func schema(for topic: String) -> String?? {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if topic.hasPrefix("sensegate-test/") { return .some(nil) }
        if levels.count >= 4, levels.last == "config", levels.contains(where: { $0.hasPrefix("sensegate_") }) {
            return "home-assistant"
        }
        if levels.last == "status" { return .some(nil) }
        // <prefix…>/<node>/<kind>/…: find the kind after the node.
        let kinds = ["sensor", "derived", "aggregate", "alarm", "alarms", "rule", "actuator", "health", "senml"]
        guard let k = levels.lastIndex(where: { kinds.contains($0) }) else {
            return levels.count >= 2 && levels[levels.count - 2] == "cap" ? "cap" : nil
        }
        let rest = Array(levels[(k + 1)...])
        switch levels[k] {
        case "sensor": return rest.count == 2 ? "reading.schema.json" : nil
        case "derived":
            if rest.first == "traffic" { return rest.last == "vehicle" ? "traffic-vehicle.schema.json" : "traffic-record.schema.json" }
            return rest.count == 1 ? "reading.schema.json" : nil
        case "aggregate": return rest.count == 1 ? "aggregate.schema.json" : nil
        case "alarm":
            if rest.count == 1 { return "alarm.schema.json" }
            if rest.count == 2, rest[1] == "reply" { return "alarm-reply.schema.json" }
            if rest.count == 2, ["ack", "shelve", "unshelve"].contains(rest[1]) { return .some(nil) }
            return nil
        case "alarms": return rest.isEmpty ? "alarms.schema.json" : nil
        case "rule": return rest.count == 1 ? "rule.schema.json" : nil
        case "actuator":
            if rest.count == 1 { return "actuator.schema.json" }
            if rest.count == 2, rest[1] == "ack" { return "actuator-ack.schema.json" }
            if rest.count == 2, rest[1] == "set" { return .some(nil) }
            return nil
        case "health": return rest.isEmpty ? "health.schema.json" : nil
        case "senml": return rest.count == 1 ? "senml.schema.json" : nil
        default: return nil
        }
    }

    /// The problems, one line each; empty when every message is what its topic promises.
    public static func errors(_ messages: [ReceivedMessage]) throws -> [String] {
        var groups: [String: [ReceivedMessage]] = [:]
        var errors: [String] = []
        for m in messages where !m.payload.isEmpty {
            switch schema(for: m.topic) {
            case nil: errors.append("\(m.topic): no documented schema for this topic")
            case .some(nil): continue
            case let .some(.some(s)): groups[s, default: []].append(m)
            }
        }
        for (schema, list) in groups.sorted(by: { $0.key < $1.key }) {
            switch schema {
            case "cap":
                errors += try CAPValidator.errors(list.map(\.payload)).map { "cap: \($0)" }
            case "home-assistant":
                var configs: [String: String] = [:]
                for m in list { configs[m.topic] = m.payload }
                var states: [String: [String]] = [:]
                for m in messages { states[m.topic, default: []].append(m.payload) }
                errors += try HomeAssistantValidator.check(configs: configs, states: states).errors.map { "home assistant: \($0)" }
            default:
                errors += try SchemaValidator.errors(schema: schema, payloads: list.map(\.payload)).map { line in
                    // "payload N: …" → the topic of that payload.
                    guard let n = Int(line.split(separator: ":").first?.split(separator: " ").last ?? ""), n >= 1, n <= list.count
                    else { return "\(schema): \(line)" }
                    return "\(list[n - 1].topic): \(line)"
                }
            }
        }
        return errors
    }

    /// How many messages were checked against a schema (not `status`, probes or deletions).
    public static func checkedCount(_ messages: [ReceivedMessage]) -> Int {
        messages.filter { !$0.payload.isEmpty && (schema(for: $0.topic) ?? nil) != nil }.count
    }
}
