import Logging
import SenseCore
import SenseConfig
import SenseDrivers
import SenseHardware
import Synchronization

/// A contact on a GPIO input (door, float switch, alarm relay): publishes `state` (1 = active)
/// at start, on every debounced change — stamped with the kernel's edge time, not the wake-up
/// time — and as a heartbeat every interval.
struct DigitalInputWatcher: Sendable {
    let name: String
    let input: any GPIOInput
    let options: DigitalInputOptions
    let interval: Duration
    let clock: any SenseClock
    let emit: @Sendable ([Sample]) -> Void
    let liveness: Liveness
    let logger: Logger

    func run() async {
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
        let (kicks, kick) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

        await withTaskGroup(of: Void.self) { group in
            group.addTask {   // edges, in kernel order, with kernel timestamps
                do {
                    for try await event in input.edges() {
                        let changed = debouncer.withLock { $0.edge(level: logical(event.edge == .rising), at: event.timestamp) }
                        if let changed { emitState(changed.level, at: changed.at) }
                        kick.yield()
                    }
                } catch {
                    logger.error("input \(name): edge events failed: \(error)")
                }
                kick.finish()
            }
            group.addTask {   // confirms a level once it has held for the debounce time
                for await _ in kicks {
                    while let deadline = debouncer.withLock({ $0.pendingDeadline }) {
                        do { try await clock.sleep(until: deadline) } catch { return }
                        let changed = debouncer.withLock { $0.settle(at: clock.monotonicNow) }
                        if let changed { emitState(changed.level, at: changed.at) }
                    }
                }
            }
            group.addTask {   // heartbeat
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
        // Wall time of the edge: now, less how long ago the kernel stamped it.
        let age = clock.monotonicNow - time
        let wall = clock.wallNow + (.zero - max(age, .zero))
        emit([Sample(sensor: name, quantity: "state", value: level.map { $0 ? 1 : 0 }, unit: .none,
                     quality: level == nil ? .bad : .good, reason: reason, monotonic: time, wall: wall)])
    }
}

