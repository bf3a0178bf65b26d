import Foundation
import SenseTesting
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A site that takes signed commands only (`commands.require_signature`): the daemon as a
/// process, commands signed by the documented Python example, every forged, stale, replayed,
/// misdirected or unpermitted one refused with its reason on the answer topic and an audit line,
/// and keys rotated by a reload.
@Suite(.serialized) struct SignedCommandsEndToEndTests {
    static let secretA = String(repeating: "1f", count: 32)
    static let secretB = String(repeating: "e7", count: 32)
    static let secretNew = String(repeating: "5a", count: 48)

    static func site(_ site: Site, port: Int, opsKey: String, platformKey: String) -> String {
        site.simConfig(
            port: port,
            derived: """
                actuators:
                  - {name: fan, pin: GPIO23, failsafe: off, commands: [on, off, release]}
                  - {name: beacon, pin: GPIO24, failsafe: off, commands: [pulse, release]}
                commands:
                  require_signature: true
                  clock_window: 30s
                  keys:
                    ops:
                      file: \(opsKey)
                      actuators: [fan]
                      commands: [on, off]
                    platform:
                      file: \(platformKey)
                      actuators: "*"
                """)
    }

    static func keyFile(_ site: Site, _ name: String, _ hex: String) -> String {
        let path = site.write(name, hex + "\n")
        chmod(path, 0o640)
        return path
    }

