import Foundation
import SenseTesting
import Testing

/// The technician's tools against a running station: `sensegate set` through the broker, and
/// `sensegate watch` in a real terminal (tmux, read back with capture-pane).
@Suite(.serialized) struct CommissioningTests {
    static let extra = """
        alarms:
          - {name: hot, channel: outdoor.temperature, high: -100, priority: high}
        actuators:
          - {name: fan, pin: GPIO23}
          - {name: beacon, pin: GPIO24, commands: [pulse, release]}
        """

    struct Station {
        let broker: MosquittoBroker
        let site = Site()
        let config: String
        let sub: Subscriber
        let daemon: ChildProcess

        init() async throws {
            broker = try await MosquittoBroker.running()
            config = site.write("c.yaml", site.simConfig(port: broker.port, derived: CommissioningTests.extra))
            sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/#")
            daemon = try SensegateBinary.start(["run", "--config", config])
            // Subscribed to its commands once its actuators' states are out.
            _ = await sub.wait { $0.topic == "sensegate/e2e/actuator/beacon" }
            _ = await sub.wait { $0.topic.hasPrefix("sensegate/e2e/sensor/") }
        }

        func stop() {
            daemon.signal(SIGTERM)
            _ = daemon.waitForExit(timeout: 5)
        }
    }

