import SenseOS
import Testing

/// The system's libcrypto through the shim, against RFC 4231's HMAC-SHA-256 test cases.
@Suite struct LibcryptoMACTests {
    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    @Test(arguments: [
        // RFC 4231 §4.2, §4.3 and §4.7 (a key longer than SHA-256's block).
        ([UInt8](repeating: 0x0b, count: 20), "Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), "what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        (
            [UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
    ])
    func rfc4231(key: [UInt8], data: String, expected: String) {
        #expect(Self.hex(LibcryptoMAC().hmacSHA256(key: key, message: Array(data.utf8))) == expected)
    }

    @Test func emptyInputsAndComparison() {
        let mac = LibcryptoMAC()
        let a = mac.hmacSHA256(key: [], message: [])
        #expect(a.count == 32)
        #expect(mac.equalMACs(a, mac.hmacSHA256(key: [], message: [])))
        var b = a
        b[31] ^= 1
        #expect(!mac.equalMACs(a, b))
        #expect(!mac.equalMACs(a, Array(a.prefix(31))), "a shorter MAC never equals")
    }
}
