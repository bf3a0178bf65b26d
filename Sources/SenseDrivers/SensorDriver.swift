import SenseCore

/// One channel of one fetch, before it is named and timestamped as a `Sample`.
package struct ChannelReading: Sendable, Hashable {
    package var quantity: String
    package var value: Double?
    package var unit: Unit
    package var quality: Quality
    package var reason: QualityReason?

    package init(quantity: String, value: Double?, unit: Unit, quality: Quality, reason: QualityReason?) {
        self.quantity = quantity
        self.value = value
        self.unit = unit
        self.quality = quality
        self.reason = reason
    }

    package static func good(_ quantity: String, _ value: Double, _ unit: Unit) -> Self {
        Self(quantity: quantity, value: value, unit: unit, quality: .good, reason: nil)
    }

    package static func bad(_ quantity: String, _ unit: Unit, _ reason: QualityReason) -> Self {
        Self(quantity: quantity, value: nil, unit: unit, quality: .bad, reason: reason)
    }
}

/// A polled sensor: `initialize` once (and again after a fault), then one `fetch` per interval,
/// which performs the bus transactions of one measurement and returns every channel.
///
/// A part whose measurement is a start command, a conversion time and a read may also offer the
/// measurement in stages (`startMeasurement`, then `continueMeasurement` after each wait): a
/// schedule running thousands of sensors then keeps a queue entry for a converting part rather
/// than a task suspended in its wait (docs/benchmarks.md, "Cost per sensor").
package protocol PolledSensorDriver: Sendable {
    /// The quantities every fetch returns, with their units.
    var channels: [(quantity: String, unit: Unit)] { get }
    mutating func initialize() async throws(SensorFault)
    mutating func fetch() async throws(SensorFault) -> [ChannelReading]
    /// Starts a measurement (its first bus transaction) and says how long the part converts;
    /// nil for a driver whose fetch is not staged.
    mutating func startMeasurement() throws(SensorFault) -> Duration?
    /// After the wait: reads the measurement, or asks for another wait (the part is still busy).
    /// Called only after `startMeasurement` returned a duration.
    mutating func continueMeasurement() throws(SensorFault) -> MeasurementStep
}

/// What a staged measurement needs next.
package enum MeasurementStep: Sendable, Equatable {
    /// The part is converting: continue after this long.
    case wait(Duration)
    /// The measurement, read and decoded.
    case readings([ChannelReading])
}

extension PolledSensorDriver {
    package mutating func startMeasurement() throws(SensorFault) -> Duration? { nil }

    package mutating func continueMeasurement() throws(SensorFault) -> MeasurementStep {
        preconditionFailure("continueMeasurement on a driver whose measurement is not staged")
    }

    /// A staged driver's `fetch`: the stages, with their waits on `clock`.
    package mutating func measureInStages(_ clock: any SenseClock) async throws(SensorFault) -> [ChannelReading] {
        guard let first = try startMeasurement() else {
            preconditionFailure("measureInStages on a driver whose measurement is not staged")
        }
        var step = MeasurementStep.wait(first)
        while true {
            switch step {
            case let .wait(d):
                try await wait(clock, d)
                step = try continueMeasurement()
            case let .readings(readings):
                return readings
            }
        }
    }
}
