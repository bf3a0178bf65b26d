/// The topic tree (docs/mqtt.md): everything under `<prefix>/<node>`.
package struct TopicTree: Sendable, Hashable {
    package let root: String

    package init(prefix: String, node: String) { root = "\(prefix)/\(node)" }

    /// Retained `online` / `offline`; `offline` is also the last will.
    package var status: String { "\(root)/status" }
    /// Retained health summary.
    package var health: String { "\(root)/health" }

    package func reading(sensor: String, quantity: String) -> String { "\(root)/sensor/\(sensor)/\(quantity)" }

    /// An alarm's retained state; commands arrive below it and their outcome goes to `reply`.
    package func alarm(_ name: String) -> String { "\(root)/alarm/\(name)" }
    package func alarmReply(_ name: String) -> String { "\(root)/alarm/\(name)/reply" }
    /// Every topic below an alarm's own (`+/#` matches the level itself and any deeper one), so a
    /// command to an unknown verb gets an answer too; the alarm's state is not below it.
    package var alarmCommandFilter: String { "\(root)/alarm/+/+/#" }

    /// The node's alarms at a glance: counts and the flood state (retained).
    package var alarms: String { "\(root)/alarms" }

    /// A rule's retained truth.
    package func rule(_ name: String) -> String { "\(root)/rule/\(name)" }

    /// An actuator's retained state; commands arrive on `set`, their outcome goes to `ack`.
    package func actuator(_ name: String) -> String { "\(root)/actuator/\(name)" }
    package func actuatorAck(_ name: String) -> String { "\(root)/actuator/\(name)/ack" }
    package var actuatorCommandFilter: String { "\(root)/actuator/+/+/#" }

    /// Where operator commands arrive (and, for the refusals, unknown verbs and deeper levels).
    package var commandFilters: [String] { [actuatorCommandFilter, alarmCommandFilter] }

    /// A window's aggregates, one message per closed window.
    package func aggregate(_ name: String) -> String { "\(root)/aggregate/\(name)" }

    /// A sensor's readings of one fetch as a SenML pack (`mqtt.format: senml`); derived channels
    /// under the sensor name `derived`.
    package func senml(sensor: String) -> String { "\(root)/senml/\(sensor)" }
    /// The SenML base name of a sensor's records: `<root>/<sensor>/`.
    package func senmlBaseName(sensor: String) -> String { "\(root)/\(sensor)/" }

    /// A derived channel's value (same payload as a reading).
    package func derived(name: String) -> String { "\(root)/derived/\(name)" }

    /// A traffic station's record of one lane or direction over one period (`1m`, `15m`).
    package func traffic(station: String, group: String, period: String) -> String { "\(root)/derived/traffic/\(station)/\(group)/\(period)" }

    /// A traffic station's anonymous vehicle events of one lane.
    package func vehicles(station: String, lane: String) -> String { "\(root)/derived/traffic/\(station)/\(lane)/vehicle" }
}
