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

    private mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): append("\\\"")
            case UInt8(ascii: "\\"): append("\\\\")
            case 0x0A: append("\\n")
            case 0x0D: append("\\r")
            case 0x09: append("\\t")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    package var text: String { String(decoding: bytes, as: UTF8.self) }
}
