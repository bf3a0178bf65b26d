import Foundation
import SenseTesting
import Testing

/// The shipped river gauge (examples/river-gauge.yaml) through a simulated flash flood, 200 times
/// faster than real time, as a process on a real broker: three independent stage measurements
/// agree, discharge follows the rating, every tip of the storm is counted once, and the warning,
/// the siren, the beacon and the pump (with its interlock) all act as configured.
@Suite(.serialized) struct FlashFloodTests {
    static func exampleText(state: String, speed: Int, scenario: String = "flash_flood", flush: String = "60s") throws -> String {
        var text = try String(contentsOfFile: RepositoryPaths.root + "/examples/river-gauge.yaml", encoding: .utf8)
        text = text.replacingOccurrences(of: "state_dir: /tmp/sensegate-river", with: "state_dir: \(state)")
            .replacingOccurrences(of: "  speed: 60\n", with: "  speed: \(speed)\n")
            .replacingOccurrences(of: "after: 10m ", with: "after: 1m ")
            .replacingOccurrences(of: "scenario: flash_flood", with: "scenario: \(scenario)")
            .replacingOccurrences(of: "flush: 60s ", with: "flush: \(flush) ")
        return text
    }

    /// The storm's depth, integrated here from the hyetograph the simulator documents
    /// (piecewise linear, so the trapezoid rule is exact).
    static let stormDepth: Double = {
        let h: [(Double, Double)] = [(0, 0), (10, 6), (30, 6), (45, 40), (60, 90), (75, 40), (90, 10), (110, 0)]
        return zip(h, h.dropFirst()).reduce(0) { $0 + ($1.0.1 + $1.1.1) / 2 * ($1.1.0 - $1.0.0) / 60 }
    }()

    static func date(_ text: String) -> Date { PayloadTime.date(text)! }

    /// How many readings of `other` agree with `stage` interpolated to their time, within
    /// `tolerance` plus 20 s of the river's rise there; each disagreement is an issue.
    static func agreeing(
        _ other: [(t: Date, v: Double?, q: String)], with stage: [(t: Date, v: Double?, q: String)], within tolerance: Double,
        _ name: String
    ) -> Int {
        var compared = 0
        for u in other {
            guard let i = stage.firstIndex(where: { $0.t >= u.t }), i > 0 else { continue }
            let a = stage[i - 1], b = stage[i]
            let span = b.t.timeIntervalSince(a.t)
            guard span > 0, span < 30 else { continue }
            let interpolated = a.v! + (b.v! - a.v!) * u.t.timeIntervalSince(a.t) / span
            let lag = abs(b.v! - a.v!) / span * 20
            #expect(abs(u.v! - interpolated) < tolerance + lag, "\(name) \(u.v!) vs transducer \(interpolated) at \(u.t)")
            compared += 1
        }
        return compared
    }

    @Test func aFlashFloodEndToEnd() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let path = site.write("river.yaml", try Self.exampleText(state: site.state, speed: 200))
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/river-gauge/#")
        let daemon = try SensegateBinary.start(["run", "--config", path, "--broker", "mqtt://127.0.0.1:\(broker.port)"])
        let root = "sensegate/river-gauge/"
        // The storm ends 111 simulated minutes after start; the tips' report comes on the minute.
        let last = await sub.wait(for: 1, timeout: 60) { m in
            m.topic == root + "sensor/rain/rain_total" && (ReadingPayload.decode(m.payload)?.v ?? 0) >= 48.6 - 1e-9
        }
        try await Task.sleep(for: .seconds(1))
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        #expect(!last.isEmpty, "the storm's rain was not all counted in 60 s")

        func series(_ topic: String) -> [(t: Date, v: Double?, q: String)] {
            sub.messages(on: root + topic).compactMap { m in ReadingPayload.decode(m.payload).map { (Self.date($0.t), $0.v, $0.q) } }
        }
        // Every tip once: 0.2 mm buckets of the storm's depth, bounces filtered, never more.
        let tips = (Self.stormDepth / 0.2).rounded(.down) * 0.2
        let totals = series("sensor/rain/rain_total").compactMap(\.v)
        #expect(abs((totals.max() ?? 0) - tips) < 1e-9, "counted \(totals.max() ?? 0) mm of \(Self.stormDepth) mm")
        #expect(zip(totals, totals.dropFirst()).allSatisfy { $0 <= $1 }, "the total never goes back")
        #expect(series("sensor/rain/intensity_15m").compactMap(\.v).max() ?? 0 > 50)

