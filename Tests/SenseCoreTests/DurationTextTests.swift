import SenseCore
import Testing

@Suite struct DurationTextTests {
    @Test(arguments: [
        ("250ms", Duration.milliseconds(250)), ("10s", .seconds(10)), ("1.5m", .seconds(90)), ("2h", .seconds(7200)),
        ("3", .seconds(3)), ("7d", .seconds(7 * 86_400)), ("0", .zero), ("0.0005s", .microseconds(500)),
        ("36500d", .seconds(36_500 * 86_400)),
    ])
    func parses(text: String, value: Duration) {
        #expect(DurationText.parse(text) == .success(value))
    }

    /// The reproductions of issue 17 and their relatives: each is a typed problem, never a trap.
    @Test(arguments: [
        ("99999999999999999999s", DurationText.Problem.tooLong("99999999999999999999s")),
        ("1e30s", .malformed("1e30s")), ("100000000000s", .tooLong("100000000000s")), ("10000000000d", .tooLong("10000000000d")),
        ("36501d", .tooLong("36501d")), ("-1s", .negative("-1s")), ("fast", .malformed("fast")), ("", .malformed("")),
        ("s", .malformed("s")), ("nans", .malformed("nans")), ("infs", .malformed("infs")), ("0x10s", .malformed("0x10s")),
        ("1..2s", .malformed("1..2s")), (" 5s", .malformed(" 5s")), ("5 s", .malformed("5 s")), ("+5s", .malformed("+5s")),
        (String(repeating: "9", count: 400) + "s", .malformed(String(repeating: "9", count: 400) + "s")),
    ])
    func refuses(text: String, problem: DurationText.Problem) {
        #expect(DurationText.parse(text) == .failure(problem))
    }

    @Test func checkedSecondsRefusesWhatIsNoDuration() {
        #expect(Duration(checkedSeconds: 1.5) == .milliseconds(1500))
        for bad in [Double.nan, .infinity, -.infinity, -1, 1e30, 1e20, Double.greatestFiniteMagnitude] {
            #expect(Duration(checkedSeconds: bad) == nil)
        }
    }

    @Test func instantsSaturateInsteadOfTrapping() {
        let late = MonotonicInstant(nanoseconds: .max - 5)
        #expect((late + .seconds(10)).nanoseconds == .max)
        #expect((MonotonicInstant(nanoseconds: .min) - MonotonicInstant(nanoseconds: 1)).nanoseconds == .min)
        #expect(Duration.seconds(Int64.max).nanoseconds == .max)
        #expect(Duration.seconds(Int64.min).nanoseconds == .min)
        #expect(Int64(checkedRounding: .nan) == nil)
        #expect(Int64(checkedRounding: 9.3e18) == nil)
        #expect(Int64(checkedRounding: -2.5) == -3)
        #expect(Int(checkedRounding: 2.7, .down) == 2)
    }

    @Test func limitsReadAsOperatorsWriteThem() {
        #expect((Duration.milliseconds(200)...Duration.seconds(86_400)).limitText == "between 200ms and 1d")
        #expect((Duration.zero...Duration.seconds(3600)).limitText == "at most 1h")
        #expect(Duration.seconds(7200).limitText == "2h")
    }
}
