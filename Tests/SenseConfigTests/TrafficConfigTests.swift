import SenseConfig
import SenseCore
import SenseTesting
import SenseTraffic
import Testing

/// Traffic stations in YAML: what is accepted, and each mistake named with its key and line.
@Suite struct TrafficConfigTests {
    static let head = """
        node: x
        board: sim
        mqtt:
          broker: mqtt://127.0.0.1:1883
        sensors:

        """

    static func messages(_ yaml: String) -> [String] {
        ConfigFixture.errors(head + yaml).diagnostics.map { "\($0.path): \($0.message)" }
    }

    static func station(_ extra: String = "", lanes: String = "[{name: a, direction: in, upstream: GPIO5, downstream: GPIO6, spacing: 4}]") -> String
    {
        "  - {name: t, driver: traffic, lanes: \(lanes)\(extra)}\n"
    }

    @Test func aStationLoads() throws {
        let c = try ConfigFixture.load(
            Self.head + """
                  - name: t
                    driver: traffic
                    periods: [15m, 20s]
                    vehicles: true
                    detector: {active_low: false, bias: pull-down, min_on: 10ms, min_off: 50ms}
                    classes: [{name: small, below: 5}, {name: big, pce: 2.5}]
                    congestion: {occupancy: 30, clear: 10, speed_below: 15, intervals: 2}
                    faults: {stuck_on: 2m, silent_after: 10m, chatter_per_minute: 12, unmatched: 30, expected_hours: "22:00-06:00"}
                    lanes:
                      - {name: a, direction: east, upstream: GPIO5, downstream: GPIO6, spacing: 5, zone_length: 1.8, effective_length: 7, min_speed: 2}
                      - {name: b, direction: west, upstream: pin11}
                rules:
                  - {name: jam, when: {channel: t.east.20s.congested, equals: 1}}
                """)
        guard case let .traffic(o) = c.sensors[0].kind else {
            Issue.record("not a station")
            return
        }
        #expect(o.station.periods == [.seconds(20), .seconds(900)])
        #expect(c.sensors[0].interval == .seconds(20))
        #expect(c.sensors[0].publish.isEmpty)
        #expect(o.publishVehicles && !o.activeLow && o.bias == .pullDown && o.minOn == .milliseconds(10) && o.minOff == .milliseconds(50))
        #expect(o.station.classes.bins.map(\.name) == ["small", "big"] && o.station.classes.bins[1].pce == 2.5)
        #expect(o.station.congestion == CongestionSettings(occupancy: 0.3, clearOccupancy: 0.1, speedBelow: 15, intervals: 2))
        #expect(o.station.faults.expectedFrom == 22 * 60 && o.station.faults.expectedUntil == 6 * 60 && o.station.faults.unmatchedLimit == 0.3)
        #expect(o.station.faults.expectsTraffic(minuteOfDay: 23 * 60) && !o.station.faults.expectsTraffic(minuteOfDay: 12 * 60))
        let a = o.station.lanes[0], b = o.station.lanes[1]
        #expect(a.geometry.spacing == 5 && a.geometry.detectorLength == 1.8 && a.effectiveLength == 7 && abs(a.geometry.minSpeed - 2 / 3.6) < 1e-12)
        #expect(!b.geometry.isTrap && o.wiring[1].downstream == nil && o.wiring[1].upstream.pin == "pin11")
        #expect(o.station.directions == ["east", "west"])
        #expect(c.sensors[0].kind.quantities.contains("a.15m.speed_p85") && c.sensors[0].kind.quantities.contains("west.20s.los"))
    }

