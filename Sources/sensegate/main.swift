import Logging
import SenseCLI
import SenseConfig
import SenseCore
import SenseDaemon
import SenseHardware
import SenseHardwareLinux

#if canImport(Glibc)
    import Glibc
    import SenseWire
#endif

/// Exit codes (sysexits.h), as systemd and operators expect them.
enum ExitStatus {
    static let usage: Int32 = 64  // EX_USAGE
    static let unavailable: Int32 = 69  // EX_UNAVAILABLE
    static let internalError: Int32 = 70  // EX_SOFTWARE
    static let configError: Int32 = 78  // EX_CONFIG
}

let command: Command
do throws(UsageError) {
    command = try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    writeStderr("sensegate: \(error.message)\nRun 'sensegate help' for usage.\n")
    exit(ExitStatus.usage)
}

switch command {
case let .help(topic):
    guard let topic else {
        print(CommandLineParser.usage)
        exit(0)
    }
    guard let page = CommandLineParser.help(for: topic) else {
        writeStderr("sensegate: no command '\(topic)'; the commands are \(CommandLineParser.commands.joined(separator: ", "))\n")
        exit(ExitStatus.usage)
    }
    print(page)
case .version:
    print("sensegate \(SensegateVersion.string) (libgpiod v\(LinuxGPIOChip.apiVersion) API)")
case let .check(config):
    exit(Commands.check(config))
case let .i2cScan(device):
    exit(Commands.i2cScan(device))
case let .model(name, arguments):
    guard let name else {
        print(ModelCommand.list)
        exit(0)
    }
    do throws(ModelCommand.Failure) {
        print(try ModelCommand.run(name, arguments))
    } catch {
        writeStderr("sensegate model: \(error.message)\n")
        exit(2)
    }
case let .set(config, actuator, verb, duration, key):
    exit(await SetCommand.run(config: config, actuator: actuator, verb: verb, duration: duration, key: key))
case let .read(config, sensors):
    exit(await ReadCommand.run(config: config, sensors: sensors))
case let .watch(config, once):
    exit(await WatchCommand.run(config: config, once: once))
case let .run(config, broker, logLevel):
    exit(await Commands.run(config: config, broker: broker, logLevel: logLevel))
}
