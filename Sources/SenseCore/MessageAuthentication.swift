/// HMAC-SHA-256 (RFC 2104 over FIPS 180-4 SHA-256) from a vetted library, injected: the wire
/// layer checks signed commands with it, and the OS layer supplies the system's libcrypto.
public protocol MessageAuthentication: Sendable {
    /// The 32-byte HMAC-SHA-256 of `message` under `key`.
    func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8]
    /// Whether two MACs are equal, in a time that does not depend on where they differ.
    func equalMACs(_ a: [UInt8], _ b: [UInt8]) -> Bool
}
