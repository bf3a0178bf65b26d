import Foundation
import SenseTesting
import Testing

/// A simulated day at an air station, accelerated 4800-fold: a SEN55 on the sim board, its PM2.5
/// corrected for humidity, hourly means, the NowCast and the AQI, all published by the daemon as
/// a process — and every hourly NowCast and AQI equal to an independent computation, written
/// here from the published readings without the project's models.
@Suite(.serialized) struct AirQualityDayTests {
    static let config = """
          - name: env
            driver: sen5x
            bus: i2c-1
            interval: 60s
            publish: [pm2_5, humidity]
        windows:
          - {name: pm_hourly, channel: derived.pm25_corrected, length: 1h, functions: [mean], expected: 60}
        derived:
          - {name: pm25_corrected, model: pm25_epa, inputs: {pm2_5: env.pm2_5, humidity: env.humidity}}
          - {name: pm25_nowcast, model: nowcast_pm, inputs: {hourly: aggregate.pm_hourly.mean}}
          - {name: aqi, model: aqi, inputs: {pm2_5: derived.pm25_nowcast}}
        """

    // MARK: the independent computation

    /// EPA US-wide correction (Barkjohn et al. 2021).
    static func corrected(_ pm: Double, _ rh: Double) -> Double { max(0, 0.524 * pm - 0.0862 * rh + 5.75) }

    /// NowCast for PM, newest hour first, nil for a missing hour (EPA's worked procedure).
    static func nowcast(_ hours: [Double?]) -> Double? {
        let h = Array(hours.prefix(12))
        guard h.prefix(3).filter({ $0 != nil }).count >= 2 else { return nil }
        let present = h.compactMap { $0 }
        let ratio = present.max()! > 0 ? present.min()! / present.max()! : 1
        let w = max(0.5, ratio)
        var num = 0.0, den = 0.0
        for (i, c) in h.enumerated() {
            guard let c else { continue }
            num += pow(w, Double(i)) * c
            den += pow(w, Double(i))
        }
        return (num / den * 10).rounded(.down) / 10
    }

    /// PM2.5 AQI with the 2024 breakpoints, from a value already truncated to 0.1 µg/m³.
    static func aqi(_ c: Double) -> Int {
        let table: [(Double, Double, Double, Double)] = [
            (0, 9.0, 0, 50), (9.1, 35.4, 51, 100), (35.5, 55.4, 101, 150),
            (55.5, 125.4, 151, 200), (125.5, 225.4, 201, 300), (225.5, 325.4, 301, 500),
        ]
        let row = table.first { c <= $0.1 + 0.05 } ?? table.last!
        return Int(((row.3 - row.2) / (row.1 - row.0) * (c - row.0) + row.2).rounded())
    }

    static func date(_ text: String) -> Date { PayloadTime.date(text)! }

    @Test func nowcastAndAQIOverADayMatchAnIndependentComputation() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let sim = """
              speed: 4800
              excursions:
                - {quantity: pm2_5, change: 150, after: 9h, ramp: 1h, for: 2h}
            """
        let text = site.simConfig(port: broker.port, node: "air", simulation: sim, derived: Self.config)
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/air/#")
        let daemon = try SensegateBinary.start(["run", "--config", site.write("air.yaml", text)])
        let root = "sensegate/air/"
        let hoursWanted = 24
        let done = await sub.wait(for: hoursWanted, timeout: 60) { $0.topic == root + "derived/aqi" }
        daemon.signal(SIGTERM)
        _ = await daemon.exited(timeout: 10)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        #expect(done.count >= hoursWanted, "only \(done.count) hourly AQI values in 60 s")

        func readings(_ topic: String) -> [(t: Date, p: ReadingPayload, raw: String)] {
            sub.messages(on: root + topic).compactMap { m in
                ReadingPayload.decode(m.payload).map { (Self.date($0.t), $0, m.payload) }
            }
        }
        // Pair each fetch's PM2.5 and humidity by timestamp and correct them here.
        let rh = Dictionary(readings("sensor/env/humidity").map { ($0.p.t, $0.p.v) }, uniquingKeysWith: { a, _ in a })
        var byHour: [Int: [Double]] = [:]
        for r in readings("sensor/env/pm2_5") {
            guard let pm = r.p.v, let h = rh[r.p.t] ?? nil else { continue }
            byHour[Int(floor(r.t.timeIntervalSince1970 / 3600)), default: []].append(Self.corrected(pm, h))
        }
        // The daemon's corrected values agree sample by sample (payload rounding only).
        let published = readings("derived/pm25_corrected")
        #expect(published.count >= byHour.values.map(\.count).reduce(0, +) - 2)

