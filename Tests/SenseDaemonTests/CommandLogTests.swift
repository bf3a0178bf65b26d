import Logging
import SenseCore
import SenseTesting
import Testing

@testable import SenseDaemon

/// What a flood of commands costs the journal and the broker: bounded (issue 17).
@Suite struct CommandLogTests {
    static let t0 = MonotonicInstant(nanoseconds: 1_000_000_000_000)

    @Test func aFloodIsLoggedThreeTimesPerTopicThenSummedUp() {
        let log = LogRecorder()
        let limiter = LogLimiter(what: "commands", now: Self.t0, logger: log.logger)
        for i in 0..<10_000 {
            limiter.log(.warning, key: "t/\(i % 2)", "refused \(i)", at: Self.t0 + .milliseconds(Int64(i) / 2))
        }
        limiter.flush(at: Self.t0 + .seconds(11))
        let lines = log.lines.map(\.message)
        #expect(lines.count == 6 + 2, "\(lines)")
        #expect(lines.contains("commands on t/0: 4997 more in the last 10s, not logged one by one; the last: refused 9998"))
        #expect(log.lines.allSatisfy { $0.level == .warning })
    }

    @Test func randomTopicsShareOneSummaryBeyondThirtyTwo() {
        let log = LogRecorder()
        let limiter = LogLimiter(what: "commands", now: Self.t0, logger: log.logger)
        for i in 0..<5000 { limiter.log(.info, key: "topic-\(i)", "line \(i)", at: Self.t0) }
        limiter.flush(at: Self.t0 + .seconds(10))
        #expect(log.lines.count == 32 + 3 + 1)  // 32 topics followed, the rest as one "further topics" key
        #expect(log.lines.last?.message.hasPrefix("commands on further topics: 4965 in the last 10s") == true)
        #expect(log.lines.last?.level == .info, "a summary of info lines is info")
    }

    @Test func refusalsAreAnsweredWithinABudget() {
        let log = LogRecorder()
        let commands = CommandLog(now: Self.t0, logger: log.logger)
        let answered = (0..<1000).filter { _ in commands.refused(topic: "t", "no", at: Self.t0) }.count
        #expect(answered == 200)  // the burst
        #expect(commands.counters == .init(accepted: 0, refused: 1000, unanswered: 800))
        // A second later the budget has refilled by 50.
        let later = (0..<100).filter { _ in commands.refused(topic: "t", "no", at: Self.t0 + .seconds(1)) }.count
        #expect(later == 50)
        commands.accepted(topic: "t", "yes", at: Self.t0 + .seconds(1))
        #expect(commands.counters.accepted == 1)
    }

    @Test func aHostileTopicIsShortenedInTheLog() {
        let long = String(repeating: "x", count: 70_000)
        #expect(LogLimiter.shown(long).utf8.count < 210)
        #expect(LogLimiter.shown("short") == "short")
    }
}
