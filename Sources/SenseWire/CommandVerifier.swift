import SenseCore

/// Checks signed commands: the envelope, the key, the HMAC (compared in constant time), the
/// clock window and the nonce. Nonces are remembered while their command could still pass the
/// clock check, at most `nonceLimit` of them; commands signed before the gateway started are
/// refused, so a command recorded before a restart cannot be replayed after it. One verifier
/// lives as long as the process, across reloads (a reload must not forget the nonces).
package struct CommandVerifier: Sendable {
    /// A command the signature vouches for: the inner command as a message on the same topic,
    /// and the key that signed it.
    package struct Verified: Sendable, Equatable {
        package var message: IncomingMessage
        package var key: CommandKey
    }

    package static let defaultNonceLimit = 4096

    private struct Used: Hashable {
        var key: String
        var nonce: String
    }

    private var used: [Used: Int64] = [:]
    private let startedAt: Int64
    private let nonceLimit: Int

    /// `started`: the process's start (wall time).
    package init(started: WallTime, nonceLimit: Int = defaultNonceLimit) {
        startedAt = started.nanosecondsSinceEpoch / 1_000_000_000
        self.nonceLimit = max(1, nonceLimit)
    }

    /// Nonces remembered now.
    package var remembered: Int { used.count }

    package mutating func open(
        _ message: IncomingMessage, signing: CommandSigning, mac: any MessageAuthentication, now: WallTime
    ) throws(SignatureRefusal) -> Verified {
        let e = try SignedEnvelope.parse(message)
        guard let key = signing.keys[e.key] else { throw .unknownKey(e.key) }
        let expected = mac.hmacSHA256(
            key: key.secret,
            message: SignedEnvelope.signedBytes(key: e.key, topic: message.topic, timestamp: e.timestamp, nonce: e.nonce, body: e.body))
        guard mac.equalMACs(expected, e.signature) else { throw .badSignature(e.key) }
        let nowSeconds = now.nanosecondsSinceEpoch / 1_000_000_000
        let window = signing.window.nanoseconds / 1_000_000_000
        let skew = e.timestamp - nowSeconds
        guard abs(skew) <= window else { throw .stale(key: e.key, skew: skew, window: window) }
        guard e.timestamp >= startedAt else { throw .signedBeforeStart(key: e.key) }
        let entry = Used(key: e.key, nonce: e.nonce)
        guard used[entry] == nil else { throw .replayed(key: e.key) }
        if used.count >= nonceLimit {
            // Forget what can no longer pass the clock check; what remains could still be replayed.
            used = used.filter { $0.value + window >= nowSeconds }
            guard used.count < nonceLimit else { throw .tooMany(limit: nonceLimit) }
        }
        used[entry] = e.timestamp
        let inner = IncomingMessage(topic: message.topic, payload: Array(e.body.utf8), retained: message.retained)
        return Verified(message: inner, key: key)
    }
}
