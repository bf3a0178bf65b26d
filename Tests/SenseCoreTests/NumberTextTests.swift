import SenseCore
import Testing

@Suite struct NumberTextTests {
    @Test(arguments: [("42", 42.0), ("-1.5", -1.5), ("0.25", 0.25), ("1e3", 1000), ("2.5E-2", 0.025), ("-0", 0), (".5", 0.5), ("5.", 5)])
    func decimals(text: String, value: Double) { #expect(NumberText.decimal(text) == value) }

    @Test(arguments: [
        "", "-", ".", "e5", "1e", "1e+", "+1", "--1", "1-", "inf", "nan", "0x10", "1e999", "-1e999", "1.2.3", " 1", "1 ",
        "1,5", String(repeating: "1", count: 65),
    ])
    func notDecimals(text: String) { #expect(NumberText.decimal(text) == nil) }

    @Test func integers() {
        #expect(NumberText.integer("0x76") == 0x76)
        #expect(NumberText.integer("-12") == -12)
        #expect(NumberText.integer("9223372036854775807") == Int.max)
        for bad in ["9223372036854775808", "99999999999999999999", "0x", "0x1g", "0x10000000000000000", "+1", "1.0", "", "-", "1e3"] {
            #expect(NumberText.integer(bad) == nil, "\(bad)")
        }
    }
}
