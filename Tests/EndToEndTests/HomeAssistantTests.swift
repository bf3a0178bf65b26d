import Foundation
import SenseTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Home Assistant MQTT discovery from the built daemon on a real broker: every config as Home
/// Assistant takes it (templates rendered with Jinja on the real payloads), a switch that drives
/// the actuator, stale entities deleted, configs again on Home Assistant's birth, and all of them
/// gone when discovery is switched off.
@Suite(.serialized) struct HomeAssistantTests {
    static func config(_ site: Site, port: Int, door: Bool = true, enabled: Bool = true) -> String {
        site.simConfig(
            port: port, node: "ha", extraSensors: door ? "  - {name: door, driver: digital_input, pin: GPIO17, interval: 5s}" : "",
            simulation: ReactionEndToEndTests.excursion,
            derived: """
                derived:
                  - {name: dew_point, model: dew_point, inputs: {temperature: outdoor.temperature, humidity: outdoor.humidity}}
                windows:
                  - {name: t10s, channel: outdoor.temperature, length: 10s, functions: [mean, max, count, rate]}
                \(ReactionEndToEndTests.reaction)
                home_assistant:
                  enabled: \(enabled)
                  device_name: Roof gateway
                  area: Roof
                """)
    }

    @Test func discoveryAsHomeAssistantTakesIt() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        // A config left by an earlier version with an entity that no longer exists, and another device's.
        let stale = "homeassistant/sensor/sensegate_ha/sensor_attic_temperature/config"
        let foreign = "homeassistant/sensor/other_device/temperature/config"
        try Subscriber.publish(port: broker.port, topic: stale, payload: #"{"name":"attic temperature","state_topic":"x"}"#, retain: true)
        try Subscriber.publish(port: broker.port, topic: foreign, payload: #"{"name":"not ours","state_topic":"y"}"#, retain: true)
        let sub = try await Subscriber.connected(port: broker.port, filter: "#")
        let path = site.write("ha.yaml", Self.config(site, port: broker.port))
        var daemon = try SensegateBinary.start(["run", "--config", path])
        let root = "sensegate/ha/"
        let isConfig = { (m: ReceivedMessage) in
            m.topic.hasPrefix("homeassistant/") && m.topic.contains("/sensegate_ha/") && !m.payload.isEmpty && m.topic != stale
        }

        // The configs: one per entity, retained, and the stale one deleted.
        let deleted = await sub.wait(timeout: 10) { $0.topic == stale && $0.payload.isEmpty }
        #expect(!deleted.isEmpty, "the stale config was not deleted")
        _ = await sub.wait(timeout: 15) { $0.topic == root + "aggregate/t10s" }  // a window has closed
        _ = await sub.wait(timeout: 10) { $0.topic == root + "alarm/hot" && $0.payload.contains("active_unacknowledged") }
        let configs = Dictionary(sub.messages.filter(isConfig).map { ($0.topic, $0.payload) }, uniquingKeysWith: { _, b in b })
        let expected = [
            "sensor/sensegate_ha/sensor_outdoor_temperature", "sensor/sensegate_ha/sensor_outdoor_pressure",
            "sensor/sensegate_ha/sensor_cabinet_humidity", "binary_sensor/sensegate_ha/sensor_door_state",
            "sensor/sensegate_ha/derived_dew_point", "sensor/sensegate_ha/aggregate_t10s_mean",
            "sensor/sensegate_ha/aggregate_t10s_rate", "binary_sensor/sensegate_ha/alarm_hot",
            "button/sensegate_ha/alarm_hot_ack", "sensor/sensegate_ha/alarms_active",
            "binary_sensor/sensegate_ha/rule_cool_down", "switch/sensegate_ha/actuator_fan",
            "button/sensegate_ha/actuator_fan_release", "binary_sensor/sensegate_ha/actuator_beacon",
            "button/sensegate_ha/actuator_beacon_release", "sensor/sensegate_ha/health_uptime",
        ]
        for e in expected { #expect(configs["homeassistant/\(e)/config"] != nil, "no config for \(e)") }
        #expect(configs["homeassistant/sensor/sensegate_ha/sensor_cabinet_pressure/config"] == nil, "cabinet pressure is not published")
        let temperature = try #require(configs["homeassistant/sensor/sensegate_ha/sensor_outdoor_temperature/config"])
        let t = try #require(try JSONSerialization.jsonObject(with: Data(temperature.utf8)) as? [String: Any])
        #expect(t["device_class"] as? String == "temperature" && t["unit_of_measurement"] as? String == "°C")
        #expect(t["state_topic"] as? String == root + "sensor/outdoor/temperature" && t["availability_topic"] as? String == root + "status")
        #expect((t["device"] as? [String: Any])?["name"] as? String == "Roof gateway")
        #expect((t["device"] as? [String: Any])?["suggested_area"] as? String == "Roof")

        // The switch drives the actuator through the checked command path.
        let fan = try #require(
            try JSONSerialization.jsonObject(with: Data(configs["homeassistant/switch/sensegate_ha/actuator_fan/config"]!.utf8)) as? [String: Any])
        let acks = sub.messages(on: root + "actuator/fan/ack").count
        try Subscriber.publish(port: broker.port, topic: fan["command_topic"] as! String, payload: fan["payload_off"] as! String)
        let ack = await sub.wait(for: acks + 1) { $0.topic == root + "actuator/fan/ack" }
        #expect(ack.last?.payload.contains("\"ok\":true") == true, "\(ack.last?.payload ?? "no ack")")
        #expect(await !sub.wait { $0.topic == root + "actuator/fan" && $0.payload.contains("\"source\":\"manual\"") }.isEmpty)

        // Home Assistant restarts and says so: the configs come again.
        let before = sub.messages.filter(isConfig).count
        try Subscriber.publish(port: broker.port, topic: "homeassistant/status", payload: "online")
        let again = await sub.wait(for: before + configs.count, timeout: 10, where: isConfig)
        #expect(again.count >= before + configs.count)

        // A reload without the door: its entity is deleted, the rest stay.
        let door = "homeassistant/binary_sensor/sensegate_ha/sensor_door_state/config"
        site.write("ha.yaml", Self.config(site, port: broker.port, door: false))
        daemon.signal(SIGHUP)
        #expect(await !sub.wait(timeout: 10) { $0.topic == door && $0.payload.isEmpty }.isEmpty, "the door's config stayed")
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)

        // The broker keeps them: a late subscriber (Home Assistant starting) gets every one, retained.
        let late = try await Subscriber.connected(port: broker.port, filter: "homeassistant/+/sensegate_ha/#")
        let kept = await late.wait(for: configs.count - 1, timeout: 5) { $0.retained && !$0.payload.isEmpty }
        #expect(Set(kept.map(\.topic)) == Set(configs.keys).subtracting([door]))
        late.stop()

        // Every message of the run, the configs among them, as its schema (or Home Assistant) wants it.
        let all = sub.messages.filter { $0.topic != stale && $0.topic != foreign }  // the two the test planted
        #expect(try PayloadSchemas.errors(all) == [])
        let report = try HomeAssistantValidator.check(
            configs: configs, states: Dictionary(grouping: all, by: \.topic).mapValues { $0.map(\.payload) })
        #expect(report.errors == [])
        #expect(report.unrendered == [], "every template is rendered on a real payload at least once")
        #expect(report.rendered > 50, "templates rendered on real payloads: \(report.rendered)")

        // Switched off: every config this node published is deleted; the other device's stays.
        site.write("ha.yaml", Self.config(site, port: broker.port, door: false, enabled: false))
        daemon = try SensegateBinary.start(["run", "--config", path])
        let remaining = Set(configs.keys).subtracting([door])
        let emptied = await sub.wait(for: remaining.count, timeout: 15) { remaining.contains($0.topic) && $0.payload.isEmpty }
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        #expect(Set(emptied.map(\.topic)) == remaining)
        #expect(!sub.messages.contains { $0.topic == foreign && $0.payload.isEmpty }, "another device's config was touched")
    }

