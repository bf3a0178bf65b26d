// The physical limit of this machine for issue 20's CPU goal: libmosquitto alone (through the
// daemon's thin MQTTClient, no outbox, no analysis) publishing reading-shaped messages at QoS 1
// to a broker on PORT, RATE a second for SECONDS, paced like a station's readings. Prints the
// process's CPU time per acknowledged message, to set beside the daemon's per reading.
import Logging
import SenseCore
import SenseMQTT
import SenseOS
import SenseWire

enum BarePublisher {
    static func run(port: Int, rate: Int, seconds: Int) async throws {
        var logger = Logger(label: "bare")
        logger.logLevel = .warning
        var options = MQTTClientOptions(host: "127.0.0.1", port: port, clientID: "bench-bare-publisher")
        options.sendMaximum = 100
        let client = try MQTTClient(options: options, logger: logger)
        try client.start()
        let clock = SystemClock()
        let ready = clock.monotonicNow + .seconds(5)
        while !client.isConnected, clock.monotonicNow < ready { try await Task.sleep(for: .milliseconds(10)) }
        guard client.isConnected else { throw BenchmarkError(description: "no broker on 127.0.0.1:\(port)") }
        let total = rate * seconds
        let cpu0 = ProcessUsage.cpuSeconds() ?? 0
        let start = clock.monotonicNow
        var sent = 0
        var refused = 0
        while sent < total {
            // A batch every 10 ms, as sensors due together produce them.
            let due = start + .milliseconds(Int64(sent) * 1000 / Int64(rate))
            if due > clock.monotonicNow { try await Task.sleep(for: due - clock.monotonicNow) }
            for _ in 0..<max(1, rate / 100) where sent < total {
                let sample = Sample(
                    sensor: "s\(sent % 2000)", quantity: "temperature", value: 20 + Double(sent % 100) / 100, unit: .celsius,
                    quality: .good, reason: nil, monotonic: clock.monotonicNow, wall: clock.wallNow)
                let topic = "sensegate/bare/sensor/\(sample.sensor)/temperature"
                if case .failed = client.publish(
                    MQTTMessage(topic: topic, payload: Payloads.reading(sample, seq: UInt64(sent)), qos: 1, retain: false))
                {
                    refused += 1
                }
                sent += 1
            }
        }
        let drained = clock.monotonicNow + .seconds(30)
        while client.unacknowledged > 0, clock.monotonicNow < drained { try await Task.sleep(for: .milliseconds(5)) }
        let cpu = (ProcessUsage.cpuSeconds() ?? 0) - cpu0
        let span = (clock.monotonicNow - start).seconds
        await client.shutdown(last: nil, timeout: .milliseconds(500))
        print(
            "bare libmosquitto publisher: \(sent - refused) messages at QoS 1 in \(tenths(span)) s, "
                + "CPU \(tenths(cpu * 1000)) ms: \(tenths(cpu / Double(max(1, sent - refused)) * 1_000_000)) µs per message "
                + "(\(refused) refused)")
    }

    /// `x` to one decimal, for the report.
    static func tenths(_ x: Double) -> String {
        guard let t = Int64(exactly: (x * 10).rounded()) else { return "\(x)" }
        return "\(t / 10).\(abs(t % 10))"
    }
}