    @Test func setSendsACheckedCommandAndPrintsTheAnswer() async throws {
        let station = try await Station()
        let on = try SensegateBinary.run(["set", "--config", station.config, "fan", "on", "10m"])
        #expect(on.status == 0, "\(on.stderr)")
        #expect(on.stdout == "fan: on for 10m accepted; the output is on\n", "\(on.stdout)")
        #expect(
            await !station.sub.wait { $0.topic == "sensegate/e2e/actuator/fan" && $0.payload.contains(#""source":"manual""#) }.isEmpty)
        #expect(station.daemon.stderr.contains("by sensegate set"), "the station logged who sent it")

        let refused = try SensegateBinary.run(["set", "-c", station.config, "beacon", "on"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("beacon: on refused: 'on' is not allowed for actuator 'beacon'"), "\(refused.stderr)")
        let pulse = try SensegateBinary.run(["set", "-c", station.config, "beacon", "pulse", "2s"])
        #expect(pulse.status == 0 && pulse.stdout.contains("beacon: pulse for 2s accepted; the output is on"), "\(pulse.stderr)")

        let unknown = try SensegateBinary.run(["set", "-c", station.config, "ghost", "on"])
        #expect(unknown.status == 64 && unknown.stderr.contains("has no actuator 'ghost'; its actuators are fan, beacon"), "\(unknown.stderr)")
        let noDuration = try SensegateBinary.run(["set", "-c", station.config, "beacon", "pulse"])
        #expect(noDuration.status == 64 && noDuration.stderr.contains("pulse needs a duration"))
        let badDuration = try SensegateBinary.run(["set", "-c", station.config, "fan", "on", "99999999999999999999s"])
        #expect(badDuration.status == 64 && badDuration.stderr.contains("is not a duration"), "\(badDuration.stderr)")

        // No station: the broker is there, nobody answers.
        station.stop()
        let started = Date()
        let silent = try SensegateBinary.run(["set", "-c", station.config, "fan", "off"], timeout: 30)
        #expect(silent.status == 69 && silent.stderr.contains("no answer from e2e within 10 s"), "\(silent.stderr)")
        #expect(Date().timeIntervalSince(started) < 20)
    }

    /// A site that requires signed commands: `set --key` signs with the config's key and is
    /// carried out; without it the station refuses and `set` prints why. The technician's config
    /// lists an unreachable broker first: `set` says so and uses the next.
    @Test func setSignsWithTheConfigsKeyAndTriesTheNextBroker() async throws {
        let broker = try await MosquittoBroker.running()
        let site = Site()
        let keyFile = site.write("ops.key", String(repeating: "3c", count: 32) + "\n")
        chmod(keyFile, 0o600)
        let signed =
            Self.extra + """

                commands:
                  require_signature: true
                  keys:
                    ops: {file: \(keyFile), actuators: [fan], commands: [on, off]}
                """
        let text = site.simConfig(port: broker.port, derived: signed)
        let config = site.write("c.yaml", text)
        let dead = Network.freePort()
        let technician = site.write(
            "t.yaml",
            text.replacing(
                "  broker: mqtt://127.0.0.1:\(broker.port)", with: "  brokers: [mqtt://127.0.0.1:\(dead), mqtt://127.0.0.1:\(broker.port)]"))
        let sub = try await Subscriber.connected(port: broker.port, filter: "sensegate/e2e/#")
        let daemon = try SensegateBinary.start(["run", "--config", config])
        defer {
            daemon.signal(SIGTERM)
            _ = daemon.waitForExit(timeout: 5)
        }
        _ = await sub.wait { $0.topic == "sensegate/e2e/actuator/beacon" }

        let on = try SensegateBinary.run(["set", "-c", technician, "--key", "ops", "fan", "on", "10m"], timeout: 60)
        #expect(on.status == 0 && on.stdout == "fan: on for 10m accepted; the output is on\n", "\(on.stdout) \(on.stderr)")
        #expect(
            on.stderr.contains("cannot reach the broker mqtt://127.0.0.1:\(dead) within 5 s; trying mqtt://127.0.0.1:\(broker.port)"), "\(on.stderr)")
        #expect(on.stderr.contains("connected to mqtt://127.0.0.1:\(broker.port)"), "\(on.stderr)")
        let unsigned = try SensegateBinary.run(["set", "-c", config, "fan", "off"], timeout: 30)
        #expect(unsigned.status == 1 && unsigned.stderr.contains("fan: off refused: this gateway takes signed commands only"), "\(unsigned.stderr)")
        let notPermitted = try SensegateBinary.run(["set", "-c", config, "--key", "ops", "beacon", "pulse", "1s"], timeout: 30)
        #expect(notPermitted.status == 1 && notPermitted.stderr.contains("key 'ops' may not command actuator 'beacon'"), "\(notPermitted.stderr)")
        let unknownKey = try SensegateBinary.run(["set", "-c", config, "--key", "nobody", "fan", "off"], timeout: 30)
        #expect(
            unknownKey.status == 64 && unknownKey.stderr.contains("has no key 'nobody' under commands.keys; its keys are ops"), "\(unknownKey.stderr)"
        )
        #expect(daemon.stderr.contains(#"command result=accepted target=actuator/fan command=on key=ops by="sensegate set""#), "\(daemon.stderr)")
    }

    /// A tmux server of this test's own (`-L`), with no configuration file.
    struct Tmux {
        let socket = "sensegate-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

        @discardableResult
        func run(_ args: [String]) throws -> (status: Int32, out: String) {
            let p = try ChildProcess("/usr/bin/tmux", ["-L", socket, "-f", "/dev/null"] + args)
            let status = p.waitForExit(timeout: 10) ?? -1
            usleep(20_000)
            return (status, p.stdout)
        }

        func capture(escapes: Bool = false) throws -> String { try run(["capture-pane", "-p"] + (escapes ? ["-e"] : []) + ["-t", "w"]).out }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux")))
    func watchInARealTerminal() async throws {
        let station = try await Station()
        defer { station.stop() }
        let tmux = Tmux()
        defer { _ = try? tmux.run(["kill-server"]) }
        // The test runner may set NO_COLOR; the terminal here is a technician's, without it.
        try tmux.run([
            "new-session", "-d", "-s", "w", "-x", "80", "-y", "24", "env -u NO_COLOR \(SensegateBinary.path) watch --config \(station.config)",
        ])
        var screen = ""
        #expect(
            await Network.eventually(timeout: 20) {
                screen = (try? tmux.capture()) ?? ""
                return screen.contains("outdoor.temperature") && screen.contains(" good ") && screen.contains("active_unacknowledged")
            }, "\(screen)")
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.first?.hasPrefix("sensegate watch  e2e (sim) via mqtt://127.0.0.1:") == true, "\(screen)")
        #expect(lines.allSatisfy { $0.count <= 80 })
        #expect(screen.contains("station online"))
        #expect(screen.range(of: #"outdoor\.temperature +-?\d+\.\d\d °C +good +\d+s"#, options: .regularExpression) != nil, "\(screen)")
        #expect(screen.contains("  hot                     high      active_unacknowledged"))
        #expect(screen.contains("  fan                     off") && screen.contains("  beacon                  off"))
        #expect(screen.contains("Ctrl-C to quit"))
        // tmux's terminal takes colour: the quality is green.
        let coloured = try tmux.capture(escapes: true)
        #expect(coloured.contains("\u{1B}[32mgood"), "\(coloured.debugDescription.prefix(600))")

        // An operator's command shows up in the view.
        #expect(try SensegateBinary.run(["set", "-c", station.config, "fan", "on", "10m"]).status == 0)
        #expect(
            await Network.eventually(timeout: 5) { ((try? tmux.capture()) ?? "").contains("  fan                     on    manual") }, "\(screen)")