        // Two independent stages: the transducer's hydrostatics and the ranger's echo, within 1 cm.
        let stage = series("derived/stage").filter { $0.q == "good" && $0.v != nil }
        let ultrasonic = series("derived/stage_ultrasonic").filter { $0.q == "good" && $0.v != nil }
        #expect(stage.count > 300 && ultrasonic.count > 300)
        // While the river rises (up to 1.3 mm/s) two readings taken at different instants differ:
        // the transducer's median of 3 lags one 10 s sample, and at 200× a busy host delays a
        // reading's stamp by simulated seconds. Allow 20 s of rise; in steady water, 5 mm.
        #expect(Self.agreeing(ultrasonic, with: stage, within: 0.005, "ultrasonic") > 300)
        // The third stage: the MS5837-30BA's absolute pressure less the BME280's barometer. Its
        // resolution is 0.1 mbar (1 mm) and it samples at other instants: the same rise, and 1 cm.
        let submersible = series("derived/stage_submersible").filter { $0.q == "good" && $0.v != nil }
        #expect(submersible.count > 300)
        #expect(Self.agreeing(submersible, with: stage, within: 0.01, "submersible") > 300)
        let waterTemperatures = series("sensor/submersible/water_temperature").compactMap(\.v)
        #expect(!waterTemperatures.isEmpty && waterTemperatures.allSatisfy { $0 > 0 && $0 < 30 })
        // The SHT31 in the cabinet reads the same simulated air as the BME280 (periodic mode: a
        // new measurement every second, each poll reads the newest).
        let cabinet = series("sensor/cabinet/temperature").filter { $0.q == "good" }.compactMap(\.v)
        let outside = series("sensor/air/temperature").filter { $0.q == "good" }.compactMap(\.v)
        #expect(cabinet.count > 300 && outside.count > 300)
        let cabinetMean: Double = cabinet.reduce(0, +) / Double(max(1, cabinet.count))
        let outsideMean: Double = outside.reduce(0, +) / Double(max(1, outside.count))
        #expect(abs(cabinetMean - outsideMean) < 0.2, "cabinet \(cabinetMean) °C, outside \(outsideMean) °C")
        #expect(series("sensor/cabinet/humidity").allSatisfy { $0.q == "good" })

        let peak = stage.compactMap(\.v).max() ?? 0
        #expect(peak > 2.3 && peak < 2.8, "peak stage \(peak)")

        // Discharge is the rating of the published stage: Q = 12.5 (h - 0.3)^1.6.
        let q = sub.messages(on: root + "derived/discharge").compactMap { ReadingPayload.decode($0.payload) }
        let h = sub.messages(on: root + "derived/stage").compactMap { ReadingPayload.decode($0.payload) }
        for (qp, hp) in zip(q, h) where qp.t == hp.t {
            #expect(abs(qp.v! - 12.5 * pow(max(0, hp.v! - 0.3), 1.6)) < 1e-4)
        }

