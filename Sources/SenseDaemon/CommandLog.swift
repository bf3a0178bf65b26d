import Logging
import SenseCore

/// The audit log of operator commands (`CommandAudit` lines), bounded: anyone who may publish
/// to the broker can send thousands of commands a second, and neither the journal nor the broker
/// may pay for each. Lines go through `LogLimiter`s keyed by topic: accepted commands have a line
/// each up to 100 per topic in 10 s, refusals 20; the rest are counted in a summary line. Refusals
/// are answered while a budget lasts (accepted commands always are). Counters for health and
/// metrics, refused signatures by kind.
final class CommandLog: Sendable {
    struct Counters: Sendable, Equatable {
        var accepted = 0
        var refused = 0
        /// Refusals beyond the answer budget: refused, logged in a summary, not answered.
        var unanswered = 0
        /// Refused for their signature (`SignatureRefusal.kind`), also counted in `refused`.
        var signatures: [String: Int] = [:]
    }

    /// Refusals answered per second, sustained, and in a burst.
    static let answersPerSecond = 50.0
    static let answerBurst = 200.0

    private struct Budget {
        var tokens = CommandLog.answerBurst
        var refilled: MonotonicInstant
        var counters = Counters()
    }

    private let budget: Locked<Budget>
    private let lines: LogLimiter
    private let acceptedLines: LogLimiter

    init(now: MonotonicInstant, logger: Logger) {
        budget = Locked(Budget(refilled: now))
        lines = LogLimiter(what: "refused commands", linesPerKey: 20, now: now, logger: logger)
        acceptedLines = LogLimiter(what: "accepted commands", linesPerKey: 100, keys: 64, now: now, logger: logger)
    }

    var counters: Counters { budget.withLock { $0.counters } }

    func accepted(topic: String, _ line: @autoclosure () -> String, at now: MonotonicInstant) {
        budget.withLock { $0.counters.accepted += 1 }
        acceptedLines.log(.notice, key: topic, line(), at: now)
    }

    /// A refusal for the signature; `refused` counts and logs it too.
    func signatureRefused(_ kind: String) {
        budget.withLock { $0.counters.signatures[kind, default: 0] += 1 }
    }

    /// Logs a refusal; true when it may be answered (the answer budget is not spent).
    func refused(topic: String, _ line: String, at now: MonotonicInstant) -> Bool {
        let answer = budget.withLock { b -> Bool in
            b.counters.refused += 1
            let elapsed = (now - b.refilled).seconds
            if elapsed > 0 {
                b.tokens = min(Self.answerBurst, b.tokens + elapsed * Self.answersPerSecond)
                b.refilled = now
            }
            guard b.tokens >= 1 else {
                b.counters.unanswered += 1
                return false
            }
            b.tokens -= 1
            return true
        }
        lines.log(.warning, key: topic, answer ? line : line + " (not answered: more than \(Int(Self.answersPerSecond)) refusals a second)", at: now)
        return answer
    }

    func flush(at now: MonotonicInstant) {
        lines.flush(at: now)
        acceptedLines.flush(at: now)
    }
}
