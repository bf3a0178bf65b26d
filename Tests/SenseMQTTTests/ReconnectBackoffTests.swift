import SenseMQTT
import Testing

/// The wait between connection attempts: libmosquitto's exponential backoff, min × (n + 1)², at
/// most max, whatever the count of failures.
@Suite struct ReconnectBackoffTests {
    @Test func growsWithTheSquareOfTheFailuresUpToTheMaximum() {
        let backoff = ReconnectBackoff(minSeconds: 1, maxSeconds: 60)
        #expect((0..<9).map { backoff.delay(afterFailures: $0) } == [1, 4, 9, 16, 25, 36, 49, 60, 60].map { .seconds($0) })
    }

    @Test func staysAtTheMinimumWhenTheRangeIsOneValue() {
        let backoff = ReconnectBackoff(minSeconds: 2, maxSeconds: 2)
        #expect([0, 1, 100].map { backoff.delay(afterFailures: $0) } == [.seconds(2), .seconds(2), .seconds(2)])
    }

    @Test func absurdCountsAndBoundsNeitherTrapNorExceedTheMaximum() {
        #expect(ReconnectBackoff(minSeconds: 3600, maxSeconds: 3600).delay(afterFailures: .max) == .seconds(3600))
        #expect(ReconnectBackoff(minSeconds: .max, maxSeconds: .max).delay(afterFailures: .max) == .seconds(Int.max))
        #expect(ReconnectBackoff(minSeconds: 5, maxSeconds: 1).delay(afterFailures: 0) == .seconds(5))
        #expect(ReconnectBackoff(minSeconds: -1, maxSeconds: 10).delay(afterFailures: 3) == .seconds(0))
    }
}
