import SenseAnalysis
import SenseCore

/// CAP 1.2 alert messages (OASIS Common Alerting Protocol, namespace
/// `urn:oasis:names:tc:emergency:cap:1.2`), written element by element in the standard's order.
/// The structure sensegate writes is `docs/schemas/cap-1.2-sensegate.xsd`.
package enum CAPPayloads {
    package enum MessageType: String { case alert = "Alert", update = "Update", cancel = "Cancel" }

    /// An earlier message, as CAP's `references` names it: `sender,identifier,sent`.
    package struct Reference: Sendable, Hashable {
        package var identifier: String
        package var sent: WallTime

        package init(identifier: String, sent: WallTime) {
            self.identifier = identifier
            self.sent = sent
        }
    }

    package struct Message {
        package var type: MessageType
        package var identifier: String
        package var sent: WallTime
        package var node: String
        package var settings: PublicAlertSettings
        /// nil: a cancel of an alarm that no longer issues alerts (no info block).
        package var template: CAPAlertTemplate?
        package var alarm: AlarmSnapshot?
        package var references: [Reference] = []
        package var seq: UInt64

        package init(
            type: MessageType, identifier: String, sent: WallTime, node: String, settings: PublicAlertSettings,
            template: CAPAlertTemplate?, alarm: AlarmSnapshot?, references: [Reference] = [], seq: UInt64
        ) {
            self.type = type
            self.identifier = identifier
            self.sent = sent
            self.node = node
            self.settings = settings
            self.template = template
            self.alarm = alarm
            self.references = references
            self.seq = seq
        }
    }

    package static let namespace = "urn:oasis:names:tc:emergency:cap:1.2"

    /// CAP's dateTime: whole seconds and an explicit offset; UTC is written `-00:00` (CAP 1.2
    /// §3.3.2 forbids `Z`).
    package static func dateTime(_ t: WallTime) -> String { String(t.rfc3339.prefix(19)) + "-00:00" }

    /// `<node>.<alarm>.<seq>`: unique for the sender, because `seq` never repeats on a node.
    package static func identifier(node: String, alarm: String, seq: UInt64) -> String { "\(node).\(alarm).\(seq)" }

    package static func xml(_ m: Message) -> [UInt8] {
        var x = XMLText()
        x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        x.open("alert", attributes: [("xmlns", namespace)])
        x.element("identifier", m.identifier)
        x.element("sender", m.settings.sender)
        x.element("sent", dateTime(m.sent))
        x.element("status", m.settings.status.rawValue)
        x.element("msgType", m.type.rawValue)
        x.element("source", "sensegate \(SensegateVersion.string) node \(m.node)")
        x.element("scope", m.settings.scope.rawValue)
        if let r = m.settings.restriction, m.settings.scope == .restricted { x.element("restriction", r) }
        if let a = m.settings.addresses, m.settings.scope == .private { x.element("addresses", a) }
        if !m.references.isEmpty {
            x.element("references", m.references.map { "\(m.settings.sender),\($0.identifier),\(dateTime($0.sent))" }.joined(separator: " "))
        }
        if let t = m.template { info(&x, m, t) }
        x.close("alert")
        return Array(x.text.utf8)
    }

    private static func info(_ x: inout XMLText, _ m: Message, _ t: CAPAlertTemplate) {
        let s = m.settings
        let ended = m.type == .cancel
        x.open("info")
        x.element("language", s.language)
        for c in t.categories { x.element("category", c.rawValue) }
        x.element("event", t.event)
        if ended {
            x.element("responseType", CAPAlertTemplate.ResponseType.allClear.rawValue)
        } else {
            for r in t.responseTypes { x.element("responseType", r.rawValue) }
        }
        // An ended event is past and no longer threatens: what a receiver needs to clear it.
        x.element("urgency", ended ? CAPAlertTemplate.Urgency.past.rawValue : t.urgency.rawValue)
        x.element("severity", ended ? CAPAlertTemplate.Severity.minor.rawValue : t.severity.rawValue)
        x.element("certainty", t.certainty.rawValue)
        if let a = t.audience { x.element("audience", a) }
        for c in t.eventCodes { x.pair("eventCode", c.name, c.value) }
        x.element("effective", dateTime(m.sent))
        if !ended, let since = m.alarm?.since { x.element("onset", dateTime(since)) }
        if !ended, let e = t.expires ?? s.expires { x.element("expires", dateTime(m.sent + e)) }
        if let n = s.senderName { x.element("senderName", n) }
        let what = t.headline ?? "\(t.event): \(describe(m.alarm, t))"
        x.element("headline", ended ? "Ended: \(what)" : what)
        x.element("description", description(m, t, ended: ended))
        if !ended, let i = t.instruction { x.element("instruction", i) }
        if let w = s.web { x.element("web", w) }
        if let c = s.contact { x.element("contact", c) }
        if let a = m.alarm {
            x.pair("parameter", "sensegate:alarm", a.name)
            x.pair("parameter", "sensegate:channel", a.channel.description)
            x.pair("parameter", "sensegate:limit", number(a.limit))
            x.pair("parameter", "sensegate:direction", a.direction.rawValue)
            if let v = a.value { x.pair("parameter", "sensegate:value", number(v)) }
            x.pair("parameter", "sensegate:priority", a.priority.rawValue)
        }
        x.pair("parameter", "sensegate:seq", String(m.seq))
        area(&x, s.area)
        x.close("info")
    }

    private static func area(_ x: inout XMLText, _ a: CAPArea) {
        x.open("area")
        x.element("areaDesc", a.description)
        for ring in a.polygons {
            x.element("polygon", ring.map { "\(number($0.latitude)),\(number($0.longitude))" }.joined(separator: " "))
        }
        for c in a.circles {
            x.element("circle", "\(number(c.centre.latitude)),\(number(c.centre.longitude)) \(number(c.radiusKilometres))")
        }
        for g in a.geocodes { x.pair("geocode", g.name, g.value) }
        x.close("area")
    }

    private static func describe(_ a: AlarmSnapshot?, _ t: CAPAlertTemplate) -> String {
        guard let a else { return t.event }
        return a.description.isEmpty ? a.name : a.description
    }

    private static func description(_ m: Message, _ t: CAPAlertTemplate, ended: Bool) -> String {
        var text = t.description ?? describe(m.alarm, t)
        guard let a = m.alarm else { return text }
        let word = a.direction == .high ? "above" : "below"
        if ended {
            text += ". The condition has ended"
            if let v = a.value { text += ": \(a.channel) is \(number(v)), no longer \(word) \(number(a.limit))" }
            return text + "."
        }
        if let v = a.value { text += ". Measured \(a.channel) \(number(v)), \(word) the limit \(number(a.limit))" }
        if let since = a.since { text += ", since \(dateTime(since))" }
        return text + "."
    }

    /// Shortest round-trip decimal, no exponent for the magnitudes a gateway measures.
    package static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        let r = (v * 1_000_000).rounded() / 1_000_000
        return r.description
    }
}

