import SenseCore
import SenseOS
import SenseWire
import Testing

/// Signed commands against the real libcrypto: what is accepted, and every way a forged, stale,
/// replayed or malformed command is refused, with its reason.
@Suite struct CommandVerifierTests {
    static let mac = LibcryptoMAC()
    static let secret = [UInt8](repeating: 0x42, count: 32)
    static let topic = "sensegate/river-3/actuator/pump/set"
    static let started = WallTime(nanosecondsSinceEpoch: 1_785_000_000_000_000_000)
    static let now = WallTime(nanosecondsSinceEpoch: 1_785_000_100_000_000_000)
    static var nowSeconds: Int64 { now.nanosecondsSinceEpoch / 1_000_000_000 }
    static let signing = CommandSigning(
        required: true, window: .seconds(60),
        keys: ["ops": CommandKey(id: "ops", secret: secret, actuators: .only(["pump"]), alarms: .only([]), commands: .all)])

    static func envelope(
        key: String = "ops", secret: [UInt8] = secret, topic: String = topic, ts: Int64 = nowSeconds,
        nonce: String = "0123456789abcdef", body: String = #"{"command":"on","by":"anna"}"#, signedTopic: String? = nil
    ) -> String {
        let sig = mac.hmacSHA256(
            key: secret,
            message: SignedEnvelope.signedBytes(key: key, topic: signedTopic ?? topic, timestamp: ts, nonce: nonce, body: body))
        var w = JSONWriter()
        w.beginObject()
        w.field("key", key)
        w.field("ts", ts)
        w.field("nonce", nonce)
        w.field("body", body)
        w.field("sig", sig.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    static func open(
        _ payload: String, _ v: inout CommandVerifier, topic: String = topic, at: WallTime = now
    ) -> Result<CommandVerifier.Verified, SignatureRefusal> {
        do throws(SignatureRefusal) {
            return .success(
                try v.open(IncomingMessage(topic: topic, payload: Array(payload.utf8), retained: false), signing: signing, mac: mac, now: at))
        } catch {
            return .failure(error)
        }
    }

    @Test func aGoodSignatureGivesTheInnerCommandOnce() throws {
        var v = CommandVerifier(started: Self.started)
        let payload = Self.envelope()
        let verified = try Self.open(payload, &v).get()
        #expect(verified.key.id == "ops")
        #expect(String(decoding: verified.message.payload, as: UTF8.self) == #"{"command":"on","by":"anna"}"#)
        #expect(verified.message.topic == Self.topic)
        // The same message again is a replay, whatever else it says.
        #expect(Self.open(payload, &v) == .failure(.replayed(key: "ops")))
        #expect(Self.open(Self.envelope(nonce: "another-nonce-0001"), &v).map(\.key.id) == .success("ops"))
    }

    @Test func forgedStaleAndMalformedAreRefused() {
        var v = CommandVerifier(started: Self.started)
        let cases: [(String, SignatureRefusal)] = [
            (#"{"command":"on"}"#, .unsigned),
            ("ON", .unsigned),
            (Self.envelope(key: "nobody"), .unknownKey("nobody")),
            (Self.envelope(secret: [UInt8](repeating: 0x43, count: 32)), .badSignature("ops")),
            // Signed for another actuator's topic: the signature covers the topic.
            (Self.envelope(signedTopic: "sensegate/river-3/actuator/siren/set"), .badSignature("ops")),
            (Self.envelope(ts: Self.nowSeconds - 61), .stale(key: "ops", skew: -61, window: 60)),
            (Self.envelope(ts: Self.nowSeconds + 61), .stale(key: "ops", skew: 61, window: 60)),
            (
                Self.envelope(ts: Self.started.nanosecondsSinceEpoch / 1_000_000_000 - 1, nonce: "before-the-start-1"),
                .stale(key: "ops", skew: -101, window: 60)
            ),
        ]
        for (payload, refusal) in cases {
            #expect(Self.open(payload, &v) == .failure(refusal), "\(payload)")
        }
        // The body is signed as sent: a changed body no longer matches.
        let tampered = Self.envelope().replacing(#"\"on\""#, with: #"\"off\""#)
        #expect(Self.open(tampered, &v) == .failure(.badSignature("ops")))
        let malformed = [
            #"{"key":"ops","ts":1.5,"nonce":"0123456789abcdef","body":"{}","sig":"00"}"#,
            #"{"key":"ops","ts":-1,"nonce":"0123456789abcdef","body":"{}","sig":"00"}"#,
            #"{"key":"ops","ts":1e300,"nonce":"0123456789abcdef","body":"{}","sig":"00"}"#,
            #"{"key":"ops","ts":1,"nonce":"short","body":"{}","sig":"00"}"#,
            #"{"key":"ops","ts":1,"nonce":"0123456789abcdef","body":{},"sig":"00"}"#,
            #"{"key":"ops","ts":1,"nonce":"0123456789abcdef","body":"{}","sig":"zz"}"#,
            #"{"key":"o p s","ts":1,"nonce":"0123456789abcdef","body":"{}","sig":"00"}"#,
            #"{"key":"ops","ts":1,"nonce":"0123456789abcdef","body":"{}","sig":"00","extra":1}"#,
            #"["sig"]"#, #"{"sig": "#,
        ]
        for payload in malformed {
            guard case .failure(.malformed) = Self.open(payload, &v) else {
                Issue.record("accepted or misjudged: \(payload)")
                continue
            }
        }
        #expect(v.remembered == 0, "nothing refused was remembered")
    }

    /// A gateway that just started refuses what was signed before it did: a command recorded
    /// before a restart cannot be replayed after it, though the new process has no nonces yet.
    @Test func commandsSignedBeforeTheStartAreRefused() {
        var v = CommandVerifier(started: Self.now)
        #expect(Self.open(Self.envelope(ts: Self.nowSeconds - 5), &v) == .failure(.signedBeforeStart(key: "ops")))
        #expect(Self.open(Self.envelope(ts: Self.nowSeconds), &v).map(\.key.id) == .success("ops"))
    }

    /// The nonces kept are bounded: once full, those that can no longer pass the clock check are
    /// forgotten; if none can be, the command is refused rather than a nonce forgotten early.
    @Test func rememberedNoncesAreBounded() {
        var v = CommandVerifier(started: Self.started, nonceLimit: 3)
        for i in 0..<3 {
            #expect(Self.open(Self.envelope(nonce: "nonce-0000000000\(i)"), &v).map(\.key.id) == .success("ops"))
        }
        #expect(Self.open(Self.envelope(nonce: "nonce-00000000003"), &v) == .failure(.tooMany(limit: 3)))
        // 61 s later the first three are out of the window, and forgotten to make room.
        let later = WallTime(nanosecondsSinceEpoch: Self.now.nanosecondsSinceEpoch + 61_000_000_000)
        #expect(
            Self.open(Self.envelope(ts: Self.nowSeconds + 61, nonce: "nonce-00000000004"), &v, at: later).map(\.key.id) == .success("ops"))
        #expect(v.remembered == 1)
    }

    @Test func keysMayCommandOnlyWhatTheyAreGiven() {
        let key = CommandKey(id: "ops", secret: Self.secret, actuators: .only(["pump"]), alarms: .all, commands: .only(["on", "off", "ack"]))
        #expect(key.refusal(actuator: "pump", command: "on") == nil)
        #expect(key.refusal(actuator: "siren", command: "on") == "key 'ops' may not command actuator 'siren'")
        #expect(key.refusal(actuator: "pump", command: "override") == "key 'ops' may not send 'override'")
        #expect(key.refusal(alarm: "flood", command: "ack") == nil)
        #expect(!key.description.contains("42"), "the secret never shows")
    }

    /// What `sensegate set --key` sends is what the verifier takes, and equal to the test's own
    /// (independently written) envelope.
    @Test func theGatewaysOwnSignerMatches() throws {
        let key = Self.signing.keys["ops"]!
        let body = #"{"command":"off","id":"s-1"}"#
        let payload = SignedEnvelope.sign(
            body: body, topic: Self.topic, key: key, timestamp: Self.nowSeconds, nonce: "abcdefabcdef0123", mac: Self.mac)
        #expect(payload == Self.envelope(nonce: "abcdefabcdef0123", body: body))
        var v = CommandVerifier(started: Self.started)
        #expect(try String(decoding: Self.open(payload, &v).get().message.payload, as: UTF8.self) == body)
    }

    /// A refused command's answer echoes the sender's id, read without trusting anything else.
    @Test func theSendersIdIsFoundForTheAnswer() {
        #expect(SignedEnvelope.untrustedID(Array(Self.envelope(body: #"{"command":"on","id":"c7"}"#).utf8)) == "c7")
        #expect(SignedEnvelope.untrustedID(Array(#"{"command":"on","id":"plain"}"#.utf8)) == "plain")
        for payload in ["ON", "", #"{"id":7}"#, #"{"body":"not json","id":"outer"}"#, #"{"id":"\#(String(repeating: "x", count: 129))"}"#] {
            let id = SignedEnvelope.untrustedID(Array(payload.utf8))
            #expect(id == nil || id == "outer", "\(payload): \(String(describing: id))")
        }
    }
}
