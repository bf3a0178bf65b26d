import Logging
import SenseConfig
import SenseDaemon
import SenseMQTT

#if canImport(Glibc)
    import Glibc
#endif

/// `set` and `watch` reach the running station the same way: its broker, a client of their own,
/// and a clear sentence when that fails.
enum StationConnection {
    /// Connected, or nil after saying why on stderr (the caller exits 69).
    static func open(_ cfg: SensegateConfig, role: String) async -> StationClient? {
        let logger = Logger(label: "sensegate-\(role)") { _ in QuietLogHandler() }
        let client: StationClient
        do throws(MQTTError) {
            client = try StationClient(config: cfg, role: role, processID: getpid(), logger: logger)
        } catch {
            writeStderr("sensegate \(role): MQTT client: \(error)\n")
            return nil
        }
        switch await client.connect(timeout: .seconds(10)) {
        case .connected:
            return client
        case let .refused(reason):
            writeStderr("sensegate \(role): the broker \(client.broker) refused the connection: \(reason)\n")
        case .unreachable:
            writeStderr("sensegate \(role): cannot reach the broker \(client.broker) within 10 s\n")
        }
        return nil
    }
}
