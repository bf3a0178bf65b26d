import SenseCore
import Testing

@Suite struct RFC3339Tests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"),
        (1_785_000_000_123_000_000, "2026-07-25T17:20:00.123Z"),
        (951_782_400_000_000_000, "2000-02-29T00:00:00.000Z"),
        (-1_000_000, "1969-12-31T23:59:59.999Z"),
        (4_102_444_799_999_000_000, "2099-12-31T23:59:59.999Z"),
    ])
    func formats(nanos: Int64, text: String) {
        #expect(WallTime(nanosecondsSinceEpoch: nanos).rfc3339 == text)
        #expect(WallTime(rfc3339: text)?.nanosecondsSinceEpoch == nanos)
    }

    @Test func parsesWholeSecondsAndRejectsJunk() {
        #expect(WallTime(rfc3339: "2026-11-23T04:07:19Z")?.nanosecondsSinceEpoch == 1_795_406_839_000_000_000)
        #expect(WallTime(rfc3339: "2026-11-23 04:07:19Z") == nil)
        #expect(WallTime(rfc3339: "yesterday") == nil)
    }

    @Test func everyMillisecondOfADayRoundTrips() {
        var t: Int64 = 1_795_392_000_000_000_000  // 2026-11-23T00:00Z
        for _ in 0..<2000 {
            t += 43_201_017_000_000 / 1000
            let ms = t / 1_000_000 * 1_000_000
            #expect(WallTime(rfc3339: WallTime(nanosecondsSinceEpoch: ms).rfc3339)?.nanosecondsSinceEpoch == ms)
        }
    }

    @Test func errnoNames() {
        #expect(Errno.describe(2) == "ENOENT (no such file or directory)")
        #expect(Errno.describe(121) == "EREMOTEIO (remote I/O error)")
        #expect(Errno.describe(9999) == "errno 9999")
    }

    @Test func durationNanoseconds() {
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration.microseconds(-3).nanoseconds == -3000)
    }
}

/// Found by fuzzing (the scalars target): an hour of 38 overflowed nothing, but a year of 9999
/// overflowed the nanoseconds; both are refused now.
@Suite struct RFC3339HostileTests {
    @Test(arguments: [
        "0226-11-23T38:07:23Z", "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-01-32T00:00:00Z",
        "2026-01-01T00:60:00Z", "9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00Z",
    ])
    func refuses(text: String) { #expect(WallTime(rfc3339: text) == nil) }
}
