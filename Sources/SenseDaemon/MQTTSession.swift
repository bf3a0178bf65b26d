import Logging
import SenseConfig
import SenseCore
import SenseMQTT

/// One broker connection, fed by the outbox (which outlives it), and the task that reacts to
/// its events.
final class MQTTSession: Sendable {
    let settings: MQTTSettings
    let topics: TopicTree
    let client: MQTTClient
    private let outbox: Outbox
    private let eventTask: Task<Void, Never>

    /// `onMessage` receives messages on `subscriptions` in the session's own task, never inside
    /// libmosquitto's callback.
    init(settings: MQTTSettings, node: String, outbox: Outbox, logger: Logger, subscriptions: (TopicTree) -> [String],
         onConnect: @escaping @Sendable () -> Void,
         onMessage: @escaping @Sendable (String, [UInt8]) -> Void) throws(MQTTError) {
        self.settings = settings
        topics = TopicTree(prefix: settings.prefix, node: node)
        var options = MQTTClientOptions(host: settings.broker.host, port: settings.broker.port, clientID: settings.clientID)
        options.username = settings.username
        options.password = settings.password
        options.keepalive = Int(settings.keepalive.seconds)
        options.reconnectMinSeconds = max(1, Int(settings.reconnectMin.seconds))
        options.reconnectMaxSeconds = max(options.reconnectMinSeconds, Int(settings.reconnectMax.seconds))
        options.protocolChoice = MQTTProtocolChoice(rawValue: settings.protocolVersion.rawValue) ?? .auto
        options.will = MQTTMessage(topic: topics.status, text: "offline", qos: 1, retain: true)
        options.birth = MQTTMessage(topic: topics.status, text: "online", qos: 1, retain: true)
        if let tls = settings.tls {
            options.tls = .init(caFile: tls.caFile, caPath: tls.caPath, certFile: tls.certFile, keyFile: tls.keyFile)
        }
        let link = outbox.link()
        let client = try MQTTClient(options: options, logger: logger, observer: link)
        link.attach(client)
        self.client = client
        self.outbox = outbox
        eventTask = Task {
            for await event in client.events {
                switch event {
                case .connected:
                    onConnect()
                case let .message(topic, payload, _):
                    onMessage(topic, payload)
                default:
                    break
                }
            }
        }
        for filter in subscriptions(topics) { try client.subscribe(filter, qos: 1) }
        try client.start()
    }

    /// Publishes `offline` (when `announceOffline`), waits briefly for acknowledgements, disconnects.
    func stop(announceOffline: Bool, timeout: Duration) async {
        let last = announceOffline ? MQTTMessage(topic: topics.status, text: "offline", qos: 1, retain: true) : nil
        await client.shutdown(last: last, timeout: timeout)
        outbox.detach()   // what the broker did not acknowledge goes to the next session, or to disk
        await eventTask.value
    }
}
