import Foundation
import SenseTesting
import Testing

/// The open formats end to end: SenML packs from the built daemon, checked by an independent
/// subscriber and validator.
@Suite struct StandardsTests {
    @Test func senmlPacksFromTheDaemonValidateAndResolve() async throws {
        let broker = try await MosquittoBroker.running()
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/dl/#")
        let site = Site()
        let config = DeliveryTests.config(site, port: broker.port, mqttExtra: "  format: senml")
        let daemon = try SensegateBinary.start(["run", "--config", config])
        let packs = await sub.wait(for: 10, timeout: 15) { $0.topic.hasPrefix("sensegate/dl/senml/") }
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        #expect(packs.count >= 10)
        #expect(!sub.messages.contains { $0.topic.contains("/sensor/") })  // SenML instead, not as well
        #expect(try SchemaValidator.errors(schema: "senml.schema.json", payloads: packs.map(\.payload)) == [])
        var seqs: [Int] = []
        for pack in packs {
            let records = try #require(try JSONSerialization.jsonObject(with: Data(pack.payload.utf8)) as? [[String: Any]])
            let bn = try #require(records.first?["bn"] as? String)
            let sensor = String(pack.topic.split(separator: "/").last!)
            #expect(bn == "sensegate/dl/\(sensor)/")
            let bt = try #require(records.first?["bt"] as? Double)
            #expect(abs(bt - Date().timeIntervalSince1970) < 60)
            seqs.append(try #require(records.first?["seq"] as? Int))
            // Resolved (RFC 8428 §4.6): a name, a unit and a value per record, physically plausible.
            var resolved: [String: (String, Double)] = [:]
            for r in records { resolved[bn + (r["n"] as! String)] = (r["u"] as! String, r["v"] as! Double) }
            let t = try #require(resolved["sensegate/dl/\(sensor)/temperature"])
            #expect(t.0 == "Cel" && (-40...60).contains(t.1))
            let p = try #require(resolved["sensegate/dl/\(sensor)/pressure"])
            #expect(p.0 == "Pa" && (90_000...110_000).contains(p.1))
            let h = try #require(resolved["sensegate/dl/\(sensor)/humidity"])
            #expect(h.0 == "%RH" && (0...100).contains(h.1))
        }
        #expect(seqs == seqs.sorted())
    }

    /// OGC SensorThings: the daemon publishes each mapped channel's readings as Observations on
    /// its Datastream's topic, valid against the standard's structure, numbered in the node's
    /// one stream; unmapped channels go nowhere there.
    @Test func sensorThingsObservationsFromTheDaemon() async throws {
        let broker = try await MosquittoBroker.running()
        let sub = try await Subscriber.connected(port: broker.port, filter: "#")
        let site = Site()
        let things = """
            derived:
              - {name: dew, model: dew_point, inputs: {temperature: outdoor.temperature, humidity: outdoor.humidity}}
            sensorthings:
              datastreams:
                outdoor.temperature: 17
                cabinet.humidity: "roof-e2e:cabinet-humidity"
                derived.dew: 19
            """
        let config = site.write("c.yaml", site.simConfig(port: broker.port, derived: things))
        let daemon = try SensegateBinary.start(["run", "--config", config])
        let observations = await sub.wait(for: 12, timeout: 20) { $0.topic.hasPrefix("v1.1/") }
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        #expect(
            Set(observations.map(\.topic)) == [
                "v1.1/Datastreams(17)/Observations", "v1.1/Datastreams('roof-e2e:cabinet-humidity')/Observations",
                "v1.1/Datastreams(19)/Observations",
            ], "\(Set(observations.map(\.topic)))")
        #expect(!sub.messages.contains { $0.topic.hasPrefix("v1.1/") && !$0.topic.hasSuffix("/Observations") })
        #expect(try SchemaValidator.errors(schema: "sensorthings-observation.schema.json", payloads: observations.map(\.payload)) == [])
        #expect(try PayloadSchemas.errors(sub.messages) == [], "every message as its topic promises")
        // Each Observation is its reading's twin: same value and time, and its own number in the
        // node's one stream (no number taken twice).
        var seqs: [Int] = []
        for o in observations {
            let body = try #require(try JSONSerialization.jsonObject(with: Data(o.payload.utf8)) as? [String: Any])
            let parameters = try #require(body["parameters"] as? [String: Any])
            seqs.append(try #require(parameters["seq"] as? Int))
            #expect(parameters["node"] as? String == "e2e")
            guard o.topic == "v1.1/Datastreams(17)/Observations" else { continue }
            #expect(parameters["channel"] as? String == "outdoor.temperature" && parameters["unit"] as? String == "Cel")
            let t = try #require(body["phenomenonTime"] as? String)
            let twin = sub.messages.first { $0.topic == "sensegate/e2e/sensor/outdoor/temperature" && $0.payload.contains("\"t\":\"\(t)\"") }
            let reading = try #require(twin.map { try JSONSerialization.jsonObject(with: Data($0.payload.utf8)) as? [String: Any] } ?? nil)
            #expect(reading["v"] as? Double == body["result"] as? Double)
            #expect(reading["seq"] as? Int != parameters["seq"] as? Int)
        }
        let readingSeqs = sub.messages.filter { $0.topic.hasPrefix("sensegate/e2e/sensor/") }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.payload.utf8)) as? [String: Any])?["seq"] as? Int
        }
        #expect(Set(seqs).isDisjoint(with: readingSeqs) && Set(seqs).count == seqs.count)
    }
}
