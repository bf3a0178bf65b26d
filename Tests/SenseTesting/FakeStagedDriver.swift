import SenseCore
import SenseDrivers

/// A hand-written fake of a part measured in stages (start, conversion, read): records when each
/// measurement was started and read on the clock; the first `busyReads` reads of each
/// measurement find the part still converting and ask for a quarter of the time more.
package final class FakeStagedDriver: PolledSensorDriver, @unchecked Sendable {
    private let clock: any SenseClock
    private let conversion: Duration
    private let busyReads: Int
    private let log = Locked<(starts: [MonotonicInstant], reads: [MonotonicInstant], busyLeft: Int)>(([], [], 0))

    package init(conversion: Duration, busyReads: Int = 0, clock: any SenseClock) {
        self.clock = clock
        self.conversion = conversion
        self.busyReads = busyReads
    }

    package var channels: [(quantity: String, unit: Unit)] { [("temperature", .celsius)] }
    package var startTimes: [MonotonicInstant] { log.withLock { $0.starts } }
    package var readTimes: [MonotonicInstant] { log.withLock { $0.reads } }

    package func initialize() async throws(SensorFault) {}

    package func fetch() async throws(SensorFault) -> [ChannelReading] {
        var me = self
        return try await me.measureInStages(clock)
    }

    package func startMeasurement() throws(SensorFault) -> Duration? {
        log.withLock {
            $0.starts.append(clock.monotonicNow)
            $0.busyLeft = busyReads
        }
        return conversion
    }

    package func continueMeasurement() throws(SensorFault) -> MeasurementStep {
        log.withLock { l -> MeasurementStep in
            if l.busyLeft > 0 {
                l.busyLeft -= 1
                return .wait(conversion / 4)
            }
            l.reads.append(clock.monotonicNow)
            return .readings([.good("temperature", Double(l.reads.count), .celsius)])
        }
    }
}
