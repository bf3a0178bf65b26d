import Foundation

/// A real mosquitto broker on 127.0.0.1 on a free port, for tests. It can be stopped, restarted
/// on the same port, or killed with SIGKILL, to test reconnects.
package final class MosquittoBroker: @unchecked Sendable {
    package let port: Int
    package let directory: String
    private let lock = NSLock()
    private var process: ChildProcess?

    /// With `tls`, the listener speaks TLS only, with that fixture's server certificate (and, with
    /// `requireClientCertificate`, accepts only clients with a certificate from its CA). With
    /// `users`, anonymous clients are refused and only those name/password pairs are accepted.
    /// With `persistent`, sessions and queued messages are saved every second and at a clean stop,
    /// so a persistent subscriber's session outlives a broker restart (even after SIGKILL, once saved).
    /// `extraConfig` is appended to mosquitto.conf (e.g. `max_packet_size 16777216`).
    package init(
        tls: TLSFixture? = nil, requireClientCertificate: Bool = false, users: [String: String] = [:],
        persistent: Bool = false, extraConfig: String = ""
    ) throws {
        port = Network.freePort()
        directory = TemporaryDirectory.make("sensegate-broker")
        var tlsLines = tls.map { "\ncafile \($0.caFile)\ncertfile \($0.serverCert)\nkeyfile \($0.serverKey)" } ?? ""
        if requireClientCertificate { tlsLines += "\nrequire_certificate true" }
        var authLines = "\nallow_anonymous true"
        if !users.isEmpty {
            let file = directory + "/passwd"
            for (i, (user, password)) in users.sorted(by: { $0.key < $1.key }).enumerated() {
                let p = try ChildProcess("/usr/bin/mosquitto_passwd", (i == 0 ? ["-c"] : []) + ["-b", file, user, password])
                guard p.waitForExit(timeout: 30) == 0 else { throw BrokerError.passwordFile }
            }
            chmod(file, 0o644)
            authLines = "\nallow_anonymous false\npassword_file \(file)"
        }
        if persistent {
            // Writable by the mosquitto user the broker drops to when started as root; without
            // this it cannot save and every "persistent" session dies with the broker.
            mkdir(directory + "/db", 0o777)
            chmod(directory + "/db", 0o777)
        }
        // max_queued_messages 0: the broker must not drop QoS 1 messages to a slow test subscriber.
        let conf = """
            listener \(port) 127.0.0.1\(tlsLines)\(authLines)
            \(persistent ? "persistence true\npersistence_location \(directory)/db/\nautosave_interval 1" : "persistence false")
            max_queued_messages 0
            log_dest stderr
            \(extraConfig)
            """
        try conf.write(toFile: "\(directory)/mosquitto.conf", atomically: true, encoding: .utf8)
        try start()
    }

    deinit { stop() }

    package var url: String { "mqtt://127.0.0.1:\(port)" }

    package static var executable: String {
        ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        } ?? "/usr/sbin/mosquitto"
    }

    package func start() throws {
        let p = try ChildProcess(Self.executable, ["-c", "\(directory)/mosquitto.conf"])
        lock.withLock { process = p }
        guard Network.waitUntil(timeout: 10, { Network.isListening(port) }) else {
            throw BrokerError.notListening(port: port)
        }
    }

    /// SIGTERM and wait.
    package func stop() {
        let p = lock.withLock { () -> ChildProcess? in
            defer { process = nil }
            return process
        }
        guard let p, p.isRunning else { return }
        p.signal(SIGTERM)
        _ = p.waitForExit(timeout: 10)
    }

    /// SIGKILL: the broker vanishes without closing connections cleanly.
    package func kill() {
        let p = lock.withLock { () -> ChildProcess? in
            defer { process = nil }
            return process
        }
        guard let p, p.isRunning else { return }
        p.signal(SIGKILL)
        _ = p.waitForExit(timeout: 10)
    }

    package enum BrokerError: Error { case notListening(port: Int), passwordFile }
}
