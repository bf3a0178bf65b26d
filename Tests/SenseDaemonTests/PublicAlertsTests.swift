import Foundation
import SenseAnalysis
import SenseConfig
import SenseCore
import SenseTesting
import SenseWire
import Testing

@testable import SenseDaemon

/// The public-alert state machine against a real alarm engine, and the CAP messages it leads to
/// against the CAP 1.2 structure.
@Suite struct PublicAlertsTests {
    /// A river stage alarm: high 1.8 m, 5 cm deadband, on after 20 s.
    struct River {
        var engine = AlarmEngine([
            AlarmDefinition(
                name: "flood", channel: .derived("stage"),
                threshold: .init(
                    direction: .high, limit: 1.8, deadband: 0.05,
                    onDelay: .time(.seconds(20))),
                priority: .high, description: "River at flood stage")
        ])
        var alerts = PublicAlerts()
        var sent: [(PublicAlerts.Decision, Double)] = []

        mutating func stage(_ v: Double?, at s: Double, quality: Quality = .good, expires: Duration? = nil) {
            _ = engine.update([
                Sample(
                    sensor: DerivedEngine.sensorName, quantity: "stage", value: v, unit: .metre,
                    quality: v == nil ? .bad : quality, reason: v == nil ? .nack : nil, monotonic: at(s), wall: wall(s))
            ])
            step(at: s, expires: expires)
        }

        mutating func step(at s: Double, expires: Duration? = nil) {
            let c = engine.publicCondition("flood", at: at(s), wall: wall(s))!
            guard let d = alerts.decide(alarm: "flood", c, expires: expires, wall: wall(s)) else { return }
            sent.append((d, s))
            switch d {
            case .alert: alerts.issued("flood", identifier: "n.flood.\(sent.count)", sent: wall(s))
            case .cancel: alerts.cancelled("flood")
            }
        }
    }

    @Test func anAlertWhenTheAlarmRisesAndACancelWhenTheRiverIsBackBelow() {
        var r = River()
        for t in stride(from: 0.0, through: 15, by: 5) { r.stage(1.5, at: t) }
        #expect(r.sent.isEmpty)
        for t in stride(from: 20.0, through: 60, by: 5) { r.stage(1.9, at: t) }  // on after 20 s of flood stage
        #expect(r.sent.count == 1)
        #expect(r.sent.first.map { $0.0 == .alert(replacing: nil) && $0.1 == 40 } == true)
        r.stage(1.78, at: 65)  // inside the deadband: still active, nothing said
        #expect(r.sent.count == 1)
        r.stage(1.7, at: 70)
        #expect(r.sent.count == 2)
        guard case let .cancel(issued) = r.sent[1].0 else {
            Issue.record("expected a cancel")
            return
        }
        #expect(issued.identifier == "n.flood.1")
        r.stage(1.6, at: 75)
        #expect(r.sent.count == 2, "one cancel, not one per reading")
    }

    @Test func aFailedSensorNeverCancelsAnAlert() {
        var r = River()
        for t in stride(from: 0.0, through: 30, by: 5) { r.stage(2.0, at: t) }
        #expect(r.sent.count == 1)
        for t in stride(from: 35.0, through: 300, by: 5) { r.stage(nil, at: t) }
        #expect(r.sent.count == 1, "a bad stage is no evidence that the flood is over")
        #expect(r.alerts.outstanding["flood"] != nil)
    }

    @Test func aShelvedAlarmIssuesNoAlert() throws {
        var r = River()
        r.stage(1.5, at: 0)
        _ = try r.engine.command(.shelve, alarm: "flood", shelveFor: .seconds(3600), at: at(1), wall: wall(1))
        for t in stride(from: 5.0, through: 60, by: 5) { r.stage(2.0, at: t) }
        #expect(r.sent.isEmpty)
    }

    @Test func afterARestartAnAlertStillOutIsUpdatedOrCancelled() {
        let file = "flood n.flood.7 1795392000000000000\nthis line is damaged\n"
        var skipped: [String] = []
        let restored = PublicAlerts(fileText: file, skipped: &skipped)
        #expect(skipped == ["this line is damaged"])
        #expect(restored.outstanding["flood"]?.restored == true)

        // Still in flood: once the alarm qualifies again, an Update references the old alert.
        var wet = River()
        wet.alerts = restored
        wet.step(at: 0)
        #expect(wet.sent.isEmpty, "no reading yet: no evidence either way")
        for t in stride(from: 0.0, through: 10, by: 5) { wet.stage(2.1, at: t) }
        #expect(wet.sent.isEmpty, "qualifying (on-delay) is no evidence that the flood is over")
        for t in stride(from: 15.0, through: 25, by: 5) { wet.stage(2.1, at: t) }
        #expect(wet.sent.count == 1)
        #expect(wet.sent.first?.0 == .alert(replacing: restored.outstanding["flood"]))
        #expect(wet.alerts.outstanding["flood"]?.restored == false)

        // Dry again: the first good reading below the limit cancels it.
        var dry = River()
        dry.alerts = restored
        dry.stage(0.6, at: 0)
        #expect(dry.sent.count == 1)
        #expect(dry.sent.first?.0 == .cancel(restored.outstanding["flood"]!))
        #expect(dry.alerts.fileText.isEmpty)
    }

