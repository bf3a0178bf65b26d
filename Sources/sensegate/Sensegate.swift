import ArgumentParser
import Logging
import SenseConfig
import SenseCore
import SenseDaemon
import SenseHardware
import SenseHardwareLinux
import ServiceLifecycle
import UnixSignals
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes (sysexits.h), as systemd and operators expect them.
enum ExitStatus {
    static let configError: Int32 = 78     // EX_CONFIG
    static let unavailable: Int32 = 69     // EX_UNAVAILABLE
    static let internalError: Int32 = 70   // EX_SOFTWARE
}

@main
struct Sensegate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensegate",
        abstract: "Edge sensor gateway: reads I2C and GPIO sensors, publishes to MQTT.",
        version: SensegateVersion.string,
        subcommands: [Run.self, Check.self, Version.self, I2CScan.self],
        defaultSubcommand: nil)
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway daemon (SIGTERM/SIGINT stop it, SIGHUP reloads the config).")

    @Option(name: .shortAndLong, help: "The config file.")
    var config: String

    @Option(help: "Override mqtt.broker, e.g. mqtt://127.0.0.1:1883.")
    var broker: String?

    @Option(help: "Override log_level (trace, debug, info, notice, warning, error, critical).")
    var logLevel: String?

    func run() async throws {
        let cfg: SensegateConfig
        do throws(ConfigErrors) {
            cfg = try ConfigLoader.load(config)
        } catch {
            writeStderr(error.description + "\n")
            throw ExitCode(ExitStatus.configError)
        }
        var override: BrokerURL?
        if let broker {
            guard let url = BrokerURL(broker) else {
                writeStderr("--broker: '\(broker)' is not a broker URL: write mqtt://HOST[:PORT] or mqtts://HOST[:PORT]\n")
                throw ExitCode(ExitStatus.configError)
            }
            override = url
        }
        var chosen = cfg.logLevel
        if let logLevel {
            guard let l = LogLevel(rawValue: logLevel) else {
                writeStderr("--log-level: '\(logLevel)' is not a level\n")
                throw ExitCode(ExitStatus.configError)
            }
            chosen = l
        }
        let level = chosen.swiftLog
        LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
        let logger = Logger(label: "sensegate")
        let daemon = SensegateDaemon(config: cfg, brokerOverride: override, logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: daemon)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            cancellationSignals: [],
            logger: Logger(label: "sensegate.lifecycle", factory: { _ in SwiftLogNoOpLogHandler() })))
        let hangups = Task {
            for await _ in await UnixSignalsSequence(trapping: .sighup) {
                logger.notice("SIGHUP: reloading \(cfg.file)")
                daemon.requestReload()
            }
        }
        defer { hangups.cancel() }
        do {
            try await group.run()
        } catch let e as UnavailableResource {
            logger.critical("\(e)")
            throw ExitCode(ExitStatus.unavailable)
        } catch {
            logger.critical("internal error: \(error)")
            throw ExitCode(ExitStatus.internalError)
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a config file without touching hardware or network (exit 0, or 78 with the errors).")

    @Option(name: .shortAndLong, help: "The config file.")
    var config: String

    func run() throws {
        do throws(ConfigErrors) {
            let cfg = try ConfigLoader.load(config)
            print("\(config): OK — node \(cfg.node), board \(cfg.board.name), \(cfg.sensors.count) sensor(s), broker \(cfg.mqtt.broker)")
        } catch {
            writeStderr(error.description + "\n")
            writeStderr("\(config): \(error.diagnostics.count) error(s)\n")
            throw ExitCode(ExitStatus.configError)
        }
    }
}

struct Version: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the version and build facts.")

    func run() {
        print("sensegate \(SensegateVersion.string) (libgpiod v\(SensegateVersion.gpiodAPI) API)")
    }
}

struct I2CScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "i2c-scan",
        abstract: "List the addresses that answer on an I2C bus (like i2cdetect -y).")

    @Argument(help: "The bus device, e.g. /dev/i2c-1.")
    var device: String

    func run() throws {
        let bus: LinuxI2CBus
        do {
            bus = try LinuxI2CBus(name: device, path: device)
        } catch {
            writeStderr("\(error)\n")
            throw ExitCode(ExitStatus.unavailable)
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
    }
}
