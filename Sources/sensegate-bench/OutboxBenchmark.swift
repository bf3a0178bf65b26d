import Logging
import SenseCore
import SenseDaemon
import SenseMQTT

#if canImport(Glibc)
    import Glibc
#endif

/// The outbox's costs (docs/benchmarks.md): disk bytes per hour at the reference load with the
/// broker away and with it up, the replay rate after a one-hour outage, and memory with a
/// backlog of a million messages. The reference load is 10 messages a second (a station
/// publishing readings at 10 Hz in all), 36,000 an hour.
enum OutboxBenchmark {
    static let rate = 10
    static let logger: Logger = {
        var l = Logger(label: "bench")
        l.logLevel = .warning
        return l
    }()

    static func run(port: Int, paceSeconds: Int, backlog: Int) async throws {
        let dir = "/tmp/sensegate-outbox-bench-\(getpid())"
        mkdir(dir, 0o755)
        print("| measure | value |")
        print("|---|---|")
        try await pace(dir: dir, port: port, seconds: paceSeconds)
        try await outage(dir: dir, port: port, count: rate * 3600, label: "1-hour outage")
        try await outage(dir: dir, port: port, count: backlog, label: "\(backlog)-message backlog")
    }

    /// The reference load at its real pace, first with the broker unreachable (everything is
    /// committed), then connected (acknowledged before the flush: nothing is written).
    static func pace(dir: String, port: Int, seconds: Int) async throws {
        for connected in [false, true] {
            let path = "\(dir)/pace-\(connected).db"
            let outbox = try Outbox(path: path, settings: OutboxSettings(), clock: SystemClock(), logger: logger)
            let client = try connect(outbox, port: connected ? port : 1)
            if connected { try await waitConnected(client) }
            let before = ProcessIO.read()
            let clock = ContinuousClock()
            let start = clock.now
            var seq: UInt64 = 0
            for tick in 0..<(seconds * rate) {
                try await clock.sleep(until: start + .milliseconds(tick * 1000 / rate))
                seq += 1
                outbox.send(message(seq))
            }
            try await Task.sleep(for: .seconds(1.2))  // the last flush
            let after = ProcessIO.read()
            await client.shutdown(last: nil, timeout: .seconds(1))
            outbox.detach()
            outbox.close()
            let perHour = Double(3600) / Double(seconds)
            let files = FileSize.of(path) + FileSize.of(path + "-wal")
            print(
                "| \(connected ? "broker up" : "broker away"): bytes written per hour (write syscalls, \(seconds) s × \(Int(perHour))) | \(MiB(Double(after.wchar - before.wchar) * perHour)) |"
            )
            print(
                "| \(connected ? "broker up" : "broker away"): bytes to the block device per hour (write_bytes) | \(MiB(Double(after.writeBytes - before.writeBytes) * perHour)) |"
            )
            print("| \(connected ? "broker up" : "broker away"): database + WAL size after \(seconds) s | \(MiB(Double(files))) |")
            print(
                "| \(connected ? "broker up" : "broker away"): messages written / acknowledged before their flush | \(outbox.counters.written) / \(outbox.counters.elided) |"
            )
        }
    }

    /// `count` messages queued with the broker away, then replayed to it: rate, order, memory.
    static func outage(dir: String, port: Int, count: Int, label: String) async throws {
        let path = "\(dir)/outage-\(count).db"
        let rssStart = Memory.residentKiB()
        var clock = ContinuousClock().now
        do {
            let outbox = try Outbox(path: path, settings: OutboxSettings(), clock: SystemClock(), logger: logger)
            for i in 1...count { outbox.send(message(UInt64(i))) }
            outbox.close()
            print("| \(label): queue and commit | \(seconds(since: clock)) s, \(Int(Double(count) / seconds(since: clock))) msg/s |")
        }
        print(
            "| \(label): RSS after queueing (peak) | \(MiB(Double(Memory.residentKiB()) * 1024)) (\(MiB(Double(Memory.peakKiB()) * 1024))); \(MiB(Double(rssStart) * 1024)) before |"
        )
        print("| \(label): database size | \(MiB(Double(FileSize.of(path) + FileSize.of(path + "-wal")))) |")
        clock = ContinuousClock().now
        let outbox = try Outbox(path: path, settings: OutboxSettings(), clock: SystemClock(), logger: logger)
        print("| \(label): reopen (inventory) | \(seconds(since: clock)) s, depth \(outbox.counters.totalDepth) |")
        let watcher = try OrderWatcher(port: port)
        try await watcher.ready()
        let client = try connect(outbox, port: port)
        clock = ContinuousClock().now
        var peak = 0
        // Until the broker has acknowledged all (deleting the stored copies follows at the next flush).
        while outbox.counters.acked < count {
            try await Task.sleep(for: .milliseconds(50))
            peak = max(peak, Memory.residentKiB())
        }
        let replay = seconds(since: clock)
        try await watcher.waitFor(count)
        print("| \(label): replay to the broker (all acknowledged) | \(replay) s, \(Int(Double(count) / replay)) msg/s |")
        print("| \(label): a subscriber received, in order | \(watcher.received) of \(count), order \(watcher.inOrder ? "kept" : "BROKEN") |")
        print("| \(label): RSS during the replay (peak sampled) | \(MiB(Double(peak) * 1024)) |")
        await client.shutdown(last: nil, timeout: .seconds(1))
        await watcher.stop()
        outbox.detach()
        outbox.close()
        unlink(path)
        unlink(path + "-wal")
        unlink(path + "-shm")
    }

