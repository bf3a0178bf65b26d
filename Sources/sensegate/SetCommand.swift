import Logging
import SenseCLI
import SenseConfig
import SenseDaemon
import SenseMQTT
import SenseOS
import SenseWire

#if canImport(Glibc)
    import Glibc
#endif

/// `sensegate set --config FILE [--key ID] ACTUATOR VERB [DURATION]`: the technician's switch.
/// The command goes to the running station through its broker, checked by the daemon like any
/// operator's (signed with the config's key ID when given), and the station's answer is printed.
/// Nothing is driven from here: the daemon owns the lines.
enum SetCommand {
    /// How long the station has to answer (it answers at once when it runs).
    static let answerTimeout = Duration.seconds(10)

    static func run(config path: String, actuator: String, verb: String, duration: String?, key keyID: String?) async -> Int32 {
        let cfg: SensegateConfig
        do throws(ConfigErrors) {
            cfg = try ConfigLoader.load(path, parts: .standard)
        } catch {
            writeStderr(error.description + "\n")
            return ExitStatus.configError
        }
        guard cfg.actuators.contains(where: { $0.name == actuator }) else {
            let names = cfg.actuators.map(\.name)
            writeStderr(
                "sensegate set: \(path) has no actuator '\(actuator)'; "
                    + (names.isEmpty ? "it declares none\n" : "its actuators are \(names.joined(separator: ", "))\n"))
            return ExitStatus.usage
        }
        var key: CommandKey?
        if let keyID {
            guard let k = cfg.commandSigning?.keys[keyID] else {
                let ids = cfg.commandSigning?.keys.keys.sorted() ?? []
                writeStderr(
                    "sensegate set: \(path) has no key '\(keyID)' under commands.keys"
                        + (ids.isEmpty ? "\n" : "; its keys are \(ids.joined(separator: ", "))\n"))
                return ExitStatus.usage
            }
            key = k
        }
        guard let client = await StationConnection.open(cfg, role: "set") else { return ExitStatus.unavailable }
        let status = await send(verb, duration, to: actuator, of: cfg, key: key, through: client)
        // A clean DISCONNECT: the broker forgets the session at once, and the network thread
        // ends by itself rather than being cancelled.
        await client.close()
        return status
    }

    private static func send(
        _ verb: String, _ duration: String?, to actuator: String, of cfg: SensegateConfig, key: CommandKey?,
        through client: StationClient
    ) async -> Int32 {
        let answers = client.topics.actuatorAck(actuator)
        do throws(MQTTError) {
            try client.subscribe(answers)
        } catch {
            writeStderr("sensegate set: cannot subscribe to \(answers): \(error)\n")
            return ExitStatus.unavailable
        }
        let id = "set-\(getpid())-\(Int(time(nil)))"
        var w = JSONWriter()
        w.beginObject()
        w.field("command", verb)
        if let duration { w.field("for", duration) }
        w.field("id", id)
        w.field("by", "sensegate set")
        w.endObject()
        let topic = client.topics.actuator(actuator) + "/set"
        var payload = String(decoding: w.bytes, as: UTF8.self)
        if let key {
            var random = SystemRandomNumberGenerator()
            let nonce = SignedEnvelope.hexText((0..<16).map { _ in UInt8.random(in: 0...255, using: &random) })
            payload = SignedEnvelope.sign(body: payload, topic: topic, key: key, timestamp: Int64(time(nil)), nonce: nonce, mac: LibcryptoMAC())
        }
        let messages = client.messages
        // The broker handles this connection's packets in order: the subscription is in place
        // before the command reaches the station.
        _ = client.publish(topic, payload)
        let answer = await withTaskGroup(of: [String: JSONValue]?.self) { group in
            group.addTask {
                for await m in messages where m.topic == answers {
                    // Other answers on the topic (another operator's, or not JSON) are not ours.
                    guard case let .object(o) = StationWatch.parse(m.payload), o["id"] == .string(id) else { continue }
                    return o
                }
                return nil
            }
            group.addTask {
                do { try await Task.sleep(for: answerTimeout) } catch { return nil }
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let answer else {
            writeStderr(
                "sensegate set: no answer from \(cfg.node) within \(answerTimeout.components.seconds) s on \(answers): is sensegate running there?\n"
            )
            return ExitStatus.unavailable
        }
        let state = if case let .string(s)? = answer["state"] { s } else { "?" }
        if answer["ok"] == .bool(true) {
            print("\(actuator): \(verb)\(duration.map { " for \($0)" } ?? "") accepted; the output is \(state)")
            return 0
        }
        let reason = if case let .string(r)? = answer["reason"] { r } else { "no reason given" }
        writeStderr("\(actuator): \(verb) refused: \(reason)\n")
        return 1
    }
}

/// The command line's own MQTT client says nothing unless asked: its outcome is printed.
struct QuietLogHandler: LogHandler {
    var logLevel: Logger.Level = .critical
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {}
}
