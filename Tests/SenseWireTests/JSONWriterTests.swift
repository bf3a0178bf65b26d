import Foundation
import SenseWire
import Testing

@Suite struct JSONWriterTests {
    /// Any string, with quotes, backslashes, every control character and non-ASCII text, comes
    /// back unchanged through a JSON parser that is not ours.
    @Test func everyStringRoundTrips() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] =
            ["a", "Z", "0", " ", "\"", "\\", "/", "é", "µ", "°", "🌧", "\u{7F}"] + (0..<0x20).map { Character(UnicodeScalar($0)) }
        var strings = ["", "plain", "\"", "\\", "\u{0}", "end\\", "\"start", String(repeating: "x", count: 5000)]
        for _ in 0..<500 {
            strings.append(String((0..<Int.random(in: 0..<40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for s in strings {
            var w = JSONWriter()
            w.beginObject()
            w.field(s, s)
            w.endObject()
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String: String], "\(w.text)")
            #expect(parsed == [s: s], "\(w.text)")
        }
    }

    @Test func escapesAreTheShortForms() {
        var w = JSONWriter()
        w.value("a\"b\\c\nd\re\tf\u{1}g")
        #expect(w.text == #""a\"b\\c\nd\re\tf\u0001g""#)
    }
}
