/// A strict JSON parser (RFC 8259) for command payloads, without Foundation. Depth and size are
/// bounded: a command is small, and a hostile payload must not exhaust the gateway.
package indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        package var message: String
        package var offset: Int
        package var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    package static let maximumBytes = 16 * 1024
    package static let maximumDepth = 16

    package static func parse(_ bytes: [UInt8]) throws(ParseError) -> JSONValue {
        guard bytes.count <= maximumBytes else {
            throw ParseError(message: "larger than \(maximumBytes) bytes", offset: 0)
        }
        var p = Parser(bytes: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw ParseError(message: "unexpected data after the value", offset: p.i) }
        return v
    }

    private struct Parser {
        package let bytes: [UInt8]
        package var i = 0

        package mutating func skipSpace() {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
        }

        package func fail(_ m: String) -> ParseError { ParseError(message: m, offset: i) }

        package mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard depth < JSONValue.maximumDepth else { throw fail("nested deeper than \(JSONValue.maximumDepth)") }
            guard i < bytes.count else { throw fail("unexpected end") }
            switch bytes[i] {
            case UInt8(ascii: "{"): return try object(depth)
            case UInt8(ascii: "["): return try array(depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            default: return .number(try number())
            }
        }

        package mutating func literal(_ word: String) throws(ParseError) {
            let w = Array(word.utf8)
            guard i + w.count <= bytes.count, Array(bytes[i..<(i + w.count)]) == w else { throw fail("expected \(word)") }
            i += w.count
        }

        package mutating func object(_ depth: Int) throws(ParseError) -> JSONValue {
            i += 1
            var out: [String: JSONValue] = [:]
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
                i += 1
                return .object(out)
            }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
                let key = try string()
                guard out[key] == nil else { throw fail("duplicate key '\(key)'") }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                i += 1
                skipSpace()
                out[key] = try value(depth: depth + 1)
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end in an object") }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    return .object(out)
                }
                throw fail("expected ',' or '}'")
            }
        }

        package mutating func array(_ depth: Int) throws(ParseError) -> JSONValue {
            i += 1
            var out: [JSONValue] = []
            skipSpace()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                i += 1
                return .array(out)
            }
            while true {
                skipSpace()
                out.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end in an array") }
                if bytes[i] == UInt8(ascii: ",") {
                    i += 1
                    continue
                }
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    return .array(out)
                }
                throw fail("expected ',' or ']'")
            }
        }

        package mutating func string() throws(ParseError) -> String {
            i += 1
            var out: [UInt8] = []
            while i < bytes.count {
                let b = bytes[i]
                i += 1
                switch b {
                case UInt8(ascii: "\""):
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard i < bytes.count else { throw fail("unfinished escape") }
                    let e = bytes[i]
                    i += 1
                    switch e {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "u"):
                        guard i + 4 <= bytes.count, bytes[i..<(i + 4)].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
                            let code = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16)
                        else { throw fail("bad \\u escape") }
                        i += 4
                        // Surrogate pairs are not needed in commands: refuse rather than mangle.
                        guard let scalar = Unicode.Scalar(code) else { throw fail("unsupported \\u escape") }
                        out += Array(String(Character(scalar)).utf8)
                    default:
                        throw fail("unknown escape")
                    }
                case 0..<0x20:
                    throw fail("control character in a string")
                default:
                    out.append(b)
                }
            }
            throw fail("unfinished string")
        }

        /// RFC 8259's grammar exactly: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`,
        /// and finite (`1e400` is refused, not turned into infinity).
        package mutating func number() throws(ParseError) -> Double {
            let start = i
            func digit() -> Bool { i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
            func digits() -> Int {
                var n = 0
                while digit() {
                    i += 1
                    n += 1
                }
                return n
            }
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
            var ok = true
            if i < bytes.count, bytes[i] == UInt8(ascii: "0") { i += 1 } else { ok = digits() > 0 }
            if ok, i < bytes.count, bytes[i] == UInt8(ascii: ".") {
                i += 1
                ok = digits() > 0
            }
            if ok, i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
                i += 1
                if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
                ok = digits() > 0
            }
            let text = String(decoding: bytes[start..<i], as: UTF8.self)
            guard ok, i - start <= 64, let v = Double(text), v.isFinite else {
                i = start
                throw fail(text.isEmpty ? "unexpected character" : "not a number: \(String(text.prefix(64)))")
            }
            return v
        }
    }

    package subscript(key: String) -> JSONValue? {
        if case let .object(o) = self { return o[key] }
        return nil
    }
}
