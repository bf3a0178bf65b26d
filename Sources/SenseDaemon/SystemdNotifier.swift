import CLinuxShim
import Logging
import SenseConfig

#if canImport(Glibc)
    import Glibc
#endif

/// sd_notify(3) without libsystemd: datagrams to `$NOTIFY_SOCKET` (READY=1, WATCHDOG=1,
/// RELOADING=1, STOPPING=1, STATUS=…). Silent when not started by systemd.
package struct SystemdNotifier: Sendable {
    package let socketPath: String?
    /// Half of `WATCHDOG_USEC` when the watchdog is on for this process.
    package let watchdogInterval: Duration?
    private let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
        socketPath = SourceFile.environment("NOTIFY_SOCKET")
        let pidMatches = SourceFile.environment("WATCHDOG_PID").map { Int32($0) == getpid() } ?? true
        if pidMatches, let usec = SourceFile.environment("WATCHDOG_USEC").flatMap({ Int64($0) }), usec > 0 {
            watchdogInterval = .microseconds(usec / 2)
        } else {
            watchdogInterval = nil
        }
    }

    package func notify(_ message: String) {
        guard let socketPath else { return }
        let rc = sg_sd_notify(socketPath, message)
        if rc < 0 { logger.warning("sd_notify to \(socketPath) failed: errno \(-rc)") }
    }
}
