import SenseCore
import SenseHardware

/// An HC-SR04-style module wired to a simulated chip: a TRIG pulse of at least 10 µs makes it send
/// its 40 kHz burst and raise ECHO ~460 µs later; ECHO falls when the echo returns — after the
/// round trip at the speed of sound in the air (331.3 + 0.606·T m/s) — or after 38 ms with no
/// echo. Edges are stamped at the instants they happen (as the kernel stamps them in its
/// interrupt handler). The chip holds the module weakly: it answers for as long as its owner
/// keeps it.
package final class UltrasonicRangerEmulator: Sendable {
    package enum Fault: Sendable, Hashable {
        /// The module does not answer (unpowered, ECHO not wired).
        case silent
        /// Nothing returns (the water is out of range, the beam is blocked by foam).
        case noEcho
    }

    /// Distance to the water (m) and air temperature (°C) at a wall time.
    package typealias Target = @Sendable (WallTime) -> (distance: Double, airTemperature: Double)

    package static let burstDelay = Duration.microseconds(460)
    package static let noEchoTimeout = Duration.milliseconds(38)

    private let chip: SimulatedGPIOChip
    private let echo: Int
    private let clock: any SenseClock
    private let target: Target
    private let state = Locked<(triggerRose: MonotonicInstant?, busyUntil: MonotonicInstant?, fault: Fault?, pings: Int)>((nil, nil, nil, 0))

    /// `chip` carries ECHO; TRIG is on `triggerChip` (default: the same chip).
    package init(
        chip: SimulatedGPIOChip, trigger: Int, echo: Int, triggerChip: SimulatedGPIOChip? = nil, clock: any SenseClock,
        target: @escaping Target
    ) {
        self.chip = chip
        self.echo = echo
        self.clock = clock
        self.target = target
        (triggerChip ?? chip).observeOutput(trigger) { [weak self] t, high in self?.trigger(at: t, high: high) }
    }

    package func inject(_ fault: Fault?) { state.withLock { $0.fault = fault } }

    /// Pings answered so far.
    package var pings: Int { state.withLock { $0.pings } }

    /// The echo time the module would measure now, for tests.
    package static func echoTime(distance: Double, airTemperature t: Double) -> Duration {
        .nanoseconds(Int64((2 * distance / (331.3 + 0.606 * t) * 1e9).rounded()))
    }

    private func trigger(at t: MonotonicInstant, high: Bool) {
        let start: MonotonicInstant? = state.withLock { s in
            if high {
                s.triggerRose = t
                return nil
            }
            guard let rose = s.triggerRose, t - rose >= .microseconds(10), s.fault != .silent else { return nil }
            s.triggerRose = nil
            if let busy = s.busyUntil, t < busy { return nil }  // still listening for the last ping
            s.pings += 1
            return t + Self.burstDelay
        }
        guard let start else { return }
        let fault = state.withLock { $0.fault }
        let width: Duration
        if fault == .noEcho {
            width = Self.noEchoTimeout
        } else {
            let (d, airT) = target(clock.wallNow)
            width = min(Self.echoTime(distance: d, airTemperature: airT), Self.noEchoTimeout)
        }
        let end = start + width
        state.withLock { $0.busyUntil = end + .milliseconds(2) }
        // Both edges at once, with their exact stamps: the driver reads them only after its
        // listening time, so early delivery changes nothing for it, and an accelerated world
        // cannot lose them to the host's scheduling.
        chip.drive(echo, high: true, at: start)
        chip.drive(echo, high: false, at: end)
    }
}
