/// A small JSON writer for payloads: objects written field by field in a fixed order, numbers
/// in their shortest round-trip form, strings escaped per RFC 8259. No Foundation.
package struct JSONWriter {
    package private(set) var bytes: [UInt8] = []
    private var needsComma = [false]

    package init() { bytes.reserveCapacity(128) }

    package mutating func beginObject() {
        comma()
        bytes.append(UInt8(ascii: "{"))
        needsComma.append(false)
    }
    package mutating func endObject() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "}"))
    }
    package mutating func beginArray() {
        comma()
        bytes.append(UInt8(ascii: "["))
        needsComma.append(false)
    }
    package mutating func endArray() {
        needsComma.removeLast()
        bytes.append(UInt8(ascii: "]"))
    }

    package mutating func key(_ k: String) {
        comma()
        string(k)
        bytes.append(UInt8(ascii: ":"))
        needsComma[needsComma.count - 1] = false
    }

    package mutating func field(_ k: String, _ v: String) {
        key(k)
        value(v)
    }
    package mutating func field(_ k: String, _ v: Double?) {
        key(k)
        value(v)
    }
    package mutating func field(_ k: String, _ v: Int64) {
        key(k)
        comma()
        append(String(v))
    }
    package mutating func field(_ k: String, _ v: Bool) {
        key(k)
        comma()
        append(v ? "true" : "false")
    }

    package mutating func value(_ s: String) {
        comma()
        string(s)
    }
    package mutating func value(_ b: Bool) {
        comma()
        append(b ? "true" : "false")
    }
    package mutating func null() {
        comma()
        append("null")
    }

    package mutating func value(_ d: Double?) {
        comma()
        guard let d, d.isFinite else { return append("null") }
        if d == d.rounded(), abs(d) < 1e15 { return append(String(Int64(d))) }
        append(d.description)
    }

    private mutating func comma() {
        if needsComma[needsComma.count - 1] { bytes.append(UInt8(ascii: ",")) }
        needsComma[needsComma.count - 1] = true
    }

    private mutating func append(_ s: String) { bytes.append(contentsOf: s.utf8) }

    /// A string with nothing to escape (nearly every one in a payload) goes in with one copy of
    /// its UTF-8; only one that needs escapes is written byte by byte.
    private mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        if s.utf8.contains(where: Self.needsEscape) {
            for b in s.utf8 {
                if Self.needsEscape(b) { escape(b) } else { bytes.append(b) }
            }
        } else {
            bytes.append(contentsOf: s.utf8)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ b: UInt8) -> Bool { b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") }

    private static let hex = Array("0123456789abcdef".utf8)

    private mutating func escape(_ b: UInt8) {
        switch b {
        case UInt8(ascii: "\""): append("\\\"")
        case UInt8(ascii: "\\"): append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        default:
            bytes += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), Self.hex[Int(b >> 4)], Self.hex[Int(b & 0xF)]]
        }
    }

    package var text: String { String(decoding: bytes, as: UTF8.self) }
}
