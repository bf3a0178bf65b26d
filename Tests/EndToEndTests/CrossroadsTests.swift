import Foundation
import SenseTesting
import Testing

/// The shipped crossroads (examples/crossroads.yaml) as a process on a real broker, 60 times
/// faster than real time: rush hour and a northbound incident on the simulated road, with
/// detector faults injected. Records and vehicle events are schema-valid and add up; the jam is
/// seen (occupancy, LOS F, congestion) on the blocked approach only; faults are flagged and a
/// stuck loop's numbers are never published as traffic; the cross-domain rule switches the
/// signal plan.
@Suite(.serialized) struct CrossroadsTests {
    struct Record: Decodable {
        var lane: String?
        var direction: String?
        var period: String
        var from: String
        var to: String
        var count: Int?
        var flow: Double?
        var occupancy: Double?
        var speed: Double?
        var los: String?
        var congested: Bool?
        var counted_by: String
        var q: String
        var faults: [String]
        var group: String { lane ?? direction! }
    }

    static func config(state: String) throws -> String {
        var text = try String(contentsOfFile: RepositoryPaths.root + "/examples/crossroads.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "state_dir: /tmp/sensegate-crossroads", with: "state_dir: \(state)")
            .replacingOccurrences(of: "  speed: 20\n", with: "  speed: 60\n")
            .replacingOccurrences(of: "silent_after: 20m", with: "silent_after: 2m")
            .replacingOccurrences(of: "expected_hours: \"06:00-23:00\"", with: "expected_hours: \"00:00-24:00\"")
        // Detector faults under simulation.traffic, after the incident.
        return text.replacingOccurrences(
            of: "      direction: north\n",
            with: "      direction: north\n    faults:\n"
                + "      - {detector: junction.sb2.upstream, fault: stuck_on, after: 3m, for: 8m}\n"
                + "      - {detector: junction.sb1.downstream, fault: dead, after: 1m}\n"
                + "      - {detector: junction.nb2.downstream, fault: chatter, after: 4m, for: 3m}\n")
    }

    static func date(_ text: String) -> Date { PayloadTime.date(text)! }

    @Test func rushHourAndAnIncidentEndToEnd() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let text = try Self.config(state: site.state)
        #expect(text.contains("fault: chatter"))
        let path = site.write("crossroads.yaml", text)
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/crossroads/#")
        let daemon = try SensegateBinary.start(["run", "--config", path, "--broker", "mqtt://127.0.0.1:\(broker.port)"])
        let root = "sensegate/crossroads/"
        let started = Date()
        // Twenty simulated minutes: the incident began at 10 and its queue is well established.
        let end = await sub.wait(for: 1, timeout: 90) { m in
            m.topic == root + "derived/traffic/junction/north/1m"
                && (try? JSONDecoder().decode(Record.self, from: Data(m.payload.utf8))).map { Self.date($0.to).timeIntervalSince(started) > 20 * 60 }
                    == true
        }
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        #expect(!end.isEmpty, "twenty simulated minutes did not pass in 90 s")

        let recordMessages = sub.messages.filter { $0.topic.hasPrefix(root + "derived/traffic/") && !$0.topic.hasSuffix("/vehicle") }
        let vehicleMessages = sub.messages.filter { $0.topic.hasSuffix("/vehicle") }
        #expect(try SchemaValidator.errors(schema: "traffic-record.schema.json", payloads: recordMessages.map(\.payload)) == [])
        #expect(try SchemaValidator.errors(schema: "traffic-vehicle.schema.json", payloads: vehicleMessages.map(\.payload)) == [])
        let records = try recordMessages.map { try JSONDecoder().decode(Record.self, from: Data($0.payload.utf8)) }
        func minutes(_ group: String, _ period: String = "1m") -> [(start: Double, r: Record)] {
            records.filter { $0.group == group && $0.period == period }.map { (Self.date($0.from).timeIntervalSince(started) / 60, $0) }
        }

        // nb1 has no fault: every vehicle event is in exactly one of its records (a vehicle still
        // standing on the loop when its minute closes is counted in the next one).
        let nb1 = minutes("nb1")
        let lastEnd = Self.date(nb1.last!.r.to)
        let events = vehicleMessages.filter { $0.topic.hasSuffix("/nb1/vehicle") }.map { m -> Date in
            Self.date((try! JSONSerialization.jsonObject(with: Data(m.payload.utf8)) as! [String: Any])["t"] as! String)
        }
        let counted = nb1.compactMap(\.r.count).reduce(0, +)
        let before = events.filter { $0 < lastEnd }.count
        #expect(counted <= before && counted >= before - 3, "\(counted) counted in records, \(before) vehicle events")
        #expect(counted > 150)
        let nb1quarters = minutes("nb1", "20s").filter { Self.date($0.r.to) <= lastEnd }.compactMap(\.r.count).reduce(0, +)
        #expect(abs(nb1quarters - counted) <= 3)

        // Free flow before the episode: speeds near the 50 km/h the drivers want.
        #expect(nb1.filter { $0.start > 0.5 && $0.start < 5 }.count >= 4)
        for (start, r) in nb1 where start > 0.5 && start < 5 {
            #expect((35...60).contains(r.speed ?? 0), "\(r.speed ?? -1) km/h at \(start) min")
            #expect(r.q == "good" && r.congested == false)
        }
        // The incident (10–18 min, northbound only): a standing queue over the loops.
        let north = minutes("north")
        #expect(north.contains { $0.start >= 10 && $0.r.congested == true && $0.r.los == "F" && ($0.r.occupancy ?? 0) > 50 })
        // Southbound was never blocked. Its stuck loop (from minute 3) looks like a standing queue
        // until stuck_on (3 min) has passed; once it is known, that congestion is forgotten.
        let southJam = minutes("south").filter { $0.start >= 7 && $0.r.congested == true }
        #expect(
            southJam.isEmpty,
            "the southbound approach was not blocked: \(minutes("south").map { ($0.start, $0.r.occupancy, $0.r.speed, $0.r.faults) })")

        // Faults, flagged where they were injected and withheld where nothing can be trusted.
        let sb2 = minutes("sb2").filter { $0.start >= 7 && $0.start < 10 }
        #expect(!sb2.isEmpty)
        for (_, r) in sb2 {
            #expect(r.faults.contains("upstream:stuck_on") && r.counted_by == "downstream" && r.q == "uncertain")
            #expect((r.occupancy ?? 100) < 50, "the stuck loop's occupancy is not reported")
        }
        let silent = minutes("sb1").filter { $0.start >= 4 }
        #expect(silent.count >= 10 && silent.allSatisfy { $0.r.faults.contains("downstream:silent") && $0.r.count != nil })
        #expect(minutes("nb2").contains { $0.r.faults.contains("downstream:chattering") })
        #expect(minutes("south").contains { $0.start >= 7 && $0.start < 10 && $0.r.q == "uncertain" && $0.r.count != nil })
        #expect(records.filter { $0.q == "bad" }.allSatisfy { $0.count == nil && $0.occupancy == nil && $0.los == nil })

        // The reactions: the queue sign at once, the alternative plan while the air is also bad.
        func on(_ actuator: String) -> Bool { sub.messages(on: root + "actuator/" + actuator).contains { $0.payload.contains("\"state\":\"on\"") } }
        #expect(on("queue_warning"))
        #expect(on("signal_plan_b"))
        let plan = sub.messages(on: root + "actuator/signal_plan_b").first { $0.payload.contains("\"state\":\"on\"") }
        #expect(plan?.payload.contains("rule congestion_and_bad_air") == true)
    }
}
