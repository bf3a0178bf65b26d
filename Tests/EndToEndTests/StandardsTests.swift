import Foundation
import SenseTesting
import Testing

/// The open formats end to end: SenML packs from the built daemon, checked by an independent
/// subscriber and validator.
@Suite struct StandardsTests {
    @Test func senmlPacksFromTheDaemonValidateAndResolve() async throws {
        let broker = try MosquittoBroker()
        let sub = try Subscriber(port: broker.port, filter: "sensegate/dl/#")
        let site = Site()
        let config = DeliveryTests.config(site, port: broker.port, mqttExtra: "  format: senml")
        let daemon = try SensegateBinary.start(["run", "--config", config])
        let packs = await sub.wait(for: 10, timeout: 15) { $0.topic.hasPrefix("sensegate/dl/senml/") }
        daemon.signal(SIGTERM)
        #expect(daemon.waitForExit(timeout: 10) == 0)
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
}
