import Foundation
import SenseTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// CAP 1.2 public alerts from the built daemon on a real broker: an alarm raised by a heat
/// excursion issues an Alert and its end a Cancel that references it; an alert still out when the
/// gateway is killed is cancelled by the next run once the sensor shows the heat gone.
@Suite(.serialized) struct PublicAlertsEndToEndTests {
    static let cap = """
        alarms:
          - name: hot
            channel: outdoor.temperature
            high: 28
            deadband: 2
            priority: high
            description: Extreme heat on the roof
            cap:
              event: Extreme heat
              category: [Met, Health]
              response: [Avoid]
              instruction: Stay off the roof; keep the plant room ventilated.
              event_codes: {SAME: EHW}
        cap:
          sender: roof-07@alerts.city.example
          sender_name: City buildings office
          status: Test
          expires: 2h
          area:
            description: Town hall roof & plant room
            polygon: [[51.5, -0.12], [51.501, -0.12], [51.501, -0.119], [51.5, -0.119]]
            geocodes: {NUTS3: UKI32}
        """

    static func excursion(after: String, lasting: String) -> String {
        """
          excursions:
            - {quantity: temperature, change: 40, after: \(after), ramp: 500ms, for: \(lasting)}
        """
    }

    static func fields(_ xml: String) -> (type: String, id: String, references: String?) {
        func text(_ tag: String) -> String? {
            guard let a = xml.range(of: "<\(tag)>"), let b = xml.range(of: "</\(tag)>", range: a.upperBound..<xml.endIndex) else { return nil }
            return String(xml[a.upperBound..<b.lowerBound])
        }
        return (text("msgType") ?? "", text("identifier") ?? "", text("references"))
    }

    @Test func anAlertAndItsCancel() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/#")
        // An MQTT 5 observer of the properties: CAP's own media type and namespace.
        let v5 = try ChildProcess(
            "/usr/bin/mosquitto_sub",
            [
                "-h", "127.0.0.1", "-p", String(broker.port), "-V", "5", "-q", "1",
                "-t", "sensegate/e2e/cap/#", "-F", "%t|%C|%P",
            ])
        try await Task.sleep(for: .milliseconds(300))
        let config = site.write(
            "cap.yaml",
            site.simConfig(
                port: broker.port, simulation: Self.excursion(after: "3s", lasting: "5s"),
                derived: Self.cap))
        let daemon = try SensegateBinary.start(["run", "--config", config])
        let topic = "sensegate/e2e/cap/hot"
        let messages = await sub.wait(for: 2, timeout: 30) { $0.topic == topic }
        try await Task.sleep(for: .milliseconds(500))
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        v5.signal(SIGTERM)
        _ = await v5.exited(timeout: 5)

        let caps = sub.messages(on: topic)
        #expect(caps.map { Self.fields($0.payload).type } == ["Alert", "Cancel"], "\(caps.map(\.payload))")
        guard messages.count >= 2 else { return }
        let alert = Self.fields(caps[0].payload), cancel = Self.fields(caps[1].payload)
        #expect(alert.id.hasPrefix("e2e.hot.") && alert.references == nil)
        #expect(cancel.references?.hasPrefix("roof-07@alerts.city.example,\(alert.id),") == true, "\(cancel.references ?? "none")")
        #expect(caps[0].payload.contains("<status>Test</status>") && caps[0].payload.contains("<severity>Severe</severity>"))
        #expect(caps[0].payload.contains("<valueName>sensegate:value</valueName>"))
        #expect(caps[1].payload.contains("<responseType>AllClear</responseType>"))
        // The alert comes after the alarm it announces, the cancel after the alarm cleared.
        let alarmActive = sub.messages.firstIndex { $0.topic == "sensegate/e2e/alarm/hot" && $0.payload.contains("\"active\":true") }
        let alertAt = sub.messages.firstIndex { $0.topic == topic }
        #expect(alarmActive != nil && alertAt != nil && alarmActive! < alertAt!)
        // The seq in the identifier is the message's own: unique across the node's messages.
        #expect(Set(caps.map { Self.fields($0.payload).id }).count == 2)
        let props = v5.stdout.split(separator: "\n").filter { $0.hasPrefix(topic + "|") }
        #expect(
            props.count == 2
                && props.allSatisfy { $0.contains("|application/cap+xml|") && $0.contains("schema:urn:oasis:names:tc:emergency:cap:1.2") },
            "\(props)")
        // Retained: the broker holds the latest (the Cancel) for late subscribers.
        let late = try await Subscriber.connected(port: broker.port, filter: topic)
        let held = await late.wait(timeout: 5) { $0.retained }
        #expect(held.first.map { Self.fields($0.payload).type } == "Cancel")
        late.stop()
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
        #expect(FileManager.default.fileExists(atPath: site.state + "/cap-alerts"))
        #expect(try String(contentsOfFile: site.state + "/cap-alerts", encoding: .utf8).isEmpty, "no alert is out any more")
    }

    @Test func anAlertOutWhenTheGatewayDiesIsCancelledByTheNextRun() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/#")
        let topic = "sensegate/e2e/cap/hot"
        let hot = site.write(
            "hot.yaml",
            site.simConfig(
                port: broker.port, simulation: Self.excursion(after: "1s", lasting: "1h"),
                derived: Self.cap))
        var daemon = try SensegateBinary.start(["run", "--config", hot])
        let alert = await sub.wait(timeout: 20) { $0.topic == topic }
        try await Task.sleep(for: .milliseconds(300))
        daemon.signal(SIGKILL)
        _ = await daemon.exited(timeout: 10)
        let id = try #require(alert.first.map { Self.fields($0.payload).id })
        let file = try String(contentsOfFile: site.state + "/cap-alerts", encoding: .utf8)
        #expect(file.hasPrefix("hot \(id) "), "\(file)")

        // The next run, in mild weather: the first good readings show the heat gone.
        let mild = site.write("mild.yaml", site.simConfig(port: broker.port, derived: Self.cap))
        daemon = try SensegateBinary.start(["run", "--config", mild])
        let cancel = await sub.wait(for: 2, timeout: 20) { $0.topic == topic }
        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        let last = try #require(cancel.dropFirst().first.map { Self.fields($0.payload) })
        #expect(last.type == "Cancel")
        #expect(last.references?.contains(",\(id),") == true, "\(last.references ?? "none")")
        #expect(sub.messages(on: topic).count == 2, "one alert, one cancel")
        let schemaErrors = try PayloadSchemas.errors(sub.messages)
        #expect(schemaErrors == [], "every message as its topic promises")
    }
}
