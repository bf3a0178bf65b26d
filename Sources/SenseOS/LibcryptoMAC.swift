import CCrypto
import SenseCore

/// HMAC-SHA-256 from the system's libcrypto (OpenSSL 3), which libmosquitto already loads for TLS.
package struct LibcryptoMAC: MessageAuthentication {
    package init() {}

    package func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        // Keys come from key files of at most a few hundred bytes (the config checks them).
        precondition(key.count <= Int(Int32.max), "an HMAC key of \(key.count) bytes")
        var out = [UInt8](repeating: 0, count: 32)
        let ok = key.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { o in
                    ccrypto_hmac_sha256(k.baseAddress, Int32(k.count), m.baseAddress, m.count, o.baseAddress)
                }
            }
        }
        // HMAC over SHA-256 fails only when libcrypto cannot allocate its context.
        precondition(ok == 1, "libcrypto's HMAC-SHA-256 failed")
        return out
    }

    package func equalMACs(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in ccrypto_equal(x.baseAddress, y.baseAddress, x.count) == 1 } }
    }
}
