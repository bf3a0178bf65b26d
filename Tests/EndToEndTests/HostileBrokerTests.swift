import Foundation
import Logging
import SenseMQTT
import SenseTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 17: anyone who may publish to the broker sends the gateway whatever they like, on every
/// topic it reads: random bytes, invalid UTF-8, deep nesting, the largest payloads the broker
/// allows, retained commands, QoS 2, duplicates, thousands a second. The daemon stays up,
/// answers what deserves an answer, keeps its memory bounded, and its readings keep flowing
/// with `seq` complete.
@Suite(.serialized) struct HostileBrokerTests {
    static let root = "sensegate/e2e/"
    /// The broker's limit in this test; the largest payloads sent are this size.
    static let maxPacket = 16 << 20

    /// A deterministic stream of bytes (SplitMix64), so a failure replays the same way.
    struct Noise {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8(truncatingIfNeeded: next()) } }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
    }

    static let topics =
        [
            "actuator/fan/set", "actuator/beacon/set", "actuator/fan/toggle", "actuator/ghost/set",
            "actuator/fan/set/deeper/still", "actuator//set", "alarm/hot/ack", "alarm/hot/shelve", "alarm/hot/unshelve",
            "alarm/hot/explode", "alarm/ghost/ack",
        ].map { root + $0 }
        + ["homeassistant/status", "homeassistant/sensor/sensegate_e2e/outdoor_temperature/config"]

    static func payload(_ noise: inout Noise) -> [UInt8] {
        switch noise.next() % 10 {
        case 0: return noise.bytes(Int(noise.next() % 2000))
        case 1: return [0xFF, 0xFE, 0xC0, 0x80] + Array(#"{"command":"on","by":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8)
        case 2: return Array(String(repeating: "[", count: Int(noise.next() % 100_000)).utf8)
        case 3: return Array(#"{"command":"override","level":"off","for":"99999999999999999999s"}"#.utf8)
        case 4: return Array(#"{"for":"1e30h"}"#.utf8)
        case 5: return Array(noise.pick([#"{"command":"on"}"#, #"{"command":"off"}"#, #"{"command":"pulse","for":"1s"}"#, "{}", ""]).utf8)
        case 6: return Array(("{\"command\":\"on\",\"note\":\"" + String(repeating: "x", count: 5000) + "\"}").utf8)
        case 7: return Array(#"{"command":"on","command":"off"}"#.utf8)
        case 8: return Array(#"{"for":-1e400,"id":7}"#.utf8)
        default: return Array("online".utf8)
        }
    }

    /// Published by the attacker on the gateway's own answer topics.
    static let forged = "forged answer"

    static func rssKiB(_ pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "")
    }

    @Test func everyTopicTheGatewayReadsTakesHostileMessages() async throws {
        let broker = try await MosquittoBroker.running(extraConfig: "max_packet_size \(Self.maxPacket)")
        let site = Site()
        let config = site.write(
            "c.yaml", site.simConfig(port: broker.port, derived: ReactionEndToEndTests.reaction + "\nhome_assistant: {area: Test}\n"))
        let sub = try await Subscriber.connected(
            port: broker.port, filter: Self.root + "sensor/#",
            moreFilters: ["alarm/+", "alarm/+/reply", "actuator/+", "actuator/+/ack", "alarms", "rule/+", "status", "health"]
                .map { Self.root + $0 })
        // The reproduction of issue 17, retained before the gateway starts: it used to kill the
        // daemon at every start until someone cleared it.
        try Subscriber.publish(
            port: broker.port, topic: Self.root + "actuator/fan/set",
            payload: #"{"command":"override","level":"off","for":"99999999999999999999s","id":"r1"}"#, retain: true)
        let daemon = try SensegateBinary.start(["run", "--config", config])
        let acks = Self.root + "actuator/fan/ack"
        let retainedRefusal = await sub.wait { $0.topic == acks && $0.payload.contains("\"id\":\"r1\"") }.first?.payload ?? "no answer"
        #expect(retainedRefusal.contains("\"ok\":false") && retainedRefusal.contains("a retained command is never executed"), "\(retainedRefusal)")
        #expect(await !sub.wait(timeout: 15) { $0.topic.hasPrefix(Self.root + "sensor/") }.isEmpty)

        // One by one, before any flood: each gets its answer.
        var options = MQTTClientOptions(host: "127.0.0.1", port: broker.port, clientID: "attacker")
        options.inboxLimit = 1
        let attacker = try MQTTClient(options: options, logger: Logger(label: "attacker") { _ in SwiftLogNoOpLogHandler() })
        try attacker.start()
        #expect(await Network.eventually(timeout: 10) { attacker.isConnected })
        func answer(_ topic: String, _ payload: String, on answers: String) async -> String {
            let before = sub.messages(on: answers).count
            _ = attacker.publish(MQTTMessage(topic: Self.root + topic, payload: Array(payload.utf8), qos: 1, retain: false))
            let all = await sub.wait(for: before + 1) { $0.topic == answers }
            return all.count > before ? all[before].payload : "no answer"
        }
        let overflow = await answer("actuator/fan/set", #"{"command":"override","level":"off","for":"99999999999999999999s"}"#, on: acks)
        #expect(overflow.contains("longer than 100 years"), "\(overflow)")
        let toggle = await answer("actuator/fan/toggle", #"{"command":"on"}"#, on: acks)
        #expect(toggle.contains("commands go to <root>/actuator/<name>/set"), "\(toggle)")
        let explode = await answer("alarm/hot/explode", "{}", on: Self.root + "alarm/hot/reply")
        #expect(explode.contains("unknown command 'explode'"), "\(explode)")
        let huge = await answer("actuator/fan/set", "{\"note\":\"" + String(repeating: "y", count: 20_000) + "\"}", on: acks)
        #expect(huge.contains("is larger than 4096 bytes"), "\(huge)")
        // The gateway's own answer topics are outputs: what arrives there is never taken for a
        // command, so a forged answer gets no answer (no loop on a 3.1.1 broker either).
        let answerTopics = [Self.root + "alarm/hot/reply", acks]
        let answersBefore = answerTopics.map { sub.messages(on: $0).count }
        for topic in answerTopics {
            _ = attacker.publish(MQTTMessage(topic: topic, payload: Array(Self.forged.utf8), qos: 1, retain: false))
        }
        try await Task.sleep(for: .seconds(1))
        #expect(answerTopics.map { sub.messages(on: $0).count } == answersBefore.map { $0 + 1 }, "only the forged answer itself, no reply to it")

        // The flood: 20,000 messages at about 5,000 a second on every topic, QoS 0, 1 and 2, some
        // retained, the same one repeated, three of the largest size the broker takes.
        let baseline = try #require(Self.rssKiB(daemon.pid))
        var peak = baseline
        var noise = Noise(state: 17)
        let started = Date()
        for i in 0..<20_000 {
            let topic = noise.pick(Self.topics)
            let payload = i % 7000 == 3 ? [UInt8](repeating: 0x7B, count: Self.maxPacket - 1024) : Self.payload(&noise)
            let repeated = i % 100 < 5 ? Array(#"{"command":"on","id":"dup"}"#.utf8) : payload
            _ = attacker.publish(MQTTMessage(topic: topic, payload: repeated, qos: Int(noise.next() % 3), retain: i % 1000 == 999))
            if i % 500 == 499 {
                try await Task.sleep(for: .milliseconds(100))
                peak = max(peak, Self.rssKiB(daemon.pid) ?? 0)
            }
        }
        for _ in 0..<30 {  // while the broker and the daemon work through it
            try await Task.sleep(for: .milliseconds(200))
            peak = max(peak, Self.rssKiB(daemon.pid) ?? 0)
        }
        let floodSeconds = Date().timeIntervalSince(started)
        #expect(daemon.isRunning)

        // Still in command: a well-formed command is carried out and answered.
        var after = "no answer"
        for attempt in 0..<5 where !after.contains("\"ok\":true") {
            after = await answer("actuator/fan/set", #"{"command":"on","id":"after-\#(attempt)"}"#, on: acks)
        }
        #expect(after.contains("\"ok\":true") && after.contains("\"state\":\"on\""), "\(after)")

        // Memory: bounded by the inbox (256 messages of at most 16 KiB) and one packet in libmosquitto.
        #expect(peak - baseline < 64 * 1024, "RSS from \(baseline) KiB to a peak of \(peak) KiB")
        // Readings flowed through it all, and the numbered stream has no gap.
        let seqs = sub.messages.filter { !$0.topic.hasSuffix("/health") }.compactMap { SeqField.of($0.payload) }
        let seen = Set(seqs)
        let lo = try #require(seen.min()), hi = try #require(seen.max())
        #expect(seen.count == Int(hi - lo + 1), "\(Int(hi - lo + 1) - seen.count) seq missing between \(lo) and \(hi)")
        let readingsDuringFlood = sub.messages.filter {
            $0.topic.hasPrefix(Self.root + "sensor/") && $0.received > started && $0.received < started.addingTimeInterval(floodSeconds)
        }
        #expect(readingsDuringFlood.count > Int(floodSeconds) * 5, "\(readingsDuringFlood.count) readings in \(floodSeconds) s of flood")
        // The fan never followed the retained override, nor any override of the flood.
        #expect(!sub.messages(on: Self.root + "actuator/fan").contains { $0.payload.contains("\"source\":\"override\"") })

        // Health counts what happened (published at each connection: the broker is restarted for it).
        await attacker.shutdown(last: nil, timeout: .seconds(1))
        broker.stop()
        try await broker.restart()
        try await sub.reconnected()
        let health = await sub.wait(timeout: 15) { $0.topic == Self.root + "health" && $0.payload.contains("\"commands\"") }.last?.payload ?? ""
        let counters = try #require(try JSONSerialization.jsonObject(with: Data(health.utf8)) as? [String: Any])["commands"] as? [String: Int]
        #expect((counters?["refused"] ?? 0) > 10_000 && (counters?["unanswered"] ?? 0) > 0 && (counters?["accepted"] ?? 0) > 0, "\(health)")
        #expect(try SchemaValidator.errors(schema: "health.schema.json", payloads: [health]) == [])

        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 10) == 0)
        // The journal: refusals summed up per topic, not 20,000 lines. The limiter's 10 s windows
        // start with the daemon, so a 15 s flood touches two or three of them, each allowed its
        // own first lines per topic (about 250 lines a window here).
        let lines = daemon.stderr.split(separator: "\n")
        try daemon.stderr.write(toFile: "/tmp/hostile-daemon.log", atomically: true, encoding: .utf8)
        let windows = Int((floodSeconds / 10).rounded(.up)) + 1
        #expect(lines.count < 300 * windows, "\(lines.count) log lines in \(windows) windows of the log limiter")
        #expect(daemon.stderr.contains("not logged one by one"))
        #expect(try PayloadSchemas.errors(sub.messages.filter { $0.payload != Self.forged }) == [], "every message as its topic promises")
        print(
            "hostile broker: \(Int(floodSeconds)) s flood, RSS \(baseline) → peak \(peak) KiB, seq \(lo)…\(hi) complete, "
                + "\(readingsDuringFlood.count) readings during the flood, \(lines.count) log lines, commands \(counters ?? [:])")
    }
}
