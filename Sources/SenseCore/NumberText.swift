/// Numbers as operators write them, parsed totally: `Double(_:)` and `Int(_:)` also take `inf`,
/// `nan`, hexadecimal floats, `+` signs and thousands of digits, none of which a config value, a
/// command or a CLI input means.
public enum NumberText {
    /// A decimal number: an optional `-`, digits with at most one point, an optional exponent.
    /// Nil for anything else, for more than 64 characters, and for what is not finite.
    public static func decimal<S: StringProtocol>(_ text: S) -> Double? {
        var state = 0  // 0 sign, 1 integer digits, 2 fraction digits, 3 exponent sign, 4 exponent digits
        var digits = 0, exponentDigits = 0, count = 0
        for c in text.utf8 {
            count += 1
            guard count <= 64 else { return nil }
            switch c {
            case UInt8(ascii: "-") where state == 0: state = 1
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                guard state == 3 else { return nil }
                state = 4
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if state >= 3 {
                    exponentDigits += 1
                    state = 4
                } else {
                    digits += 1
                    if state == 0 { state = 1 }
                }
            case UInt8(ascii: "."):
                guard state <= 1 else { return nil }
                state = 2
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                guard state == 1 || state == 2, digits > 0 else { return nil }
                state = 3
            default: return nil
            }
        }
        guard digits > 0, state != 3, state != 4 || exponentDigits > 0, let v = Double(String(text)), v.isFinite else { return nil }
        return v
    }

    /// A whole number: decimal with an optional `-`, or hexadecimal with `0x`. Nil when it does
    /// not fit an `Int`.
    public static func integer<S: StringProtocol>(_ text: S) -> Int? {
        if text.hasPrefix("0x") || text.hasPrefix("0X") {
            let digits = text.dropFirst(2)
            guard !digits.isEmpty, digits.count <= 16, digits.allSatisfy(\.isHexDigit) else { return nil }
            return Int(digits, radix: 16)
        }
        let body = text.utf8.dropFirst(text.hasPrefix("-") ? 1 : 0)
        guard !body.isEmpty, body.count <= 19, body.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(String(text))
    }
}
