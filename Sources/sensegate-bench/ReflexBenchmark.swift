// Reaction latency on the simulated board (bench/reflex.yaml), with the daemon's own types:
//   reflex:  an edge on the loop detector's input → watcher → analysis → alarm → rule → actuator
//            → the signal's output line set. From the edge's timestamp to the line's.
//   command: `{"command":"on"|"off"}` published on <root>/actuator/gate/set to a mosquitto on
//            127.0.0.1 → broker → the daemon's session → checks → the gate's line set. From just
//            before the publish call to the line's timestamp.
// Both on CLOCK_MONOTONIC; percentiles over N alternating edges or commands (docs/benchmarks.md).
import Logging
import SenseConfig
import SenseCore
import SenseDaemon
import SenseMQTT
import SenseParts
import SenseSimulator

enum ReflexBenchmark {
    static let loopInput = 17
    static let signalOutput = 22
    static let gateOutput = 23

    static func harness(_ configPath: String, port: Int?) throws -> ReflexHarness {
        var config = try ConfigLoader.load(configPath, parts: .standard)
        if let port { config.mqtt.broker = BrokerURL("mqtt://127.0.0.1:\(port)")! }
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        return try ReflexHarness(config: config, mqtt: port != nil, logger: logger)
    }

    /// Waits (polling, without disturbing the measured path's timestamps) for a new output change.
    static func nextChange(
        _ chip: SimulatedGPIOChip, _ line: Int, after previous: MonotonicInstant?,
        clock: SystemClock
    ) async throws -> MonotonicInstant {
        let deadline = clock.monotonicNow + .seconds(2)
        while clock.monotonicNow < deadline {
            if let (t, _) = chip.lastOutputChange(line), t != previous { return t }
            try await Task.sleep(for: .milliseconds(1))  // timestamps measure; polling only finds them
        }
        throw BenchmarkError(description: "no output change within 2 s")
    }

    static func reflex(config: String, edges: Int) async throws {
        let h = try harness(config, port: nil)
        report("reflex: input edge → output line", try await reflexLatencies(h, edges: edges))
        await h.stop()
    }

    /// Reflex latency while a client floods the harness's command topics with `rate` malformed and
    /// refused commands a second (issue 17: a flood of commands never delays the reflex path).
    static func reflexUnderFlood(config: String, port: Int, edges: Int, rate: Int) async throws {
        let h = try harness(config, port: port)
        let clock = SystemClock()
        let client = try await connectedClient(h, port: port, id: "bench-flooder")
        let payloads = [
            "not json", #"{"command":"blink"}"#, #"{"command":"override","level":"off","for":"99999999999999999999s"}"#,
            String(repeating: "[", count: 3000), #"{"command":"on","colour":"red"}"#,
        ]
        let flood = Task.detached {
            var sent = 0
            let start = clock.monotonicNow
            while !Task.isCancelled {
                // Paced in bursts of a tenth of the rate, ten times a second.
                for _ in 0..<max(1, rate / 10) {
                    _ = client.publish(
                        MQTTMessage(
                            topic: "sensegate/bench/actuator/gate/set", text: payloads[sent % payloads.count],
                            qos: 0, retain: false))
                    sent += 1
                }
                let due = start + .milliseconds(Int64(sent) * 1000 / Int64(max(1, rate)))
                if due > clock.monotonicNow {
                    do { try await Task.sleep(for: due - clock.monotonicNow) } catch { break }  // cancelled: the measurement is over
                }
            }
            return (sent, clock.monotonicNow - start)
        }
        try await Task.sleep(for: .seconds(1))  // the flood is under way
        let latencies = try await reflexLatencies(h, edges: edges)
        flood.cancel()
        let (sent, span) = await flood.value
        await client.shutdown(last: nil, timeout: .milliseconds(200))
        await h.stop()
        report("reflex under a flood of \(Int(Double(sent) / span.seconds)) refused commands/s: input edge → output line", latencies)
    }

    static func reflexLatencies(_ h: ReflexHarness, edges: Int) async throws -> [Duration] {
        let clock = SystemClock()
        try await Task.sleep(for: .milliseconds(200))  // the watcher reads the initial level
        var latencies: [Duration] = []
        for i in 0..<(edges + 20) {
            let previous = h.chip.lastOutputChange(signalOutput)?.0
            let t0 = clock.monotonicNow
            h.chip.drive(loopInput, high: i % 2 == 0)
            let t1 = try await nextChange(h.chip, signalOutput, after: previous, clock: clock)
            if i >= 20 { latencies.append(t1 - t0) }  // the first ones warm up
            try await Task.sleep(for: .milliseconds(2))
        }
        return latencies
    }

    /// A client of the broker on `port`, once both it and the harness's session are connected.
    static func connectedClient(_ h: ReflexHarness, port: Int, id: String) async throws -> MQTTClient {
        let clock = SystemClock()
        var logger = Logger(label: id)
        logger.logLevel = .warning
        let client = try MQTTClient(options: MQTTClientOptions(host: "127.0.0.1", port: port, clientID: id), logger: logger)
        try client.start()
        let ready = clock.monotonicNow + .seconds(5)
        while !(client.isConnected && h.isConnected), clock.monotonicNow < ready { try await Task.sleep(for: .milliseconds(10)) }
        guard client.isConnected, h.isConnected else { throw BenchmarkError(description: "no broker on 127.0.0.1:\(port)") }
        return client
    }

    /// While the commands go, the loop detector changes `readingsPerSecond` times a second: each
    /// change is a QoS 1 reading (and the signal's state) on the same connection, so the broker's
    /// PUBACKs interleave with the commands as they do on a working station.
    static func command(config: String, port: Int, commands: Int, readingsPerSecond: Int) async throws {
        let h = try harness(config, port: port)
        let clock = SystemClock()
        let client = try await connectedClient(h, port: port, id: "bench-commander")
        try await Task.sleep(for: .milliseconds(300))  // the subscription is in place
        let chip = h.chip
        let readings = Task.detached {
            var high = false
            while readingsPerSecond > 0, !Task.isCancelled {
                high.toggle()
                chip.drive(loopInput, high: high)
                do { try await Task.sleep(for: .milliseconds(1000 / Int64(readingsPerSecond))) } catch { break }  // cancelled: done
            }
        }
        var latencies: [Duration] = []
        for i in 0..<(commands + 20) {
            let previous = h.chip.lastOutputChange(gateOutput)?.0
            let payload = i % 2 == 0 ? #"{"command":"on","by":"bench"}"# : #"{"command":"off","by":"bench"}"#
            let t0 = clock.monotonicNow
            _ = client.publish(MQTTMessage(topic: "sensegate/bench/actuator/gate/set", text: payload, qos: 1, retain: false))
            let t1 = try await nextChange(h.chip, gateOutput, after: previous, clock: clock)
            if i >= 20 { latencies.append(t1 - t0) }
            try await Task.sleep(for: .milliseconds(5))
        }
        readings.cancel()
        await readings.value
        await client.shutdown(last: nil, timeout: .milliseconds(200))
        await h.stop()
        report("command: MQTT publish → output line (loopback broker, QoS 1, \(readingsPerSecond) readings/s flowing)", latencies)
    }

    static func report(_ what: String, _ latencies: [Duration]) {
        let sorted = latencies.sorted()
        func p(_ q: Double) -> String {
            let d = sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)]
            return "\(Int(d.nanoseconds / 1000)) µs"
        }
        print("\(what): n = \(sorted.count), p50 \(p(0.50)), p90 \(p(0.90)), p99 \(p(0.99)), max \(p(1.0))")
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
}
