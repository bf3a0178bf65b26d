import SenseAnalysis
import SenseWire

/// Decoding of `cap:` and of each alarm's `cap:` block.
enum CAPDecoding {
    static func settings(
        _ n: YAMLNode?, keyMark: SourceMark, alarms: [AlarmDecoding.PendingCAP],
        sink: DiagnosticSink
    ) -> PublicAlertSettings? {
        guard let n else {
            for a in alarms {
                sink.error(a.keyMark, a.path, "a public alert needs the top-level cap section (sender and area)")
            }
            return nil
        }
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "cap", sink: sink) else { return nil }
        let sender = m.required("sender").flatMap { capToken($0, m.child("sender"), s, sink) }
        let area = m.required("area").flatMap { decodeArea($0, path: m.child("area"), sink: sink) }
        let senderName = m.node("sender_name").flatMap { s.nonEmptyString($0, m.child("sender_name")) }
        let topic = m.node("topic").flatMap { s.topic($0, m.child("topic")) }
        let status = m.node("status").flatMap { s.choice($0, m.child("status"), PublicAlertSettings.Status.allCases) } ?? .actual
        let scope = m.node("scope").flatMap { s.choice($0, m.child("scope"), PublicAlertSettings.Scope.allCases) } ?? .public
        let restriction = m.node("restriction").flatMap { s.nonEmptyString($0, m.child("restriction")) }
        let addresses = m.node("addresses").flatMap { s.nonEmptyString($0, m.child("addresses")) }
        if scope == .restricted, restriction == nil {
            sink.error(m.keyMark("scope"), m.child("restriction"), "scope Restricted needs a restriction (who may see the alerts)")
        }
        if scope == .private, addresses == nil {
            sink.error(m.keyMark("scope"), m.child("addresses"), "scope Private needs addresses (the recipients)")
        }
        let language =
            m.node("language").flatMap { n -> String? in
                guard let v = s.string(n, m.child("language")) else { return nil }
                guard isLanguageTag(v) else {
                    sink.error(n.mark, m.child("language"), "'\(v)' is not an RFC 3066 language tag such as en-US or de-CH")
                    return nil
                }
                return v
            } ?? "en-US"
        let web = m.node("web").flatMap { uri($0, m.child("web"), s, sink) }
        let contact = m.node("contact").flatMap { s.nonEmptyString($0, m.child("contact")) }
        let expires = m.node("expires").flatMap { expiry($0, m.child("expires"), s, sink) }
        m.finish()
        guard let sender, let area else { return nil }
        var p = PublicAlertSettings(sender: sender, area: area)
        p.senderName = senderName
        p.topic = topic
        p.status = status
        p.scope = scope
        p.restriction = restriction
        p.addresses = addresses
        p.language = language
        p.web = web
        p.contact = contact
        p.expires = expires
        for a in alarms {
            if let t = template(a.node, path: a.path, alarm: a.alarm, sink: sink) { p.alerts[a.alarm.name] = t }
        }
        return p
    }

    static func template(_ n: YAMLNode, path: String, alarm: AlarmDefinition, sink: DiagnosticSink) -> CAPAlertTemplate? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        let event = m.required("event").flatMap { s.nonEmptyString($0, m.child("event")) }
        var categories: [CAPAlertTemplate.Category] = []
        if let c = m.required("category") {
            categories = choices(c, m.child("category"), CAPAlertTemplate.Category.allCases, s, sink)
            if categories.isEmpty, case .sequence = c { sink.error(c.mark, m.child("category"), "give at least one category") }
        }
        let responses = m.node("response").map { choices($0, m.child("response"), CAPAlertTemplate.ResponseType.allCases, s, sink) } ?? []
        let urgency = m.node("urgency").flatMap { s.choice($0, m.child("urgency"), CAPAlertTemplate.Urgency.allCases) } ?? .immediate
        let severity =
            m.node("severity").flatMap { s.choice($0, m.child("severity"), CAPAlertTemplate.Severity.allCases) }
            ?? defaultSeverity(alarm.priority)
        let certainty = m.node("certainty").flatMap { s.choice($0, m.child("certainty"), CAPAlertTemplate.Certainty.allCases) } ?? .observed
        let audience = m.node("audience").flatMap { s.nonEmptyString($0, m.child("audience")) }
        let headline = m.node("headline").flatMap { s.nonEmptyString($0, m.child("headline")) }
        let description = m.node("description").flatMap { s.nonEmptyString($0, m.child("description")) }
        let instruction = m.node("instruction").flatMap { s.nonEmptyString($0, m.child("instruction")) }
        let codes = m.node("event_codes").map { namedValues($0, m.child("event_codes"), s, sink) } ?? []
        let expires = m.node("expires").flatMap { expiry($0, m.child("expires"), s, sink) }
        m.finish()
        guard let event, !categories.isEmpty else { return nil }
        var t = CAPAlertTemplate(event: event, categories: categories, severity: severity)
        t.responseTypes = responses
        t.urgency = urgency
        t.certainty = certainty
        t.audience = audience
        t.headline = headline
        t.description = description
        t.instruction = instruction
        t.eventCodes = codes
        t.expires = expires
        return t
    }

    /// Observed alarms of higher priority warn of worse: the usual reading of ISA-18.2 priorities.
    static func defaultSeverity(_ p: Alarm.Priority) -> CAPAlertTemplate.Severity {
        switch p {
        case .critical: .extreme
        case .high: .severe
        case .medium: .moderate
        case .low: .minor
        }
    }

    static func decodeArea(_ n: YAMLNode, path: String, sink: DiagnosticSink) -> CAPArea? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        let description = m.required("description").flatMap { s.nonEmptyString($0, m.child("description")) }
        var polygons: [[CAPPoint]] = []
        if let p = m.node("polygon"), let ring = polygon(p, m.child("polygon"), s, sink) { polygons.append(ring) }
        if let list = m.node("polygons").flatMap({ s.list($0, m.child("polygons")) }) {
            for (i, p) in list.enumerated() {
                if let ring = polygon(p, m.child("polygons[\(i)]"), s, sink) { polygons.append(ring) }
            }
        }
        var circles: [CAPArea.Circle] = []
        if let c = m.node("circle"), let circle = decodeCircle(c, m.child("circle"), s, sink) { circles.append(circle) }
        let geocodes = m.node("geocodes").map { namedValues($0, m.child("geocodes"), s, sink) } ?? []
        m.finish()
        guard let description else { return nil }
        var a = CAPArea(description: description)
        a.polygons = polygons
        a.circles = circles
        a.geocodes = geocodes
        return a
    }

    /// `[[lat, lon], …]`, at least three corners; closed here if the config does not repeat the
    /// first point (CAP wants the ring closed, at least four pairs).
    private static func polygon(_ n: YAMLNode, _ path: String, _ s: ScalarReader, _ sink: DiagnosticSink) -> [CAPPoint]? {
        guard let items = s.list(n, path) else { return nil }
        var ring: [CAPPoint] = []
        for (i, item) in items.enumerated() {
            guard let pair = s.list(item, "\(path)[\(i)]") else { continue }
            guard pair.count == 2, let lat = s.number(pair[0], "\(path)[\(i)]"), let lon = s.number(pair[1], "\(path)[\(i)]") else {
                if pair.count != 2 { sink.error(item.mark, "\(path)[\(i)]", "a corner is [latitude, longitude]") }
                continue
            }
            guard let p = point(lat, lon, item.mark, "\(path)[\(i)]", sink) else { continue }
            ring.append(p)
        }
        guard ring.count == items.count else { return nil }
        if ring.first != ring.last { ring.append(ring[0]) }
        guard ring.count >= 4 else {
            sink.error(n.mark, path, "a polygon needs at least three distinct corners")
            return nil
        }
        return ring
    }

    private static func decodeCircle(_ n: YAMLNode, _ path: String, _ s: ScalarReader, _ sink: DiagnosticSink) -> CAPArea.Circle? {
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        let lat = m.required("lat").flatMap { s.number($0, m.child("lat")) }
        let lon = m.required("lon").flatMap { s.number($0, m.child("lon")) }
        let radius = m.required("radius_km").flatMap { r -> Double? in
            guard let v = s.number(r, m.child("radius_km")) else { return nil }
            guard v > 0, v <= 20_000 else {
                sink.error(r.mark, m.child("radius_km"), "between 0 and 20000 km")
                return nil
            }
            return v
        }
        m.finish()
        guard let lat, let lon, let radius, let centre = point(lat, lon, n.mark, path, sink) else { return nil }
        return CAPArea.Circle(centre: centre, radiusKilometres: radius)
    }

    private static func point(_ lat: Double, _ lon: Double, _ mark: SourceMark, _ path: String, _ sink: DiagnosticSink) -> CAPPoint? {
        guard (-90...90).contains(lat), (-180...180).contains(lon) else {
            sink.error(mark, path, "WGS 84 latitude is −90…90 and longitude −180…180 (got \(lat), \(lon))")
            return nil
        }
        return CAPPoint(latitude: lat, longitude: lon)
    }

    /// `{SAME: "006113", FIPS6: "006113"}` → name/value pairs in the order written.
    private static func namedValues(_ n: YAMLNode, _ path: String, _ s: ScalarReader, _ sink: DiagnosticSink) -> [CAPNamedValue] {
        guard case let .mapping(entries, _) = n else {
            sink.error(n.mark, path, "expected a mapping of names to values, e.g. {SAME: \"006113\"}")
            return []
        }
        return entries.compactMap { e in
            guard let v = s.nonEmptyString(e.value, "\(path).\(e.key)") else { return nil }
            return CAPNamedValue(name: e.key, value: v)
        }
    }

    private static func choices<T: RawRepresentable>(
        _ n: YAMLNode, _ path: String, _ all: [T], _ s: ScalarReader,
        _ sink: DiagnosticSink
    ) -> [T] where T.RawValue == String {
        if case let .sequence(items, _) = n {
            return items.enumerated().compactMap { s.choice($1, "\(path)[\($0)]", all) }
        }
        return s.choice(n, path, all).map { [$0] } ?? []
    }

    /// CAP's `sender` and `identifier` may hold no spaces, commas, '<' or '&'.
    private static func capToken(_ n: YAMLNode, _ path: String, _ s: ScalarReader, _ sink: DiagnosticSink) -> String? {
        guard let v = s.nonEmptyString(n, path) else { return nil }
        guard !v.contains(where: { $0 == " " || $0 == "," || $0 == "<" || $0 == "&" || $0.isWhitespace }) else {
            sink.error(n.mark, path, "'\(v)' may not contain spaces, commas, '<' or '&' (CAP 1.2 §3.2.1)")
            return nil
        }
        return v
    }

    private static func uri(_ n: YAMLNode, _ path: String, _ s: ScalarReader, _ sink: DiagnosticSink) -> String? {
        guard let v = s.nonEmptyString(n, path) else { return nil }
        guard v.hasPrefix("https://") || v.hasPrefix("http://"), !v.contains(" ") else {
            sink.error(n.mark, path, "'\(v)' is not an http(s) URL")
            return nil
        }
        return v
    }

    private static func expiry(_ n: YAMLNode, _ path: String, _ s: ScalarReader, _ sink: DiagnosticSink) -> Duration? {
        s.duration(n, path, in: .seconds(60)...(.seconds(30 * 86_400)))
    }

    static func isLanguageTag(_ v: String) -> Bool {
        let parts = v.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, (1...8).contains(first.count), first.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        return parts.dropFirst().allSatisfy { (1...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }
}
