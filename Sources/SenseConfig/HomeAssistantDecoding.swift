/// Decoding of `home_assistant:`.
enum HomeAssistantDecoding {
    static func settings(_ n: YAMLNode, sink: DiagnosticSink) -> HomeAssistantSettings? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "home_assistant", sink: sink) else { return nil }
        var h = HomeAssistantSettings()
        if let v = m.node("enabled"), let b = s.bool(v, m.child("enabled")) { h.enabled = b }
        if let v = m.node("discovery_prefix"), let text = s.topic(v, m.child("discovery_prefix")) { h.discoveryPrefix = text }
        if let v = m.node("birth_topic"), let text = s.topic(v, m.child("birth_topic")) { h.birthTopic = text }
        if let v = m.node("device_name"), let text = s.nonEmptyString(v, m.child("device_name")) { h.deviceName = text }
        if let v = m.node("area"), let text = s.nonEmptyString(v, m.child("area")) { h.area = text }
        if let v = m.node("lane_entities"), let b = s.bool(v, m.child("lane_entities")) { h.laneEntities = b }
        m.finish()
        return h
    }

}
