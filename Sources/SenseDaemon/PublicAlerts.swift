import SenseAnalysis
import SenseConfig
import SenseCore

/// Which public alerts are out, per alarm, and what to say next (docs/cap.md). Pure: the
/// caller feeds each alarm's condition and the wall time, publishes what `decide` asks for, and
/// records it; the state survives restarts through `fileText` / `init(fileText:)`.
///
/// - An alarm that becomes active (and is not shelved) issues an `Alert`.
/// - An alert still out when the gateway restarts is followed by an `Update` that references it
///   if the alarm is active again, or a `Cancel` once the channel shows the condition absent.
/// - An alert with an `expires` is renewed by an `Update` before it runs out while the alarm lasts.
/// - It is cancelled only on evidence: a usable value with the condition absent and no change
///   pending, and not while the alarm chatters. A bad sensor never cancels an alert.
package struct PublicAlerts: Sendable, Equatable {
    struct Issued: Sendable, Hashable {
        var identifier: String
        var sent: WallTime
        /// Issued by an earlier run of the daemon (read back from the file).
        var restored: Bool
    }

    enum Decision: Sendable, Equatable {
        /// A new alert (`Alert`), or one that replaces `replacing` (`Update`).
        case alert(replacing: Issued?)
        case cancel(Issued)
    }

    private(set) var outstanding: [String: Issued] = [:]

    init() {}

    /// What to say about `alarm` now, if anything. `expires` is the alert's validity.
    func decide(alarm: String, _ c: AlarmEngine.PublicCondition, expires: Duration?, wall: WallTime) -> Decision? {
        let out = outstanding[alarm]
        if c.active {
            guard let out else { return c.shelved ? nil : .alert(replacing: nil) }
            if out.restored { return .alert(replacing: out) }
            // Renewed when nine tenths of its validity have passed, so receivers never see it lapse.
            if let e = expires, wall >= out.sent + .nanoseconds(e.nanoseconds / 10 * 9) { return .alert(replacing: out) }
            return nil
        }
        guard let out, c.settledClear, !c.chattering else { return nil }
        return .cancel(out)
    }

    /// An alert out for an alarm that no longer issues them (a reload removed its `cap:`): cancelled.
    func orphans(keeping alarms: Set<String>) -> [(String, Issued)] {
        outstanding.keys.sorted().filter { !alarms.contains($0) }.map { ($0, outstanding[$0]!) }
    }

    mutating func issued(_ alarm: String, identifier: String, sent: WallTime) {
        outstanding[alarm] = Issued(identifier: identifier, sent: sent, restored: false)
    }

    mutating func cancelled(_ alarm: String) { outstanding[alarm] = nil }

    // MARK: the file

    /// One line per alert: `alarm identifier sent-nanoseconds`.
    package var fileText: String {
        outstanding.keys.sorted().map { "\($0) \(outstanding[$0]!.identifier) \(outstanding[$0]!.sent.nanosecondsSinceEpoch)\n" }.joined()
    }

    /// Lines that do not parse are skipped (returned, for the log): a damaged file loses at most
    /// the reference to an old alert, never the gateway's start.
    init(fileText: String) {
        var bad: [String] = []
        self.init(fileText: fileText, skipped: &bad)
    }

    package init(fileText: String, skipped: inout [String]) {
        for line in fileText.split(separator: "\n") {
            let f = line.split(separator: " ")
            guard f.count == 3, let ns = Int64(f[2]) else {
                skipped.append(String(line))
                continue
            }
            outstanding[String(f[0])] = Issued(identifier: String(f[1]), sent: WallTime(nanosecondsSinceEpoch: ns), restored: true)
        }
    }
}
