import Logging
import SenseCore
import SenseDrivers

/// Polls one sensor on its interval, forever: initialise (probe, calibration), fetch, emit every
/// channel; on a fault, emit the channels as `bad` with the reason, re-initialise and retry with
/// exponential backoff (1 s, 2 s, 4 s … capped at max(interval, 60 s)).
struct SensorPoller {
    let name: String
    var driver: any PolledSensorDriver
    let interval: Duration
    let clock: any SenseClock
    let sink: any SampleSink
    let liveness: Liveness
    let logger: Logger

    var backoffCap: Duration { max(interval, .seconds(60)) }

    mutating func run() async {
        var initialized = false
        var failures = 0
        var lastFault: QualityReason?
        var next = clock.monotonicNow
        while !Task.isCancelled {
            let started = clock.monotonicNow
            // A cycle may take the conversion time plus bus timeouts: allow generously.
            liveness.expect(name, by: started + backoffCap + .seconds(30))
            do throws(SensorFault) {
                if !initialized {
                    try await driver.initialize()
                    initialized = true
                }
                let readings = try await driver.fetch()
                emitAll(readings)
                if failures > 0 {
                    logger.notice("sensor \(name) recovered after \(failures) failed attempt(s)")
                }
                failures = 0
                lastFault = nil
            } catch {
                if Task.isCancelled { break }
                initialized = false
                failures += 1
                emitAll(driver.channels.map { ChannelReading.bad($0.quantity, $0.unit, error.reason) })
                if lastFault != error.reason {
                    logger.error("sensor \(name): \(error); retrying with backoff")
                } else {
                    logger.debug("sensor \(name): still failing: \(error)")
                }
                lastFault = error.reason
            }
            liveness.completedCycle(name)
            let delay: Duration
            if failures == 0 {
                next = next + interval
                let now = clock.monotonicNow
                if next < now { next = now }  // overran: do not try to catch up in a burst
                delay = next - now
            } else {
                let exponent = min(failures - 1, 16)
                delay = min(.seconds(1) * (1 << exponent), backoffCap)
                next = clock.monotonicNow + delay
            }
            liveness.expect(name, by: clock.monotonicNow + delay + backoffCap + .seconds(30))
            do {
                try await clock.sleep(for: delay)
            } catch {
                break
            }
        }
        liveness.remove(name)
    }

    /// One batch per fetch: channels measured together are analysed together (a dew point from
    /// the temperature and humidity of the same measurement). All channels go to the analysis (a
    /// derived channel may use one that is not published); `publish` selects what goes out.
    private func emitAll(_ readings: [ChannelReading]) {
        let mono = clock.monotonicNow
        let wall = clock.wallNow
        sink.accept(
            readings.map {
                Sample(
                    sensor: name, quantity: $0.quantity, value: $0.value, unit: $0.unit, quality: $0.quality,
                    reason: $0.reason, monotonic: mono, wall: wall)
            })
    }
}
