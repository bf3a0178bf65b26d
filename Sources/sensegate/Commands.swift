import Logging
import SenseConfig
import SenseCore
import SenseDaemon
import SenseHardware
import SenseHardwareLinux
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// What each command does; each returns its exit status.
enum Commands {
    static func check(_ path: String) -> Int32 {
        do throws(ConfigErrors) {
            let cfg = try ConfigLoader.load(path)
            print("\(path): OK — node \(cfg.node), board \(cfg.board.name), \(cfg.sensors.count) sensor(s), "
                  + "\(cfg.alarms.count) alarm(s), \(cfg.rules.count) rule(s), \(cfg.actuators.count) actuator(s), broker \(cfg.mqtt.broker)")
            return 0
        } catch {
            writeStderr(error.description + "\n\(path): \(error.diagnostics.count) error(s)\n")
            return ExitStatus.configError
        }
    }

    static func i2cScan(_ device: String) -> Int32 {
        let bus: LinuxI2CBus
        do {
            bus = try LinuxI2CBus(name: device, path: device)
        } catch {
            writeStderr("\(error)\n")
            return ExitStatus.unavailable
        }
        var found: [String] = []
        for address in UInt8(0x03)...0x77 {
            do {
                if try bus.probe(address) { found.append(hex(address)) }
            } catch {
                writeStderr("\(hex(address)): \(error)\n")
            }
        }
        print(found.isEmpty ? "\(device): no device answered" : "\(device): \(found.joined(separator: " "))")
        return 0
    }

    /// Loads the config, bootstraps logging, runs the daemon until SIGTERM/SIGINT; SIGHUP reloads.
    static func run(config path: String, broker: String?, logLevel: String?) async -> Int32 {
        let cfg: SensegateConfig
        do throws(ConfigErrors) {
            cfg = try ConfigLoader.load(path)
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
        let level = chosen.swiftLog
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
        let logger = Logger(label: "sensegate")
        let daemon = SensegateDaemon(config: cfg, brokerOverride: override, logger: logger)
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