    @Test func anAlertThatWouldExpireIsRenewedWhileTheFloodLasts() {
        var r = River()
        for t in stride(from: 0.0, through: 3600, by: 60) { r.stage(2.0, at: t, expires: .seconds(1200)) }
        // Issued at 60 (on-delay 20 s met at the second reading), renewed every 1080 s (0.9 × 1200).
        #expect(r.sent.map(\.1) == [60, 1140, 2220, 3300])
        #expect(r.sent.dropFirst().allSatisfy { if case .alert(replacing: .some) = $0.0 { true } else { false } })
    }

    @Test func theFileRoundTrips() {
        var a = PublicAlerts()
        a.issued("flood", identifier: "river-gauge.flood.12", sent: wall(1))
        a.issued("smoke", identifier: "air.smoke.99", sent: wall(2))
        let b = PublicAlerts(fileText: a.fileText)
        #expect(b.outstanding.mapValues(\.identifier) == a.outstanding.mapValues(\.identifier))
        #expect(b.outstanding.mapValues(\.sent) == a.outstanding.mapValues(\.sent))
        #expect(b.outstanding.values.allSatisfy { $0.restored })
    }

    // MARK: the XML

    static func settings() -> PublicAlertSettings {
        var area = CAPArea(description: "Lower town & the riverside <underpass>")
        area.polygons = [
            [
                .init(latitude: 52.1, longitude: -1.2), .init(latitude: 52.11, longitude: -1.19),
                .init(latitude: 52.105, longitude: -1.18), .init(latitude: 52.1, longitude: -1.2),
            ]
        ]
        area.circles = [.init(centre: .init(latitude: 52.105, longitude: -1.19), radiusKilometres: 1.5)]
        area.geocodes = [.init(name: "SAME", value: "006113")]
        var s = PublicAlertSettings(sender: "gauge-17@alerts.city.example", area: area)
        s.senderName = "City flood service"
        s.web = "https://city.example/floods"
        s.contact = "Control room 0123 456"
        s.expires = .seconds(6 * 3600)
        var t = CAPAlertTemplate(event: "River flood", categories: [.met, .safety], severity: .severe)
        t.responseTypes = [.prepare, .avoid]
        t.instruction = "Keep out of the underpass; move cars from the riverside road."
        t.eventCodes = [.init(name: "SAME", value: "FLW")]
        s.alerts["flood"] = t
        return s
    }

    @Test func alertUpdateAndCancelAreValidCAP() throws {
        var r = River()
        for t in stride(from: 0.0, through: 30, by: 5) { r.stage(2.05, at: t) }
        let c = r.engine.publicCondition("flood", at: at(30), wall: wall(30))!
        let s = Self.settings()
        func message(_ type: CAPPayloads.MessageType, _ id: String, refs: [CAPPayloads.Reference]) -> String {
            String(
                decoding: CAPPayloads.xml(
                    .init(
                        type: type, identifier: id, sent: wall(30), node: "river-gauge", settings: s,
                        template: s.alerts["flood"], alarm: c.snapshot, references: refs, seq: 41)),
                as: UTF8.self)
        }
        let alert = message(.alert, "river-gauge.flood.41", refs: [])
        let update = message(.update, "river-gauge.flood.52", refs: [.init(identifier: "river-gauge.flood.41", sent: wall(30))])
        let cancel = message(.cancel, "river-gauge.flood.60", refs: [.init(identifier: "river-gauge.flood.52", sent: wall(30))])
        let orphan = String(
            decoding: CAPPayloads.xml(
                .init(
                    type: .cancel, identifier: "river-gauge.old.3", sent: wall(30), node: "river-gauge",
                    settings: s, template: nil, alarm: nil,
                    references: [.init(identifier: "river-gauge.old.2", sent: wall(0))], seq: 3)),
            as: UTF8.self)
        #expect(try CAPValidator.errors([alert, update, cancel, orphan]) == [])
        #expect(alert.contains("<sent>2026-11-23T00:00:30-00:00</sent>"))
        #expect(alert.contains("<areaDesc>Lower town &amp; the riverside &lt;underpass&gt;</areaDesc>"))
        #expect(alert.contains("<expires>2026-11-23T06:00:30-00:00</expires>"))
        #expect(alert.contains("<severity>Severe</severity>") && alert.contains("<responseType>Prepare</responseType>"))
        #expect(update.contains("<references>gauge-17@alerts.city.example,river-gauge.flood.41,2026-11-23T00:00:30-00:00</references>"))
        #expect(
            cancel.contains("<msgType>Cancel</msgType>") && cancel.contains("<responseType>AllClear</responseType>")
                && cancel.contains("<urgency>Past</urgency>"))
        #expect(!orphan.contains("<info>"))
        // And the validator is not a rubber stamp: a message with Z time and an open polygon fails.
        let broken = alert.replacingOccurrences(of: "-00:00</sent>", with: "Z</sent>")
            .replacingOccurrences(of: "<msgType>Alert</msgType>", with: "<msgType>Update</msgType>")
        #expect(try CAPValidator.errors([broken]).count >= 1)
    }
}
