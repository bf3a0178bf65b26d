import SenseCore
import SenseHardware

/// An HC-SR04 / JSN-SR04T style ultrasonic ranger on two GPIO lines: a ≥ 10 µs TRIG pulse, then
/// the width of the ECHO pulse from the kernel's edge timestamps. One fetch is a burst of pings
/// (≥ 60 ms apart, so a late echo of one is not taken for the next); it returns the median echo
/// time. The speed of sound depends on the air temperature, which this part does not measure:
/// distance and stage are derived channels (`ultrasonic_stage`) that take a thermometer.
package struct UltrasonicRanger: PolledSensorDriver {
    package struct Settings: Sendable, Hashable {
        package var pings: Int
        package var pingInterval: Duration
        /// Plausible distances; echoes outside are rejected (converted at `referenceTemperature`).
        package var minimumDistance: Double
        package var maximumDistance: Double
        package static let referenceTemperature = 20.0

        package init(
            pings: Int = 5, pingInterval: Duration = .milliseconds(60), minimumDistance: Double = 0.02,
            maximumDistance: Double = 4.0
        ) {
            self.pings = pings
            self.pingInterval = pingInterval
            self.minimumDistance = minimumDistance
            self.maximumDistance = maximumDistance
        }

        /// The echo times that correspond to the plausible distances, at 20 °C (the check is a
        /// plausibility gate, not the measurement: ±3 % over −30…40 °C does not matter here).
        package var echoRange: ClosedRange<Double> {
            let c = 331.3 + 0.606 * Self.referenceTemperature
            return (2 * minimumDistance / c)...(2 * maximumDistance / c)
        }

        /// How long one fetch takes.
        package var burstDuration: Duration { pingInterval * pings }
    }

    package static let triggerPulse = Duration.microseconds(10)

    let trigger: any GPIOOutput
    let echo: EdgeRecorder
    let echoLine: String
    let settings: Settings
    let clock: any SenseClock

    package init(trigger: any GPIOOutput, echo: any GPIOInput, settings: Settings, clock: any SenseClock) {
        self.trigger = trigger
        self.echo = EdgeRecorder(echo)
        echoLine = "\(echo.chip) line \(echo.offset)"
        self.settings = settings
        self.clock = clock
    }

    package static let quantities: [(quantity: String, unit: Unit)] = [("echo_time", .microsecond), ("valid_pings", .count)]
    package var channels: [(quantity: String, unit: Unit)] { Self.quantities }

    package mutating func initialize() async throws(SensorFault) {
        try setTrigger(false)
    }

    package mutating func fetch() async throws(SensorFault) -> [ChannelReading] {
        var echoes: [Double] = []
        var failures: [EchoPulse] = []
        for _ in 0..<settings.pings {
            echo.clear()
            let start = clock.monotonicNow
            try setTrigger(true)
            try await wait(clock, Self.triggerPulse)
            try setTrigger(false)
            try await wait(clock, settings.pingInterval)
            let recorded: (edges: [EdgeEvent], overflowed: Bool)
            do { recorded = try echo.take() } catch {
                throw SensorFault(.io, "echo \(echoLine): \(error)")
            }
            let pulse = recorded.overflowed ? .lostEdges : EchoPulse.measure(recorded.edges, triggeredAt: start)
            if case let .echo(t) = pulse, settings.echoRange.contains(t) {
                echoes.append(t)
            } else {
                failures.append(pulse)
            }
        }
        let valid = ChannelReading.good("valid_pings", Double(echoes.count), .count)
        // A majority of the burst must agree that there is water in range; else no value at all.
        guard echoes.count * 2 > settings.pings else {
            return [.bad("echo_time", .microsecond, Self.reason(failures)), valid]
        }
        return [.good("echo_time", Self.median(echoes) * 1e6, .microsecond), valid]
    }

    /// Why a burst gave no value: the module never answered; edges were lost and no echo was
    /// measured; or the echoes were implausible (out of range, nothing within range).
    static func reason(_ failures: [EchoPulse]) -> QualityReason {
        if failures.allSatisfy({ $0 == .noResponse }) { return .timeout }
        let measuredSome = failures.contains { if case .echo = $0 { true } else { false } }
        if failures.contains(.lostEdges), !measuredSome { return .io }
        return .outOfRange
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }

    private func setTrigger(_ high: Bool) throws(SensorFault) {
        do { try trigger.set(high) } catch { throw SensorFault(.io, "trigger \(trigger.chip) line \(trigger.offset): \(error)") }
    }
}
