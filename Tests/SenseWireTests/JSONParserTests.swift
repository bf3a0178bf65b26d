import SenseWire
import Testing

@Suite struct JSONParserTests {
    func parse(_ s: String) throws -> JSONValue { try JSONValue.parse(Array(s.utf8)) }

    @Test func parsesWhatCommandsContain() throws {
        let v = try parse(#" {"for": "30m", "by": "op \"7\"\n", "n": -1.5e2, "ok": true, "x": null, "a": [1, {"b": []}]} "#)
        #expect(v["for"] == .string("30m"))
        #expect(v["by"] == .string("op \"7\"\n"))
        #expect(v["n"] == .number(-150))
        #expect(v["ok"] == .bool(true))
        #expect(v["x"] == .null)
        #expect(v["a"] == .array([.number(1), .object(["b": .array([])])]))
        #expect(try parse(#""\u00e9""#) == .string("é"))
    }

    @Test(arguments: [
        "", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "{'a':1}", "{\"a\":1} x", "tru", "01x", "+1", ".5",
        "\"\u{01}\"", "{\"a\":1,\"a\":2}", "\"\\q\"", "NaN", "1e999",
    ])
    func refusesMalformed(text: String) {
        #expect(throws: JSONValue.ParseError.self) { _ = try JSONValue.parse(Array(text.utf8)) }
    }

    @Test func boundsDepthAndSize() {
        let deep = String(repeating: "[", count: 20) + String(repeating: "]", count: 20)
        #expect(throws: JSONValue.ParseError.self) { _ = try JSONValue.parse(Array(deep.utf8)) }
        let big = "\"" + String(repeating: "a", count: 20_000) + "\""
        #expect(throws: JSONValue.ParseError.self) { _ = try JSONValue.parse(Array(big.utf8)) }
    }
}
