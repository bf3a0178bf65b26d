import SenseAnalysis
import SenseConfig
import SenseCore
import SenseMQTT
import SenseWire

/// The Home Assistant MQTT discovery configs of a configuration (docs/home-assistant.md): one
/// retained config per entity on `<discovery_prefix>/<component>/sensegate_<node>/<object>/config`,
/// all on one device, all unavailable while `<root>/status` says `offline`. Pure: the same
/// configuration always gives the same configs.
package struct HomeAssistantDiscovery {
    struct Entity: Equatable {
        var component: String
        var objectID: String
        var topic: String
        var payload: [UInt8]
    }

    let config: SensegateConfig
    let settings: HomeAssistantSettings
    let topics: TopicTree
    /// False: entities come with their topics only (what the ledger needs), which skips the JSON.
    private var makesPayloads = true

    init(config: SensegateConfig, settings: HomeAssistantSettings) {
        self.config = config
        self.settings = settings
        topics = TopicTree(prefix: config.mqtt.prefix, node: config.node)
    }

    /// Discovery's node id: Home Assistant groups the configs under it.
    var nodeID: String { "sensegate_\(config.node)" }

    /// Every config topic of this node: `+` matches a component and an object.
    var ownConfigFilter: String { "\(settings.discoveryPrefix)/+/\(nodeID)/+/config" }

    func isOwnConfigTopic(_ topic: String) -> Bool {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let prefix = settings.discoveryPrefix.split(separator: "/").count
        return topic.hasPrefix(settings.discoveryPrefix + "/") && parts.count == prefix + 4
            && parts[prefix + 1] == nodeID && parts.last == "config"
    }

    /// Every config's topic, without making the payloads.
    var configTopics: [String] {
        var bare = self
        bare.makesPayloads = false
        return bare.entities.map(\.topic)
    }

    var entities: [Entity] {
        var out: [Entity] = []
        readings(&out)
        derived(&out)
        aggregates(&out)
        traffic(&out)
        alarms(&out)
        rules(&out)
        actuators(&out)
        health(&out)
        return out
    }

    // MARK: entities

    private func readings(_ out: inout [Entity]) {
        for sensor in config.sensors {
            if case .traffic = sensor.kind { continue }  // records, below
            let units = Dictionary(sensor.kind.channels, uniquingKeysWith: { a, _ in a })
            for quantity in sensor.publish {
                let topic = topics.reading(sensor: sensor.name, quantity: quantity)
                let object = "sensor_\(sensor.name)_\(quantity)"
                if case let .digitalInput(o) = sensor.kind {
                    // With a device class the entity is what the contact is (`Door`), not its state.
                    let name = o.deviceClass == nil ? "\(sensor.name) \(quantity)" : sensor.name
                    out.append(
                        entity("binary_sensor", object, name: name, state: topic) { w in
                            if let c = o.deviceClass { w.field("device_class", c) }
                            w.field("value_template", "{{ 'ON' if value_json.v == 1 else ('OFF' if value_json.v == 0 else None) }}")
                        })
                    continue
                }
                let q = HomeAssistantQuantity.of(quantity: quantity, unit: units[quantity] ?? .none)
                out.append(numeric(object, name: "\(sensor.name) \(quantity)", state: topic, q, diagnostic: quantity == "valid_pings"))
            }
        }
    }

    private func derived(_ out: inout [Entity]) {
        for d in config.derived {
            let topic = topics.derived(name: d.name)
            let object = "derived_\(d.name)"
            switch d.model {
            case .floodCategory:
                out.append(
                    enumeration(
                        object, name: d.name, state: topic, key: "category",
                        options: ["normal", "action", "minor", "moderate", "major"]))
            case .rainClass:
                out.append(
                    enumeration(
                        object, name: d.name, state: topic, key: "class",
                        options: ["none", "light", "moderate", "heavy", "violent"]))
            case .aqi:
                out.append(numeric(object, name: d.name, state: topic, HomeAssistantQuantity(unit: nil, deviceClass: "aqi")))
            default:
                out.append(numeric(object, name: d.name, state: topic, HomeAssistantQuantity.of(quantity: d.name, unit: d.model.unit)))
            }
        }
    }

    private func aggregates(_ out: inout [Entity]) {
        for window in config.windows {
            let unit = channelUnit(window.channel)
            for f in window.settings.functions {
                var q: HomeAssistantQuantity
                switch f {
                case .count: q = HomeAssistantQuantity(unit: nil, deviceClass: nil)
                case .rate, .slope:
                    q = HomeAssistantQuantity(unit: unit == .metre ? "m/h" : HomeAssistantQuantity.haUnit(unit).map { "\($0)/h" })
                case .sum: q = HomeAssistantQuantity(unit: HomeAssistantQuantity.haUnit(unit), deviceClass: nil)
                default: q = HomeAssistantQuantity.of(quantity: channelQuantity(window.channel), unit: unit)
                }
                out.append(
                    numeric(
                        "aggregate_\(window.name)_\(f.rawValue)", name: "\(window.name) \(f.rawValue)",
                        state: topics.aggregate(window.name), q, key: f.rawValue))
            }
        }
    }

    private func traffic(_ out: inout [Entity]) {
        for sensor in config.sensors {
            guard case let .traffic(o) = sensor.kind else { continue }
            let groups = o.station.directions.map { ($0, true) } + o.station.lanes.map { ($0.name, settings.laneEntities) }
            for (group, enabled) in groups {
                for period in o.station.periods.map(\.configText) {
                    let topic = topics.traffic(station: o.station.name, group: group, period: period)
                    let base = "traffic_\(o.station.name)_\(group)_\(period)"
                    let label = "\(o.station.name) \(group) \(period)"
                    let measures: [(String, HomeAssistantQuantity)] = [
                        ("flow", HomeAssistantQuantity(unit: "veh/h")),
                        ("occupancy", HomeAssistantQuantity(unit: "%")),
                        ("speed", HomeAssistantQuantity(unit: "km/h", deviceClass: "speed")),
                    ]
                    for (key, q) in measures {
                        out.append(numeric("\(base)_\(key)", name: "\(label) \(key)", state: topic, q, key: key, enabled: enabled))
                    }
                    out.append(
                        enumeration(
                            "\(base)_los", name: "\(label) level of service", state: topic, key: "los",
                            options: ["A", "B", "C", "D", "E", "F"], enabled: enabled))
                    out.append(
                        entity("binary_sensor", "\(base)_congested", name: "\(label) congested", state: topic, enabled: enabled) { w in
                            w.field(
                                "value_template", "{{ 'ON' if value_json.congested == true else ('OFF' if value_json.congested == false else None) }}"
                            )
                        })
                }
            }
        }
    }

    private func alarms(_ out: inout [Entity]) {
        for a in config.alarms {
            out.append(
                entity("binary_sensor", "alarm_\(a.name)", name: a.name, state: topics.alarm(a.name)) { w in
                    w.field("device_class", "problem")
                    w.field("value_template", "{{ 'ON' if value_json.active else 'OFF' }}")
                })
            if a.allowedCommands.contains(.ack) {
                out.append(
                    entity("button", "alarm_\(a.name)_ack", name: "\(a.name) acknowledge", state: nil) { w in
                        w.field("command_topic", topics.alarm(a.name) + "/ack")
                        w.field("payload_press", #"{"by":"home-assistant"}"#)
                    })
            }
            if a.allowedCommands.contains(.shelve) {
                // One press shelves for an hour, or for max_shelve if that is shorter.
                let shelveFor = min(.seconds(3600), a.maximumShelve)
                out.append(
                    entity("button", "alarm_\(a.name)_shelve", name: "\(a.name) shelve \(shelveFor.configText)", state: nil) { w in
                        w.field("command_topic", topics.alarm(a.name) + "/shelve")
                        w.field("payload_press", #"{"for":"\#(shelveFor.configText)","by":"home-assistant"}"#)
                    })
            }
            if a.allowedCommands.contains(.unshelve) {
                out.append(
                    entity("button", "alarm_\(a.name)_unshelve", name: "\(a.name) unshelve", state: nil) { w in
                        w.field("command_topic", topics.alarm(a.name) + "/unshelve")
                        w.field("payload_press", #"{"by":"home-assistant"}"#)
                    })
            }
        }
        out.append(numeric("alarms_active", name: "active alarms", state: topics.alarms, HomeAssistantQuantity(unit: nil), key: "active"))
    }

    private func rules(_ out: inout [Entity]) {
        for r in config.rules {
            out.append(
                entity("binary_sensor", "rule_\(r.name)", name: "rule \(r.name)", state: topics.rule(r.name), diagnostic: true) { w in
                    w.field("value_template", "{{ 'ON' if value_json.state == 'true' else ('OFF' if value_json.state == 'false' else None) }}")
                })
        }
    }

    private func actuators(_ out: inout [Entity]) {
        for a in config.actuators {
            let state = topics.actuator(a.name)
            let set = state + "/set"
            if a.commands.isSuperset(of: [.on, .off]) {
                out.append(
                    entity("switch", "actuator_\(a.name)", name: a.name, state: state) { w in
                        w.field("command_topic", set)
                        w.field("payload_on", #"{"command":"on","by":"home-assistant"}"#)
                        w.field("payload_off", #"{"command":"off","by":"home-assistant"}"#)
                        w.field("value_template", "{{ value_json.state }}")
                        w.field("state_on", "on")
                        w.field("state_off", "off")
                        w.field("optimistic", false)
                    })
            } else {
                out.append(
                    entity("binary_sensor", "actuator_\(a.name)", name: a.name, state: state) { w in
                        w.field("device_class", "running")
                        w.field("value_template", "{{ 'ON' if value_json.state == 'on' else 'OFF' }}")
                    })
            }
            // A pulse button for an actuator that is pulsed (no plain on/off) or has a `pulse:`.
            if a.commands.contains(.pulse), a.pulse != nil || !a.commands.isSuperset(of: [.on, .off]) {
                let length = a.pulse ?? min(.seconds(5), a.settings.maximumOverride)
                out.append(
                    entity("button", "actuator_\(a.name)_pulse", name: "\(a.name) pulse \(length.configText)", state: nil) { w in
                        w.field("command_topic", set)
                        w.field("payload_press", #"{"command":"pulse","for":"\#(length.configText)","by":"home-assistant"}"#)
                    })
            }
            if a.commands.contains(.release) {
                out.append(
                    entity("button", "actuator_\(a.name)_release", name: "\(a.name) release", state: nil) { w in
                        w.field("command_topic", set)
                        w.field("payload_press", #"{"command":"release","by":"home-assistant"}"#)
                    })
            }
        }
    }

    private func health(_ out: inout [Entity]) {
        let h = topics.health
        let items: [(String, String, String, HomeAssistantQuantity)] = [
            ("uptime", "uptime", "uptime_s", HomeAssistantQuantity(unit: "s", deviceClass: "duration")),
            ("memory", "memory", "rss_kib", HomeAssistantQuantity(unit: "KiB", deviceClass: "data_size")),
            ("outbox_depth", "outbox depth", "outbox.depth", HomeAssistantQuantity(unit: nil)),
            ("outbox_oldest", "outbox oldest message", "outbox.oldest_age_s", HomeAssistantQuantity(unit: "s", deviceClass: "duration")),
            ("outbox_dropped", "outbox dropped", "outbox.dropped", HomeAssistantQuantity(unit: nil, stateClass: "total_increasing")),
            ("mqtt_reconnects", "reconnects", "mqtt.reconnects", HomeAssistantQuantity(unit: nil, stateClass: "total_increasing")),
        ]
        for (object, name, key, q) in items {
            out.append(numeric("health_\(object)", name: name, state: h, q, key: key, diagnostic: true, attributes: false))
        }
    }

    // MARK: payloads

    /// A sensor whose state is one number of the payload (`v` for readings): `null` renders
    /// `None`, which Home Assistant shows as unknown, so a bad reading never becomes a number.
    private func numeric(
        _ object: String, name: String, state: String, _ q: HomeAssistantQuantity, key: String = "v",
        enabled: Bool = true, diagnostic: Bool = false, attributes: Bool = true
    ) -> Entity {
        entity("sensor", object, name: name, state: state, enabled: enabled, diagnostic: diagnostic, attributes: attributes) { w in
            if let c = q.deviceClass { w.field("device_class", c) }
            if let u = q.unit { w.field("unit_of_measurement", u) }
            w.field("state_class", q.stateClass)
            w.field("value_template", "{{ value_json.\(key) }}")
        }
    }

    private func enumeration(
        _ object: String, name: String, state: String, key: String, options: [String],
        enabled: Bool = true
    ) -> Entity {
        entity("sensor", object, name: name, state: state, enabled: enabled) { w in
            w.field("device_class", "enum")
            w.key("options")
            w.beginArray()
            for o in options { w.value(o) }
            w.endArray()
            w.field("value_template", "{{ value_json.\(key) if value_json.\(key) is defined and value_json.\(key) is not none else None }}")
        }
    }

    private func entity(
        _ component: String, _ object: String, name: String, state: String?, enabled: Bool = true,
        diagnostic: Bool = false, attributes: Bool = true, _ fields: (inout JSONWriter) -> Void
    ) -> Entity {
        let topic = "\(settings.discoveryPrefix)/\(component)/\(nodeID)/\(object)/config"
        guard makesPayloads else { return Entity(component: component, objectID: object, topic: topic, payload: []) }
        var w = JSONWriter()
        w.beginObject()
        w.field("name", HomeAssistantNames.readable(name))
        w.field("unique_id", "\(nodeID)_\(object)")
        if let state {
            w.field("state_topic", state)
            if attributes { w.field("json_attributes_topic", state) }
        }
        fields(&w)
        w.field("availability_topic", topics.status)
        w.field("payload_available", "online")
        w.field("payload_not_available", "offline")
        w.field("qos", Int64(1))
        if !enabled { w.field("enabled_by_default", false) }
        if diagnostic { w.field("entity_category", "diagnostic") }
        w.key("device")
        w.beginObject()
        w.key("identifiers")
        w.beginArray()
        w.value(nodeID)
        w.endArray()
        w.field("name", settings.deviceName ?? config.node)
        w.field("manufacturer", "sensegate")
        w.field("model", "sensegate gateway on \(config.board.name)")
        w.field("sw_version", SensegateVersion.string)
        if let area = settings.area { w.field("suggested_area", area) }
        w.endObject()
        w.key("origin")
        w.beginObject()
        w.field("name", "sensegate")
        w.field("sw_version", SensegateVersion.string)
        w.endObject()
        w.endObject()
        return Entity(component: component, objectID: object, topic: topic, payload: w.bytes)
    }

    // MARK: units

    private func channelUnit(_ ref: ChannelRef) -> Unit {
        switch ref {
        case let .sensor(s, q): config.sensors.first { $0.name == s }?.kind.channels.first { $0.0 == q }?.1 ?? .none
        case let .derived(n): config.derived.first { $0.name == n }?.model.unit ?? .none
        case .aggregate: .none
        }
    }

    private func channelQuantity(_ ref: ChannelRef) -> String {
        switch ref {
        case let .sensor(_, q): q
        case let .derived(n): n
        case let .aggregate(w, _): w
        }
    }
}
