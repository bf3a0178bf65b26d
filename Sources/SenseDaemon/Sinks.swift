import SenseConfig
import SenseCore
import SenseWire

/// Where a sensor's task hands what it measured: the `Outlet` in the daemon (analysis, reaction,
/// publishing, in that order), a recorder in a test. A named hand-off rather than a closure, so
/// that go-to-definition follows a reading from the poller or a GPIO edge to the outlet.
package protocol SampleSink: Sendable {
    /// Takes one batch (the channels of one fetch, or one edge's state); never waits for the
    /// network or the disk.
    func accept(_ batch: [Sample])
}

/// What the MQTT session hands the daemon: each (re)connection, and each message on a command
/// topic (Home Assistant's own are handled by the session).
package protocol SessionListener: Sendable {
    /// The broker took the connection: what a subscriber must find is published again.
    func connected()
    /// A message on a command topic, in the session's own task, never in libmosquitto's callback.
    func received(_ message: IncomingMessage)
}

/// Where a traffic station hands each step's report (measures, records, vehicles).
package protocol TrafficReportSink: Sendable {
    func accept(_ report: TrafficReport)
}

/// Applies `log_level` from a reloaded configuration: the executable owns the log handler, the
/// daemon only says which level the configuration now asks for.
package protocol LogLevelControl: Sendable {
    /// False when the level is pinned (`--log-level` on the command line).
    func apply(_ level: LogLevel) -> Bool
}
