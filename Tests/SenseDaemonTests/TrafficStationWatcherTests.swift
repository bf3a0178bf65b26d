import Logging
import SenseConfig
import SenseCore
import SenseHardware
import SenseSimulator
import SenseTraffic
import Testing

@testable import SenseDaemon

/// The traffic watcher on a simulated chip in real time: a burst of 2,000 edges per second
/// across eight detector lines, every pulse counted once, in order, at its exact timestamps.
@Suite struct TrafficStationWatcherTests {
    final class Reports: TrafficReportSink {
        private let state = Locked<[TrafficReport]>([])
        var all: [TrafficReport] { state.withLock { $0 } }
        func accept(_ report: TrafficReport) { state.withLock { $0.append(report) } }
    }

    @Test func aBurstOfTwoThousandEdgesASecondIsCountedWithoutLossOrReordering() async throws {
        let clock = SystemClock()
        let chip = SimulatedGPIOChip(name: "gpiochip0", clock: clock)
        let lanes = (0..<8).map { LaneSettings(name: "l\($0)", direction: "d", geometry: TrapGeometry(spacing: 0, detectorLength: 2)) }
        let options = TrafficStationOptions(
            station: StationSettings(
                name: "burst", lanes: lanes, periods: [.seconds(10)],
                faults: DetectorFaultSettings(expectedFrom: 0, expectedUntil: 0)),
            wiring: (0..<8).map {
                .init(upstream: .init(line: .init(chip: "gpiochip0", offset: 5 + $0, pin: nil), pin: "GPIO\(5 + $0)"), downstream: nil)
            },
            bias: .pullUp, activeLow: true, minOn: .milliseconds(1), minOff: .milliseconds(1), publishVehicles: true)
        let inputs = try (0..<8).map { i -> (upstream: any GPIOInput, downstream: (any GPIOInput)?) in
            (try chip.requestInput(offset: 5 + i, bias: .pullUp, consumer: "test"), nil)
        }
        let reports = Reports()
        let watcher = TrafficStationWatcher(
            name: "burst", inputs: inputs, options: options, readerLag: .milliseconds(100), utcOffsetMinutes: 0, clock: clock,
            sink: reports, liveness: Liveness(), logger: Logger(label: "test"))
        let task = Task { await watcher.run() }
        try await Task.sleep(for: .milliseconds(100))
        // 3 s at 2,000 edges/s: each line gets a 3 ms pulse every 8 ms, lines staggered by 1 ms.
        let start = clock.monotonicNow + .milliseconds(10)
        var driven: [[MonotonicInstant]] = Array(repeating: [], count: 8)
        for k in 0..<375 {
            let slot = start + .milliseconds(8 * Int64(k))
            try await clock.sleep(until: slot + .milliseconds(8))
            for i in 0..<8 {
                let on = slot + .milliseconds(Int64(i))
                chip.drive(5 + i, high: false, at: on)
                chip.drive(5 + i, high: true, at: on + .milliseconds(3))
                driven[i].append(on)
            }
        }
        // The station runs 2 s behind to let debouncing settle: wait for it to pass the burst.
        for _ in 0..<100 where reports.all.flatMap(\.vehicles).count < 3000 { try await Task.sleep(for: .milliseconds(100)) }
        task.cancel()
        for (i, _) in inputs.enumerated() { inputs[i].upstream.release() }
        await task.value
        let vehicles = reports.all.flatMap(\.vehicles)
        #expect(vehicles.count == 3000, "\(vehicles.count) of 3000 pulses")
        for i in 0..<8 {
            let arrivals = vehicles.filter { $0.lane == "l\(i)" }.map(\.vehicle.arrival)
            #expect(arrivals == driven[i], "lane \(i): \(arrivals.count) pulses, in order and at their stamps")
            #expect(vehicles.filter { $0.lane == "l\(i)" }.allSatisfy { $0.vehicle.onTime == .milliseconds(3) })
        }
    }
}
