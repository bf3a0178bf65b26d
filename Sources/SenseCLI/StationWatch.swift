import SenseCore
import SenseWire

/// What `sensegate watch` shows: the station's channels, alarms and actuators as the config
/// declares them, so a row exists before its first message (an idle sensor is seen as idle).
package struct WatchLayout: Sendable {
    package struct Row: Sendable {
        package var label: String
        package var topic: String
        package var unit: String
        package init(label: String, topic: String, unit: String) {
            self.label = label
            self.topic = topic
            self.unit = unit
        }
    }

    package var title: String
    package var channels: [Row]
    package var alarms: [Row]
    package var actuators: [Row]
    package var status: String
    package var health: String

    package init(title: String, channels: [Row], alarms: [Row], actuators: [Row], status: String, health: String) {
        self.title = title
        self.channels = channels
        self.alarms = alarms
        self.actuators = actuators
        self.status = status
        self.health = health
    }
}

/// The live view's state, fed with the station's messages, and its rendering: pure, so that a
/// test drives it without a terminal. Ages are counted from when a message arrived here, not
/// from the station's clock (which may differ from the technician's).
package struct StationWatch: Sendable {
    struct Reading {
        var value: String
        var quality: String
        var reason: String?
        var received: MonotonicInstant
    }

    let layout: WatchLayout
    private var readings: [String: Reading] = [:]
    private var states: [String: [String: JSONValue]] = [:]
    private var status: String?
    private var health: [String: JSONValue]?
    private var healthReceived: MonotonicInstant?
    private var connectedSince: MonotonicInstant?

    /// What each topic of the layout is: a channel (counted: shown whole) or an alarm's or
    /// actuator's state. One lookup per message, however many rows.
    private enum RowKind {
        case channel(counted: Bool)
        case state
    }
    private let kinds: [String: RowKind]

    package init(layout: WatchLayout) {
        self.layout = layout
        var kinds: [String: RowKind] = [:]
        for row in layout.alarms + layout.actuators { kinds[row.topic] = .state }
        for row in layout.channels { kinds[row.topic] = .channel(counted: row.unit.isEmpty || row.unit == "count") }
        self.kinds = kinds
    }

    /// How many alarm and actuator states are held (at most one per declared row).
    var keptStates: Int { states.count }

    /// One message from the station (anything under its root).
    package mutating func receive(topic: String, payload: [UInt8], at now: MonotonicInstant) {
        if topic == layout.status {
            status = String(decoding: payload.prefix(32), as: UTF8.self)
            return
        }
        // Only what the view shows is read and kept: anyone may publish under the station's
        // root, and a flood of other topics must neither grow this nor be parsed.
        let kind = kinds[topic]
        guard kind != nil || topic == layout.health else { return }
        // A payload that is not a JSON object is not one of the station's: it is left out.
        guard payload.count <= 65536, case let .object(o) = Self.parse(payload) else { return }
        if topic == layout.health {
            health = o
            healthReceived = now
            return
        }
        switch kind {
        case let .channel(counted)?:
            readings[topic] = Reading(
                value: Self.number(o["v"], counted: counted), quality: Self.text(o["q"]) ?? "?", reason: Self.text(o["r"]),
                received: now)
        case .state?:
            states[topic] = o
        case nil:
            break
        }
    }

    /// The frame: at most `height` lines of at most `width` columns; quality and alarm words
    /// coloured when `colour`.
    package func render(now: MonotonicInstant, clock: String, width: Int, height: Int, colour: Bool) -> [String] {
        let width = max(40, width)
        var lines: [String] = []
        lines.append(Self.fit("sensegate watch  \(layout.title)", clock, width))
        lines.append(Self.clip(linkLine(now: now), width))
        lines.append("")
        lines.append(Self.clip(Self.columns("CHANNEL", "VALUE", "UNIT", "QUALITY", "AGE"), width))
        var body: [String] = []
        for row in layout.channels {
            let r = readings[row.topic]
            let quality = r.map { $0.reason.map { "\(r!.quality) (\($0))" } ?? $0.quality } ?? "—"
            let age = r.map { Self.age(now - $0.received) } ?? "none yet"
            var line = Self.clip(Self.columns(row.label, r?.value ?? "—", row.unit, quality, age), width)
            if colour, let q = r?.quality { line = Self.paint(line, word: quality, code: Self.colour(quality: q)) }
            body.append(line)
        }
        var tail: [String] = []
        if !layout.alarms.isEmpty {
            tail.append("")
            tail.append("ALARMS")
            for row in layout.alarms {
                let o = states[row.topic]
                let state = o.flatMap { Self.text($0["state"]) } ?? "—"
                let priority = o.flatMap { Self.text($0["priority"]) } ?? ""
                let shelved = o?["shelved"] == .bool(true) ? " shelved" : ""
                var line = Self.clip("  " + Self.pad(row.label, 24) + Self.pad(priority, 10) + state + shelved, width)
                if colour, state.hasPrefix("active") { line = Self.paint(line, word: state, code: "31;1") }
                tail.append(line)
            }
        }
        if !layout.actuators.isEmpty {
            tail.append("")
            tail.append("ACTUATORS")
            for row in layout.actuators {
                let o = states[row.topic]
                let state = o.flatMap { Self.text($0["state"]) } ?? "—"
                let source = o.flatMap { Self.text($0["source"]) } ?? ""
                let reason = o.flatMap { Self.text($0["reason"]) } ?? ""
                let fault = o.flatMap { Self.text($0["fault"]) }.map { "  FAULT: \($0)" } ?? ""
                tail.append(
                    Self.clip("  " + Self.pad(row.label, 24) + Self.pad(state, 6) + source + (reason.isEmpty ? "" : ": \(reason)") + fault, width))
            }
        }
        // What does not fit is said, not silently cut: channels first give way.
        let room = max(0, height - 1 - lines.count - tail.count)
        if body.count > room {
            let shown = max(0, room - 1)
            lines += body.prefix(shown)
            lines.append(Self.clip("  … \(body.count - shown) more channel(s): a taller terminal shows them", width))
        } else {
            lines += body
        }
        lines += tail
        lines.append(Self.clip("Ctrl-C to quit", width))
        return Array(lines.prefix(max(1, height)))
    }

    private func linkLine(now: MonotonicInstant) -> String {
        var parts = ["station " + (status ?? "unknown")]
        if let h = health {
            if case let .object(m)? = h["mqtt"] { parts.append(m["connected"] == .bool(true) ? "broker link up" : "broker link down") }
            if case let .object(o)? = h["outbox"] {
                let depth = Self.fixed(Self.double(o["depth"]) ?? 0, 0)
                let oldest =
                    o["oldest_age_s"].map { v -> String in
                        if case let .number(s) = v { return ", oldest " + Self.age(.seconds(s)) }
                        return ""
                    } ?? ""
                parts.append("outbox \(depth)\(oldest)")
            }
            // Health comes every minute: the uptime goes on from when it arrived.
            if case let .number(up)? = h["uptime_s"], let at = healthReceived { parts.append("up " + Self.age(.seconds(up) + (now - at))) }
            if case let .number(kib)? = h["rss_kib"] { parts.append("rss \(Self.fixed(kib / 1024, 1)) MiB") }
        } else {
            parts.append("health not received yet (every minute)")
        }
        return parts.joined(separator: " · ")
    }

    // MARK: text

    static func columns(_ a: String, _ b: String, _ c: String, _ d: String, _ e: String) -> String {
        pad(a, 30) + pad(b, 12, right: true) + " " + pad(c, 8) + pad(d, 18) + e
    }

    package static func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let count = s.count
        if count >= n { return String(s.prefix(n - 1)) + " " }
        let fill = String(repeating: " ", count: n - count)
        return right ? fill + s : s + fill
    }

    static func clip(_ s: String, _ width: Int) -> String { s.count <= width ? s : String(s.prefix(width - 1)) + "…" }

    static func fit(_ left: String, _ right: String, _ width: Int) -> String {
        let room = width - right.count - 1
        guard room > 0 else { return clip(left, width) }
        return pad(clip(left, room), room) + " " + right
    }

    static func paint(_ line: String, word: String, code: String) -> String {
        guard !word.isEmpty, let range = line.firstRange(of: word) else { return line }
        var painted = line
        painted.replaceSubrange(range, with: "\u{1B}[\(code)m\(word)\u{1B}[0m")
        return painted
    }

    static func colour(quality: String) -> String {
        switch quality {
        case "good": "32"
        case "uncertain": "33"
        default: "31;1"
        }
    }

    package static func parse(_ payload: [UInt8]) -> JSONValue {
        do {
            return try JSONValue.parse(payload)
        } catch {
            return .null
        }
    }

    static func double(_ v: JSONValue?) -> Double? {
        if case let .number(x)? = v { return x }
        return nil
    }

    static func text(_ v: JSONValue?) -> String? {
        if case let .string(s)? = v { return String(s.prefix(80)) }
        return nil
    }

    /// A reading's number as a technician reads it: at most 3 decimals, no exponent for
    /// ordinary magnitudes; `—` for null (a fault has no value).
    static func number(_ v: JSONValue?, counted: Bool = false) -> String {
        guard case let .number(x)? = v else { return "—" }
        return text(of: x, counted: counted)
    }

    /// `counted`: a state or a count, whole when it is whole (`1`, not `1.000`).
    package static func text(of x: Double, counted: Bool = false) -> String {
        if counted, x == x.rounded(), abs(x) < 1e15 { return fixed(x, 0) }
        let magnitude = abs(x)
        let decimals = magnitude >= 1000 ? 0 : magnitude >= 100 ? 1 : magnitude >= 1 ? 2 : 3
        return fixed(x, decimals)
    }

    static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite, abs(x) < 1e15 else { return "\(x)" }
        var scale: Int64 = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int64((abs(x) * Double(scale)).rounded())
        let whole = scaled / scale
        let fraction = scaled % scale
        let sign = x < 0 && scaled != 0 ? "-" : ""
        guard decimals > 0 else { return "\(sign)\(whole)" }
        let digits = String(fraction)
        return "\(sign)\(whole)." + String(repeating: "0", count: decimals - digits.count) + digits
    }

    /// `4s`, `3m12s`, `2h05m`, `3d4h`.
    static func age(_ d: Duration) -> String {
        let s = max(0, d.components.seconds)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(String(format2: s % 60))s" }
        if s < 86400 { return "\(s / 3600)h\(String(format2: (s % 3600) / 60))m" }
        return "\(s / 86400)d\((s % 86400) / 3600)h"
    }
}

extension String {
    /// Two digits: `5` → `05`.
    fileprivate init(format2 n: Int64) { self = n < 10 ? "0\(n)" : "\(n)" }
}
