import Logging
import SenseConfig
import SenseCore
import SenseOS
#if canImport(Glibc)
import Glibc
#endif

/// Logs one line per record to stderr. Under systemd (`JOURNAL_STREAM` set) each line starts
/// with its syslog priority (`<3>`) so journald files it at the right level, and carries no
/// timestamp of its own; elsewhere lines start with an RFC 3339 time.
struct StderrLogHandler: LogHandler {
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    let label: String
    let journald: Bool

    init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
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
        writeStderr(line)
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
    _ = Syscall.writeAll(2, text.utf8)   // nowhere to report a failure to write the log
}