/// Minimal XML text: elements with escaped text, pretty-printed two spaces a level.
package struct XMLText {
    private(set) var text = ""
    private var depth = 0

    package mutating func raw(_ s: String) { text += s }

    package mutating func open(_ name: String, attributes: [(String, String)] = []) {
        indent()
        text += "<\(name)"
        for (k, v) in attributes { text += " \(k)=\"\(Self.escape(v))\"" }
        text += ">\n"
        depth += 1
    }

    package mutating func close(_ name: String) {
        depth -= 1
        indent()
        text += "</\(name)>\n"
    }

    package mutating func element(_ name: String, _ value: String) {
        indent()
        text += "<\(name)>\(Self.escape(value))</\(name)>\n"
    }

    /// CAP's name/value pairs (`eventCode`, `parameter`, `geocode`).
    package mutating func pair(_ name: String, _ valueName: String, _ value: String) {
        open(name)
        element("valueName", valueName)
        element("value", value)
        close(name)
    }

    private mutating func indent() { text += String(repeating: "  ", count: depth) }

    package static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // XML 1.0 allows no control characters but tab, newline and carriage return.
                if let a = c.asciiValue, a < 0x20, a != 0x09, a != 0x0A, a != 0x0D { continue }
                out.append(c)
            }
        }
        return out
    }
}
