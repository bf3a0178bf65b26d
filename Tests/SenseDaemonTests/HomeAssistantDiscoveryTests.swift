import Foundation
import SenseConfig
import SenseParts
import SenseTesting
import SenseWire
import Testing

@testable import SenseDaemon

/// The discovery configs of every shipped example, as Home Assistant would take them.
@Suite struct HomeAssistantDiscoveryTests {
    static func discovery(_ example: String) throws -> HomeAssistantDiscovery {
        let config = try ConfigLoader.load(RepositoryPaths.root + "/examples/\(example).yaml", parts: .standard)
        let settings = try #require(config.mqtt.homeAssistant, "\(example) enables home_assistant")
        return HomeAssistantDiscovery(config: config, settings: settings)
    }

    static func json(_ e: HomeAssistantDiscovery.Entity) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(e.payload)) as? [String: Any])
    }

    @Test(arguments: ["river-gauge", "air-station", "crossroads"])
    func everyExampleIsWellFormed(_ example: String) throws {
        let d = try Self.discovery(example)
        let entities = d.entities
        #expect(entities.count > 20)
        #expect(Set(entities.map(\.topic)).count == entities.count, "one config per entity")
        let report = try HomeAssistantValidator.check(
            configs: Dictionary(
                uniqueKeysWithValues: entities.map {
                    ($0.topic, String(decoding: $0.payload, as: UTF8.self))
                }), states: [:])
        #expect(report.errors == [])
        for e in entities {
            #expect(d.isOwnConfigTopic(e.topic), "\(e.topic)")
            #expect(e.objectID.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }, "\(e.objectID)")
        }
    }

    @Test func theRiverGaugesEntities() throws {
        let d = try Self.discovery("river-gauge")
        let byObject = Dictionary(uniqueKeysWithValues: try d.entities.map { ($0.objectID, try Self.json($0)) })
        let stage = try #require(byObject["derived_stage"])
        #expect(stage["device_class"] as? String == "distance" && stage["unit_of_measurement"] as? String == "m")
        let rain = try #require(byObject["sensor_rain_rain_total"])
        #expect(rain["device_class"] as? String == "precipitation" && rain["state_class"] as? String == "total_increasing")
        #expect(byObject["sensor_rain_intensity_15m"]?["device_class"] as? String == "precipitation_intensity")
        #expect(byObject["derived_discharge"]?["unit_of_measurement"] as? String == "m³/s")
        #expect(byObject["derived_discharge"]?["device_class"] as? String == "volume_flow_rate")
        // Pumped volumes are `volume` totals (not a utility's `water`); echo times are durations.
        let volume = try #require(byObject["sensor_pump_meter_volume_total"])
        #expect(volume["device_class"] as? String == "volume" && volume["state_class"] as? String == "total_increasing")
        #expect(volume["unit_of_measurement"] as? String == "L")
        let echo = try #require(byObject.first { $0.key.hasSuffix("_echo_time") }?.value)
        #expect(echo["device_class"] as? String == "duration" && echo["unit_of_measurement"] as? String == "\u{03BC}s")
        #expect(byObject["derived_stage"]?["name"] as? String == "Stage")
        let category = try #require(byObject["derived_flood_category"])
        #expect(category["device_class"] as? String == "enum" && (category["options"] as? [String])?.count == 5)
        #expect(byObject["sensor_pump_meter_flow"]?["unit_of_measurement"] as? String == "L/min")
        let pump = try #require(byObject["actuator_drainage_pump"])
        #expect(pump["command_topic"] as? String == "sensegate/river-gauge/actuator/drainage_pump/set")
        #expect(byObject["actuator_siren"] != nil)
        #expect(byObject["alarm_flood_stage"]?["device_class"] as? String == "problem")
        #expect(byObject["rule_flash_flood_warning"]?["entity_category"] as? String == "diagnostic")
        #expect((byObject["derived_stage"]?["device"] as? [String: Any])?["name"] as? String == "River gauge 17")
    }

    /// Home Assistant's micro is the Greek mu (U+03BC): its PM device classes refuse the micro
    /// sign (U+00B5) as another unit.
    @Test(arguments: ["river-gauge", "air-station", "crossroads"])
    func noMicroSignAnywhere(_ example: String) throws {
        for e in try Self.discovery(example).entities {
            #expect(!String(decoding: e.payload, as: UTF8.self).unicodeScalars.contains("\u{00B5}"), "\(e.topic)")
        }
        if example == "air-station" {
            let pm = try #require(try Self.discovery(example).entities.first { $0.objectID == "sensor_pm_pm2_5" })
            let json = try Self.json(pm)
            #expect(json["unit_of_measurement"] as? String == "\u{03BC}g/m³" && json["device_class"] as? String == "pm25")
            #expect(json["name"] as? String == "PM PM2.5", "\(json["name"] ?? "")")
        }
    }

    static let controls = """

          - {name: front_door, driver: digital_input, pin: GPIO17, device_class: door}
          - {name: float_switch, driver: digital_input, pin: GPIO27}
        home_assistant: {device_name: Cabinet}
        alarms:
          - {name: cabinet_humid, channel: outdoor.humidity, high: 80, max_shelve: 30m}
          - {name: frost, channel: outdoor.temperature, low: 0, commands: [ack]}
        actuators:
          - {name: beacon, pin: GPIO23, commands: [pulse, release]}
          - {name: door_strike, pin: GPIO24, pulse: 3s}
          - {name: fan, pin: GPIO25}
        """

    @Test func contactsButtonsAndReadableNames() throws {
        let config = try ConfigFixture.load(ConfigFixture.valid + Self.controls)
        let d = HomeAssistantDiscovery(config: config, settings: try #require(config.mqtt.homeAssistant))
        let byObject = Dictionary(uniqueKeysWithValues: try d.entities.map { ($0.objectID, try Self.json($0)) })
        // A contact with a device class is that thing (`Front door`, open/closed); one without
        // keeps its state's name.
        let door = try #require(byObject["sensor_front_door_state"])
        #expect(door["device_class"] as? String == "door" && door["name"] as? String == "Front door")
        let float = try #require(byObject["sensor_float_switch_state"])
        #expect(float["device_class"] == nil && float["name"] as? String == "Float switch state")
        // Shelving as buttons: for an hour, or max_shelve when shorter; none where not allowed.
        let shelve = try #require(byObject["alarm_cabinet_humid_shelve"])
        #expect(shelve["payload_press"] as? String == #"{"for":"30m","by":"home-assistant"}"#)
        #expect(shelve["command_topic"] as? String == "sensegate/test-node/alarm/cabinet_humid/shelve")
        #expect(shelve["name"] as? String == "Cabinet humid shelve 30m")
        #expect(byObject["alarm_cabinet_humid_unshelve"]?["payload_press"] as? String == #"{"by":"home-assistant"}"#)
        #expect(byObject["alarm_frost_shelve"] == nil && byObject["alarm_frost_unshelve"] == nil && byObject["alarm_frost_ack"] != nil)
        // Pulse buttons: a pulsed actuator (5 s by default) and one with its own `pulse:`; not a
        // plain on/off actuator without one.
        #expect(byObject["actuator_beacon_pulse"]?["payload_press"] as? String == #"{"command":"pulse","for":"5s","by":"home-assistant"}"#)
        #expect(byObject["actuator_door_strike_pulse"]?["payload_press"] as? String == #"{"command":"pulse","for":"3s","by":"home-assistant"}"#)
        #expect(byObject["actuator_door_strike_pulse"]?["name"] as? String == "Door strike pulse 3s")
        #expect(byObject["actuator_fan_pulse"] == nil)
        #expect(byObject["alarms_active"]?["name"] as? String == "Active alarms")
        let report = try HomeAssistantValidator.check(
            configs: Dictionary(uniqueKeysWithValues: d.entities.map { ($0.topic, String(decoding: $0.payload, as: UTF8.self)) }),
            states: [:])
        #expect(report.errors == [])
    }

    @Test(arguments: [
        ("outdoor temperature", "Outdoor temperature"), ("cabinet_humid", "Cabinet humid"), ("pm pm2_5", "PM PM2.5"),
        ("env voc_index", "Env VOC index"), ("gas no2", "Gas NO2"), ("kiosk co2", "Kiosk CO2"), ("t10s mean", "T10s mean"),
        ("aqi_nowcast", "AQI NowCast"), ("x", "X"), ("a__b", "A b"), ("pm1_0", "PM1.0"), ("nc0_5", "Nc0.5"),
    ])
    func readableNames(name: String, readable: String) {
        #expect(HomeAssistantNames.readable(name) == readable)
    }

    @Test func trafficLanesStartDisabledDirectionsEnabled() throws {
        let d = try Self.discovery("crossroads")
        let traffic = try d.entities.filter { $0.objectID.hasPrefix("traffic_") }.map { ($0.objectID, try Self.json($0)) }
        let lanes = traffic.filter { $0.0.contains("_nb1_") }
        let directions = traffic.filter { $0.0.contains("_north_") }
        #expect(!lanes.isEmpty && !directions.isEmpty)
        #expect(lanes.allSatisfy { $0.1["enabled_by_default"] as? Bool == false })
        #expect(directions.allSatisfy { $0.1["enabled_by_default"] == nil })
        #expect(directions.contains { $0.0.hasSuffix("_speed") && $0.1["device_class"] as? String == "speed" })
    }

    @Test func ownConfigTopicsAreRecognisedAndOthersAreNot() throws {
        let d = try Self.discovery("air-station")
        #expect(d.isOwnConfigTopic("homeassistant/sensor/sensegate_air-station/anything/config"))
        #expect(!d.isOwnConfigTopic("homeassistant/sensor/sensegate_air-station2/anything/config"))
        #expect(!d.isOwnConfigTopic("homeassistant/sensor/sensegate_air-station/anything/state"))
        #expect(!d.isOwnConfigTopic("other/sensor/sensegate_air-station/anything/config"))
    }
}