    /// A large change on a broker whose queues are small (as mosquitto's defaults are, at scale):
    /// the gateway cannot read most of its own retained configs back, yet every config of the
    /// removed entities is deleted, because it remembers what it announced (`discovery-topics`).
    @Test func aLargeChangeIsCleanedUpWhateverTheBrokersQueues() async throws {
        let broker = try await MosquittoBroker.running(extraConfig: "max_queued_messages 2\nmax_inflight_messages 2")
        let site = Site()
        let buses = ["i2c-3", "i2c-10", "i2c-11", "i2c-12", "i2c-13", "i2c-14", "i2c-15", "i2c-16", "i2c-17"]
        let many = buses.enumerated().flatMap { i, bus in
            ["0x76", "0x77"].enumerated().map { k, address in
                "  - {name: extra\(2 * i + k), driver: bme280, bus: \(bus), address: \(address), interval: 5s}"
            }
        }.joined(separator: "\n")
        func config(_ extra: String) -> String {
            site.simConfig(port: broker.port, node: "big", extraSensors: extra, derived: "home_assistant: {enabled: true}")
        }
        let path = site.write("big.yaml", config(many))
        var daemon = try SensegateBinary.start(["run", "--config", path])
        let watcher = try await Subscriber.connected(port: broker.port, filter: "homeassistant/+/sensegate_big/+/config", qos: 0)
        let extraConfigs = { (m: ReceivedMessage) in m.topic.contains("/sensor_extra") && !m.payload.isEmpty }
        let announced = await watcher.wait(for: 54, timeout: 15, where: extraConfigs)
        #expect(Set(announced.map(\.topic)).count == 54, "18 BME280s, three entities each")
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)

