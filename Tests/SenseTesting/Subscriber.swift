import Foundation

/// One message as an independent subscriber (mosquitto_sub) saw it.
public struct ReceivedMessage: Sendable, Hashable {
    public var topic: String
    public var payload: String
    public var retained: Bool
    public var received: Date
}

/// `mosquitto_sub` on a topic filter, collecting every message with its retained flag. An
/// observer independent of the code under test.
public final class Subscriber: @unchecked Sendable {
    private let process = Process()
    private let lock = NSLock()
    private var buffer = Data()
    private var collected: [ReceivedMessage] = []
    public let port: Int
    public let filter: String

    public init(port: Int, filter: String, qos: Int = 1) throws {
        self.port = port
        self.filter = filter
        let out = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_sub")
        process.arguments = ["-h", "127.0.0.1", "-p", String(port), "-q", String(qos), "-t", filter,
                             "-t", "sensegate-test/probe", "-F", "%r|%t|%p"]
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        out.fileHandleForReading.readabilityHandler = { [weak self] h in
            let d = h.availableData
            guard !d.isEmpty else { return }
            self?.append(d)
        }
        try process.run()
        try waitUntilSubscribed()
    }

    deinit { stop() }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    private func append(_ d: Data) {
        lock.withLock {
            buffer.append(d)
            while let nl = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<nl], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...nl)
                let parts = line.split(separator: "|", maxSplits: 2, omittingEmptySubsequences: false)
                guard parts.count == 3 else { continue }
                collected.append(ReceivedMessage(topic: String(parts[1]), payload: String(parts[2]),
                                                 retained: parts[0] == "1", received: Date()))
            }
        }
    }

    /// Publishes probes until the subscriber sees one, so no later message can be missed.
    private func waitUntilSubscribed() throws {
        for attempt in 0..<100 {
            try Self.publish(port: port, topic: "sensegate-test/probe", payload: "probe-\(attempt)")
            if Network.waitUntil(timeout: 0.1, { messages.contains { $0.topic == "sensegate-test/probe" } }) { return }
        }
        throw SubscriberError.neverSubscribed
    }

    public var messages: [ReceivedMessage] { lock.withLock { collected } }

    public func messages(on topic: String) -> [ReceivedMessage] { messages.filter { $0.topic == topic } }

    /// Waits until `count` messages satisfy `match`; returns them (possibly fewer on timeout).
    @discardableResult
    public func wait(for count: Int = 1, timeout: Double = 10,
                     where match: @escaping (ReceivedMessage) -> Bool) -> [ReceivedMessage] {
        _ = Network.waitUntil(timeout: timeout) { messages.filter(match).count >= count }
        return messages.filter(match)
    }

    public static func publish(port: Int, topic: String, payload: String, retain: Bool = false) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/mosquitto_pub")
        p.arguments = ["-h", "127.0.0.1", "-p", String(port), "-q", "1", "-t", topic, "-m", payload] + (retain ? ["-r"] : [])
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
    }

    public enum SubscriberError: Error { case neverSubscribed }
}

/// A reading payload, decoded.
public struct ReadingPayload: Decodable, Sendable, Hashable {
    public var v: Double?
    public var u: String?
    public var q: String
    public var r: String?
    public var t: String
    public var seq: UInt64

    public static func decode(_ text: String) -> ReadingPayload? {
        try? JSONDecoder().decode(ReadingPayload.self, from: Data(text.utf8))
    }
}
