/// Decoding of `home_assistant:`.
enum HomeAssistantDecoding {
    static func settings(_ n: YAMLNode, sink: DiagnosticSink) -> HomeAssistantSettings? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "home_assistant", sink: sink) else { return nil }
        var h = HomeAssistantSettings()
        if let v = m.node("enabled"), let b = s.bool(v, m.child("enabled")) { h.enabled = b }
        if let v = m.node("discovery_prefix"), let text = topic(v, m.child("discovery_prefix"), s, sink) { h.discoveryPrefix = text }
        if let v = m.node("birth_topic"), let text = topic(v, m.child("birth_topic"), s, sink) { h.birthTopic = text }
        if let v = m.node("device_name"), let text = s.string(v, m.child("device_name")) {
            if text.isEmpty { sink.error(v.mark, m.child("device_name"), "must not be empty") } else { h.deviceName = text }
        }
        if let v = m.node("area"), let text = s.string(v, m.child("area")) {
            if text.isEmpty { sink.error(v.mark, m.child("area"), "must not be empty") } else { h.area = text }
        }
        if let v = m.node("lane_entities"), let b = s.bool(v, m.child("lane_entities")) { h.laneEntities = b }
        m.finish()
        return h
    }

    /// A topic (or topic prefix) to publish on: no wildcards, no empty levels at the ends.
    static func topic(_ n: YAMLNode, _ path: String, _ s: ScalarReader, _ sink: DiagnosticSink) -> String? {
        guard let v = s.string(n, path) else { return nil }
        guard !v.isEmpty, !v.contains("+"), !v.contains("#"), !v.hasPrefix("/"), !v.hasSuffix("/"), !v.contains("//") else {
            sink.error(n.mark, path, "'\(v)' is not a valid topic (no wildcards, no empty levels, no leading or trailing '/')")
            return nil
        }
        return v
    }
}
