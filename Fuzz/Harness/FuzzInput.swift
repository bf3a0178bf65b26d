/// A fuzzer's bytes taken apart: a few leading bytes choose a variant, the rest is split into
/// fields at a separator. Deterministic, so a crash found by libFuzzer replays the same way.
struct FuzzInput {
    private(set) var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    /// The next byte (0 when none is left).
    mutating func byte() -> UInt8 { bytes.popFirst() ?? 0 }

    /// Everything up to the next `separator` (or the end), without it.
    mutating func field(separator: UInt8 = 0x0A) -> [UInt8] {
        let end = bytes.firstIndex(of: separator) ?? bytes.endIndex
        let out = Array(bytes[bytes.startIndex..<end])
        bytes = end < bytes.endIndex ? bytes[(end + 1)...] : bytes[end...]
        return out
    }

    var rest: [UInt8] { Array(bytes) }
    var isEmpty: Bool { bytes.isEmpty }

    /// Text as a gateway would read it from outside: invalid UTF-8 repaired, not refused.
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}
