import SenseCore
import SenseDrivers

/// A hand-written fake polled driver: each fetch plays the next scripted outcome and records the
/// clock time; when the script is used up it cancels the task that polls it.
package final class ScriptedSensorDriver: PolledSensorDriver, @unchecked Sendable {
    package enum Outcome: Sendable {
        case value(Double)
        case fault(QualityReason)
    }

    private let script: Locked<[Outcome]>
    private let clock: any SenseClock
    private let log = Locked<(fetches: [MonotonicInstant], initializations: Int)>(([], 0))
    /// With `holdsFirstFetch`: the first fetch waits here until `release()` (a sensor stuck on
    /// its bus, or in a long conversion).
    private let hold = Locked<(held: Bool, waiting: CheckedContinuation<Void, Never>?)>((false, nil))

    package init(_ script: [Outcome], clock: any SenseClock, holdsFirstFetch: Bool = false) {
        self.script = Locked(script)
        self.clock = clock
        hold.withLock { $0.held = holdsFirstFetch }
    }

    /// Lets a held first fetch finish.
    package func release() {
        let waiting = hold.withLock { h -> CheckedContinuation<Void, Never>? in
            defer { h = (false, nil) }
            return h.waiting
        }
        waiting?.resume()
    }

    package var channels: [(quantity: String, unit: Unit)] { [("temperature", .celsius), ("pressure", .pascal)] }
    package var fetchTimes: [MonotonicInstant] { log.withLock { $0.fetches } }
    package var initializations: Int { log.withLock { $0.initializations } }

    package func initialize() async throws(SensorFault) {
        log.withLock { $0.initializations += 1 }
    }

    package func fetch() async throws(SensorFault) -> [ChannelReading] {
        log.withLock { $0.fetches.append(clock.monotonicNow) }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let wait = hold.withLock { h -> Bool in
                if h.held { h.waiting = c }
                return h.held
            }
            if !wait { c.resume() }
        }
        let next = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        switch next {
        case let .value(v):
            return [.good("temperature", v, .celsius), .good("pressure", v * 1000, .pascal)]
        case let .fault(reason):
            throw SensorFault(reason, "scripted")
        case nil:
            withUnsafeCurrentTask { $0?.cancel() }
            throw SensorFault(.io, "script exhausted")
        }
    }
}
