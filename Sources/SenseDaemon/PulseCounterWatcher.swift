import Logging
import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware

/// A pulse sensor on a GPIO input (a rain gauge's reed switch, a flow meter's Hall output): counts
/// debounced pulses at their kernel timestamps, reports its channels on every pulse (if the
/// sensor says so) and every interval, and keeps its totals in the state directory — flushed
/// every `flush` when changed and at a clean stop.
struct PulseCounterWatcher: Sendable {
    let name: String
    let input: any GPIOInput
    let options: PulseInputOptions
    let interval: Duration
    let accumulator: Shared<any PulseAccumulator>
    let saver: TotalsSaver
    let clock: any SenseClock
    let sink: any SampleSink
    let liveness: Liveness
    let logger: Logger
    /// How far behind the clock a level is confirmed when no further edge comes (`DebouncedEdges`).
    var settleLag: Duration = .zero

    func run() async {
        let initial: Bool
        do {
            initial = logical(try input.level())
        } catch {
            logger.error("sensor \(name): cannot read \(options.pinName): \(error)")
            let channels = accumulator.withLock { $0.channels }
            let now = clock.monotonicNow
            sink.accept(
                channels.map {
                    Sample(
                        sensor: name, quantity: $0.quantity, value: nil, unit: $0.unit, quality: .bad,
                        reason: .io, monotonic: now, wall: clock.wallNow)
                })
            return
        }
        let debouncer = Shared(Debouncer(initialLevel: initial, holdTime: options.debounce))
        report(at: clock.monotonicNow)
        liveness.completedCycle(name)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await DebouncedEdges.watch(
                    input, debouncer: debouncer, activeLow: options.activeLow, clock: clock, logger: logger,
                    name: "sensor \(name)", settleLag: settleLag
                ) { count($0) }
            }
            group.addTask {  // the periodic report
                while !Task.isCancelled {
                    liveness.expect(name, by: clock.monotonicNow + interval + .seconds(30))
                    do { try await clock.sleep(for: interval) } catch { return }
                    report(at: clock.monotonicNow)
                    liveness.completedCycle(name)
                }
            }
            group.addTask {  // totals to disk, sparing the SD card: only when changed, at most every `flush`
                while !Task.isCancelled {
                    do { try await clock.sleep(for: options.flush) } catch { return }
                    flush()
                }
            }
            await group.next()
            group.cancelAll()
        }
        flush()
        liveness.remove(name)
    }

    /// A confirmed change to the active level is one pulse, at the time its leading edge was stamped.
    private func count(_ change: (level: Bool, at: MonotonicInstant)) {
        guard change.level else { return }
        let every = accumulator.withLock { a in
            a.pulse(at: change.at, wall: clock.wallTime(of: change.at))
            return a.reportsEveryPulse
        }
        if every { report(at: change.at) }
    }

    private func report(at time: MonotonicInstant) {
        let wall = clock.wallTime(of: time)
        let readings = accumulator.withLock { $0.readings(at: time, wall: wall) }
        sink.accept(
            readings.map {
                Sample(
                    sensor: name, quantity: $0.quantity, value: $0.value, unit: $0.unit, quality: $0.quality, reason: $0.reason,
                    monotonic: time, wall: wall)
            })
    }

    /// To the state file thread: a stalled card never holds up counting.
    private func flush() { saver.save(accumulator.withLock { $0.totals }) }

    private func logical(_ physicalHigh: Bool) -> Bool { options.activeLow ? !physicalHigh : physicalHigh }
}
