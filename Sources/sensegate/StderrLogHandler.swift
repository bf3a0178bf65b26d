import Logging
import SenseConfig
import SenseCore
import SenseDaemon
import SenseOS
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Logs one line per record to stderr. Under systemd (`JOURNAL_STREAM` set) each line starts
/// with its syslog priority (`<3>`) so journald files it at the right level, and carries no
/// timestamp of its own; elsewhere lines start with an RFC 3339 time.
struct StderrLogHandler: LogHandler {
    /// The process's level (`--log-level`, or `log_level`, which a reload may change), unless
    /// this logger's own was set.
    var logLevel: Logger.Level {
        get { ownLevel ?? levels.current }
        set { ownLevel = newValue }
    }
    var metadata: Logger.Metadata = [:]
    let label: String
    let journald: Bool
    private let levels: SharedLogLevel
    private var ownLevel: Logger.Level?
    /// The thread that writes to stderr, so that logging never waits for journald or a terminal
    /// (nil if it could not start: then each line is written at once).
    private let output: LineWriter?

    init(label: String, levels: SharedLogLevel, output: LineWriter?) {
        self.label = label
        self.levels = levels
        self.output = output
        journald = SourceFile.environment("JOURNAL_STREAM") != nil
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let meta = all.isEmpty ? "" : " " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let line: String
        if journald {
            line = "<\(Self.priority(event.level))>\(event.message)\(meta)\n"
        } else {
            line = "\(SystemClock().wallNow.rfc3339) \(event.level) \(event.message)\(meta)\n"
        }
        if let output { output.write(line) } else { writeStderr(line) }
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}

extension LogLevel {
    var swiftLog: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}

/// One write(2) per line, so concurrent log lines never interleave mid-line (a short write, or
/// one a signal interrupted, goes on where it stopped).
func writeStderr(_ text: String) {
    _ = Syscall.writeAll(2, text.utf8)  // nowhere to report a failure to write the log
}

/// A terminal frame, written whole (print's buffer would split it).
func writeStdout(_ text: String) {
    _ = Syscall.writeAll(1, text.utf8)  // a closed terminal: the next frame fails too, and SIGHUP ends us
}

/// The log level every handler reads. `--log-level` pins it; otherwise it is the configuration's
/// `log_level`, and a reload that changes it applies it at once.
final class SharedLogLevel: LogLevelControl {
    private let level: Atomic<Int>
    private let pinned: Bool

    init(_ initial: LogLevel, pinned: Bool) {
        level = Atomic(LogLevel.allCases.firstIndex(of: initial) ?? 2)
        self.pinned = pinned
    }

    var current: Logger.Level { LogLevel.allCases[level.load(ordering: .relaxed)].swiftLog }

    func apply(_ l: LogLevel) -> Bool {
        guard !pinned else { return false }
        level.store(LogLevel.allCases.firstIndex(of: l) ?? 2, ordering: .relaxed)
        return true
    }
}
