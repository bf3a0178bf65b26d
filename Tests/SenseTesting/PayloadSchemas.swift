import Foundation

/// Every message a test saw, checked against the schema its topic promises (docs/mqtt.md): JSON
/// payloads against docs/schemas/*.schema.json, CAP alerts against the CAP 1.2 structure, Home
/// Assistant configs as Home Assistant takes them. A topic with no documented schema is an error
/// itself, so nothing published escapes the check.
package enum PayloadSchemas {
    /// How a topic's payloads are checked.
    package enum Check: Sendable, Hashable {
        /// A file in docs/schemas.
        case jsonSchema(String)
        case cap
        case homeAssistant
        /// No schema: `status` (text), inbound commands (tests send malformed ones on purpose) and
        /// the subscriber's probes.
        case unchecked
    }

    /// The check for a topic; nil for a topic the docs do not describe.
    package static func check(for topic: String) -> Check? {
        let levels = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if topic.hasPrefix("sensegate-test/") { return .unchecked }
        if levels.count >= 4, levels.last == "config", levels.contains(where: { $0.hasPrefix("sensegate_") }) {
            return .homeAssistant
        }
        if levels.last == "status" { return .unchecked }
        if levels.count == 3, ["v1.0", "v1.1"].contains(levels[0]), levels[1].hasPrefix("Datastreams("), levels[2] == "Observations" {
            return .jsonSchema("sensorthings-observation.schema.json")
        }
        // <prefix…>/<node>/<kind>/…: find the kind after the node.
        let kinds = ["sensor", "derived", "aggregate", "alarm", "alarms", "rule", "actuator", "health", "senml"]
        guard let k = levels.lastIndex(where: { kinds.contains($0) }) else {
            return levels.count >= 2 && levels[levels.count - 2] == "cap" ? .cap : nil
        }
        let rest = Array(levels[(k + 1)...])
        switch levels[k] {
        case "sensor": return rest.count == 2 ? .jsonSchema("reading.schema.json") : nil
        case "derived":
            if rest.first == "traffic" {
                return rest.last == "vehicle" ? .jsonSchema("traffic-vehicle.schema.json") : .jsonSchema("traffic-record.schema.json")
            }
            return rest.count == 1 ? .jsonSchema("reading.schema.json") : nil
        case "aggregate": return rest.count == 1 ? .jsonSchema("aggregate.schema.json") : nil
        case "alarm":
            if rest.count == 1 { return .jsonSchema("alarm.schema.json") }
            if rest.count == 2, rest[1] == "reply" { return .jsonSchema("alarm-reply.schema.json") }
            if rest.count == 2, ["ack", "shelve", "unshelve"].contains(rest[1]) { return .unchecked }
            return nil
        case "alarms": return rest.isEmpty ? .jsonSchema("alarms.schema.json") : nil
        case "rule": return rest.count == 1 ? .jsonSchema("rule.schema.json") : nil
        case "actuator":
            if rest.count == 1 { return .jsonSchema("actuator.schema.json") }
            if rest.count == 2, rest[1] == "ack" { return .jsonSchema("actuator-ack.schema.json") }
            if rest.count == 2, rest[1] == "set" { return .unchecked }
            return nil
        case "health": return rest.isEmpty ? .jsonSchema("health.schema.json") : nil
        case "senml": return rest.count == 1 ? .jsonSchema("senml.schema.json") : nil
        default: return nil
        }
    }

    /// The problems, one line each; empty when every message is what its topic promises.
    package static func errors(_ messages: [ReceivedMessage]) throws -> [String] {
        var groups: [Check: [ReceivedMessage]] = [:]
        var errors: [String] = []
        for m in messages where !m.payload.isEmpty {  // an empty payload deletes a retained topic
            guard let c = check(for: m.topic) else {
                errors.append("\(m.topic): no documented schema for this topic")
                continue
            }
            if c != .unchecked { groups[c, default: []].append(m) }
        }
        for (check, list) in groups.sorted(by: { "\($0.key)" < "\($1.key)" }) {
            switch check {
            case .unchecked:
                continue
            case .cap:
                errors += try CAPValidator.errors(list.map(\.payload)).map { "cap: \($0)" }
            case .homeAssistant:
                var configs: [String: String] = [:]
                for m in list { configs[m.topic] = m.payload }
                var states: [String: [String]] = [:]
                for m in messages { states[m.topic, default: []].append(m.payload) }
                errors += try HomeAssistantValidator.check(configs: configs, states: states).errors.map { "home assistant: \($0)" }
            case let .jsonSchema(schema):
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
    package static func checkedCount(_ messages: [ReceivedMessage]) -> Int {
        messages.filter { !$0.payload.isEmpty && check(for: $0.topic).map { $0 != .unchecked } == true }.count
    }
}
