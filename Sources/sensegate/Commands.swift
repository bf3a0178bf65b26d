import Dispatch
import Logging
import SenseCLI
import SenseConfig
import SenseCore
import SenseDaemon
import SenseHardware
import SenseHardwareLinux
import SenseParts

#if canImport(Glibc)
    import Glibc
    import SenseOS
#endif

/// What each command does; each returns its exit status.
enum Commands {
    static func check(_ path: String) -> Int32 {
        do throws(ConfigErrors) {
            let cfg = try ConfigLoader.load(path, parts: .standard)
            print(
                "\(path): OK — node \(cfg.node), board \(cfg.board.name), \(cfg.sensors.count) sensor(s), "
                    + "\(cfg.alarms.count) alarm(s), \(cfg.rules.count) rule(s), \(cfg.actuators.count) actuator(s), \(cfg.mqtt.fallbackBrokers.isEmpty ? "broker" : "brokers") \(cfg.mqtt.brokers.map(\.description).joined(separator: ", "))"
            )
            // The config.txt lines that turn on the buses the sensors use (board files' `enable:`).
            let used = Set(cfg.sensors.compactMap { $0.bus?.name })
            let lines = used.sorted().compactMap { bus in cfg.board.busEnable[bus].map { "\($0)   (\(bus))" } }
            if !lines.isEmpty {
                print("the board's config.txt needs:\n" + lines.map { "  " + $0 }.joined(separator: "\n"))
            }
            return 0
        } catch {
            writeStderr(error.description + "\n\(path): \(error.diagnostics.count) error(s)\n")
            return ExitStatus.configError
        }
    }

    /// `1`, `i2c-1` or `/dev/i2c-1` → `/dev/i2c-1`; any other text is taken as a path.
    static func i2cDevice(_ argument: String) -> String {
        let digits = argument.hasPrefix("i2c-") ? String(argument.dropFirst(4)) : argument
        if !digits.isEmpty, digits.count <= 4, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return "/dev/i2c-\(digits)" }
        return argument
    }

    static func i2cScan(_ argument: String) -> Int32 {
        let device = i2cDevice(argument)
        let bus: LinuxI2CBus
        do {
            bus = try LinuxI2CBus(name: device, path: device)
        } catch {
            writeStderr("sensegate: \(error)\n")
            return ExitStatus.unavailable
        }
        var found: [String] = []
        // Errors other than "nothing answered", one line per run of addresses with the same error
        // (a bus whose every transfer fails says so once, not 117 times).
        var failures: [(first: UInt8, last: UInt8, error: String)] = []
        for address in UInt8(0x03)...0x77 {
            do {
                if try bus.probe(address) { found.append(hex(address)) }
            } catch {
                let text = Self.withoutAddress(error)
                if let last = failures.last, last.error == text, last.last == address - 1 {
                    failures[failures.count - 1].last = address
                } else {
                    failures.append((address, address, text))
                }
            }
        }
        for f in failures {
            writeStderr(f.first == f.last ? "\(hex(f.first)): \(f.error)\n" : "\(hex(f.first))–\(hex(f.last)): \(f.error)\n")
        }
        print(found.isEmpty ? "\(device): no device answered" : "\(device): \(found.joined(separator: " "))")
        return failures.isEmpty || !found.isEmpty ? 0 : ExitStatus.unavailable
    }

    private static func withoutAddress(_ error: I2CError) -> String {
        switch error {
        case let .io(_, _, errno): Errno.describe(errno)
        case .timeout: "transfer timed out"
        case .busError: "bus error (arbitration lost or bus stuck)"
        default: error.description
        }
    }

    /// Loads the config, bootstraps logging, runs the daemon until SIGTERM/SIGINT; SIGHUP reloads.
    static func run(config path: String, broker: String?, logLevel: String?) async -> Int32 {
        let cfg: SensegateConfig
        do throws(ConfigErrors) {
            cfg = try ConfigLoader.load(path, parts: .standard)
        } catch {
            writeStderr(error.description + "\n")
            return ExitStatus.configError
        }
        var override: BrokerURL?
        if let broker {
            guard let url = BrokerURL(broker) else {
                writeStderr("--broker: '\(broker)' is not a broker URL: write mqtt://HOST[:PORT] or mqtts://HOST[:PORT]\n")
                return ExitStatus.configError
            }
            override = url
        }
        var chosen = cfg.logLevel
        if let logLevel {
            guard let l = LogLevel(rawValue: logLevel) else {
                writeStderr("--log-level: '\(logLevel)' is not one of \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))\n")
                return ExitStatus.configError
            }
            chosen = l
        }
        let levels = SharedLogLevel(chosen, pinned: logLevel != nil)
        let output: LineWriter?
        do {
            output = try LineWriter(fd: 2)
        } catch {
            writeStderr("log: \(error); lines are written as they come\n")
            output = nil
        }
        defer { output?.close() }  // the last lines before the exit status
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, levels: levels, output: output) }
        let logger = Logger(label: "sensegate")
        let daemon = SensegateDaemon(config: cfg, parts: .standard, brokerOverride: override, logger: logger, logLevels: levels)
        // SIGTERM and SIGINT stop cleanly, SIGHUP reloads. The default actions are ignored so that
        // libdispatch's signal sources receive the signals instead.
        let signals: [DispatchSourceSignal] = [SIGTERM, SIGINT, SIGHUP].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                if sig == SIGHUP {
                    logger.notice("SIGHUP: reloading \(cfg.file)")
                    daemon.requestReload()
                } else {
                    logger.notice("\(sig == SIGTERM ? "SIGTERM" : "SIGINT"): stopping")
                    daemon.requestStop()
                }
            }
            source.resume()
            return source
        }
        defer { for s in signals { s.cancel() } }
        do {
            try await daemon.run()
            return 0
        } catch let e as UnavailableResource {
            logger.critical("\(e)")
            return ExitStatus.unavailable
        } catch {
            logger.critical("internal error: \(error)")
            return ExitStatus.internalError
        }
    }
}