    @Test(arguments: [
        (station(", periods: [7s]"), "sensors[0].periods[0]: a period is 10s…1h and divides the hour"),
        (station(", periods: [1m, 1m]"), "sensors[0].periods[1]: 1m is listed twice"),
        (station(", interval: 1m"), "sensors[0].interval: a traffic station reports at the end of each of its periods"),
        (station(", publish: [a.1m.count]"), "sensors[0].publish: a traffic station publishes one record per lane"),
        (station(lanes: "[]"), "sensors[0].lanes: at least one lane"),
        (
            station(lanes: "[{name: a, direction: in, upstream: GPIO5, downstream: GPIO6}]"),
            "sensors[0].lanes[0].spacing: missing required key 'spacing'"
        ),
        (
            station(lanes: "[{name: a, direction: in, upstream: GPIO5, downstream: GPIO6, spacing: 1.5}]"),
            "sensors[0].lanes[0].spacing: the zones would overlap"
        ),
        (
            station(lanes: "[{name: a, direction: in, upstream: GPIO5, spacing: 4}]"),
            "sensors[0].lanes[0].spacing: spacing needs a downstream detector"
        ),
        (station(lanes: "[{name: a, direction: in, upstream: GPIO99}]"), "sensors[0].lanes[0].upstream: board 'sim' has no pin 'GPIO99'"),
        (
            station(lanes: "[{name: a, direction: in, upstream: GPIO5}, {name: a, direction: in, upstream: GPIO6}]"),
            "sensors[0].lanes[1].name: duplicate lane name 'a'"
        ),
        (station(lanes: "[{name: in, direction: in, upstream: GPIO5}]"), "sensors[0].lanes: 'in' names both a lane and a direction"),
        (station(lanes: "[{name: A/1, direction: in, upstream: GPIO5}]"), "sensors[0].lanes[0].name: 'A/1' is not a valid name"),
        (
            station(lanes: "[{name: a, direction: in, upstream: GPIO5, downstream: GPIO5, spacing: 4}]"),
            "sensors[0]: GPIO5 is already used by sensor 't'"
        ),
        (station(", detector: {min_on: 2s}"), "sensors[0].detector.min_on: at most 500ms"),
        (
            station(", classes: [{name: car, below: 6}, {name: truck, below: 20}]"),
            "sensors[0].classes[1].below: the last class takes every longer vehicle"
        ),
        (station(", classes: [{name: car, below: 6}, {name: van, below: 5}, {name: truck}]"), "sensors[0].classes[1].below: lengths ascend"),
        (station(", classes: [{name: unclassified, below: 6}, {name: truck}]"), "sensors[0].classes[0].name: 'unclassified' is taken"),
        (station(", congestion: {occupancy: 20, clear: 30}"), "sensors[0].congestion.clear: a percentage above 0 and at most occupancy"),
        (station(", faults: {expected_hours: 6-22}"), "sensors[0].faults.expected_hours: a local time range such as 06:00-22:00"),
        (station(", faults: {stuck_on: 10s}"), "sensors[0].faults.stuck_on: 30s…24h"),
        (
            station() + "rules:\n  - {name: r, when: {channel: t.in.1m.speeed, above: 1}}",
            "rules[0].when.channel: sensor 't' (traffic) has no quantity 'in.1m.speeed'"
        ),
        (
            station() + "simulation:\n  traffic: {faults: [{detector: t.a.middle, fault: dead}]}",
            "simulation.traffic.faults[0].detector: 't.a.middle' is not a detector"
        ),
        (
            station() + "simulation:\n  traffic: {incident: {direction: west}}",
            "simulation.traffic.incident.direction: no traffic direction named 'west'"
        ),
        (
            station() + "simulation:\n  traffic: {scenario: gridlock}",
            "simulation.traffic.scenario: 'gridlock' is not one of: free_flow, rush_hour, incident"
        ),
    ])
    func mistakes(yaml: String, message: String) {
        let m = Self.messages(yaml)
        #expect(m.contains { $0.hasPrefix(message) }, "\(m)")
    }

    @Test func mistakesNameTheLine() {
        let errors = ConfigFixture.errors(
            Self.head + Self.station(lanes: "[{name: a, direction: in, upstream: GPIO5, downstream: GPIO6, spacing: 0.5}]"))
        let d = errors.diagnostics.first { $0.path == "sensors[0].lanes[0].spacing" }
        #expect(d?.mark.line == 6)
    }
}
