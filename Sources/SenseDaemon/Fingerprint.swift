/// FNV-1a, 64 bits, over bytes: a cheap fingerprint to tell a payload from another in memory
/// (not a defence against someone choosing collisions: what it guards is only a resend).
enum Fingerprint {
    static func of(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    static func of(_ text: String) -> UInt64 { of(Array(text.utf8)) }
}
