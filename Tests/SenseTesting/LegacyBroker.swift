import Foundation

/// A minimal MQTT 3.1.1-only broker on a free loopback port, as an older broker behaves: a
/// CONNECT at protocol level 5 is answered "unacceptable protocol version" (a 3.1.1 CONNACK,
/// return code 1) and closed; level 4 is accepted, PUBLISH QoS 1 acknowledged, PINGREQ answered.
/// Mosquitto 2 cannot be configured to refuse MQTT 5, so the fallback is tested against this.
/// `malformed`: every CONNECT is answered with a packet of the reserved type 0, a protocol error
/// after which libmosquitto's network thread gives up for good.
package final class LegacyBroker: @unchecked Sendable {
    package let port: Int
    private let malformed: Bool
    private let listener: Int32
    private let lock = NSLock()
    private var levels: [UInt8] = []
    private var clients: [String] = []
    private var topics: [String] = []
    private var stopped = false

    package init(malformed: Bool = false) throws {
        self.malformed = malformed
        port = Network.freePort()
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw BrokerError.cannotListen(errno: errno) }
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    /// Closes the listener once: a second close (a test's `stop()`, then `deinit`) would close
    /// whatever descriptor has taken its number since, such as another test's subscriber pipe,
    /// and that mosquitto_sub would die of SIGPIPE without a word (the CI failures of
    /// `MQTTClientTests`, `neverSubscribed` with an empty stderr).
    package func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// The protocol levels of the CONNECTs received, in order (5 = MQTT 5, 4 = 3.1.1).
    package var connectLevels: [UInt8] { lock.withLock { levels } }
    /// The client identifiers of the CONNECTs received, in order (a client of another test that
    /// still retries a port this broker was given shows up here under its own name).
    package var connectClients: [String] { lock.withLock { clients } }

    /// The client identifier of a CONNECT: after the protocol name, level, flags and keep-alive
    /// (and MQTT 5's properties), a length-prefixed string.
    static func clientID(_ body: [UInt8], level: UInt8) -> String {
        var i = 10
        if level == 5 {
            var length = 0, shift = 0
            while i < body.count {
                length |= Int(body[i] & 0x7F) << shift
                shift += 7
                i += 1
                if body[i - 1] & 0x80 == 0 { break }
            }
            i += length
        }
        guard i + 2 <= body.count else { return "" }
        let n = Int(body[i]) << 8 | Int(body[i + 1])
        guard i + 2 + n <= body.count else { return "" }
        return String(decoding: body[i + 2..<i + 2 + n], as: UTF8.self)
    }

    /// The topics of the PUBLISHes received on accepted connections.
    package var publishedTopics: [String] { lock.withLock { topics } }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else { return }
            Thread.detachNewThread { [self] in serve(fd) }
        }
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        while let (header, body) = readPacket(fd) {
            switch header >> 4 {
            case 1:  // CONNECT: protocol name (2 + 4 bytes), then the level
                guard body.count > 6 else { return }
                let level = body[6]
                let client = Self.clientID(body, level: level)
                lock.withLock {
                    levels.append(level)
                    clients.append(client)
                }
                if malformed {
                    write(fd, [0x00, 0x00])
                    return
                }
                if level != 4 {
                    write(fd, [0x20, 0x02, 0x00, 0x01])  // 3.1.1 CONNACK: unacceptable protocol version
                    return
                }
                write(fd, [0x20, 0x02, 0x00, 0x00])
            case 3:  // PUBLISH
                let qos = (header >> 1) & 0x03
                let length = Int(body[0]) << 8 | Int(body[1])
                let topic = String(decoding: body[2..<2 + length], as: UTF8.self)
                lock.withLock { topics.append(topic) }
                if qos == 1 { write(fd, [0x40, 0x02, body[2 + length], body[3 + length]]) }
            case 8:  // SUBSCRIBE: granted QoS 1 for each filter (one is enough for the client)
                write(fd, [0x90, 0x03, body[0], body[1], 0x01])
            case 12:  // PINGREQ
                write(fd, [0xD0, 0x00])
            case 14:  // DISCONNECT
                return
            default:
                break
            }
        }
    }

    private func readPacket(_ fd: Int32) -> (UInt8, [UInt8])? {
        guard let first = readBytes(fd, 1)?.first else { return nil }
        var length = 0, multiplier = 1
        while true {
            guard let b = readBytes(fd, 1)?.first else { return nil }
            length += Int(b & 0x7F) * multiplier
            multiplier *= 128
            if b & 0x80 == 0 { break }
        }
        guard let body = length == 0 ? [] : readBytes(fd, length) else { return nil }
        return (first, body)
    }

    private func readBytes(_ fd: Int32, _ n: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: n)
        var got = 0
        while got < n {
            let r = out.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, n - got) }
            guard r > 0 else { return nil }
            got += r
        }
        return out
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    package enum BrokerError: Error { case cannotListen(errno: Int32) }
}
