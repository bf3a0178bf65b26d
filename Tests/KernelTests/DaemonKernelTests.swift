import Logging
import SenseCore
import SenseHardwareLinux
import SenseMQTT
import SenseParts
import SenseSimulator

#if canImport(Glibc)
    import Glibc
    import SenseWire
#endif

/// The `sensegate` binary itself in the guest, on a board file naming the guest's devices, its
/// messages on the host's mosquitto through the VM's one forward, ending with SIGTERM.
enum DaemonKernelTests {
    static func all(daemon: String?) -> [KernelTest] {
        guard let daemon else { return [] }
        return [
            KernelTest(name: "daemon: sensegate i2c-scan lists what answers on the real bus") { t in try await scan(t, daemon: daemon) },
            KernelTest(name: "daemon: sensegate run on the real drivers, to the host's broker, stopped by SIGTERM") { t in
                try await run(t, daemon: daemon)
            },
        ]
    }

    /// An independent subscriber in the guest (libmosquitto, through the same forward).
    final class Subscriber: Sendable {
        struct Message: Sendable {
            var topic: String
            var payload: String
        }

        let client: MQTTClient
        let log = LockedList<Message>()
        private let task: Task<Void, Never>

        init(host: String, port: Int, filter: String) throws {
            var options = MQTTClientOptions(host: host, port: port, clientID: "kernel-test-\(getpid())")
            options.reconnectMaxSeconds = 2
            client = try MQTTClient(options: options, logger: PipelineKernelTests.logger)
            let box = log
            let c = client
            task = Task {
                for await m in c.messages {
                    box.append(Message(topic: m.topic, payload: String(decoding: m.payload, as: UTF8.self)))
                }
            }
            try client.subscribe(filter, qos: 1)
            try client.start()
        }

        func wait(timeout: Duration, _ match: @escaping (Message) -> Bool) async -> Message? {
            let deadline = Guest.monotonicNow + timeout
            while Guest.monotonicNow < deadline {
                if let m = log.first(where: match) { return m }
                await Guest.sleep(milliseconds: 50)
            }
            return nil
        }

        func stop() async {
            await client.shutdown(last: nil, timeout: .milliseconds(200))
            task.cancel()
        }
    }

    /// i2c-stub has chips at 0x50 (probed by a read, as EEPROMs are) and 0x76, 0x77 (a quick write).
    static func scan(_ t: Checks, daemon: String) async throws {
        let stub = try Guest.stubBus
        let process = try GuestProcess(daemon, ["i2c-scan", stub], log: "/tmp/scan.log")
        let code = await process.wait(timeout: .seconds(20))
        t.expect(code == 0, "exit \(String(describing: code)): \(process.output)")
        t.expect(process.output.contains("\(stub): 0x50 0x76 0x77"), "scan: \(process.output)")
        let missing = try GuestProcess(daemon, ["i2c-scan", "/dev/i2c-9"], log: "/tmp/scan-missing.log")
        t.expect(await missing.wait(timeout: .seconds(10)) == 69, "a missing bus exits 69: \(missing.output)")
        t.expect(missing.output.contains("/dev/i2c-9"), missing.output)
        // The bus by its number, as operators say it (issue 17), and a file that is no adapter.
        let number = String(stub.dropFirst("/dev/i2c-".count))
        let byNumber = try GuestProcess(daemon, ["i2c-scan", number], log: "/tmp/scan-number.log")
        t.expect(await byNumber.wait(timeout: .seconds(20)) == 0, "i2c-scan \(number): \(byNumber.output)")
        t.expect(byNumber.output.contains("\(stub): 0x50 0x76 0x77"), "scan by number: \(byNumber.output)")
        let notABus = try GuestProcess(daemon, ["i2c-scan", "/dev/null"], log: "/tmp/scan-null.log")
        t.expect(await notABus.wait(timeout: .seconds(10)) == 69, "/dev/null exits 69: \(notABus.output)")
        t.expect(
            notABus.output.contains("/dev/null is not an I2C adapter") && notABus.output.split(separator: "\n").count == 1,
            "one clear error: \(notABus.output)")
    }

