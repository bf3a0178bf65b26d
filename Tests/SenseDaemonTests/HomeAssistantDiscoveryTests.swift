import Foundation
import SenseConfig
import SenseParts
import SenseTesting
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
        #expect(byObject["derived_discharge"]?["device_class"] == nil, "no device class Home Assistant would refuse m³/s for")
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
