import SenseCore
import SenseHardware

/// A simulated GPIO controller: the world drives input lines (producing edge events stamped on
/// the injected clock); tests observe output lines. A line can be requested once at a time.
package final class SimulatedGPIOChip: GPIOChip {
    package let name: String
    package let lineCount: Int
    private let clock: any SenseClock

    fileprivate struct LineState {
        var level = false
        var requested = false
        var isOutput = false
        var sequence: UInt64 = 0
        var continuation: EdgeEvents.Continuation?
        var history: [(MonotonicInstant, Bool)] = []
        /// A device wired to an output (an ultrasonic module's trigger input) sees its changes.
        var observer: (@Sendable (MonotonicInstant, Bool) -> Void)?

        /// The last 10 000 output changes: enough for any test, bounded for a long simulation.
        mutating func record(_ t: MonotonicInstant, _ level: Bool) {
            history.append((t, level))
            if history.count > 10_000 { history.removeFirst(history.count - 10_000) }
        }
    }

    fileprivate let lines: Locked<[LineState]>

    package init(name: String, lineCount: Int = 54, clock: any SenseClock) {
        self.name = name
        self.lineCount = lineCount
        self.clock = clock
        lines = Locked([LineState](repeating: LineState(), count: lineCount))
    }

    package func requestInput(offset: Int, bias: Bias, consumer: String) throws(GPIOError) -> any GPIOInput {
        try check(offset)
        let (stream, continuation) = EdgeEvents.makeStream(bufferingPolicy: .bufferingNewest(4096))
        try lines.withLock { l throws(GPIOError) in
            guard !l[offset].requested else { throw .lineBusy(chip: name, offset: offset) }
            l[offset].requested = true
            l[offset].isOutput = false
            l[offset].continuation = continuation
            switch bias {
            case .pullUp: l[offset].level = true
            case .pullDown: l[offset].level = false
            case .asIs, .disabled: break
            }
        }
        return SimulatedGPIOInput(chip: self, offset: offset, stream: stream)
    }

    package func requestOutput(offset: Int, initial: Bool, consumer: String) throws(GPIOError) -> any GPIOOutput {
        try check(offset)
        let now = clock.monotonicNow
        try lines.withLock { l throws(GPIOError) in
            guard !l[offset].requested else { throw .lineBusy(chip: name, offset: offset) }
            l[offset].requested = true
            l[offset].isOutput = true
            l[offset].level = initial
            l[offset].record(now, initial)
        }
        return SimulatedGPIOOutput(chip: self, offset: offset)
    }

    /// The world sets an input line's level; a change emits an edge stamped `at` (default now).
    /// A device model that knows exactly when its edge happened passes that instant, as the
    /// kernel stamps an edge in its interrupt handler however late user space reads it.
    package func drive(_ offset: Int, high: Bool, at time: MonotonicInstant? = nil) {
        let now = time ?? clock.monotonicNow
        lines.withLock { l in
            guard l[offset].level != high else { return }
            l[offset].level = high
            guard l[offset].requested, !l[offset].isOutput else { return }
            l[offset].sequence += 1
            l[offset].continuation?.yield(
                EdgeEvent(
                    edge: high ? .rising : .falling, timestamp: now,
                    sequence: l[offset].sequence))
        }
    }

    /// Calls `observer` with every level an output line is set to (a device wired to it).
    package func observeOutput(_ offset: Int, _ observer: @escaping @Sendable (MonotonicInstant, Bool) -> Void) {
        lines.withLock { $0[offset].observer = observer }
    }

    /// The level of a line as the outside world sees it.
    package func level(_ offset: Int) -> Bool { lines.withLock { $0[offset].level } }

    /// Whether a consumer holds the line.
    package func isRequested(_ offset: Int) -> Bool { lines.withLock { $0[offset].requested } }

    /// The last level an output was set to, with when (cheap: for polling).
    package func lastOutputChange(_ offset: Int) -> (MonotonicInstant, Bool)? {
        lines.withLock { $0[offset].history.last }
    }

    /// Every level an output was set to, with when.
    package func outputHistory(_ offset: Int) -> [(MonotonicInstant, Bool)] {
        lines.withLock { $0[offset].history }
    }

    fileprivate func set(_ offset: Int, _ high: Bool) throws(GPIOError) {
        let now = clock.monotonicNow
        let observer = try lines.withLock { l throws(GPIOError) in
            guard l[offset].requested, l[offset].isOutput else { throw .released(chip: name, offset: offset) }
            l[offset].level = high
            l[offset].record(now, high)
            return l[offset].observer
        }
        observer?(now, high)
    }

    fileprivate func read(_ offset: Int) throws(GPIOError) -> Bool {
        try lines.withLock { l throws(GPIOError) -> Bool in
            guard l[offset].requested else { throw .released(chip: name, offset: offset) }
            return l[offset].level
        }
    }

    fileprivate func release(_ offset: Int) {
        let continuation = lines.withLock { l -> EdgeEvents.Continuation? in
            guard l[offset].requested else { return nil }
            l[offset].requested = false
            defer { l[offset].continuation = nil }
            return l[offset].continuation
        }
        continuation?.finish()
    }

    private func check(_ offset: Int) throws(GPIOError) {
        guard offset >= 0, offset < lineCount else {
            throw .noSuchLine(chip: name, offset: offset, lineCount: lineCount)
        }
    }
}

final class SimulatedGPIOInput: GPIOInput {
    let chipRef: SimulatedGPIOChip
    let offset: Int
    private let stream: EdgeEvents
    var chip: String { chipRef.name }

    init(chip: SimulatedGPIOChip, offset: Int, stream: EdgeEvents) {
        chipRef = chip
        self.offset = offset
        self.stream = stream
    }

    func level() throws(GPIOError) -> Bool { try chipRef.read(offset) }
    func edges() -> EdgeEvents { stream }
    func release() { chipRef.release(offset) }
}

final class SimulatedGPIOOutput: GPIOOutput {
    let chipRef: SimulatedGPIOChip
    let offset: Int
    var chip: String { chipRef.name }

    init(chip: SimulatedGPIOChip, offset: Int) {
        chipRef = chip
        self.offset = offset
    }

    func set(_ high: Bool) throws(GPIOError) { try chipRef.set(offset, high) }
    var level: Bool { chipRef.level(offset) }
    func release() { chipRef.release(offset) }
}
