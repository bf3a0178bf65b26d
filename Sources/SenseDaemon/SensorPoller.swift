import Logging
import SenseCore
import SenseDrivers

/// Polls one sensor on its interval: initialise (probe, calibration), fetch, emit every channel;
/// on a fault, emit the channels as `bad` with the reason, re-initialise and retry with
/// exponential backoff (1 s, 2 s, 4 s … capped at max(interval, 60 s)). `step()` is one step of a
/// round and says when the next is due, so a `PollingSchedule` can run thousands of sensors
/// without a task (and its memory) per sensor, nor one per conversion in progress; `run()` polls
/// this one sensor alone.
struct SensorPoller {
    let name: String
    var driver: any PolledSensorDriver
    let interval: Duration
    /// Where in its interval this sensor reads, after the first round (which runs at once): a
    /// schedule spreads the sensors of one interval over it (`PollingSchedule.spread`).
    var phase: Duration = .zero
    let clock: any SenseClock
    let sink: any SampleSink
    let liveness: Liveness
    let logger: Logger
    private var initialized = false
    private var failures = 0
    private var lastFault: QualityReason?
    /// When the current round was due (nil before the first).
    private var due: MonotonicInstant?
    /// When the round in progress started.
    private var roundStarted: MonotonicInstant?
    /// A staged measurement is converting: the next step reads it.
    private var converting = false

    init(
        name: String, driver: any PolledSensorDriver, interval: Duration, clock: any SenseClock, sink: any SampleSink,
        liveness: Liveness, logger: Logger
    ) {
        self.name = name
        self.driver = driver
        self.interval = interval
        self.clock = clock
        self.sink = sink
        self.liveness = liveness
        self.logger = logger
    }

    var backoffCap: Duration { max(interval, .seconds(60)) }

    /// Polls until cancelled.
    mutating func run() async {
        while let next = await cycle() {
            do {
                try await clock.sleep(until: next)
            } catch {
                break
            }
        }
        finish()
    }

    /// One round: the fetch (after an initialisation when needed) and its samples, with a staged
    /// driver's conversion waits slept here. Returns when the next round is due, or nil once the
    /// task is cancelled.
    mutating func cycle() async -> MonotonicInstant? {
        while true {
            switch await step() {
            case let .converting(until):
                do {
                    try await clock.sleep(until: until)
                } catch {
                    return nil
                }
            case let .roundDone(next):
                return next
            }
        }
    }

    /// One step of a round. A staged driver's round is two steps or more (start the measurement;
    /// read it when the conversion is done), and between them the sensor needs no task: the
    /// schedule keeps the instant. Any other round is one step.
    mutating func step() async -> PollStep {
        if !converting {
            if Task.isCancelled { return .roundDone(next: nil) }
            let started = clock.monotonicNow
            roundStarted = started
            // A round may take the conversion time plus bus timeouts: allow generously.
            liveness.expect(name, by: started + backoffCap + .seconds(30))
        }
        do throws(SensorFault) {
            let readings: [ChannelReading]
            if converting {
                switch try driver.continueMeasurement() {
                case let .wait(d):
                    return .converting(until: clock.monotonicNow + d)
                case let .readings(r):
                    readings = r
                }
            } else {
                if !initialized {
                    try await driver.initialize()
                    initialized = true
                }
                if let d = try driver.startMeasurement() {
                    converting = true
                    return .converting(until: clock.monotonicNow + d)
                }
                readings = try await driver.fetch()
            }
            converting = false
            emitAll(readings)
            if failures > 0 {
                logger.notice("sensor \(name) recovered after \(failures) failed attempt(s)")
            }
            failures = 0
            lastFault = nil
        } catch {
            converting = false
            if Task.isCancelled { return .roundDone(next: nil) }
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
        return .roundDone(next: endRound())
    }

    /// Counts the round for the watchdog and says when the next is due.
    private mutating func endRound() -> MonotonicInstant {
        liveness.completedCycle(name)
        let now = clock.monotonicNow
        let next: MonotonicInstant
        if failures == 0 {
            // On the interval from when this round was due; an overrun does not catch up in a burst.
            next = max(due.map { $0 + interval } ?? ((roundStarted ?? now) + interval + phase), now)
        } else {
            let exponent = min(failures - 1, 16)
            next = now + min(.seconds(1) * (1 << exponent), backoffCap)
        }
        due = next
        liveness.expect(name, by: next + backoffCap + .seconds(30))
        return next
    }

    /// The sensor is no longer polled: it no longer owes the watchdog a cycle.
    func finish() {
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

/// Where a sensor's round stands after a step.
enum PollStep: Sendable, Equatable {
    /// A staged measurement is converting: the next step is due then.
    case converting(until: MonotonicInstant)
    /// The round is over: the next is due then (nil once the task is cancelled).
    case roundDone(next: MonotonicInstant?)
}
