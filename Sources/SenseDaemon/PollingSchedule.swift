import SenseCore

/// Runs many `SensorPoller`s from one task: a child task exists only while a sensor's step is in
/// flight, and one timer waits for the next due. A task per sensor kept its stack slabs and
/// frames (about 5 KiB) for the daemon's whole life; this keeps a queue entry. A staged driver's
/// conversion (9 ms for a BME280 at the default oversampling) is a queue entry too, so a task
/// lives only for the bus transactions. Sensors still run concurrently: a slow one (an SCD4x's
/// 5 s first measurement, a bus timeout) delays no other.
///
/// At most `maxInFlight` steps run at once; a burst beyond that (a thousand sensors due at the
/// same instant) waits its turn in the queue, so the burst's tasks and buffers, which set the
/// heap's high-water mark, stay bounded. Sensors due together are started by one wake-up: spreading
/// them over their interval was measured to cost 2–5 times the CPU (a wake-up per sensor) for no
/// memory gained (docs/benchmarks.md, "Cost per sensor").
struct PollingSchedule {
    let pollers: [SensorPoller]
    let clock: any SenseClock
    var maxInFlight = 256
    /// Sensors of one interval read at the same instants, at most (`spread`).
    var sensorsPerSlot = 500
    static let minimumSlot = Duration.milliseconds(10)
    /// More, smaller slots cost CPU: 20,000 sensors every 10 s in 40 slots took 46 % of a core,
    /// in 10 slots 27 % (docs/benchmarks.md, "Cost per sensor").
    static let maximumSlots = 10

    private enum Event: Sendable {
        case stepped(index: Int, poller: SensorPoller, PollStep)
        case timer(MonotonicInstant)
        case cancelled
    }

    /// Until cancelled, or until every poller has stopped.
    func run() async {
        var pollers = self.pollers
        Self.spread(&pollers, perSlot: sensorsPerSlot)
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
                        let step = await p.step()
                        return .stepped(index: i, poller: p, step)
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
                case let .stepped(i, poller, step):
                    inFlight -= 1
                    pollers[i] = poller
                    switch step {
                    case let .converting(until): queue.push(Self.coalesced(until), i)
                    case let .roundDone(next?): queue.push(next, i)
                    case .roundDone(nil): break
                    }
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

extension PollingSchedule {
    /// Conversions end on the next whole `tick`: the hundreds of parts a slot starts one after
    /// another, microseconds apart, are then read after one wake-up rather than one each (a
    /// timer per part cost as much CPU as the readings themselves). A part waits at most a tick
    /// longer than its conversion; never less.
    static let tick = Duration.milliseconds(1)

    static func coalesced(_ instant: MonotonicInstant) -> MonotonicInstant {
        let t = tick.nanoseconds
        let (q, r) = instant.nanoseconds.quotientAndRemainder(dividingBy: t)
        guard r != 0 else { return instant }
        let (up, overflow) = (q + 1).multipliedReportingOverflow(by: t)
        return overflow ? instant : MonotonicInstant(nanoseconds: up)
    }

    /// Gives the pollers of each interval phases spread evenly over it, in as many slots as it
    /// takes to have at most `perSlot` sensors in each (at most `maximumSlots`, at least
    /// `minimumSlot` apart): the sensors of a slot share their instants, so one wake-up starts
    /// them all, and their messages go out in large writes. Without it, 7,000 sensors' 21,000
    /// readings left at the top of each second and the last waited 0.7 s for the broker (p99);
    /// in slots of 500, p99 51 ms. Spreading every sensor on its own cost twice the CPU
    /// (docs/benchmarks.md, "Cost per sensor").
    static func spread(_ pollers: inout [SensorPoller], perSlot: Int) {
        var counts: [Duration: Int] = [:]
        for p in pollers { counts[p.interval, default: 0] += 1 }
        var seen: [Duration: Int] = [:]
        for i in pollers.indices {
            let interval = pollers[i].interval
            let wanted = (counts[interval, default: 1] + max(1, perSlot) - 1) / max(1, perSlot)
            let slots = Int(min(Int64(min(wanted, maximumSlots)), max(1, interval.nanoseconds / minimumSlot.nanoseconds)))
            let k = seen[interval, default: 0]
            seen[interval] = k + 1
            pollers[i].phase = interval / slots * (k % slots)
        }
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
