import SenseCore

/// The measurement schedule of a part that measures on its own clock: started at some instant,
/// a new result every `period`, each result readable once.
package struct MeasurementSchedule: Sendable, Hashable {
    package private(set) var started: MonotonicInstant?
    package private(set) var period: Duration
    private var taken = 0

    package init(period: Duration) { self.period = period }

    package var isRunning: Bool { started != nil }

    package mutating func start(_ now: MonotonicInstant, period: Duration? = nil) {
        started = now
        if let period { self.period = period }
        taken = 0
    }

    package mutating func stop() { started = nil }

    private func completed(_ now: MonotonicInstant) -> Int {
        guard let started else { return 0 }
        return Int((now - started) / period)
    }

    /// A result not yet read exists (and the part is not faulted into never being ready).
    package func hasNew(_ now: MonotonicInstant, _ fault: SensirionFault?) -> Bool {
        fault != .neverReady && completed(now) > taken
    }

    /// Marks every completed result as read.
    package mutating func take(_ now: MonotonicInstant) { taken = completed(now) }
}
