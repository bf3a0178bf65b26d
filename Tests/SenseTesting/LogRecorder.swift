import Foundation
import Logging

/// A `Logger` whose lines are kept for a test to read, with their levels.
package final class LogRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [(level: Logger.Level, message: String)] = []

    package init() {}

    package var logger: Logger {
        Logger(label: "test") { [self] _ in Handler(recorder: self) }
    }

    package var lines: [(level: Logger.Level, message: String)] { lock.withLock { recorded } }

    fileprivate func append(_ level: Logger.Level, _ message: String) { lock.withLock { recorded.append((level, message)) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(
            level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String,
            function: String, line: UInt
        ) {
            recorder.append(level, message.description)
        }
    }
}
