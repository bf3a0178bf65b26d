import Foundation
import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

package enum Network {
    /// Every port handed out in this process: the kernel may give a port it has just freed to the
    /// next caller, and two brokers started in parallel on one port would answer for each other.
    private static let handedOut = Locked<Set<Int>>([])

    /// A TCP port on 127.0.0.1 that nothing listens on right now (the kernel picks it), never
    /// handed out before in this process.
    package static func freePort() -> Int {
        while true {
            let port = kernelFreePort()
            if handedOut.withLock({ $0.insert(port).inserted }) { return port }
        }
    }

    private static func kernelFreePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                precondition(bind(fd, $0, len) == 0)
                precondition(getsockname(fd, $0, &len) == 0)
            }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// Whether something accepts TCP connections on 127.0.0.1:port.
    package static func isListening(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes, without blocking a
    /// thread of the cooperative pool (it has only as many threads as cores: two here).
    package static func eventually(timeout: Double, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    /// The blocking form, for code outside async contexts.
    package static func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}

package enum TemporaryDirectory {
    package static func make(_ prefix: String = "sensegate-test") -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let path = template.withUnsafeMutableBufferPointer { buf -> String in
            precondition(mkdtemp(buf.baseAddress!) != nil, "mkdtemp failed")
            return String(cString: buf.baseAddress!)
        }
        // Readable by others: mosquitto started as root drops to the mosquitto user.
        chmod(path, 0o755)
        return path
    }
}