        // Ctrl-C ends it and gives the terminal back: the session (its only command) is gone.
        try tmux.run(["send-keys", "-t", "w", "C-c"])
        #expect(await Network.eventually(timeout: 5) { ((try? tmux.run(["has-session", "-t", "w"]).status) ?? 0) != 0 })

        // NO_COLOR: the same view without colour.
        try tmux.run([
            "new-session", "-d", "-s", "w", "-x", "80", "-y", "24", "env NO_COLOR=1 \(SensegateBinary.path) watch --config \(station.config)",
        ])
        #expect(await Network.eventually(timeout: 20) { ((try? tmux.capture()) ?? "").contains(" good ") })
        #expect(try !tmux.capture(escapes: true).contains("\u{1B}[32m"))
    }

    @Test func watchOnceIsOnePlainFrame() async throws {
        let station = try await Station()
        defer { station.stop() }
        let r = try SensegateBinary.run(["watch", "--config", station.config, "--once"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("sensegate watch  e2e (sim)"))
        #expect(r.stdout.contains("outdoor.temperature") && r.stdout.contains("ACTUATORS"))
        #expect(!r.stdout.contains("\u{1B}"))
        let unreachable = try SensegateBinary.run(["watch", "--config", station.site.write("x.yaml", station.site.simConfig(port: 1))], timeout: 30)
        #expect(unreachable.status == 69 && unreachable.stderr.contains("cannot reach the broker mqtt://127.0.0.1:1"), "\(unreachable.stderr)")
    }

    /// One measurement of each sensor through the real drivers (here the simulated board's
    /// register-level emulators), no broker.
    @Test func readMeasuresEachSensorOnce() throws {
        let r = try SensegateBinary.run(["read", "--config", RepositoryPaths.examples + "/river-gauge.yaml"], timeout: 60)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let out = r.stdout
        for header in [
            "air (bme280 on i2c-1 at 0x77)", "cabinet (sht3x on i2c-1 at 0x44)", "submersible (ms5837 on i2c-1 at 0x76)",
            "transducer (ads1115 on i2c-1 at 0x48)", "ranger (hcsr04 on GPIO5/GPIO6)",
        ] {
            #expect(out.contains(header + "\n"), "\(header)\n\(out)")
        }
        #expect(out.range(of: #"\n  temperature +\d+\.\d\d °C +good\n"#, options: .regularExpression) != nil, "\(out)")
        #expect(out.range(of: #"\n  water_depth +\d\.\d{3} m +good\n"#, options: .regularExpression) != nil, "\(out)")
        #expect(out.range(of: #"\n  echo_time +\d+ μs +good\n"#, options: .regularExpression) != nil, "\(out)")
        #expect(out.contains("rain (tipping_bucket)\n  not read: a pulse counter measures over time"))

        // A sensor that does not answer: its reason, exit 1, the others still read.
        let site = Site()
        let faulty = site.write(
            "f.yaml", site.simConfig(port: 1, simulation: "  faults: [{sensor: cabinet, fault: nack, after: 0s}]"))
        let f = try SensegateBinary.run(["read", "-c", faulty, "cabinet", "outdoor"], timeout: 60)
        #expect(f.status == 1, "\(f.stdout)\(f.stderr)")
        #expect(f.stdout.hasPrefix("cabinet (bme280 on i2c-1 at 0x77)\n  failed: "), "\(f.stdout)")
        #expect(f.stdout.contains("outdoor (bme280 on i2c-1 at 0x76)\n  temperature"), "\(f.stdout)")
        let unknown = try SensegateBinary.run(["read", "-c", faulty, "ghost"])
        #expect(unknown.status == 64 && unknown.stderr.contains("has no sensor 'ghost'; its sensors are outdoor, cabinet"))
    }
}
