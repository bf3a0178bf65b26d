import SenseAnalysis
import SenseConfig
import SenseCore
import SenseTesting
import SenseWire
import Testing

/// `home_assistant:`, `cap:` and `alarms[].cap:`.
@Suite struct PublishingConfigTests {
    static let base =
        ConfigFixture.valid + """

            alarms:
              - name: flood
                channel: outdoor.pressure
                high: 103000
                priority: critical
                description: Storm surge
                cap:
                  event: Storm surge
                  category: [Met, Safety]
                  response: [Evacuate]
                  instruction: Leave the harbour front.
                  event_codes: {SAME: SSW}
                  expires: 3h
              - {name: cold, channel: outdoor.temperature, low: -5, cap: {event: Frost, category: Met, severity: Minor, urgency: Expected, certainty: Likely}}
            cap:
              sender: harbour@alerts.city.example
              sender_name: City harbour office
              status: Exercise
              language: en-GB
              web: https://city.example/alerts
              expires: 6h
              area:
                description: Harbour front and the old town
                polygon: [[53.5, 9.9], [53.55, 9.95], [53.52, 10.0]]
                circle: {lat: 53.53, lon: 9.96, radius_km: 2}
                geocodes: {NUTS3: DE600}
            home_assistant:
              discovery_prefix: ha/discovery
              device_name: Harbour gauge
              area: Harbour
              lane_entities: true
            """

