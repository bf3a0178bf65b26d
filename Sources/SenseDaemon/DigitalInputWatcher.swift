import Logging
import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware

/// A contact on a GPIO input (door, float switch, alarm relay): publishes `state` (1 = active)
/// at start, on every debounced change — stamped with the kernel's edge time, not the wake-up
/// time — and as a heartbeat every interval.
package struct DigitalInputWatcher: Sendable {
    let name: String
    let input: any GPIOInput
    let options: DigitalInputOptions
    let interval: Duration
    let clock: any SenseClock
    let sink: any SampleSink
    let liveness: Liveness
    let logger: Logger

    package init(
        name: String, input: any GPIOInput, options: DigitalInputOptions, interval: Duration, clock: any SenseClock,
        sink: any SampleSink, liveness: Liveness, logger: Logger
    ) {
        self.name = name
        self.input = input
        self.options = options
        self.interval = interval
        self.clock = clock
        self.sink = sink
        self.liveness = liveness
        self.logger = logger
    }

    package func run() async {
        let initial: Bool
        do {
            initial = logical(try input.level())
        } catch {
            logger.error("input \(name): cannot read \(options.pinName): \(error)")
            emitState(nil, at: clock.monotonicNow, reason: .io)
            return
        }
        let debouncer = Shared(Debouncer(initialLevel: initial, holdTime: options.debounce))
        emitState(initial, at: clock.monotonicNow)
        liveness.completedCycle(name)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await DebouncedEdges.watch(
                    input, debouncer: debouncer, activeLow: options.activeLow, clock: clock, logger: logger,
                    name: "input \(name)"
                ) { emitState($0.level, at: $0.at) }
            }
            group.addTask {  // heartbeat
                while !Task.isCancelled {
                    liveness.expect(name, by: clock.monotonicNow + interval + .seconds(30))
                    do { try await clock.sleep(for: interval) } catch { return }
                    emitState(debouncer.withLock { $0.stableLevel }, at: clock.monotonicNow)
                }
            }
            await group.next()
            group.cancelAll()
        }
        liveness.remove(name)
    }

    private func logical(_ physicalHigh: Bool) -> Bool { options.activeLow ? !physicalHigh : physicalHigh }

    private func emitState(_ level: Bool?, at time: MonotonicInstant, reason: QualityReason? = nil) {
        let wall = clock.wallTime(of: time)
        sink.accept([
            Sample(
                sensor: name, quantity: "state", value: level.map { $0 ? 1 : 0 }, unit: .none,
                quality: level == nil ? .bad : .good, reason: reason, monotonic: time, wall: wall)
        ])
    }
}