    /// An outbox file as a gateway leaves it after a long outage, for the daemon to start on.
    static func fill(path: String, count: Int) throws {
        let outbox = try Outbox(path: path, settings: OutboxSettings(), clock: SystemClock(), logger: logger)
        for i in 1...count { outbox.send(message(UInt64(i))) }
        outbox.close()
        print("\(path): \(count) messages, \(MiB(Double(FileSize.of(path) + FileSize.of(path + "-wal"))))")
    }

    static func message(_ seq: UInt64) -> OutboxMessage {
        let t = "2026-11-23T04:07:19.123Z"
        let payload = "{\"v\":\(21 + Double(seq % 300) / 100),\"u\":\"Cel\",\"q\":\"good\",\"t\":\"\(t)\",\"seq\":\(seq)}"
        return OutboxMessage(
            seq: seq, kind: .data, topic: "sensegate/backlog/s\(seq % 12)/temperature", payload: Array(payload.utf8),
            qos: 1, retain: false, createdMs: SystemClock().wallNow.nanosecondsSinceEpoch / 1_000_000)
    }

    static func connect(_ outbox: Outbox, port: Int) throws -> MQTTClient {
        let link = outbox.link()
        var options = MQTTClientOptions(host: "127.0.0.1", port: port, clientID: "bench-outbox-\(getpid())")
        options.reconnectMaxSeconds = 2
        let client = try MQTTClient(options: options, logger: logger, observer: link)
        link.attach(client)
        try client.start()
        return client
    }

    static func waitConnected(_ client: MQTTClient) async throws {
        for _ in 0..<200 where !client.isConnected { try await Task.sleep(for: .milliseconds(20)) }
        guard client.isConnected else { throw BenchmarkError(description: "cannot connect to the broker") }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let d = ContinuousClock().now - start
        return ((Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * 1000).rounded() / 1000
    }

    static func MiB(_ bytes: Double) -> String {
        bytes < 1024 * 1024 ? "\(Int(bytes / 1024)) KiB" : "\((bytes / 1024 / 1024 * 10).rounded() / 10) MiB"
    }
}

/// A subscriber on the bench topics that checks `seq` arrives complete and in order.
final class OrderWatcher: Sendable {
    private let client: MQTTClient
    private let task: Task<(Int, Bool), Never>
    private let count = Shared((0, true, UInt64(0)))

    init(port: Int) throws {
        var options = MQTTClientOptions(host: "127.0.0.1", port: port, clientID: "bench-watch-\(getpid())")
        options.inboxLimit = 1_000_000  // the watcher must see every message of the replay
        client = try MQTTClient(options: options, logger: OutboxBenchmark.logger)
        try client.subscribe("sensegate/backlog/#", qos: 1)
        try client.start()
        let messages = client.messages
        let count = count
        task = Task {
            for await m in messages {
                guard let seq = Self.seq(m.payload) else { continue }
                count.withLock { c in c = (c.0 + 1, c.1 && seq > c.2, seq) }
            }
            return count.withLock { ($0.0, $0.1) }
        }
    }

    /// The number after `"seq":` (the bench's payloads end with it).
    static func seq(_ payload: [UInt8]) -> UInt64? {
        let key = Array("\"seq\":".utf8)
        guard payload.count > key.count else { return nil }
        for i in stride(from: payload.count - key.count, through: 0, by: -1) where Array(payload[i..<i + key.count]) == key {
            let digits = payload[(i + key.count)...].prefix { $0 >= 48 && $0 <= 57 }
            return UInt64(String(decoding: digits, as: UTF8.self))
        }
        return nil
    }

    func ready() async throws { try await OutboxBenchmark.waitConnected(client) }
    var received: Int { count.withLock { $0.0 } }
    var inOrder: Bool { count.withLock { $0.1 } }

    func waitFor(_ n: Int) async throws {
        for _ in 0..<600 where received < n { try await Task.sleep(for: .milliseconds(50)) }
    }

    func stop() async {
        await client.shutdown(last: nil, timeout: .seconds(1))
        _ = await task.value
    }
}

/// /proc/self/io: bytes passed to write calls, and bytes sent to the block device.
struct ProcessIO {
    var wchar = 0
    var writeBytes = 0

    static func read() -> ProcessIO {
        var io = ProcessIO()
        for line in ProcFile.lines("/proc/self/io") {
            let parts = line.split(separator: ":")
            guard parts.count == 2, let v = Int(parts[1].trimmingPrefix(" ")) else { continue }
            if parts[0] == "wchar" { io.wchar = v }
            if parts[0] == "write_bytes" { io.writeBytes = v }
        }
        return io
    }
}

enum Memory {
    static func residentKiB() -> Int { field("VmRSS:") }
    static func peakKiB() -> Int { field("VmHWM:") }
    private static func field(_ name: String) -> Int {
        for line in ProcFile.lines("/proc/self/status") where line.hasPrefix(name) {
            return Int(String(line.dropFirst(name.count).filter { $0.isNumber })) ?? 0
        }
        return 0
    }
}

enum FileSize {
    static func of(_ path: String) -> Int {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : 0
    }
}

enum ProcFile {
    static func lines(_ path: String) -> [Substring] {
        guard let f = fopen(path, "r") else { return [] }
        defer { fclose(f) }
        var text = ""
        var buf = [CChar](repeating: 0, count: 4096)
        while fgets(&buf, 4096, f) != nil { text += String(cString: buf) }
        return text.split(separator: "\n")
    }
}