        let nowcasts = readings("derived/pm25_nowcast")
        let aqis = readings("derived/aqi")
        // One AQI per NowCast, bad when the NowCast is (never an index of nothing).
        #expect(nowcasts.count == aqis.count)
        var compared = 0
        var categories: Set<String> = []
        for n in nowcasts {
            // Stamped at the end of the hour it closes.
            let last = Int(floor(n.t.timeIntervalSince1970 / 3600)) - 1
            let hours: [Double?] = (0..<12).map { i in
                guard let v = byHour[last - i], Double(v.count) >= 0.75 * 60 else { return nil }
                return v.reduce(0, +) / Double(v.count)
            }
            let expected = Self.nowcast(hours)
            guard let e = expected else {
                #expect(n.p.q == "bad" && n.p.v == nil, "hour \(last): \(n.raw)")
                #expect(aqis.first { $0.p.t == n.p.t }?.p.q == "bad")
                continue
            }
            let got = try #require(n.p.v, "hour \(last): \(n.raw)")
            // Equal but for truncation of a value that payload rounding moved across a 0.1 step.
            #expect(abs(got - e) < 0.1 + 1e-9, "hour \(last): NowCast \(got), independently \(e)")
            if abs(got - e) < 1e-9 { compared += 1 }
            let a = try #require(aqis.first { $0.p.t == n.p.t }, "no AQI for hour \(last)")
            #expect(a.p.v == Double(Self.aqi(got)), "hour \(last): AQI \(a.raw) for NowCast \(got)")
            #expect(a.raw.contains("\"pollutant\":\"pm2_5\""))
            if let c = a.raw.firstMatch(of: /"category":"([^"]+)"/) { categories.insert(String(c.1)) }
        }
        let payloads = (nowcasts + aqis + published + readings("sensor/env/pm2_5")).map(\.raw)
        #expect(try SchemaValidator.errors(schema: "reading.schema.json", payloads: payloads) == [])
        #expect(compared >= hoursWanted - 3, "exactly equal in \(compared) of \(nowcasts.count) hours")
        // The smoke event drives the index from the day's "Moderate" up to "Unhealthy", and the
        // NowCast brings it back down within hours of the smoke clearing.
        let values = aqis.compactMap(\.p.v)
        #expect(categories.isSuperset(of: ["Moderate", "Unhealthy"]), "\(categories)")
        #expect((values.max() ?? 0) > 150 && (values.last ?? 999) <= 100, "\(values)")
    }

    /// The example station as shipped, on a test broker: every driver publishes good values,
    /// and a CRC fault injected into the SPS30 is published as `bad`/`crc`, then recovers.
    @Test func theExampleStationRunsEveryDriver() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        var text = try String(contentsOfFile: RepositoryPaths.examples + "/air-station.yaml", encoding: .utf8)
        text = text.replacing("mqtt://127.0.0.1:1883", with: "mqtt://127.0.0.1:\(broker.port)")
            .replacing("/tmp/sensegate-air-station", with: site.state)
            .replacing(
                "  excursions:",
                with: """
                      faults:
                        - {sensor: pm, fault: crc, after: 3m, for: 2m}
                      excursions:
                    """)
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/air-station/#")
        let daemon = try SensegateBinary.start(["run", "--config", site.write("station.yaml", text)])
        let root = "sensegate/air-station/sensor/"
        let topics = [
            "climate/temperature", "climate/humidity", "pm/pm2_5", "pm/nc0_5", "pm/typical_size", "env/pm2_5",
            "env/voc_index", "kiosk/co2", "gas/o3", "gas/no2", "gas/co",
        ]
        for t in topics {
            let m = await sub.wait(timeout: 20) { $0.topic == root + t && $0.payload.contains("\"q\":\"good\"") }
            #expect(!m.isEmpty, "no good reading on \(t)")
        }
        let crc = await sub.wait(timeout: 20) { $0.topic == root + "pm/pm2_5" && $0.payload.contains("\"r\":\"crc\"") }
        #expect(crc.first.map { $0.payload.contains("\"v\":null") && $0.payload.contains("\"q\":\"bad\"") } == true)
        let badAt = sub.messages.lastIndex { $0.topic == root + "pm/pm2_5" && $0.payload.contains("\"r\":\"crc\"") } ?? 0
        _ = await sub.wait(timeout: 20) { m in
            m.topic == root + "pm/pm2_5" && m.payload.contains("\"q\":\"good\"")
                && sub.messages.firstIndex(of: m).map { $0 > badAt } == true
        }
        #expect(sub.messages.suffix(from: badAt + 1).contains { $0.topic == root + "pm/pm2_5" && $0.payload.contains("\"q\":\"good\"") })
        // Physical sanity of what the emulated parts report from the simulated world.
        let values = { (t: String) in sub.messages(on: root + t).compactMap { ReadingPayload.decode($0.payload)?.v } }
        #expect(values("kiosk/co2").allSatisfy { (400...5000).contains($0) })
        #expect(values("gas/o3").allSatisfy { (0...0.2).contains($0) } && values("gas/no2").allSatisfy { (0...400).contains($0) })
        #expect(values("climate/humidity").allSatisfy { (0...100).contains($0) })
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        #expect(
            try SchemaValidator.errors(
                schema: "reading.schema.json",
                payloads: sub.messages.filter { $0.topic.hasPrefix(root) }.map(\.payload)) == [])
    }
}
