import Logging
import SenseConfig
import SenseCore
import SenseMQTT
import SenseWire

/// One broker connection, fed by the outbox (which outlives it), and the task that reacts to
/// its events.
package final class MQTTSession: Sendable {
    let settings: MQTTSettings
    let topics: TopicTree
    let node: String
    /// With `sensorthings:`, each channel's Observations topic by sensor and quantity.
    let sensorThingsTopics: [String: [String: String]]?
    package let client: MQTTClient
    private let outbox: Outbox
    private let eventTask: Task<Void, Never>
    private let messageTask: Task<Void, Never>
    /// Home Assistant discovery, when configured: its configs go straight to the client at every
    /// connection (they are made from the configuration, so nothing of them needs the outbox).
    private let discovery: Locked<DiscoveryConfigs?>

    /// A configuration's discovery configs, as fingerprints: each payload's by its topic's. Enough to tell one of this node's configs from a
    /// stranger's, and an overwritten one from ours, without holding about 1 KiB of JSON per
    /// entity for the daemon's life; the payloads are made again whenever they are sent.
    private struct DiscoveryConfigs {
        var source: HomeAssistantDiscovery
        var fingerprints: [UInt64: UInt64] = [:]
        init(_ d: HomeAssistantDiscovery) {
            source = d
            guard d.settings.enabled else { return }
            let entities = d.entities
            fingerprints.reserveCapacity(entities.count)
            for e in entities { fingerprints[Fingerprint.of(e.topic)] = Fingerprint.of(e.payload) }
        }
    }
    private let logger: Logger
    private let clock: any SenseClock
    /// Anyone may publish Home Assistant's `online` or a config under this node's id: each would
    /// cost a resend of every config or a deletion. Both are rate-limited (`discoveryLimits`).
    private let discoveryLimits: Locked<DiscoveryLimits>
    private let discoveryLog: LogLimiter

    struct DiscoveryLimits {
        /// Configs are retained, so Home Assistant has them whenever it subscribes: a resend on its
        /// birth message, or to put back overwritten configs, is at most every `resendEvery`.
        static let resendEvery: Duration = .seconds(30)
        /// A foreign config under this node's id is deleted at most once a minute per topic.
        static let retractEvery: Duration = .seconds(60)
        static let topicsFollowed = 1024
        var lastResend: MonotonicInstant?
        var retracted: [String: MonotonicInstant] = [:]
    }

    /// `listener` receives messages on `subscriptions` in the session's own task, never inside
    /// libmosquitto's callback, and hears of every (re)connection.
    package init(
        settings: MQTTSettings, node: String, outbox: Outbox, logger: Logger, subscriptions: (TopicTree) -> [String],
        discovery: HomeAssistantDiscovery? = nil, clock: any SenseClock = SystemClock(),
        listener: any SessionListener
    ) throws(MQTTError) {
        self.settings = settings
        self.logger = logger
        self.clock = clock
        discoveryLimits = Locked(DiscoveryLimits())
        discoveryLog = LogLimiter(what: "discovery messages", window: .seconds(60), linesPerKey: 2, now: clock.monotonicNow, logger: logger)
        self.discovery = Locked(discovery.map(DiscoveryConfigs.init))
        topics = TopicTree(prefix: settings.prefix, node: node)
        self.node = node
        sensorThingsTopics = settings.sensorThings?.topics
        var options = Self.clientOptions(settings)
        options.will = MQTTMessage(topic: topics.status, text: "offline", qos: 1, retain: true)
        options.birth = MQTTMessage(topic: topics.status, text: "online", qos: 1, retain: true)
        let link = outbox.link()
        let client = try MQTTClient(options: options, logger: logger, observer: link)
        link.attach(client)
        self.client = client
        self.outbox = outbox
        let box = Unowned()
        eventTask = Task {
            for await event in client.events {
                if case .connected = event {
                    box.session?.publishDiscovery()
                    listener.connected()
                }
            }
        }
        messageTask = Task {
            for await message in client.messages {
                if box.session?.handleDiscoveryMessage(message) != true { listener.received(message) }
            }
        }
        box.session = self
        for filter in subscriptions(topics) { try client.subscribe(filter, qos: 1) }
        if let d = discovery {
            // Our own retained configs come back on this filter: those no longer made are deleted.
            try client.subscribe(d.ownConfigFilter, qos: 1)
            try client.subscribe(d.settings.homeAssistantStatusTopic, qos: 1)
        }
        try client.start()
    }

    /// How the client reaches `settings.broker`: identity, credentials, TLS, timers.
    static func clientOptions(_ settings: MQTTSettings) -> MQTTClientOptions {
        var options = MQTTClientOptions(host: settings.broker.host, port: settings.broker.port, clientID: settings.clientID)
        options.username = settings.username
        options.password = settings.password
        // Whole seconds, as libmosquitto takes them; the config bounds each (5 s…65535 s, 1 s…1 h).
        options.keepalive = Int(clamping: settings.keepalive.components.seconds)
        options.reconnectMinSeconds = max(1, Int(clamping: settings.reconnectMin.components.seconds))
        options.reconnectMaxSeconds = max(options.reconnectMinSeconds, Int(clamping: settings.reconnectMax.components.seconds))
        options.protocolChoice = MQTTProtocolChoice(rawValue: settings.protocolVersion.rawValue) ?? .auto
        if let tls = settings.tls {
            options.tls = .init(caFile: tls.caFile, caPath: tls.caPath, certFile: tls.certFile, keyFile: tls.keyFile)
        }
        return options
    }

    /// The session as its event task sees it, without keeping it alive.
    private final class Unowned: @unchecked Sendable {
        weak var session: MQTTSession?
    }

    /// A reload that changed sensors, alarms or actuators but not `mqtt:`: the new configs are
    /// sent (those of entities that are gone are deleted through the outbox, `DiscoveryLedger`).
    func replaceDiscovery(_ next: HomeAssistantDiscovery) {
        let configs = DiscoveryConfigs(next)
        discovery.withLock { $0 = configs }
        publishDiscovery()
    }

    private func publishDiscovery() {
        guard let d = discovery.withLock({ $0 }), d.source.settings.enabled else { return }
        let entities = d.source.entities
        var failed = 0
        for e in entities {
            let m = MQTTMessage(
                topic: e.topic, payload: e.payload, qos: 1, retain: true,
                properties: MQTTProperties(contentType: "application/json"))
            if case .failed = client.publish(m) { failed += 1 }
        }
        let now = clock.monotonicNow
        if failed > 0 {
            discoveryLog.log(
                .warning, key: "sent",
                "home assistant: \(failed) of \(entities.count) discovery configs could not be sent; "
                    + "they are sent again at the next connection", at: now)
        } else {
            discoveryLog.log(
                .info, key: "sent",
                "home assistant: \(entities.count) discovery configs sent to "
                    + "\(d.source.settings.discoveryPrefix)/…/\(d.source.nodeID)/…", at: now)
        }
    }

    /// Whether `topic` may be deleted now: once a minute per topic.
    private func correctionDue(_ topic: String, at now: MonotonicInstant) -> Bool {
        discoveryLimits.withLock { l -> Bool in
            if let last = l.retracted[topic], now - last < DiscoveryLimits.retractEvery { return false }
            if l.retracted.count >= DiscoveryLimits.topicsFollowed { l.retracted.removeAll() }
            l.retracted[topic] = now
            return true
        }
    }

    /// Someone overwrote one of this node's configs: all are sent again, at most once per
    /// `resendEvery` however many were overwritten (each resend makes every payload anew).
    private func restoreDiscovery(_ topic: String) {
        let now = clock.monotonicNow
        guard resendDue(at: now) else { return }
        discoveryLog.log(
            .warning, key: "restored",
            "home assistant: \(LogLimiter.shown(topic)) was overwritten by another client; "
                + "putting this node's configs back", at: now)
        publishDiscovery()
    }

    /// Whether every config may be sent again now: at most once per `resendEvery`.
    private func resendDue(at now: MonotonicInstant) -> Bool {
        discoveryLimits.withLock { l -> Bool in
            if let last = l.lastResend, now - last < DiscoveryLimits.resendEvery { return false }
            l.lastResend = now
            return true
        }
    }

    private func retractDiscovery(_ topic: String) {
        let now = clock.monotonicNow
        guard correctionDue(topic, at: now) else { return }
        discoveryLog.log(
            .notice, key: "retractions",
            "home assistant: deleting the discovery config \(LogLimiter.shown(topic)) "
                + "(no such entity any more)", at: now)
        _ = client.publish(MQTTMessage(topic: topic, payload: [], qos: 1, retain: true))
    }

    /// Discovery traffic: our own retained configs (stale ones are deleted) and Home Assistant's
    /// birth (`online`: it restarted, so it gets the configs again). True when it was one of those.
    private func handleDiscoveryMessage(_ m: IncomingMessage) -> Bool {
        guard let d = discovery.withLock({ $0 }) else { return false }
        if m.topic == d.source.settings.homeAssistantStatusTopic {
            guard m.payload == Array("online".utf8) else { return true }
            let now = clock.monotonicNow
            if resendDue(at: now) {
                publishDiscovery()
            } else {
                discoveryLog.log(
                    .info, key: "birth",
                    "home assistant: online again within \(DiscoveryLimits.resendEvery.configText) of the last "
                        + "resend; the retained configs stand", at: now)
            }
            return true
        }
        guard d.source.isOwnConfigTopic(m.topic) else { return false }
        if let ours = d.fingerprints[Fingerprint.of(m.topic)] {
            // Someone overwrote one of this node's configs: they are put back (rate-limited).
            if m.isOversized || Fingerprint.of(m.payload) != ours, d.source.settings.enabled { restoreDiscovery(m.topic) }
        } else if m.length > 0 {
            retractDiscovery(m.topic)
        }
        return true
    }

    /// Publishes `offline` (when `announceOffline`), waits briefly for acknowledgements, disconnects.
    package func stop(announceOffline: Bool, timeout: Duration) async {
        let last = announceOffline ? MQTTMessage(topic: topics.status, text: "offline", qos: 1, retain: true) : nil
        await client.shutdown(last: last, timeout: timeout)
        outbox.detach()  // what the broker did not acknowledge goes to the next session, or to disk
        await eventTask.value
        await messageTask.value
    }
}
