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
    /// `init` on a thread of its own: starting mosquitto waits until it runs, and a test's task
    /// must not hold one of the two cooperative threads meanwhile (the parallel suite starves).
    package static func running(
        tls: TLSFixture? = nil, requireClientCertificate: Bool = false, users: [String: String] = [:],
        persistent: Bool = false, extraConfig: String = ""
    ) async throws -> MosquittoBroker {
        try await Blocking.run {
            try MosquittoBroker(
                tls: tls, requireClientCertificate: requireClientCertificate, users: users, persistent: persistent,
                extraConfig: extraConfig)
        }
    }

    /// `start()` (again, on the same port) on a thread of its own, as `running`.
    package func restart() async throws { try await Blocking.run { try self.start() } }

    package init(
        tls: TLSFixture? = nil, requireClientCertificate: Bool = false, users: [String: String] = [:],
        persistent: Bool = false, extraConfig: String = ""
    ) throws {
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
        // A port free a moment ago may be taken by the time mosquitto binds it (a client's
        // outgoing connection draws from the same range): then another port is tried.
        var attempt = 0
        var launched: (port: Int, process: ChildProcess)?
        while launched == nil {
            attempt += 1
            let candidate = Network.freePort()
            // max_queued_messages 0: the broker must not drop QoS 1 messages to a slow test subscriber.
            let conf = """
                listener \(candidate) 127.0.0.1\(tlsLines)\(authLines)
                \(persistent ? "persistence true\npersistence_location \(directory)/db/\nautosave_interval 1" : "persistence false")
                max_queued_messages 0
                log_dest stderr
                \(extraConfig)
                """
            try conf.write(toFile: "\(directory)/mosquitto.conf", atomically: true, encoding: .utf8)
            do {
                launched = (candidate, try Self.launch(directory: directory, port: candidate))
            } catch BrokerError.portTaken where attempt < 5 {
                continue
            }
        }
        port = launched!.port
        process = launched!.process
    }

    deinit { stop() }

    package var url: String { "mqtt://127.0.0.1:\(port)" }

    package static var executable: String {
        ["/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        } ?? "/usr/sbin/mosquitto"
    }

    /// Starts the broker again on its port (after `stop` or `kill`).
    package func start() throws {
        // The port was this broker's; a client's outgoing connection may hold it for a moment.
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                let p = try Self.launch(directory: directory, port: port)
                lock.withLock { process = p }
                return
            } catch BrokerError.portTaken where Date() < deadline {
                usleep(100_000)
            }
        }
    }

    /// Runs mosquitto and waits until it says it is running: a listener on the port is not
    /// enough, as it may be another broker's.
    private static func launch(directory: String, port: Int) throws -> ChildProcess {
        let p = try ChildProcess(executable, ["-c", "\(directory)/mosquitto.conf"])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if p.stderr.contains(" running") { return p }
            if !p.isRunning {
                // Let the reader take the last of stderr.
                usleep(20_000)
                if p.stderr.contains("Address already in use") { throw BrokerError.portTaken }
                throw BrokerError.exited(port: port, stderr: p.stderr)
            }
            usleep(5_000)
        }
        p.signal(SIGKILL)
        throw BrokerError.notListening(port: port)
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

    package enum BrokerError: Error { case notListening(port: Int), portTaken, exited(port: Int, stderr: String), passwordFile }
}
