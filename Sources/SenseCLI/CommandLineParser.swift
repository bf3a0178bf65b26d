import SenseCore

/// The command line, parsed by hand: four commands and three options do not justify a parsing
/// library that links FoundationEssentials (2 MiB of resident memory measured on this daemon,
/// docs/benchmarks.md). Usage errors exit 64 (EX_USAGE) with a message and a pointer to help.
package enum Command: Equatable {
    case run(config: String, broker: String?, logLevel: String?)
    case check(config: String)
    case i2cScan(device: String)
    /// `model --list` (name nil) or `model NAME key=value …`.
    case model(name: String?, arguments: [String])
    /// `set --config FILE [--key ID] ACTUATOR on|off|pulse|release [DURATION]`: a command through
    /// the broker, signed with the config's key `ID` when given.
    case set(config: String, actuator: String, verb: String, duration: String?, key: String? = nil)
    /// `read --config FILE [SENSOR...]`: one measurement of each sensor, without MQTT.
    case read(config: String, sensors: [String])
    /// `watch --config FILE`: the live view of a running station.
    case watch(config: String, once: Bool)
    case version
    case help(String?)
}

package struct UsageError: Error, Equatable {
    package var message: String
}

package enum CommandLineParser {
    package static let usage = """
        USAGE: sensegate <command> [options]

        COMMANDS:
          run --config FILE [--broker URL] [--log-level LEVEL]
                              Run the gateway daemon. SIGTERM or SIGINT stop it (publishing
                              "offline"), SIGHUP re-reads FILE.
          check --config FILE Validate FILE and its board file without touching hardware or the
                              network: exit 0, or 78 with every error as file:line:column.
          read --config FILE [SENSOR ...]
                              One measurement of each sensor (or those named) through the real drivers,
                              printed with units and quality; no broker (stop the service first).
          watch --config FILE Live view of a running station through its broker: every channel's value,
                              unit, quality and age, alarms, actuators, link and outbox.
          set --config FILE [--key ID] ACTUATOR on|off|pulse|release [DURATION]
                              Send a checked command to the running station and print its answer;
                              signed with the config's key ID (commands.keys) when given.
          i2c-scan BUS        List the addresses that answer on an I2C bus: 1, i2c-1 or /dev/i2c-1.
          model NAME KEY=VALUE ...
                              Evaluate a model (AQI, NowCast, PM2.5 correction, dew point, …) and
                              print one JSON object; exit 2 on a bad input. 'model --list' lists them.
          version             Print the version.
          help [COMMAND]      Show this help, or one command's page (also: COMMAND --help).

        OPTIONS:
          -c, --config FILE   The config file (see docs/configuration.md).
          --broker URL        Override mqtt.broker: mqtt://HOST[:PORT] or mqtts://HOST[:PORT].
          --log-level LEVEL   Override log_level: trace, debug, info, notice, warning, error, critical.
          -h, --help          Show this help.
          --version           Print the version.

        EXIT CODES: 0 ok, 2 bad model input, 64 usage error, 69 device or state directory unavailable at start,
                    70 internal error, 78 configuration error.
        """

    package static func parse(_ arguments: [String]) throws(UsageError) -> Command {
        var args = arguments[...]
        guard let first = args.popFirst() else { return .help(nil) }
        if first == "model" {
            guard let name = args.popFirst(), name != "--list" else { return .model(name: nil, arguments: []) }
            if name == "-h" || name == "--help" { return .help("model") }
            return .model(name: name, arguments: Array(args))
        }
        if args.contains("-h") || args.contains("--help") { return .help(first) }
        switch first {
        case "-h", "--help", "help": return .help(args.first)
        case "--version", "version":
            try noMore(args, after: first)
            return .version
        case "run":
            let o = try options(args, allowed: ["--config", "--broker", "--log-level"], command: first)
            guard let config = o["--config"] else { throw UsageError(message: "run needs --config FILE") }
            return .run(config: config, broker: o["--broker"], logLevel: o["--log-level"])
        case "check":
            let o = try options(args, allowed: ["--config"], command: first)
            guard let config = o["--config"] else { throw UsageError(message: "check needs --config FILE") }
            return .check(config: config)
        case "set":
            let (o, positional) = try optionsAndArguments(args, allowed: ["--config", "--key"], command: first)
            guard let config = o["--config"] else { throw UsageError(message: "set needs --config FILE") }
            guard positional.count >= 2, positional.count <= 3 else {
                throw UsageError(message: "set takes an actuator, a command and perhaps a duration: sensegate set --config FILE fan on [10m]")
            }
            let verb = positional[1].lowercased()  // `ON` as a switch says it
            guard ["on", "off", "pulse", "release"].contains(verb) else {
                throw UsageError(message: "set: '\(verb)' is not a command: use on, off, pulse or release")
            }
            let duration = positional.count == 3 ? positional[2] : nil
            if verb == "pulse", duration == nil {
                throw UsageError(message: "set: pulse needs a duration, e.g. sensegate set --config FILE siren pulse 5s")
            }
            if verb == "release", duration != nil { throw UsageError(message: "set: release takes no duration") }
            if let duration, case let .failure(problem) = DurationText.parse(duration) {
                throw UsageError(message: "set: '\(duration)' is not a duration (\(problem))")
            }
            return .set(config: config, actuator: positional[0], verb: verb, duration: duration, key: o["--key"])
        case "read":
            let (o, positional) = try optionsAndArguments(args, allowed: ["--config"], command: first)
            guard let config = o["--config"] else { throw UsageError(message: "read needs --config FILE") }
            return .read(config: config, sensors: positional)
        case "watch":
            let (o, positional) = try optionsAndArguments(args, allowed: ["--config", "--once"], flags: ["--once"], command: first)
            guard let config = o["--config"] else { throw UsageError(message: "watch needs --config FILE") }
            if let extra = positional.first { throw UsageError(message: "watch takes no argument '\(extra)'") }
            return .watch(config: config, once: o["--once"] != nil)
        case "i2c-scan":
            guard let device = args.popFirst(), !device.hasPrefix("-") else {
                throw UsageError(message: "i2c-scan needs a bus, e.g. sensegate i2c-scan 1 (or i2c-1, /dev/i2c-1)")
            }
            try noMore(args, after: first)
            return .i2cScan(device: device)
        default:
            throw UsageError(message: "unknown command '\(first)'")
        }
    }

    /// `--name value`, `--name=value`, `-c value`; each at most once; `-h` anywhere means help.
    private static func options(
        _ args: ArraySlice<String>, allowed: [String],
        command: String
    ) throws(UsageError) -> [String: String] {
        let (options, positional) = try optionsAndArguments(args, allowed: allowed, command: command)
        if let word = positional.first {
            throw UsageError(message: "\(command) does not take '\(word)'; it takes \(allowed.joined(separator: ", "))")
        }
        return options
    }

    /// Options anywhere, and the words that are not options, in order. `flags` take no value.
    private static func optionsAndArguments(
        _ args: ArraySlice<String>, allowed: [String], flags: Set<String> = [], command: String
    ) throws(UsageError) -> ([String: String], [String]) {
        var options: [String: String] = [:]
        var positional: [String] = []
        var rest = args
        while let arg = rest.popFirst() {
            guard arg.hasPrefix("-"), arg != "-" else {
                positional.append(arg)
                continue
            }
            var name = arg == "-c" ? "--config" : arg
            var value: String?
            if let eq = arg.firstIndex(of: "="), arg.hasPrefix("--") {
                name = String(arg[..<eq])
                value = String(arg[arg.index(after: eq)...])
            }
            guard allowed.contains(name) else {
                throw UsageError(message: "\(command) does not take '\(arg)'; it takes \(allowed.joined(separator: ", "))")
            }
            guard options[name] == nil else { throw UsageError(message: "\(name) given twice") }
            if flags.contains(name) {
                guard value == nil else { throw UsageError(message: "\(name) takes no value") }
                options[name] = ""
                continue
            }
            if value == nil {
                guard let next = rest.popFirst(), !next.hasPrefix("-") || next == "-" else { throw UsageError(message: "\(name) needs a value") }
                value = next
            }
            options[name] = value
        }
        return (options, positional)
    }

    private static func noMore(_ args: ArraySlice<String>, after command: String) throws(UsageError) {
        if let extra = args.first { throw UsageError(message: "\(command) takes no argument '\(extra)'") }
    }
}
