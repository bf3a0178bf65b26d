import SenseCore

/// Runs many `SensorPoller`s from one task: a child task exists only while a sensor's cycle is
/// in flight (a few milliseconds of conversion for most parts), and one timer waits for the next
/// due. A task per sensor kept its stack slabs and frames (about 5 KiB) for the daemon's whole
/// life; this keeps a queue entry. Sensors still run concurrently: a slow one (an SCD4x's 5 s
/// first measurement, a bus timeout) delays no other.
///
/// At most `maxInFlight` cycles run at once; a burst beyond that (a thousand sensors due at the
/// same instant) waits its turn in the queue, so the burst's tasks and buffers, which set the
/// heap's high-water mark, stay bounded. Sensors due together are started by one wake-up: spreading
/// them over their interval was measured to cost 2–5 times the CPU (a wake-up per sensor) for no
/// memory gained (docs/benchmarks.md, "Cost per sensor").
struct PollingSchedule {
    let pollers: [SensorPoller]
    let clock: any SenseClock
    var maxInFlight = 256

    private enum Event: Sendable {
        case cycled(index: Int, poller: SensorPoller, next: MonotonicInstant?)
        case timer(MonotonicInstant)
        case cancelled
    }

    /// Until cancelled, or until every poller has stopped.
    func run() async {
        var pollers = self.pollers
        let maxInFlight = max(1, self.maxInFlight)
        var inFlight = 0
        var queue = DueQueue()
        let start = clock.monotonicNow
        for i in pollers.indices { queue.push(start, i) }
        let clock = self.clock
        await withTaskGroup(of: Event.self) { group in
            // Targets of the timers now sleeping; a new one is needed only when none fires by the
            // earliest due (a stale later one just finds nothing to do when it fires).
            var timers: [MonotonicInstant] = []
            func startDue() {
                let now = clock.monotonicNow
                while inFlight < maxInFlight, let (due, i) = queue.first, due <= now {
                    queue.removeFirst()
                    inFlight += 1
                    let poller = pollers[i]
                    group.addTask {
                        var p = poller
                        let next = await p.cycle()
                        return .cycled(index: i, poller: p, next: next)
                    }
                }
                // A due sensor waiting for a slot needs no timer: the next cycle to end starts it.
                guard let (due, _) = queue.first, due > now, !Task.isCancelled, !timers.contains(where: { $0 <= due }) else { return }
                timers.append(due)
                group.addTask {
                    do {
                        try await clock.sleep(until: due)
                    } catch {
                        return .cancelled
                    }
                    return .timer(due)
                }
            }
            startDue()
            while let event = await group.next() {
                switch event {
                case let .cycled(i, poller, next):
                    inFlight -= 1
                    pollers[i] = poller
                    if let next { queue.push(next, i) }
                case let .timer(target):
                    if let k = timers.firstIndex(of: target) { timers.remove(at: k) }
                case .cancelled:
                    continue
                }
                if !Task.isCancelled { startDue() }
            }
        }
        for p in pollers { p.finish() }
    }
}

/// A min-heap of (due instant, poller index): the earliest first; equal instants in no set order.
struct DueQueue {
    private var heap: [(due: MonotonicInstant, index: Int)] = []

    var first: (MonotonicInstant, Int)? { heap.first.map { ($0.due, $0.index) } }
    var count: Int { heap.count }

    mutating func push(_ due: MonotonicInstant, _ index: Int) {
        heap.append((due, index))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].due < heap[parent].due else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeFirst() {
        guard !heap.isEmpty else { return }
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].due < heap[smallest].due { smallest = left }
            if right < heap.count, heap[right].due < heap[smallest].due { smallest = right }
            guard smallest != parent else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