    @Test func theSectionsDecode() throws {
        let c = try ConfigFixture.load(Self.base)
        let p = try #require(c.mqtt.publicAlerts)
        #expect(p.sender == "harbour@alerts.city.example" && p.status == .exercise && p.language == "en-GB")
        #expect(p.expires == .seconds(21600) && p.scope == .public)
        #expect(
            p.area.polygons == [
                [
                    CAPPoint(latitude: 53.5, longitude: 9.9), CAPPoint(latitude: 53.55, longitude: 9.95),
                    CAPPoint(latitude: 53.52, longitude: 10.0), CAPPoint(latitude: 53.5, longitude: 9.9),
                ]
            ],
            "closed by the loader")
        #expect(p.area.circles.first?.radiusKilometres == 2 && p.area.geocodes == [CAPNamedValue(name: "NUTS3", value: "DE600")])
        let flood = try #require(p.alerts["flood"])
        #expect(flood.categories == [.met, .safety] && flood.responseTypes == [.evacuate])
        #expect(flood.severity == .extreme, "a critical alarm defaults to Extreme")
        #expect(flood.urgency == .immediate && flood.certainty == .observed && flood.expires == .seconds(10800))
        let cold = try #require(p.alerts["cold"])
        #expect(cold.severity == .minor && cold.urgency == .expected && cold.certainty == .likely && cold.categories == [.met])
        let h = try #require(c.mqtt.homeAssistant)
        #expect(h.enabled && h.discoveryPrefix == "ha/discovery" && h.homeAssistantStatusTopic == "ha/discovery/status")
        #expect(h.deviceName == "Harbour gauge" && h.area == "Harbour" && h.laneEntities)
    }

    @Test func theSectionsAreOptional() throws {
        let c = try ConfigFixture.load(ConfigFixture.valid)
        #expect(c.mqtt.publicAlerts == nil && c.mqtt.homeAssistant == nil)
    }

    @Test(arguments: [
        ("sender: harbour@alerts.city.example", "sender: harbour office", "may not contain spaces, commas"),
        ("sender: harbour@alerts.city.example", "sender_x: a", "missing required key 'sender'"),
        ("status: Exercise", "status: Drill", "'Drill' is not one of: Actual, Exercise, Test"),
        ("language: en-GB", "language: english_uk", "not an RFC 3066 language tag"),
        ("web: https://city.example/alerts", "web: city.example", "not an http(s) URL"),
        ("expires: 6h", "expires: 10s", "between 1m and 30d"),
        ("[[53.5, 9.9], [53.55, 9.95], [53.52, 10.0]]", "[[53.5, 9.9], [53.55, 9.95]]", "at least three distinct corners"),
        ("[53.52, 10.0]", "[93.52, 10.0]", "latitude is −90…90"),
        ("[53.52, 10.0]", "[53.52]", "a corner is [latitude, longitude]"),
        ("radius_km: 2", "radius_km: -2", "between 0 and 20000 km"),
        ("description: Harbour front and the old town", "descr: x", "missing required key 'description'"),
        ("status: Exercise", "status: Exercise\n  scope: Restricted", "scope Restricted needs a restriction"),
        ("status: Exercise", "status: Exercise\n  scope: Private", "scope Private needs addresses"),
        ("sender_name: City harbour office", "sendername: x", "unknown key 'sendername' (did you mean 'sender_name'?)"),
        ("category: [Met, Safety]", "category: [Weather]", "'Weather' is not one of: Geo, Met"),
        ("category: [Met, Safety]", "category: []", "give at least one category"),
        ("response: [Evacuate]", "response: [Run]", "'Run' is not one of: Shelter, Evacuate"),
        ("event: Storm surge", "headline: Storm surge", "missing required key 'event'"),
        ("severity: Minor", "severity: Bad", "'Bad' is not one of: Extreme, Severe"),
        ("event_codes: {SAME: SSW}", "event_codes: [SSW]", "expected a mapping of names to values"),
        ("discovery_prefix: ha/discovery", "discovery_prefix: ha/#", "is not a valid topic"),
        ("lane_entities: true", "lane_entities: yes", "expected true or false"),
        ("area: Harbour", "areas: Harbour", "unknown key 'areas' (did you mean 'area'?)"),
    ])
    func mistakesAreNamed(original: String, replacement: String, phrase: String) {
        #expect(Self.base.contains(original), "fixture lacks \(original)")
        let (path, diagnostics) = ConfigFixture.errors(Self.base.replacing(original, with: replacement))
        #expect(diagnostics.contains { $0.message.contains(phrase) }, "\(diagnostics.map(\.description))")
        #expect(diagnostics.allSatisfy { $0.description.hasPrefix(path + ":") && $0.mark.line > 1 })
    }

    @Test func anAlarmAlertNeedsTheCAPSection() {
        let cut = String(Self.base[..<Self.base.range(of: "\ncap:\n  sender:")!.lowerBound])
        let (_, diagnostics) = ConfigFixture.errors(cut)
        #expect(diagnostics.filter { $0.message.contains("needs the top-level cap section") }.map(\.path) == ["alarms[0].cap", "alarms[1].cap"])
    }

    @Test func homeAssistantReadsTheSensegatePayloads() {
        let (_, diagnostics) = ConfigFixture.errors(
            ConfigFixture.valid.replacing("broker: mqtt://127.0.0.1:1883", with: "broker: mqtt://127.0.0.1:1883\n  format: senml")
                + "\nhome_assistant: {}\n")
        #expect(diagnostics.map(\.path) == ["home_assistant"])
        #expect(diagnostics.first?.message.contains("mqtt.format: senml") == true)
        // Disabled, it is no conflict: it only deletes what it published before.
        let (_, none) = ConfigFixture.errors(
            ConfigFixture.valid.replacing("broker: mqtt://127.0.0.1:1883", with: "broker: mqtt://127.0.0.1:1883\n  format: senml")
                + "\nhome_assistant: {enabled: false}\n")
        #expect(none.isEmpty, "\(none)")
    }

    @Test func aContactsClassAndAnActuatorsPulse() throws {
        let c = try ConfigFixture.load(
            ConfigFixture.valid
                + "\n  - {name: door, driver: digital_input, pin: GPIO17, device_class: door}\nactuators: [{name: strike, pin: GPIO23, pulse: 3s}]\n")
        guard case let .digitalInput(o) = c.sensors[1].kind else {
            Issue.record("not a digital input")
            return
        }
        #expect(o.deviceClass == "door")
        #expect(c.actuators.first?.pulse == .seconds(3))
    }

    @Test(arguments: [
        (
            "\n  - {name: door, driver: digital_input, pin: GPIO17, device_class: doors}\n", "sensors[1].device_class",
            "is not a Home Assistant binary sensor class"
        ),
        ("\nactuators: [{name: s, pin: GPIO23, pulse: 2h}]\n", "actuators[0].pulse", "at most max_override (1h)"),
        ("\nactuators: [{name: s, pin: GPIO23, pulse: 0s}]\n", "actuators[0].pulse", "must be longer than 0"),
        ("\nactuators: [{name: s, pin: GPIO23, pulse: 1s, commands: [on, off]}]\n", "actuators[0].pulse", "'pulse' is not among"),
    ])
    func contactAndPulseMistakes(text: String, path: String, message: String) {
        let d = ConfigFixture.errors(ConfigFixture.valid + text).diagnostics
        #expect(d.count == 1 && d.first?.path == path, "\(d)")
        #expect(d.first?.message.contains(message) == true, "\(d)")
    }
}
