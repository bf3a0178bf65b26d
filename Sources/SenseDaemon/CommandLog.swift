import Logging
import SenseCore
import Synchronization

/// What the gateway says about operator commands, bounded: anyone who may publish to the broker
/// can send thousands of commands a second, and neither the journal nor the broker may pay for
/// each. Per topic, the first `linesPerWindow` lines of a window are logged in full and the rest
/// counted, then summed up in one line; refusals are answered while a budget lasts (accepted
/// commands always are). Counters for health.
final class CommandLog: Sendable {
    struct Counters: Sendable, Equatable {
        var accepted = 0
        var refused = 0
        /// Refusals beyond the answer budget: refused, logged in a summary, not answered.
        var unanswered = 0
    }

    static let window: Duration = .seconds(10)
    static let linesPerWindow = 3
    /// Topics followed one by one within a window; the rest share one summary line (a flood on
    /// random topics must not grow this table).
    static let topicsPerWindow = 32
    /// Refusals answered per second, sustained, and in a burst.
    static let answersPerSecond = 50.0
    static let answerBurst = 200.0

    private struct TopicWindow {
        var logged = 0
        var suppressed = 0
        var lastLine = ""
    }

    private struct State {
        var windowStart: MonotonicInstant
        var topics: [String: TopicWindow] = [:]
        var otherTopics = TopicWindow()
        var tokens = CommandLog.answerBurst
        var refilled: MonotonicInstant
        var counters = Counters()
    }

    private let state: Mutex<State>
    private let logger: Logger

    init(now: MonotonicInstant, logger: Logger) {
        state = Mutex(State(windowStart: now, refilled: now))
        self.logger = logger
    }

    var counters: Counters { state.withLock { $0.counters } }

    /// A topic as log lines show it: a hostile one may be 64 KiB long.
    static func shown(_ topic: String) -> String {
        topic.utf8.count <= 200 ? topic : String(decoding: topic.utf8.prefix(200), as: UTF8.self) + "…"
    }

    func accepted(topic: String, _ line: String, at now: MonotonicInstant) {
        state.withLock { $0.counters.accepted += 1 }
        log(.notice, topic: topic, line, at: now)
    }

    /// Logs a refusal; true when it may be answered (the answer budget is not spent).
    func refused(topic: String, _ line: String, at now: MonotonicInstant) -> Bool {
        let answer = state.withLock { s -> Bool in
            s.counters.refused += 1
            let elapsed = (now - s.refilled).seconds
            if elapsed > 0 {
                s.tokens = min(Self.answerBurst, s.tokens + elapsed * Self.answersPerSecond)
                s.refilled = now
            }
            guard s.tokens >= 1 else {
                s.counters.unanswered += 1
                return false
            }
            s.tokens -= 1
            return true
        }
        log(.warning, topic: topic, answer ? line : line + " (not answered: more than \(Int(Self.answersPerSecond)) refusals a second)", at: now)
        return answer
    }

    /// Ends the window if it is over: one summary line per topic that had lines suppressed.
    func flush(at now: MonotonicInstant) {
        let summaries = state.withLock { s -> [String] in
            guard now - s.windowStart >= Self.window else { return [] }
            var lines: [String] = []
            for (topic, w) in s.topics.sorted(by: { $0.key < $1.key }) where w.suppressed > 0 {
                lines.append("commands on \(topic): \(w.suppressed) more in the last \(Self.window.configText), not logged one by one; the last: \(w.lastLine)")
            }
            if s.otherTopics.suppressed > 0 {
                lines.append("commands on further topics: \(s.otherTopics.suppressed) in the last \(Self.window.configText), not logged one by one; "
                             + "the last: \(s.otherTopics.lastLine)")
            }
            s.topics.removeAll(keepingCapacity: true)
            s.otherTopics = TopicWindow()
            s.windowStart = now
            return lines
        }
        for line in summaries { logger.warning("\(line)") }
    }

    private func log(_ level: Logger.Level, topic: String, _ line: String, at now: MonotonicInstant) {
        flush(at: now)
        let full = state.withLock { s -> Bool in
            let key = s.topics[topic] != nil || s.topics.count < Self.topicsPerWindow ? topic : nil
            var w = key.flatMap { s.topics[$0] } ?? (key == nil ? s.otherTopics : TopicWindow())
            let full = w.logged < Self.linesPerWindow
            if full { w.logged += 1 } else { w.suppressed += 1 }
            w.lastLine = line
            if let key { s.topics[key] = w } else { s.otherTopics = w }
            return full
        }
        if full { logger.log(level: level, "\(line)") }
    }
}
