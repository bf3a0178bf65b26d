import Foundation

/// One message as an independent subscriber (mosquitto_sub) saw it.
package struct ReceivedMessage: Sendable, Hashable {
    package var topic: String
    package var payload: String
    package var retained: Bool
    package var received: Date
}

/// `mosquitto_sub` on a topic filter, collecting every message with its retained flag. An
/// observer independent of the code under test.
package final class Subscriber: @unchecked Sendable {
    private var process: ChildProcess?
    private let lock = NSLock()
    private var buffer = Data()
    private var collected: [ReceivedMessage] = []
    package let port: Int
    package let filter: String

    /// With `session`, a persistent session under that client id (clean session off): the broker
    /// keeps QoS 1 messages for it while it is away, and across its own restarts if persistent.
    /// `moreFilters` are subscribed too (one subscriber for several branches of the tree).
    /// `init` on a thread of its own: subscribing waits until a probe comes back, and a test's
    /// task must not hold one of the two cooperative threads meanwhile.
    package static func connected(
        port: Int, filter: String, moreFilters: [String] = [], qos: Int = 1, session: String? = nil
    ) async throws -> Subscriber {
        try await Blocking.run { try Subscriber(port: port, filter: filter, moreFilters: moreFilters, qos: qos, session: session) }
    }

    /// `waitUntilConnected` on a thread of its own.
    package func reconnected() async throws { try await Blocking.run { try self.waitUntilSubscribed() } }

    package init(port: Int, filter: String, moreFilters: [String] = [], qos: Int = 1, session: String? = nil) throws {
        self.port = port
        self.filter = filter
        let sink = Sink()
        let persistent = session.map { ["-i", $0, "-c"] } ?? []
        process = try ChildProcess(
            "/usr/bin/mosquitto_sub",
            ["-h", "127.0.0.1", "-p", String(port), "-q", String(qos), "-t", filter]
                + moreFilters.flatMap { ["-t", $0] }
                + ["-t", "sensegate-test/probe", "-F", "%r|%t|%x"] + persistent,
            onStdout: { sink.deliver($0) })
        sink.target = self
        try waitUntilSubscribed()
    }

    /// Breaks the cycle between the reader thread and the subscriber.
    private final class Sink: @unchecked Sendable {
        weak var target: Subscriber?
        func deliver(_ d: Data) { target?.append(d) }
    }

    deinit { stop() }

    package func stop() {
        guard let p = process, p.isRunning else { return }
        p.signal(SIGTERM)
        _ = p.waitForExit(timeout: 5)
    }

    private func append(_ d: Data) {
        lock.withLock {
            buffer.append(d)
            while let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                let parts = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3 else { continue }
                // The payload comes in hex, so that one with line breaks (CAP's XML) stays one message.
                collected.append(
                    ReceivedMessage(
                        topic: String(parts[1]), payload: Self.decodeHex(parts[2]),
                        retained: parts[0] == "1", received: Date()))
            }
        }
    }

    private static func decodeHex(_ hex: Substring) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8 = c >= 97 ? c - 87 : c >= 65 ? c - 55 : c - 48
            if let h = high {
                bytes.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// After a broker restart: waits until the subscriber is back (it reconnects by itself).
    package func waitUntilConnected() throws { try waitUntilSubscribed() }

    /// Publishes probes until the subscriber sees one of them, so no later message can be missed.
    private func waitUntilSubscribed() throws {
        let round = UInt64.random(in: 0..<UInt64.max)
        // By the clock, not by attempts: at the start of the parallel suite both cores are busy
        // for seconds, and mosquitto_sub (or each mosquitto_pub probe) may take that long to start.
        let deadline = Date().addingTimeInterval(30)
        var attempt = 0
        while Date() < deadline {
            attempt += 1
            try Self.publish(port: port, topic: "sensegate-test/probe", payload: "probe-\(round)-\(attempt)")
            if Network.waitUntil(
                timeout: 0.1, { messages.contains { $0.topic == "sensegate-test/probe" && $0.payload.hasPrefix("probe-\(round)-") } })
            {
                return
            }
        }
        // What mosquitto_sub said, so a failure in CI tells why.
        let said = process.map { "running: \($0.isRunning), stderr: \($0.stderr.suffix(2000))" } ?? "not started"
        throw SubscriberError.neverSubscribed(port: port, attempts: attempt, subscriber: said)
    }

    package var messages: [ReceivedMessage] { lock.withLock { collected } }

    package func messages(on topic: String) -> [ReceivedMessage] { messages.filter { $0.topic == topic } }

    /// Publishes `payload` on `<root>actuator/<actuator>/set` and waits for the next answer on its
    /// `…/ack`; "no ack" when none comes.
    package func actuatorCommand(port: Int, root: String, _ actuator: String, _ payload: String) async throws -> String {
        let topic = root + "actuator/\(actuator)/ack"
        let before = messages(on: topic).count
        try Self.publish(port: port, topic: root + "actuator/\(actuator)/set", payload: payload)
        let acks = await wait(for: before + 1) { $0.topic == topic }
        return acks.count > before ? acks[before].payload : "no ack"
    }

    /// Waits until `count` messages satisfy `match`; returns them (possibly fewer on timeout).
    @discardableResult
    package func wait(
        for count: Int = 1, timeout: Double = 10,
        where match: @escaping (ReceivedMessage) -> Bool
    ) async -> [ReceivedMessage] {
        _ = await Network.eventually(timeout: timeout) { messages.filter(match).count >= count }
        return messages.filter(match)
    }

    /// Waits for one more match than there is now (`wait` counts matches already received).
    package func next(timeout: Double = 10, where match: @escaping (ReceivedMessage) -> Bool) async -> ReceivedMessage? {
        let before = messages.filter(match).count
        let all = await wait(for: before + 1, timeout: timeout, where: match)
        return all.count > before ? all[before] : nil
    }

    package static func publish(port: Int, topic: String, payload: String, retain: Bool = false) throws {
        let p = try ChildProcess(
            "/usr/bin/mosquitto_pub",
            ["-h", "127.0.0.1", "-p", String(port), "-q", "1", "-t", topic, "-m", payload] + (retain ? ["-r"] : []))
        _ = p.waitForExit(timeout: 10)
    }

    package enum SubscriberError: Error { case neverSubscribed(port: Int, attempts: Int, subscriber: String) }
}

/// A reading payload, decoded.
package struct ReadingPayload: Decodable, Sendable, Hashable {
    package var v: Double?
    package var u: String?
    package var q: String
    package var r: String?
    package var t: String
    package var seq: UInt64

    package static func decode(_ text: String) -> ReadingPayload? {
        try? JSONDecoder().decode(ReadingPayload.self, from: Data(text.utf8))
    }
}

/// The `t` of a payload (RFC 3339, with or without fractional seconds) as a Date.
package enum PayloadTime {
    package static func date(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}

/// The `seq` of any sensegate payload.
package enum SeqField {
    package static func of(_ payload: String) -> UInt64? {
        guard let r = payload.range(of: "\"seq\":") else { return nil }
        return UInt64(payload[r.upperBound...].prefix { $0.isNumber })
    }
}
