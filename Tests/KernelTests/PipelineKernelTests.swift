import Logging
import SenseConfig
import SenseCore
import SenseHardwareLinux
import SenseOS
import SenseParts
import SenseTraffic

@testable import SenseDaemon

/// The daemon's own sensor pipelines (`SensorSet`, as `sensegate run` builds them from a config)
/// on the real chip: the rain gauge counting tips and a traffic speed trap timing vehicles from
/// the kernel's edge timestamps.
enum PipelineKernelTests {
    static let all: [KernelTest] = [
        KernelTest(name: "pipeline: a tipping-bucket rain gauge counts every tip from gpio-sim", body: rainGauge),
        KernelTest(name: "pipeline: a loop speed trap times vehicles by the kernel's edge stamps", body: speedTrap),
    ]

    /// A board file naming the guest's devices: i2c-1 is i2c-stub, i2c-2 sg_i2c_sim, GPIO0…15
    /// the lines of gpio-sim.
    static func writeBoard() throws -> String {
        var text = """
            board: kernel-vm
            description: the kernel-test guest (i2c-stub, sg_i2c_sim, gpio-sim)
            i2c:
              i2c-1: \(try Guest.stubBus)
              i2c-2: \(try Guest.simBus)
            gpio:
              chips:
                gpiochip0: \(try Guest.gpioChip)
              lines:

            """
        for line in 0..<16 { text += "    GPIO\(line): {chip: gpiochip0, line: \(line), pin: \(line + 1)}\n" }
        try Guest.write("/tmp/kernel-vm-board.yaml", text)
        return "/tmp/kernel-vm-board.yaml"
    }

    static func config(_ name: String, sensors: String, broker: String = "127.0.0.1:1883", extra: String = "") throws -> SensegateConfig {
        let path = "/tmp/\(name).yaml"
        try Guest.write(
            path,
            """
            node: kvm
            board: \(try writeBoard())
            state_dir: /tmp/state-\(name)
            mqtt:
              broker: mqtt://\(broker)
              reconnect: {min: 1s, max: 2s}
            sensors:
            \(sensors)
            \(extra)
            """)
        do {
            return try ConfigLoader.load(path, parts: .standard)
        } catch {
            throw RequirementFailed(description: "config: \(error.diagnostics.map(\.description).joined(separator: "; "))")
        }
    }

    static var logger: Logger {
        var l = Logger(label: "kernel-test")
        l.logLevel = .warning
        return l
    }

    static func rainGauge(_ t: Checks) async throws {
        let config = try config(
            "rain",
            sensors: """
                  - {name: rain, driver: tipping_bucket, pin: GPIO6, mm_per_tip: 0.2, debounce: 25ms, interval: 1s}
                """)
        try Guest.pull(6, up: true)  // a reed switch to ground, open: the line rests high
        let samples = SampleRecorder()
        let sensors = try SensorSet(
            config: config, hardware: LinuxHardware(), clock: SystemClock(), liveness: Liveness(),
            logger: logger, stateFiles: StateFileWriter(), sink: samples, traffic: samples)
        await Guest.sleep(milliseconds: 300)
        for _ in 0..<25 {  // 25 tips: the switch closes for 60 ms, then opens for 60 ms
            try Guest.pull(6, up: false)
            await Guest.sleep(milliseconds: 60)
            try Guest.pull(6, up: true)
            await Guest.sleep(milliseconds: 60)
        }
        var total: Double?
        for _ in 0..<50 where total.map({ abs($0 - 5.0) > 1e-9 }) ?? true {
            await Guest.sleep(milliseconds: 100)
            total = samples.withLock { $0.last { $0.quantity == "rain_total" }?.value }
        }
        await sensors.stop()
        t.expect(total.map { abs($0 - 5.0) < 1e-9 } == true, "25 tips of 0.2 mm: rain_total \(String(describing: total))")
        let bad = samples.withLock { $0.filter { $0.quality == .bad } }
        t.expect(bad.isEmpty, "no bad samples: \(bad)")
    }

