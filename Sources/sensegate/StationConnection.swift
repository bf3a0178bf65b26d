import Logging
import SenseConfig
import SenseDaemon
import SenseMQTT

#if canImport(Glibc)
    import Glibc
#endif

/// `set` and `watch` reach the running station the same way: its broker (the first of
/// `mqtt.brokers` that answers), a client of their own, and a clear sentence when that fails.
enum StationConnection {
    /// Connected, or nil after saying why on stderr (the caller exits 69). Each broker gets 10 s,
    /// or 5 s when there are several.
    static func open(_ cfg: SensegateConfig, role: String) async -> StationClient? {
        let logger = Logger(label: "sensegate-\(role)") { _ in QuietLogHandler() }
        let brokers = cfg.mqtt.brokers
        let timeout = Duration.seconds(brokers.count > 1 ? 5 : 10)
        for (i, url) in brokers.enumerated() {
            let client: StationClient
            do throws(MQTTError) {
                client = try StationClient(config: cfg, broker: url, role: role, processID: getpid(), logger: logger)
            } catch {
                writeStderr("sensegate \(role): MQTT client: \(error)\n")
                return nil
            }
            let next = i + 1 < brokers.count ? "; trying \(brokers[i + 1])" : ""
            switch await client.connect(timeout: timeout) {
            case .connected:
                if i > 0 { writeStderr("sensegate \(role): connected to \(url)\n") }
                return client
            case let .refused(reason):
                writeStderr("sensegate \(role): the broker \(url) refused the connection: \(reason)\(next)\n")
            case .unreachable:
                writeStderr("sensegate \(role): cannot reach the broker \(url) within \(timeout.components.seconds) s\(next)\n")
            }
        }
        return nil
    }
}