    /// The payload the documented sender prints.
    static func signed(keyID: String, keyFile: String, topic: String, body: String, ts: Int? = nil) throws -> String {
        let args =
            ["\(RepositoryPaths.examples)/sign-command.py", "--key-id", keyID, "--key-file", keyFile, "--topic", topic]
            + (ts.map { ["--ts", String($0)] } ?? []) + [body]
        let p = try ChildProcess("/usr/bin/python3", args)
        #expect(p.waitForExit(timeout: 30) == 0, "\(p.stderr)")
        return p.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func onlyGoodSignaturesActAndKeysRotateOnReload() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let ops = Self.keyFile(site, "ops.key", Self.secretA)
        let platform = Self.keyFile(site, "platform.key", Self.secretB)
        let config = site.write("c.yaml", Self.site(site, port: broker.port, opsKey: ops, platformKey: platform))
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/#")
        let daemon = try SensegateBinary.start(["run", "--config", config])
        let root = "sensegate/e2e/"
        #expect(await !sub.wait(timeout: 30) { $0.topic == root + "actuator/fan" }.isEmpty, "\(daemon.stderr)")

        func send(_ actuator: String, _ payload: String) async throws -> String {
            try await sub.actuatorCommand(port: broker.port, root: root, actuator, payload)
        }
        let fanTopic = root + "actuator/fan/set"
        let on = try Self.signed(keyID: "ops", keyFile: ops, topic: fanTopic, body: #"{"command":"on","id":"c1","by":"anna"}"#)
        let accepted = try await send("fan", on)
        #expect(accepted.contains("\"ok\":true") && accepted.contains("\"state\":\"on\"") && accepted.contains("\"id\":\"c1\""), "\(accepted)")

        let now = Int(time(nil))
        let wrongKey = site.write("wrong.key", Self.secretB + "\n")
        chmod(wrongKey, 0o600)
        let refusals: [(String, String, String)] = [
            ("fan", #"{"command":"off"}"#, "takes signed commands only"),
            ("fan", "OFF", "takes signed commands only"),
            ("fan", on, "the nonce was already used with key 'ops'"),
            (
                "fan", try Self.signed(keyID: "ops", keyFile: ops, topic: fanTopic, body: #"{"command":"off"}"#, ts: now - 3600),
                "s ago by the gateway's clock"
            ),
            ("fan", try Self.signed(keyID: "ops", keyFile: ops, topic: fanTopic, body: #"{"command":"off"}"#, ts: now + 3600), "s in the future"),
            ("fan", try Self.signed(keyID: "ops", keyFile: wrongKey, topic: fanTopic, body: #"{"command":"off"}"#), "the signature does not match"),
            ("fan", try Self.signed(keyID: "nobody", keyFile: ops, topic: fanTopic, body: #"{"command":"off"}"#), "unknown key 'nobody'"),
            // Signed for the fan, sent to the beacon: the topic is part of what is signed.
            (
                "beacon", try Self.signed(keyID: "platform", keyFile: platform, topic: fanTopic, body: #"{"command":"pulse","for":"1s"}"#),
                "does not match"
            ),
            (
                "beacon", try Self.signed(keyID: "ops", keyFile: ops, topic: root + "actuator/beacon/set", body: #"{"command":"pulse","for":"1s"}"#),
                "key 'ops' may not command actuator 'beacon'"
            ),
            (
                "fan", try Self.signed(keyID: "ops", keyFile: ops, topic: fanTopic, body: #"{"command":"release"}"#),
                "key 'ops' may not send 'release'"
            ),
            ("fan", #"{"key":"ops","ts":1,"nonce":"x","body":"{}","sig":"00"}"#, "a malformed signed command"),
        ]
        for (actuator, payload, reason) in refusals {
            let ack = try await send(actuator, payload)
            #expect(ack.contains("\"ok\":false") && ack.contains(reason), "\(actuator) \(payload): \(ack)")
        }
        // Nothing refused moved the fan: it is still on, as the one accepted command left it.
        let fanStates = sub.messages(on: root + "actuator/fan")
        #expect(fanStates.last?.payload.contains("\"state\":\"on\"") == true, "\(fanStates.map(\.payload))")
        let signedPulse = try Self.signed(
            keyID: "platform", keyFile: platform, topic: root + "actuator/beacon/set", body: #"{"command":"pulse","for":"1s"}"#)
        let pulse = try await send("beacon", signedPulse)
        #expect(pulse.contains("\"ok\":true"), "\(pulse)")

        // Keys rotate by reload: ops gets a new secret; the old one no longer signs.
        _ = Self.keyFile(site, "ops.key", Self.secretNew)
        let oldSecret = Self.keyFile(site, "old-ops.key", Self.secretA)
        daemon.signal(SIGHUP)
        #expect(await Network.eventually(timeout: 30) { daemon.stderr.contains("reloaded ") }, "\(daemon.stderr)")
        let stale = try await send("fan", try Self.signed(keyID: "ops", keyFile: oldSecret, topic: fanTopic, body: #"{"command":"off"}"#))
        #expect(stale.contains("\"ok\":false") && stale.contains("does not match"), "\(stale)")
        let rotated = try await send("fan", try Self.signed(keyID: "ops", keyFile: ops, topic: fanTopic, body: #"{"command":"off","by":"anna"}"#))
        #expect(rotated.contains("\"ok\":true") && rotated.contains("\"state\":\"off\""), "\(rotated)")
        // A command of a key that did not change is still a replay after the reload.
        let replay = try await send("beacon", signedPulse)
        #expect(replay.contains("the nonce was already used with key 'platform'"), "\(replay)")

        daemon.signal(SIGTERM)
        #expect(await daemon.exited(timeout: 5) == 0)
        // The audit log: one stable line per command, naming the key.
        let log = daemon.stderr
        #expect(log.contains(#"command result=accepted target=actuator/fan command=on key=ops by="anna" id="c1" state=on"#), "\(log)")
        #expect(log.contains(#"command result=accepted target=actuator/beacon command=pulse key=platform by=- id=- state=on"#), "\(log)")
        #expect(
            log.contains(#"command result=refused target=actuator/fan command="" key=ops by=- id="c1" reason="the nonce was already used"#), "\(log)")
        #expect(
            log.contains(#"command result=refused target=actuator/fan command=release key=ops by=- id=- reason="key 'ops' may not send 'release'""#),
            "\(log)")
        #expect(!log.contains(Self.secretA) && !log.contains(Self.secretNew), "no secret in the journal")
        #expect(try PayloadSchemas.errors(sub.messages) == [], "every message as its topic promises")
    }
}
