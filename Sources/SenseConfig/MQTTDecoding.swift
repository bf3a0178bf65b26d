import SenseCore

/// The `mqtt` section: broker, identity, TLS, QoS, reconnects and the outbox.
extension ConfigLoader {
    static func decodeMQTT(_ n: YAMLNode, node: String, sink: DiagnosticSink) -> MQTTSettings? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "mqtt", sink: sink) else { return nil }
        // `broker:` one address, or `brokers:` a primary and its fall-backs (or a cluster's nodes).
        var brokers: [BrokerURL] = []
        var brokersValid = true
        func url(_ b: YAMLNode, _ path: String) -> BrokerURL? {
            guard let text = s.string(b, path) else { return nil }
            guard let u = BrokerURL(text) else {
                sink.error(b.mark, path, "'\(text)' is not a broker URL: write mqtt://HOST[:PORT] or mqtts://HOST[:PORT]")
                return nil
            }
            return u
        }
        if let list = m.node("brokers") {
            if m.node("broker") != nil { sink.error(m.keyMark("brokers"), "mqtt.brokers", "give either broker or brokers, not both") }
            if let items = s.list(list, "mqtt.brokers") {
                if !(1...MQTTSettings.brokerLimit).contains(items.count) {
                    sink.error(list.mark, "mqtt.brokers", "list 1 to \(MQTTSettings.brokerLimit) brokers, not \(items.count)")
                    brokersValid = false
                }
                for (i, item) in items.prefix(MQTTSettings.brokerLimit).enumerated() {
                    guard let u = url(item, "mqtt.brokers[\(i)]") else {
                        brokersValid = false
                        continue
                    }
                    if brokers.contains(u) {
                        sink.error(item.mark, "mqtt.brokers[\(i)]", "\(u) is listed twice")
                        brokersValid = false
                    } else if let first = brokers.first, first.tls != u.tls {
                        sink.error(item.mark, "mqtt.brokers[\(i)]", "mix of mqtt:// and mqtts://: the brokers share one TLS setting")
                        brokersValid = false
                    } else {
                        brokers.append(u)
                    }
                }
            } else {
                brokersValid = false
            }
        } else if let b = m.required("broker"), let u = url(b, "mqtt.broker") {
            brokers = [u]
        }
        let broker = brokersValid ? brokers.first : nil
        let clientID = m.node("client_id").flatMap { s.string($0, "mqtt.client_id") } ?? "sensegate-\(node)"
        let username = m.node("username").flatMap { s.string($0, "mqtt.username") }
        var password = m.node("password").flatMap { s.string($0, "mqtt.password") }
        if let pf = m.node("password_file"), let path = s.string(pf, "mqtt.password_file") {
            if password != nil {
                sink.error(pf.mark, "mqtt.password_file", "give either password or password_file, not both")
            }
            do {
                let bytes = try SourceFile.read(path)
                password = String(decoding: bytes, as: UTF8.self).trimmingTrailingNewlines
            } catch {
                sink.error(pf.mark, "mqtt.password_file", "cannot read \(path): \(error)")
            }
        }
        if password != nil, username == nil {
            sink.error(m.mark, "mqtt.username", "a password needs a username")
        }
        let prefix = m.node("prefix").flatMap { s.topic($0, "mqtt.prefix", what: "topic prefix") } ?? "sensegate"
        let keepalive =
            m.node("keepalive").flatMap {
                s.duration($0, "mqtt.keepalive", in: .seconds(5)...(.seconds(65535)), why: "must be between 5s and 65535s (MQTT's limit)")
            } ?? .seconds(30)
        let qos =
            m.node("qos").flatMap { q -> Int? in
                guard let v = s.integer(q, "mqtt.qos") else { return nil }
                guard v == 0 || v == 1 else {
                    sink.error(q.mark, "mqtt.qos", "\(v) is not supported for readings: use 0 or 1")
                    return nil
                }
                return v
            } ?? 1
        var tls: MQTTSettings.TLS?
        if let t = m.node("tls"), var tm = MappingReader(t, path: "mqtt.tls", sink: sink) {
            func file(_ key: String) -> String? {
                guard let n = tm.node(key), let path = s.string(n, tm.child(key)) else { return nil }
                if !SourceFile.exists(path) { sink.error(n.mark, tm.child(key), "no such file: \(path)") }
                return path
            }
            tls = MQTTSettings.TLS(
                caFile: file("ca_file"), caPath: file("ca_path"),
                certFile: file("cert_file"), keyFile: file("key_file"))
            if (tls?.certFile == nil) != (tls?.keyFile == nil) {
                sink.error(t.mark, "mqtt.tls", "cert_file and key_file go together")
            }
            tm.finish()
        }
        if let b = broker, b.tls, tls == nil {
            tls = MQTTSettings.TLS(caFile: nil, caPath: "/etc/ssl/certs", certFile: nil, keyFile: nil)
        }
        if tls != nil, let b = broker, !b.tls {
            sink.error(m.keyMark("tls"), "mqtt.tls", "TLS settings need an mqtts:// broker URL")
        }
        var reconnectMin = Duration.seconds(1), reconnectMax = Duration.seconds(60)
        if let r = m.node("reconnect"), var rm = MappingReader(r, path: "mqtt.reconnect", sink: sink) {
            reconnectMin = rm.node("min").flatMap { s.duration($0, "mqtt.reconnect.min", in: .seconds(1)...(.seconds(3600))) } ?? reconnectMin
            reconnectMax = rm.node("max").flatMap { s.duration($0, "mqtt.reconnect.max", in: .seconds(1)...(.seconds(3600))) } ?? reconnectMax
            if reconnectMin < .seconds(1) || reconnectMax < reconnectMin {
                sink.error(r.mark, "mqtt.reconnect", "need 1s ≤ min ≤ max")
            }
            rm.finish()
        }
        let outbox = m.node("outbox").flatMap { decodeOutbox($0, sink: sink) } ?? OutboxConfig()
        let queueLimit =
            m.node("queue_limit").flatMap { q -> Int? in
                guard let v = s.integer(q, "mqtt.queue_limit") else { return nil }
                guard (10...1_000_000).contains(v) else {
                    sink.error(q.mark, "mqtt.queue_limit", "must be between 10 and 1000000 messages")
                    return nil
                }
                return v
            } ?? 10_000
        let protocolVersion = m.node("protocol").flatMap { s.choice($0, "mqtt.protocol", MQTTProtocolSetting.allCases) } ?? .auto
        let format = m.node("format").flatMap { s.choice($0, "mqtt.format", PayloadFormat.allCases) } ?? .sensegate
        var failoverAfter = MQTTSettings.defaultFailoverAfter, retryPrimary = MQTTSettings.defaultRetryPrimary
        if let f = m.node("failover"), var fm = MappingReader(f, path: "mqtt.failover", sink: sink) {
            failoverAfter =
                fm.node("after").flatMap { s.duration($0, "mqtt.failover.after", in: .seconds(1)...(.seconds(3600))) } ?? failoverAfter
            retryPrimary =
                fm.node("retry_primary").flatMap {
                    s.duration($0, "mqtt.failover.retry_primary", in: .seconds(10)...(.seconds(86_400)))
                } ?? retryPrimary
            fm.finish()
            if brokers.count < 2 { sink.error(f.mark, "mqtt.failover", "failover needs two or more brokers under mqtt.brokers") }
        }
        m.finish()
        guard let broker else { return nil }
        var settings = MQTTSettings(
            broker: broker, clientID: clientID, username: username, password: password,
            prefix: prefix, keepalive: keepalive, qos: qos, tls: tls, reconnectMin: reconnectMin,
            reconnectMax: reconnectMax, queueLimit: queueLimit, outbox: outbox)
        settings.protocolVersion = protocolVersion
        settings.format = format
        settings.fallbackBrokers = Array(brokers.dropFirst())
        settings.failoverAfter = failoverAfter
        settings.retryPrimary = retryPrimary
        return settings
    }

    static func decodeOutbox(_ n: YAMLNode, sink: DiagnosticSink) -> OutboxConfig? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "mqtt.outbox", sink: sink) else { return nil }
        var o = OutboxConfig()
        if let v = m.node("enabled") { o.enabled = s.bool(v, "mqtt.outbox.enabled") ?? o.enabled }
        if let v = m.node("path"), let text = s.string(v, "mqtt.outbox.path") {
            if text.isEmpty || text.hasSuffix("/") {
                sink.error(v.mark, "mqtt.outbox.path", "'\(text)' is not a file name")
            } else {
                o.path = text
            }
        }
        func integer(_ key: String, _ range: ClosedRange<Int>, _ unit: String) -> Int? {
            guard let v = m.node(key), let x = s.integer(v, "mqtt.outbox.\(key)") else { return nil }
            guard range.contains(x) else {
                sink.error(v.mark, "mqtt.outbox.\(key)", "must be between \(range.lowerBound) and \(range.upperBound) \(unit)")
                return nil
            }
            return x
        }
        func duration(_ key: String, _ range: ClosedRange<Duration>) -> Duration? {
            m.node(key).flatMap { s.duration($0, "mqtt.outbox.\(key)", in: range) }
        }
        o.maxMessages = integer("max_messages", 100...100_000_000, "messages") ?? o.maxMessages
        o.maxMegabytes = integer("max_megabytes", 1...1_000_000, "MiB") ?? o.maxMegabytes
        o.maxAge = duration("max_age", .seconds(60)...(.seconds(366 * 86_400))) ?? o.maxAge
        o.flushInterval = duration("flush_interval", .milliseconds(50)...(.seconds(60))) ?? o.flushInterval
        o.window = integer("window", 10...60_000, "messages") ?? o.window
        m.finish()
        return o
    }
}
