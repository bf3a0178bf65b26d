import Foundation
import SenseTesting

#if canImport(Glibc)
    import Glibc
#endif

/// A directory with a copy of boards/, a state directory and config files.
struct Site {
    let directory = TemporaryDirectory.make("sensegate-e2e")
    var state: String { directory + "/state" }

    init() {
        try! FileManager.default.copyItem(atPath: RepositoryPaths.boards, toPath: directory + "/boards")
    }

    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let path = "\(directory)/\(name)"
        try! text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A sim-board config: two BME280s polled every 500 ms, seeded world.
    func simConfig(
        port: Int, node: String = "e2e", extraSensors: String = "", simulation: String = "",
        cabinetChannels: String = "", derived: String = ""
    ) -> String {
        """
        node: \(node)
        board: sim
        state_dir: \(state)
        mqtt:
          broker: mqtt://127.0.0.1:\(port)
          reconnect: {min: 1s, max: 2s}
        sensors:
          - name: outdoor
            driver: bme280
            bus: i2c-1
            address: 0x76
            interval: 500ms
          - name: cabinet
            driver: bme280
            bus: i2c-1
            address: 0x77
            interval: 500ms
            publish: [temperature, humidity]
        \(cabinetChannels)
        \(extraSensors)
        \(derived)
        simulation:
          seed: 42
          altitude: 120
          mean_temperature: 11
        \(simulation)
        """
    }
}

/// A unix datagram socket standing in for systemd's NOTIFY_SOCKET.
final class NotifySocket: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received: [String] = []
    private var reader: Thread?

    init(directory: String) {
        path = directory + "/notify.sock"
        let sock = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        fd = sock
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { buf in
            for (i, b) in path.utf8.enumerated() { buf[i] = b }
        }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        precondition(rc == 0, "bind notify socket")
        let fd = sock
        reader = Thread { [weak self] in
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = recv(fd, &buf, buf.count, 0)
                if n <= 0 { return }
                let text = String(decoding: buf[0..<n], as: UTF8.self)
                self?.lock.withLock { self?.received.append(text) }
            }
        }
        reader?.start()
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
        unlink(path)
    }

    var messages: [String] { lock.withLock { received } }

    func contains(_ line: String) -> Bool {
        messages.contains { $0.split(separator: "\n").contains { $0 == line } }
    }
}

/// `sensegate model …` run as a process: its exit status, its outputs (parsed) and its stderr.
struct ModelRun {
    var status: Int32
    var outputs: [String: Any]
    var stderr: String

    init(_ arguments: [String]) throws {
        let r = try SensegateBinary.run(["model"] + arguments)
        status = r.status
        stderr = r.stderr
        outputs = [:]
        guard r.status == 0 else { return }
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        outputs = object?["outputs"] as? [String: Any] ?? [:]
    }

    /// An output as a number (NaN when absent or not a number).
    func number(_ key: String) -> Double { outputs[key] as? Double ?? (outputs[key] as? Int).map(Double.init) ?? .nan }
}