    static func run(_ t: Checks, daemon: String) async throws {
        let broker = try t.require(Guest.broker, "no broker forwarded into the guest (VM_BROKER_PORT)")
        let parts = broker.split(separator: ":")
        let host = String(parts[0]), port = Int(parts[1]) ?? 1883
        // The BME280 at 0x77 on i2c-stub, loaded with a known atmosphere.
        let stub = try LinuxI2CBus(name: "i2c-1", path: try Guest.stubBus)
        let air = AirConditions(temperature: 18.25, pressure: 100_210, humidity: 61.0)
        try I2CKernelTests.loadBME280(stub, address: 0x77, air: air)
        try Guest.pull(9, up: false)  // the door contact, open
        try Guest.pull(10, up: true)  // the rain gauge's reed switch, open
        try Guest.pull(11, up: false)  // the fan relay's line, undriven
        let board = try PipelineKernelTests.writeBoard()
        try Guest.write(
            "/tmp/daemon.yaml",
            """
            node: kvm
            board: \(board)
            state_dir: /tmp/state-daemon
            mqtt:
              broker: mqtt://\(broker)
              reconnect: {min: 1s, max: 2s}
            sensors:
              - {name: air, driver: bme280, bus: i2c-1, address: 0x77, interval: 1s}
              - {name: door, driver: digital_input, pin: GPIO9, bias: as-is, debounce: 10ms, interval: 30s}
              - {name: rain, driver: tipping_bucket, pin: GPIO10, mm_per_tip: 0.2, debounce: 25ms, interval: 1s}
            actuators:
              - {name: fan, pin: GPIO11, failsafe: off, commands: [on, off, release]}
            """)
        let sub = try Subscriber(host: host, port: port, filter: "sensegate/kvm/#")
        defer { Task { await sub.stop() } }
        let process = try GuestProcess(daemon, ["run", "--config", "/tmp/daemon.yaml"], log: "/tmp/daemon.log")
        let root = "sensegate/kvm/"
        func payloadNumber(_ payload: String, _ key: String) -> Double? {
            guard case let .number(v)? = (try? JSONValue.parse(Array(payload.utf8)))?[key] else { return nil }
            return v
        }
        let online = await sub.wait(timeout: .seconds(30)) { $0.topic == root + "status" && $0.payload == "online" }
        t.expect(online != nil, "online; daemon log:\n\(process.output)")
        let temperature = await sub.wait(timeout: .seconds(15)) { $0.topic == root + "sensor/air/temperature" }
        if let v = temperature.flatMap({ payloadNumber($0.payload, "v") }) {
            t.expect(abs(v - air.temperature) < 0.02, "temperature \(v) for \(air.temperature)")
        } else {
            t.record("no temperature reading: \(String(describing: temperature))")
        }
        let pressure = await sub.wait(timeout: .seconds(5)) { $0.topic == root + "sensor/air/pressure" }
        t.expect(pressure.flatMap { payloadNumber($0.payload, "v") }.map { abs($0 - air.pressure) < 3 } == true, "\(String(describing: pressure))")

        // The door opens: one state change, stamped by the kernel.
        try Guest.pull(9, up: true)
        let opened = await sub.wait(timeout: .seconds(10)) { $0.topic == root + "sensor/door/state" && payloadNumber($0.payload, "v") == 1 }
        t.expect(opened != nil, "door state 1")
        // Ten tips of the rain gauge.
        for _ in 0..<10 {
            try Guest.pull(10, up: false)
            await Guest.sleep(milliseconds: 60)
            try Guest.pull(10, up: true)
            await Guest.sleep(milliseconds: 60)
        }
        let rain = await sub.wait(timeout: .seconds(10)) {
            $0.topic == root + "sensor/rain/rain_total" && payloadNumber($0.payload, "v").map { abs($0 - 2.0) < 1e-9 } == true
        }
        t.expect(rain != nil, "rain_total 2.0 mm after 10 tips")

        // A command over MQTT drives the real line.
        t.expect(try Guest.level(11) == 0, "fan off before the command")
        _ = sub.client.publish(MQTTMessage(topic: root + "actuator/fan/set", text: #"{"command":"on","by":"kernel-test"}"#, qos: 1, retain: false))
        let ack = await sub.wait(timeout: .seconds(10)) { $0.topic == root + "actuator/fan/ack" }
        t.expect(ack?.payload.contains("\"ok\":true") == true, "ack: \(String(describing: ack))")
        t.expect(try Guest.level(11) == 1, "the fan's line driven high")

        // SIGTERM: failsafe, offline, exit 0, the line given back.
        let asked = Guest.monotonicNow
        process.signal(SIGTERM)
        let code = await process.wait(timeout: .seconds(10))
        let took = Double((Guest.monotonicNow - asked).nanoseconds) / 1e9
        t.expect(code == 0, "exit \(String(describing: code)); log:\n\(process.output)")
        t.expect(took < 3, "stopped in \(took) s")
        let offline = await sub.wait(timeout: .seconds(5)) { $0.topic == root + "status" && $0.payload == "offline" }
        t.expect(offline != nil, "offline published")
        let failsafe = sub.log.last { $0.topic == root + "actuator/fan" }
        t.expect(failsafe?.payload.contains("\"source\":\"failsafe\"") == true, "failsafe state published: \(String(describing: failsafe))")
        t.expect(try Guest.level(11) == 0, "the fan's line released to its pull-down")
        if code == nil { process.signal(SIGKILL) }
    }
}