        // Started again without them: all 54 are deleted.
        site.write("big.yaml", config(""))
        daemon = try SensegateBinary.start(["run", "--config", path])
        let removed = Set(announced.map(\.topic))
        let deleted = await watcher.wait(for: removed.count, timeout: 15) { removed.contains($0.topic) && $0.payload.isEmpty }
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        // The watcher itself goes through the broker's queues of 2: it may miss some of the burst
        // of deletions (CI saw 41 of 54 arrive). What the broker still holds, below, is the test.
        #expect(!deleted.isEmpty && Set(deleted.map(\.topic)).isSubset(of: removed))
        // What the broker still holds for the node: the remaining entities' configs only.
        let late = try await Subscriber.connected(port: broker.port, filter: "homeassistant/+/sensegate_big/+/config", qos: 0)
        let kept = await late.wait(for: 1, timeout: 5) { $0.retained }
        try await Task.sleep(for: .milliseconds(500))  // the rest of the retained ones arrive
        #expect(!kept.isEmpty)
        #expect(!late.messages.contains { $0.retained && removed.contains($0.topic) }, "a removed entity's config is still retained")
        let ledger = try String(contentsOfFile: site.state + "/discovery-topics", encoding: .utf8)
        #expect(!ledger.contains("sensor_extra") && ledger.contains("sensor_outdoor_temperature"))
    }

    /// The validator is not a rubber stamp: wrong units, broken templates and missing keys fail.
    @Test func theValidatorFindsMistakes() throws {
        let device = #""device":{"identifiers":["x"],"name":"x"},"availability_topic":"s""#
        let configs = [
            "homeassistant/sensor/sensegate_x/a/config":
                #"{"name":"a","unique_id":"a","state_topic":"t","device_class":"temperature","unit_of_measurement":"Cel","state_class":"measurement","#
                + device + "}",
            "homeassistant/sensor/sensegate_x/b/config":
                #"{"name":"b","unique_id":"b","state_topic":"t","state_class":"measurement","value_template":"{{ value_json.q }}","#
                + device + "}",
            "homeassistant/switch/sensegate_x/c/config": #"{"name":"c","unique_id":"c","state_topic":"t","#
                + device + "}",
        ]
        let report = try HomeAssistantValidator.check(configs: configs, states: ["t": [#"{"v":1,"q":"good"}"#]])
        #expect(report.errors.count == 3, "\(report.errors)")
    }
}
