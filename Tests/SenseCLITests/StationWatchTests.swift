import SenseCore
import SenseWire
import Testing

@testable import SenseCLI

/// The live view's frame, fed with the station's messages as they come.
@Suite struct StationWatchTests {
    static let layout = WatchLayout(
        title: "roof-01 (raspberry-pi-4) via mqtt://127.0.0.1:1883",
        channels: [
            .init(label: "outdoor.temperature", topic: "s/roof-01/sensor/outdoor/temperature", unit: "°C"),
            .init(label: "outdoor.humidity", topic: "s/roof-01/sensor/outdoor/humidity", unit: "%"),
            .init(label: "derived.dew_point", topic: "s/roof-01/derived/dew_point", unit: "°C"),
        ],
        alarms: [.init(label: "cabinet_hot", topic: "s/roof-01/alarm/cabinet_hot", unit: "")],
        actuators: [.init(label: "fan", topic: "s/roof-01/actuator/fan", unit: "")],
        status: "s/roof-01/status", health: "s/roof-01/health")

    static let t0 = MonotonicInstant(nanoseconds: 1_000_000_000_000)

    static func fed() -> StationWatch {
        var w = StationWatch(layout: layout)
        func put(_ topic: String, _ payload: String, _ at: MonotonicInstant = t0) { w.receive(topic: topic, payload: Array(payload.utf8), at: at) }
        put("s/roof-01/status", "online")
        put("s/roof-01/sensor/outdoor/temperature", #"{"v":21.534,"u":"Cel","q":"good","t":"2026-12-06T10:00:00Z","seq":1}"#)
        put("s/roof-01/sensor/outdoor/humidity", #"{"v":null,"u":"%RH","q":"bad","r":"no_response","t":"2026-12-06T10:00:00Z","seq":2}"#)
        put("s/roof-01/alarm/cabinet_hot", #"{"state":"active_unacknowledged","active":true,"priority":"high","shelved":false}"#)
        put("s/roof-01/actuator/fan", #"{"state":"on","source":"rule","reason":"cool_down"}"#)
        put(
            "s/roof-01/health",
            #"{"uptime_s":3600,"rss_kib":16896,"mqtt":{"connected":true},"outbox":{"depth":3,"oldest_age_s":12.5}}"#)
        put("s/roof-01/sensor/outdoor/temperature/garbage", "not json")
        return w
    }

    @Test func aFrameOnAnEightyColumnTerminal() {
        let frame = Self.fed().render(now: Self.t0 + .seconds(75), clock: "10:01:15 UTC", width: 80, height: 24, colour: false)
        #expect(frame.count <= 24)
        #expect(frame.allSatisfy { $0.count <= 80 }, "\(frame)")
        let text = frame.joined(separator: "\n")
        #expect(frame[0].hasPrefix("sensegate watch  roof-01") && frame[0].hasSuffix("10:01:15 UTC"))
        #expect(frame[1] == "station online · broker link up · outbox 3, oldest 12s · up 1h01m · rss 16.5 MiB", "\(frame[1])")
        #expect(text.contains("outdoor.temperature                  21.53 °C      good              1m15s"), "\(text)")
        // A fault shows no number, and says why.
        #expect(text.contains("outdoor.humidity                         — %       bad (no_response) 1m15s"), "\(text)")
        #expect(text.contains("derived.dew_point                        — °C      —                 none yet"))
        #expect(text.contains("  cabinet_hot             high      active_unacknowledged"))
        #expect(text.contains("  fan                     on    rule: cool_down"))
        #expect(!text.contains("\u{1B}"))
    }

    @Test func colourMarksQualityAndActiveAlarmsOnly() {
        let frame = Self.fed().render(now: Self.t0, clock: "", width: 80, height: 24, colour: true).joined(separator: "\n")
        #expect(frame.contains("\u{1B}[32mgood\u{1B}[0m"))
        #expect(frame.contains("\u{1B}[31;1mbad (no_response)\u{1B}[0m"))
        #expect(frame.contains("\u{1B}[31;1mactive_unacknowledged\u{1B}[0m"))
    }

    @Test func aSmallTerminalSaysWhatDoesNotFit() {
        let frame = Self.fed().render(now: Self.t0, clock: "", width: 50, height: 12, colour: false)
        #expect(frame.count <= 12)
        #expect(frame.contains { $0.hasPrefix("  … 3 more channel(s)") }, "\(frame)")
        #expect(frame.last == "Ctrl-C to quit")
        #expect(frame.allSatisfy { $0.count <= 50 })
    }

    @Test(arguments: [
        (21.534, "21.53"), (-0.0004, "0.000"), (1013.25, "1013"), (0.5, "0.500"), (-12.345, "-12.35"), (123.45, "123.5"), (2e20, "2e+20"),
    ])
    func numbers(value: Double, text: String) {
        #expect(StationWatch.number(.number(value)) == text)
    }

    /// Anyone may publish under the station's root: what the view does not show is not kept.
    @Test func aFloodOfOtherTopicsIsNotKept() {
        var w = Self.fed()
        for i in 0..<10_000 { w.receive(topic: "s/roof-01/junk/\(i)", payload: Array(#"{"state":"on"}"#.utf8), at: Self.t0) }
        #expect(w.keptStates == 2, "the alarm and the actuator only")
    }
}