    static func speedTrap(_ t: Checks) async throws {
        let config = try config(
            "trap",
            sensors: """
                  - name: road
                    driver: traffic
                    periods: [10s]
                    vehicles: true
                    detector: {active_low: false, bias: as-is, min_on: 20ms, min_off: 30ms}
                    lanes:
                      - {name: east1, direction: east, upstream: GPIO7, downstream: GPIO8, spacing: 4.0, zone_length: 2.0}
                """)
        try Guest.pull(7, up: false)
        try Guest.pull(8, up: false)
        let vehicles = VehicleRecorder()
        let sensors = try SensorSet(
            config: config, hardware: LinuxHardware(), clock: SystemClock(), liveness: Liveness(),
            logger: logger, stateFiles: StateFileWriter(), sink: vehicles, traffic: vehicles)
        await Guest.sleep(milliseconds: 300)
        // Five cars at about 50 km/h: 4 m between the loops' leading edges is 288 ms; a 4.5 m car
        // over a 2 m loop occupies it for 468 ms. Each write's time window bounds when the kernel
        // stamped its edge, so it bounds the speed the station may compute.
        func write(_ line: Int, _ up: Bool) throws -> (MonotonicInstant, MonotonicInstant) {
            let before = Guest.monotonicNow
            try Guest.pull(line, up: up)
            return (before, Guest.monotonicNow)
        }
        var bounds: [ClosedRange<Double>] = []
        for _ in 0..<5 {
            let upOn = try write(7, true)
            await Guest.sleep(milliseconds: 288)
            let downOn = try write(8, true)
            await Guest.sleep(milliseconds: 180)
            let upOff = try write(7, false)
            await Guest.sleep(milliseconds: 288)
            let downOff = try write(8, false)
            await Guest.sleep(milliseconds: 700)
            func seconds(_ d: Duration) -> Double { Double(d.nanoseconds) / 1e9 }
            let lead = seconds(downOn.0 - upOn.1)...seconds(downOn.1 - upOn.0)
            let trail = seconds(downOff.0 - upOff.1)...seconds(downOff.1 - upOff.0)
            // The station's speed is the mean of the leading- and trailing-edge speeds.
            bounds.append((4 / lead.upperBound + 4 / trail.upperBound) / 2...(4 / lead.lowerBound + 4 / trail.lowerBound) / 2)
        }
        var seen: [Vehicle] = []
        for _ in 0..<40 where seen.count < 5 {
            await Guest.sleep(milliseconds: 100)
            seen = vehicles.withLock { $0 }
        }
        await sensors.stop()
        t.expect(seen.count == 5, "5 vehicles, got \(seen.count)")
        for (v, b) in zip(seen, bounds) {
            let speed = try t.require(v.speed, "a speed for \(v)")
            t.expect(b.contains(speed), "speed \(speed * 3.6) km/h outside \(b.lowerBound * 3.6)…\(b.upperBound * 3.6) km/h from the write windows")
            t.expect(abs(speed * 3.6 - 50) < 10, "about 50 km/h: \(speed * 3.6)")
        }
    }
}

/// What a sensor set hands over, kept for the checks.
final class SampleRecorder: SampleSink, TrafficReportSink {
    private let items = Locked<[Sample]>([])
    func withLock<R>(_ body: (inout [Sample]) -> R) -> R { items.withLock { body(&$0) } }
    func accept(_ batch: [Sample]) { items.withLock { $0 += batch } }
    func accept(_ report: TrafficReport) {}
}

/// The vehicles of a traffic station's reports.
final class VehicleRecorder: SampleSink, TrafficReportSink {
    private let items = Locked<[Vehicle]>([])
    func withLock<R>(_ body: (inout [Vehicle]) -> R) -> R { items.withLock { body(&$0) } }
    func accept(_ batch: [Sample]) {}
    func accept(_ report: TrafficReport) { items.withLock { $0 += report.vehicles.map(\.vehicle) } }
}
