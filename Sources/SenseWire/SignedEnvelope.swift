import SenseCore

/// A signed command as it arrives on the command's own topic:
/// `{"key": ID, "ts": UNIX_SECONDS, "nonce": TEXT, "body": COMMAND, "sig": HEX}`, where `body` is
/// the command's usual payload as a string and `sig` is the HMAC-SHA-256, in hex, of
/// `sensegate-command-v1 LF key LF topic LF ts LF nonce LF body` (UTF-8, `ts` in decimal). The
/// signature covers the topic, so a command for one actuator cannot be replayed to another.
package struct SignedEnvelope: Sendable, Equatable {
    package var key: String
    package var timestamp: Int64
    package var nonce: String
    package var body: String
    package var signature: [UInt8]

    package static let domain = "sensegate-command-v1"
    package static let nonceLength = 16...64
    /// Whole seconds a JSON number carries exactly.
    package static let timestampRange: ClosedRange<Int64> = 0...(1 << 53)

    /// The bytes the signature covers.
    package static func signedBytes(key: String, topic: String, timestamp: Int64, nonce: String, body: String) -> [UInt8] {
        Array([domain, key, topic, String(timestamp), nonce, body].joined(separator: "\n").utf8)
    }

    /// The envelope's payload for `body` on `topic`, signed with `key` at `timestamp` (Unix
    /// seconds) under a fresh `nonce` (16–64 of `A-Z a-z 0-9 - _`).
    package static func sign(
        body: String, topic: String, key: CommandKey, timestamp: Int64, nonce: String, mac: any MessageAuthentication
    ) -> String {
        let sig = mac.hmacSHA256(
            key: key.secret, message: signedBytes(key: key.id, topic: topic, timestamp: timestamp, nonce: nonce, body: body))
        var w = JSONWriter()
        w.beginObject()
        w.field("key", key.id)
        w.field("ts", timestamp)
        w.field("nonce", nonce)
        w.field("body", body)
        w.field("sig", hexText(sig))
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// The `id` a refused command's answer may carry so that its sender can match it: the
    /// envelope body's, or the payload's own; nil when there is none (or it is not a short
    /// string). Nothing else of an unverified command is used.
    package static func untrustedID(_ payload: [UInt8]) -> String? {
        guard payload.count <= CommandPayload.sizeLimit, case let .object(o) = jsonOrNull(payload) else { return nil }
        var object = o
        if case let .string(body)? = o["body"], case let .object(inner) = jsonOrNull(Array(body.utf8)) { object = inner }
        guard case let .string(id)? = object["id"], id.utf8.count <= 128 else { return nil }
        return id
    }

    /// Text that is not JSON has no id to echo: here, and only here, a parse error is `null`.
    private static func jsonOrNull(_ bytes: [UInt8]) -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch {
            return .null
        }
    }

    /// Whether a payload is meant as an envelope (a JSON object with a `sig`), cheaply: an
    /// unsigned command gets "signature required" rather than a JSON complaint.
    package static func looksSigned(_ payload: [UInt8]) -> Bool {
        let sig = Array("\"sig\"".utf8)
        guard payload.count >= sig.count else { return false }
        return (0...(payload.count - sig.count)).contains { i in payload[i..<(i + sig.count)].elementsEqual(sig) }
    }

    package static func parse(_ message: IncomingMessage) throws(SignatureRefusal) -> SignedEnvelope {
        guard message.length <= CommandPayload.sizeLimit, !message.isOversized else {
            throw .malformed("the payload (\(message.length) bytes) is larger than \(CommandPayload.sizeLimit) bytes")
        }
        guard looksSigned(message.payload) else { throw .unsigned }
        let value: JSONValue
        do {
            value = try JSONValue.parse(message.payload)
        } catch {
            throw .malformed(error.description)
        }
        guard case let .object(o) = value else { throw .malformed("the payload must be a JSON object") }
        let fields: Set<String> = ["key", "ts", "nonce", "body", "sig"]
        for k in o.keys.sorted() where !fields.contains(k) {
            throw .malformed("unknown field '\(QuotedText.shown(k))' in a signed command; it takes: body, key, nonce, sig, ts")
        }
        guard case let .string(key)? = o["key"], CommandKey.validID(key) else {
            throw .malformed("'key' must be a key id: 1–64 letters, digits and ._-")
        }
        guard case let .number(ts)? = o["ts"], ts.rounded(.towardZero) == ts,
            let timestamp = Int64(exactly: ts), timestampRange.contains(timestamp)
        else {
            throw .malformed("'ts' must be the signing time in whole seconds since 1970 (a JSON number)")
        }
        guard case let .string(nonce)? = o["nonce"], nonceLength.contains(nonce.utf8.count),
            nonce.utf8.allSatisfy({ isIDByte($0) && $0 != 0x2E })
        else {
            throw .malformed("'nonce' must be 16–64 letters, digits, '-' or '_', new for every command")
        }
        guard case let .string(body)? = o["body"] else {
            throw .malformed("'body' must be the command's payload as a JSON string")
        }
        guard case let .string(sig)? = o["sig"], let signature = hexBytes(sig), signature.count == 32 else {
            throw .malformed("'sig' must be the HMAC-SHA-256 in 64 hex digits")
        }
        return SignedEnvelope(key: key, timestamp: timestamp, nonce: nonce, body: body, signature: signature)
    }

    /// Letters, digits and `._-`.
    package static func isIDByte(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 95
    }

    /// Two lowercase hex digits per byte (the signature, a nonce).
    package static func hexText(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    package static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = hexValue(digits[i]), let lo = hexValue(digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }
}

/// Why a command's signature is not accepted; the reason goes to the answer topic and the audit line.
package enum SignatureRefusal: Error, Sendable, Equatable {
    case unsigned
    case malformed(String)
    case unknownKey(String)
    case badSignature(String)
    case stale(key: String, skew: Int64, window: Int64)
    case signedBeforeStart(key: String)
    case replayed(key: String)
    case tooMany(limit: Int)

    /// The counter this refusal is counted under (a label of the metrics).
    package var kind: String {
        switch self {
        case .unsigned: "unsigned"
        case .malformed: "malformed"
        case .unknownKey: "unknown_key"
        case .badSignature: "bad_signature"
        case .stale, .signedBeforeStart: "stale"
        case .replayed: "replayed"
        case .tooMany: "too_many"
        }
    }

    package static let kinds = ["unsigned", "malformed", "unknown_key", "bad_signature", "stale", "replayed", "too_many"]

    package var reason: String {
        switch self {
        case .unsigned:
            "this gateway takes signed commands only (commands.require_signature): send the envelope with key, ts, nonce, body and sig"
        case let .malformed(why): "a malformed signed command: \(why)"
        case let .unknownKey(id): "unknown key '\(QuotedText.shown(id))'"
        case let .badSignature(id): "the signature does not match (key '\(id)'; it covers the topic, ts, nonce and body as sent)"
        case let .stale(id, skew, window):
            "signed \(skew > 0 ? "\(skew) s in the future" : "\(-skew) s ago") by the gateway's clock; key '\(id)' commands are taken within ±\(window) s"
        case let .signedBeforeStart(id):
            "signed (key '\(id)') before this gateway started: a replay across the restart cannot be ruled out, so sign it anew"
        case let .replayed(id): "the nonce was already used with key '\(id)': a command acts once"
        case let .tooMany(limit): "more than \(limit) signed commands within the clock window"
        }
    }

    /// Who the refusal can name: the envelope's key id once it is known.
    package var keyID: String? {
        switch self {
        case .unsigned, .malformed, .tooMany: nil
        case let .unknownKey(id): QuotedText.shown(id)
        case let .badSignature(id), let .stale(id, _, _), let .signedBeforeStart(id), let .replayed(id): id
        }
    }
}
