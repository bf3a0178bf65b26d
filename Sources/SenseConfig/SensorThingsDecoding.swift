import SenseAnalysis

/// Decoding of `sensorthings:`.
enum SensorThingsDecoding {
    /// Text ids: what a FROST-Server with string ids takes and a topic level can carry unquoted.
    static let idLength = 1...100
    /// JSON numbers are exact up to 2^53; a larger id would not survive a platform's parser.
    static let idRange = 0...(1 << 53)
    static let datastreamLimit = 10_000

    static func settings(
        _ n: YAMLNode, sensors: Named<SensorConfig>, derived: Named<DerivedDefinition>, sink: DiagnosticSink
    ) -> SensorThingsSettings? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "sensorthings", sink: sink) else { return nil }
        var t = SensorThingsSettings()
        var enabled = true
        if let v = m.node("enabled"), let b = s.bool(v, m.child("enabled")) { enabled = b }
        if let v = m.node("version"), let text = s.string(v, m.child("version")) {
            if let version = SensorThingsSettings.Version(rawValue: text) {
                t.version = version
            } else {
                sink.error(v.mark, m.child("version"), "'\(text)' is not a SensorThings version: write v1.0 or v1.1")
            }
        }
        if let v = m.node("qos") { t.qos = s.integer(v, m.child("qos"), in: 0...1, why: "QoS 2 is not offered") }
        let path = m.child("datastreams")
        if let v = m.required("datastreams") {
            t.datastreams = datastreams(v, path: path, sensors: sensors, derived: derived, sink: sink)
        }
        m.finish()
        return enabled ? t : nil
    }

    static func datastreams(
        _ n: YAMLNode, path: String, sensors: Named<SensorConfig>, derived: Named<DerivedDefinition>, sink: DiagnosticSink
    ) -> [SensorThingsSettings.Datastream] {
        guard case let .mapping(entries, mark) = n else {
            sink.error(n.mark, path, "expected a mapping of channels to Datastream ids (outdoor.temperature: 17), got \(n.kindName)")
            return []
        }
        guard !entries.isEmpty else {
            sink.error(mark, path, "list at least one channel and its Datastream id")
            return []
        }
        guard entries.count <= datastreamLimit else {
            sink.error(mark, path, "\(entries.count) Datastreams; at most \(datastreamLimit)")
            return []
        }
        var out: [SensorThingsSettings.Datastream] = []
        var owner: [SensorThingsSettings.DatastreamID: String] = [:]
        for (key, keyMark, value) in entries {
            let where_ = "\(path).\(key)"
            let channel = AnalysisDecoding.existingChannel(
                .scalar(key, plain: true, keyMark), path: where_, sensors: sensors, derived: derived, sink: sink)
            guard let id = datastreamID(value, path: where_, sink: sink), let channel else { continue }
            if case let .sensor(sensor, quantity) = channel.ref, let cfg = sensors[sensor], !cfg.publish.contains(quantity) {
                sink.error(
                    keyMark, where_,
                    "sensor '\(sensor)' does not publish '\(quantity)' (publish: \(cfg.publish.joined(separator: ", "))): add it there")
                continue
            }
            if let other = owner[id] {
                sink.error(value.mark, where_, "Datastream \(id) is already \(other)'s: each channel needs its own Datastream")
                continue
            }
            owner[id] = key
            out.append(.init(channel: channel.ref, id: id))
        }
        return out
    }

    /// A plain whole number, or a quoted text of letters, digits and `-._~:`.
    static func datastreamID(_ n: YAMLNode, path: String, sink: DiagnosticSink) -> SensorThingsSettings.DatastreamID? {
        guard case let .scalar(text, plain, mark) = n else {
            sink.error(n.mark, path, "expected a Datastream id (a number, or a quoted text), got \(n.kindName)")
            return nil
        }
        if plain, let first = text.utf8.first, (48...57).contains(first) || first == 45 || first == 43 {
            guard let number = ScalarReader(sink).integer(n, path, in: idRange, why: "a Datastream id is a JSON number, exact to 2^53")
            else { return nil }
            return .number(number)
        }
        let allowed = text.utf8.allSatisfy { c in
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 95 || c == 126 || c == 58
        }
        guard idLength.contains(text.utf8.count), allowed else {
            sink.error(
                mark, path,
                "'\(text.prefix(40))' is not a Datastream id: a number, or 1–\(idLength.upperBound) letters, digits and -._~: (it goes into the topic)"
            )
            return nil
        }
        return .text(text)
    }
}
