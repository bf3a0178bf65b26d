import Logging
import SenseCore
import SenseWire

/// Log lines that outside input can multiply (a command flood, a storm of foreign discovery
/// configs, an actuator commanded on and off thousands of times), bounded: per key, the first
/// `linesPerKey` lines of a window are logged in full and the rest counted, then summed up in one
/// line when the window ends. At most `keys` keys are followed per window; the rest share one.
final class LogLimiter: Sendable {
    let window: Duration
    let linesPerKey: Int
    let keys: Int
    /// What the summary line calls the lines it sums up (`commands`, `actuator changes`).
    let what: String

    private struct KeyWindow {
        var logged = 0
        var suppressed = 0
        var lastLine = ""
        /// The summary is logged at the highest level of the lines it sums up.
        var level = Logger.Level.trace
    }

    private struct State {
        var start: MonotonicInstant
        var byKey: [String: KeyWindow] = [:]
        var others = KeyWindow()
    }

    private let state: Locked<State>
    private let logger: Logger

    init(what: String, window: Duration = .seconds(10), linesPerKey: Int = 3, keys: Int = 32, now: MonotonicInstant, logger: Logger) {
        self.what = what
        self.window = window
        self.linesPerKey = linesPerKey
        self.keys = keys
        self.logger = logger
        state = Locked(State(start: now))
    }

    /// `line` is only built when `level` is logged at all: output changes are on the reflex path.
    func log(_ level: Logger.Level, key: String, _ line: @autoclosure () -> String, at now: MonotonicInstant) {
        guard logger.logLevel <= level else { return }
        let line = line()
        flush(at: now)
        let full = state.withLock { s -> Bool in
            let followed = s.byKey[key] != nil || s.byKey.count < keys
            var w = followed ? s.byKey[key] ?? KeyWindow() : s.others
            let full = w.logged < linesPerKey
            if full {
                w.logged += 1
            } else {
                w.suppressed += 1
                w.level = max(w.level, level)
            }
            w.lastLine = line
            if followed { s.byKey[key] = w } else { s.others = w }
            return full
        }
        if full { logger.log(level: level, "\(line)") }
    }

    /// Ends the window if it is over: one summary line per key that had lines suppressed.
    func flush(at now: MonotonicInstant) {
        let summaries = state.withLock { s -> [(Logger.Level, String)] in
            guard now - s.start >= window else { return [] }
            var lines: [(Logger.Level, String)] = []
            let span = window.configText
            for (key, w) in s.byKey.sorted(by: { $0.key < $1.key }) where w.suppressed > 0 {
                lines.append((w.level, "\(what) on \(key): \(w.suppressed) more in the last \(span), not logged one by one; the last: \(w.lastLine)"))
            }
            if s.others.suppressed > 0 {
                lines.append(
                    (
                        s.others.level,
                        "\(what) on further topics: \(s.others.suppressed) in the last \(span), not logged one by one; "
                            + "the last: \(s.others.lastLine)"
                    ))
            }
            s.byKey.removeAll(keepingCapacity: true)
            s.others = KeyWindow()
            s.start = now
            return lines
        }
        for (level, line) in summaries { logger.log(level: level, "\(line)") }
    }

    /// A topic or name as log lines show it: a hostile one may be 64 KiB long.
    static func shown(_ text: String) -> String { QuotedText.shown(text) }
}
