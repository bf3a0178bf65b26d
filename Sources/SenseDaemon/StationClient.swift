import Logging
import SenseConfig
import SenseMQTT
import SenseWire

/// A client of a running station's broker, for the command line (`sensegate set`, `watch`):
/// the config's broker, credentials and TLS, with a client id of its own — never the daemon's,
/// which the broker would disconnect — and no will and no birth: it is not the station.
package final class StationClient: Sendable {
    package enum Connection: Sendable, Equatable {
        case connected
        case refused(String)
        case unreachable
    }

    package let topics: TopicTree
    package let broker: String
    private let client: MQTTClient

    /// `role` names the client id's suffix (`set`, `watch`), with the process id so that two
    /// technicians' terminals do not take each other's session. `broker`: one of the config's
    /// `mqtt.brokers` (the first when nil).
    package init(config: SensegateConfig, broker url: BrokerURL? = nil, role: String, processID: Int32, logger: Logger) throws(MQTTError) {
        let settings = config.mqtt
        let url = url ?? settings.broker
        topics = TopicTree(prefix: settings.prefix, node: config.node)
        broker = url.description
        let id = "\(settings.clientID.prefix(40))-\(role)-\(processID)"
        var options = MQTTClientOptions(host: url.host, port: url.port, clientID: id)
        options.username = settings.username
        options.password = settings.password
        options.keepalive = 30
        options.reconnectMinSeconds = 1
        options.reconnectMaxSeconds = 5
        if let tls = settings.tls {
            options.tls = .init(caFile: tls.caFile, caPath: tls.caPath, certFile: tls.certFile, keyFile: tls.keyFile)
        }
        client = try MQTTClient(options: options, logger: logger)
    }

    /// Starts the connection and waits for its outcome, at most `timeout`.
    package func connect(timeout: Duration) async -> Connection {
        do throws(MQTTError) {
            try client.start()
        } catch {
            return .refused("\(error)")
        }
        let events = client.events
        return await withTaskGroup(of: Connection?.self) { group in
            group.addTask {
                for await event in events {
                    switch event {
                    case .connected: return .connected
                    case let .connectRefused(_, reason): return .refused(reason)
                    case .disconnected: continue
                    }
                }
                return nil
            }
            group.addTask {
                // Cancelled when the connection's outcome came first: either way, this one is not used.
                do { try await Task.sleep(for: timeout) } catch { return nil }
                return .unreachable
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .unreachable
        }
    }

    package var messages: AsyncStream<IncomingMessage> { client.messages }

    package func subscribe(_ filter: String) throws(MQTTError) { try client.subscribe(filter, qos: 1) }

    /// Waits briefly for outstanding acknowledgements, then disconnects cleanly.
    package func close() async { await client.shutdown(last: nil, timeout: .milliseconds(500)) }

    /// QoS 1, not retained: a command acts once.
    package func publish(_ topic: String, _ text: String) -> PublishOutcome {
        client.publish(MQTTMessage(topic: topic, text: text, qos: 1, retain: false))
    }
}