        // The warnings and the reactions.
        func states(_ topic: String) -> [String] {
            sub.messages(on: root + topic).compactMap { m in
                (try? JSONSerialization.jsonObject(with: Data(m.payload.utf8)) as? [String: Any])?["state"] as? String
            }
        }
        for alarm in ["action_stage", "flood_stage", "moderate_flood", "rapid_rise", "heavy_rain"] {
            #expect(states("alarm/\(alarm)").contains("active_unacknowledged"), "\(alarm) never raised")
        }
        #expect(states("rule/flash_flood_warning").contains("true"))
        // The public alerts of the flood stages (CAP 1.2), validated with everything else below.
        for alarm in ["flood_stage", "moderate_flood"] {
            #expect(sub.messages(on: root + "cap/\(alarm)").first?.payload.contains("<msgType>Alert</msgType>") == true, "no CAP alert for \(alarm)")
        }
        #expect(states("actuator/siren").contains("on"))
        #expect(states("actuator/beacon").contains("on"))
        // The pump ran, its meter saw the flow, and the interlock stopped it above 2.3 m.
        let pump = sub.messages(on: root + "actuator/drainage_pump").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.payload.utf8)) as? [String: Any]
        }
        #expect(pump.contains { $0["state"] as? String == "on" && $0["source"] as? String == "rule" })
        #expect(
            pump.contains { $0["state"] as? String == "off" && ($0["reason"] as? String ?? "").contains("derived.stage") },
            "the interlock did not stop the pump: \(pump.map { "\($0["state"]!) \($0["reason"]!)" })")
        #expect(series("sensor/pump_meter/flow").compactMap(\.v).contains { abs($0 - 600) < 1 })
        #expect(series("sensor/pump_meter/volume_total").compactMap(\.v).max() ?? 0 > 1000)
        let category = sub.messages(on: root + "derived/flood_category").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.payload.utf8)) as? [String: Any])?["category"] as? String
        }
        #expect(Set(category).isSuperset(of: ["normal", "action", "minor", "moderate"]), "\(Set(category))")
        // Every reading and derived value of the gauge is a valid reading payload.
        let readings = sub.messages.filter { $0.topic.contains("/sensor/") || $0.topic.contains("/derived/") }.map(\.payload)
        #expect(readings.count > 1000)
        #expect(try SchemaValidator.errors(schema: "reading.schema.json", payloads: readings) == [])
    }

    /// Totals live in the state directory: a `kill -9` loses at most the tips of one flush
    /// interval, and the next start carries on from there.
    @Test func rainTotalsSurviveKill9() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/river-gauge/sensor/rain/#")
        let root = "sensegate/river-gauge/sensor/rain/"
        let storm = site.write("storm.yaml", try Self.exampleText(state: site.state, speed: 200, flush: "1s"))
        var daemon = try SensegateBinary.start(["run", "--config", storm, "--broker", "mqtt://127.0.0.1:\(broker.port)"])
        _ = await sub.wait(for: 1, timeout: 60) { m in
            m.topic == root + "rain_total" && (ReadingPayload.decode(m.payload)?.v ?? 0) >= 10
        }
        try await Task.sleep(for: .milliseconds(300))
        daemon.signal(SIGKILL)
        _ = await daemon.exited(timeout: 10)
        let before = sub.messages(on: root + "rain_total").compactMap { ReadingPayload.decode($0.payload)?.v }.max() ?? 0
        let eventBefore = sub.messages(on: root + "rain_event").compactMap { ReadingPayload.decode($0.payload)?.v }.max() ?? 0
        #expect(before >= 10)
        let count = sub.messages(on: root + "rain_total").count

        // The next start, in dry weather: the totals come back from the state directory.
        let dry = site.write("dry.yaml", try Self.exampleText(state: site.state, speed: 200, scenario: "dry", flush: "1s"))
        daemon = try SensegateBinary.start(["run", "--config", dry, "--broker", "mqtt://127.0.0.1:\(broker.port)"])
        let restarted = await sub.wait(for: count + 1, timeout: 20) { $0.topic == root + "rain_total" }
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        let after = try #require(restarted.last.flatMap { ReadingPayload.decode($0.payload)?.v })
        // At 90 mm/h a 0.2 mm tip comes every 8 s: a 1 s flush interval loses at most one.
        #expect(after <= before + 1e-9 && before - after <= 0.2 + 1e-9, "before kill \(before) mm, after restart \(after) mm")
        let event = sub.messages(on: root + "rain_event").compactMap { ReadingPayload.decode($0.payload)?.v }.last ?? 0
        #expect(eventBefore - event <= 0.2 + 1e-9, "the event total carried on (\(eventBefore) → \(event))")
        #expect(FileManager.default.fileExists(atPath: site.state + "/counters/rain"))
    }
}
