import Logging
import SenseCore
import SenseHardware
import SenseReaction

/// Does what the reaction step decided, outside the engine's lock: the Outlet queues each
/// decision's events while it holds the lock (so the queue is in decision order) and calls
/// `apply()` after releasing it. Lines are set one batch at a time, in queue order, whoever
/// applies: the last decision is the level a line keeps. A sample that decides nothing never
/// waits for a line; nobody waits for a line while holding the engine's lock.
final class OutputExecutor: Sendable {
    private let pending = Locked<[ActuatorBank.Event]>([])
    /// Events queued or being set, per actuator: until its line is set, an actuator's decided
    /// level is not what its line shows, and its state is not published (the applier publishes
    /// it once the line is set). Without this, another sample's publication in between said
    /// `on` with the line still at its `off` level.
    private let unapplied = Locked<[String: Int]>([:])
    /// Held while lines are set: one applier at a time keeps the queue's order on the lines.
    private let lines: Locked<OutputLines?>
    /// Actuators whose line could not be set, with the error (read under the engine's lock,
    /// so kept apart from the lock held during line I/O).
    private let faults = Locked<[String: String]>([:])
    /// The physical level last set and the pin, per actuator, for the retained state.
    private let levels = Locked<[String: (pin: String, high: Bool)]>([:])
    /// Output changes applied, per actuator (the metrics' `sensegate_actuator_changes_total`).
    private let changes = Locked<[String: Int]>([:])
    private let changeLog: LogLimiter
    private let clock: any SenseClock
    private let logger: Logger

    init(lines: OutputLines?, changeLog: LogLimiter, clock: any SenseClock, logger: Logger) {
        self.lines = Locked(lines)
        self.changeLog = changeLog
        self.clock = clock
        self.logger = logger
        if let lines { levels.withLock { $0 = lines.all() } }
    }

    /// Queues a decision's events; called with the engine's lock held.
    func enqueue(_ events: [ActuatorBank.Event]) {
        guard !events.isEmpty else { return }
        unapplied.withLock { counts in
            for event in events { counts[event.actuator, default: 0] += 1 }
        }
        pending.withLock { $0 += events }
    }

    /// Whether a level decided for `actuator` is still waiting for its line.
    func isSettingLine(_ actuator: String) -> Bool { unapplied.withLock { $0[actuator] != nil } }

    /// Sets the lines for every queued event, in order. Returns whether anything was applied.
    @discardableResult
    func apply() -> Bool {
        lines.withLock { lines in
            let batch = pending.withLock { q -> [ActuatorBank.Event] in
                defer { q.removeAll(keepingCapacity: true) }
                return q
            }
            for event in batch {
                set(event, lines)
                unapplied.withLock { counts in
                    let left = (counts[event.actuator] ?? 1) - 1
                    counts[event.actuator] = left > 0 ? left : nil
                }
            }
            return !batch.isEmpty
        }
    }

    private func set(_ event: ActuatorBank.Event, _ lines: OutputLines?) {
        let level = event.change.level
        let now = clock.monotonicNow
        changes.withLock { $0[event.actuator, default: 0] += 1 }
        do throws(GPIOError) {
            try lines?.drive(event.actuator, on: level)
            if let l = lines?.line(event.actuator) { levels.withLock { $0[event.actuator] = l } }
            if faults.withLock({ $0.removeValue(forKey: event.actuator) }) != nil {
                logger.notice("actuator \(event.actuator): line works again")
            }
        } catch {
            faults.withLock { $0[event.actuator] = error.description }
            changeLog.log(.error, key: event.actuator, "actuator \(event.actuator): cannot set the line \(level ? "on" : "off"): \(error)", at: now)
        }
        changeLog.log(
            .info, key: event.actuator,
            "actuator \(event.actuator): \(level ? "on" : "off") (\(event.change.source.rawValue): \(event.change.detail))", at: now)
    }

    func fault(_ actuator: String) -> String? { faults.withLock { $0[actuator] } }

    /// How many output changes have been applied to `actuator`.
    func changeCount(_ actuator: String) -> Int { changes.withLock { $0[actuator] ?? 0 } }

    /// The pin and the physical level last set (true = high).
    func line(_ actuator: String) -> (pin: String, high: Bool)? { levels.withLock { $0[actuator] } }

    /// Applies what is queued, then gives the lines back (a clean stop).
    func release() {
        apply()
        lines.withLock { l in
            l?.release()
            l = nil
        }
    }
}
