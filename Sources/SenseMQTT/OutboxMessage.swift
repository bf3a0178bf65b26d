/// The delivery classes. Each has its own queue (FIFO by `seq`), its QoS and retain policy set by
/// the publisher, and a priority: a lower raw value is sent first and dropped last.
package enum MessageClass: Int, Sendable, Hashable, CaseIterable, Comparable {
    /// Alarms, the alarm summary, rules and actuator states: retained, QoS 1.
    case state = 0
    /// Answers to operator commands (acks, replies): QoS 1.
    case reply = 1
    /// Readings, derived channels, aggregates, traffic records and vehicles: `mqtt.qos`.
    case data = 2
    /// Health: QoS 0, retained; only the newest matters, so it is never written to disk.
    case health = 3

    package var name: String {
        switch self {
        case .state: "state"
        case .reply: "reply"
        case .data: "data"
        case .health: "health"
        }
    }

    /// The classes that are written to disk and replayed, in priority order.
    package static let durable: [MessageClass] = [.state, .reply, .data]

    package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// One outgoing message as the outbox keeps it.
package struct OutboxMessage: Sendable, Hashable {
    /// The node's message counter, also carried in the payload: unique, increasing.
    package var seq: UInt64
    package var kind: MessageClass
    package var topic: String
    package var payload: [UInt8]
    package var qos: Int
    package var retain: Bool
    /// Wall time of creation, milliseconds since the epoch (for the age limit and health).
    package var createdMs: Int64
    /// The payload's JSON Schema, by file name in docs/schemas without `.schema.json` (`reading`).
    package var schema: String?

    package init(
        seq: UInt64, kind: MessageClass, topic: String, payload: [UInt8], qos: Int, retain: Bool, createdMs: Int64,
        schema: String? = nil
    ) {
        self.seq = seq
        self.kind = kind
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retain = retain
        self.createdMs = createdMs
        self.schema = schema
    }

    /// What it costs against `max_size`: topic and payload bytes.
    package var size: Int { topic.utf8.count + payload.count }

    /// Health expires from the broker after three missed reports, so a dead gateway's last
    /// health does not look current (MQTT 5 only; `status` says `offline` in any version).
    package static let healthExpirySeconds = 180
    package static let schemaVersion = "1"
    /// The `schema` of CAP alerts: XML in the OASIS namespace, not one of sensegate's JSON Schemas.
    package static let capSchema = "cap"

    /// As published. On MQTT 5: content type, `seq`, the schema's `$id` and version as user
    /// properties, and an expiry for health.
    package var mqtt: MQTTMessage {
        var p = MQTTProperties()
        let cap = schema == Self.capSchema
        if !payload.isEmpty { p.contentType = cap ? "application/cap+xml" : "application/json" }
        p.user = [["seq", String(seq)]]
        if cap {
            p.user += [["schema", "urn:oasis:names:tc:emergency:cap:1.2"]]
        } else if let schema {
            p.user += [["schema", "https://sensegate.example/schemas/\(schema).schema.json"], ["schema_version", Self.schemaVersion]]
        }
        if kind == .health { p.expirySeconds = Self.healthExpirySeconds }
        return MQTTMessage(topic: topic, payload: payload, qos: qos, retain: retain, properties: p)
    }
}
