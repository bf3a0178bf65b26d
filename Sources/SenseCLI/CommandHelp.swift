/// `sensegate help COMMAND` and `sensegate COMMAND --help`: each command's own page.
extension CommandLineParser {
    package static let commands = ["run", "check", "read", "watch", "set", "i2c-scan", "model", "version", "help"]

    /// The page of `command`, or nil for a name that is not a command.
    package static func help(for command: String) -> String? {
        switch command {
        case "run":
            """
            USAGE: sensegate run --config FILE [--broker URL] [--log-level LEVEL]

            Runs the gateway: reads the sensors, analyses, drives the actuators and publishes over
            MQTT, as systemd runs it (Type=notify: READY=1 after every sensor's first cycle, the
            watchdog fed while every sensor makes progress).

              -c, --config FILE   the configuration (docs/configuration.md)
              --broker URL        instead of mqtt.broker: mqtt://HOST[:PORT] or mqtts://HOST[:PORT]
              --log-level LEVEL   instead of log_level: trace debug info notice warning error critical

            SIGTERM, SIGINT  stop cleanly: outputs to their failsafe levels, "offline" published,
                             the outbox kept on disk
            SIGHUP           re-read FILE: applied whole, or refused with the reason (the daemon
                             keeps running the previous configuration)

            EXIT CODES: 0 stopped on request, 64 usage, 69 a device or the state directory is
                        unavailable, 70 internal error, 78 the configuration is wrong
            """
        case "check":
            """
            USAGE: sensegate check --config FILE

            Checks FILE and its board file as the daemon would, without touching hardware or the
            network. Prints a summary and the config.txt lines the sensors' buses need, or every
            error as FILE:LINE:COLUMN: KEY: MESSAGE.

              -c, --config FILE   the configuration to check

            EXIT CODES: 0 valid, 64 usage, 78 the configuration is wrong
            """
        case "read":
            """
            USAGE: sensegate read --config FILE [SENSOR ...]

            Takes one measurement of each sensor of FILE (or of the SENSORs named) through the
            same drivers the daemon uses, on the board's buses and lines, and prints every channel
            with its unit and the driver's quality — no broker, no analysis (like telegraf --test).
            Stop the service first: the daemon holds the GPIO lines, and two programs on one I2C
            sensor spoil each other's measurements. Pulse counters and traffic stations measure
            over time: sensegate watch shows them.

              -c, --config FILE   the configuration (its board, buses, addresses and options)

            EXIT CODES: 0 every sensor read, 1 a sensor failed (the reason is printed), 64 usage or
                        no such sensor, 78 the configuration is wrong
            """
        case "watch":
            """
            USAGE: sensegate watch --config FILE [--once]

            A live view of the running station, through its broker (the config's broker, user,
            password and TLS; a client id of its own): every channel's value, unit, quality and
            the age of its last reading, the alarms, the actuators with who decided their state,
            and the station's link and outbox. Redrawn in place twice a second, fitted to the
            terminal (80×24 is enough; what does not fit is said); colour only on a terminal
            that takes it (not TERM=dumb, no NO_COLOR). Ctrl-C quits.

              -c, --config FILE   the station's configuration (the one the daemon runs)
              --once              print one plain frame after 3 s and exit

            EXIT CODES: 0 quit, 64 usage, 69 the broker cannot be reached, 78 the configuration is wrong
            """
        case "set":
            """
            USAGE: sensegate set --config FILE [--key ID] ACTUATOR on|off|pulse|release [DURATION]

            Sends a command to an actuator of the running station through its broker (the first
            of mqtt.brokers that answers) and prints the station's answer. The daemon checks it
            like any operator's command (allowed commands, interlocks, minimum times, failsafe)
            and drives the line itself.

              on, off [DURATION]  a manual override to that level, for DURATION or max_override
              pulse DURATION      on for DURATION, then back to whatever decides
              release             end a manual override now
              --key ID            sign it with the key commands.keys.ID of the config (a site
                                  with commands.require_signature takes nothing else; reading
                                  the key file needs its owner or group, e.g. sudo)

            Example: sensegate set --config /etc/sensegate/sensegate.yaml siren pulse 5s

            EXIT CODES: 0 accepted, 1 refused (the reason is printed), 64 usage or no such
                        actuator, 69 no broker or no answer within 10 s, 78 the configuration is wrong
            """
        case "i2c-scan":
            """
            USAGE: sensegate i2c-scan BUS

            Lists the 7-bit addresses that answer on an I2C bus (a quick read, as i2cdetect -r):
            BUS is 1, i2c-1 or /dev/i2c-1. Run it as a user in the i2c group.

            EXIT CODES: 0 scanned, 64 usage, 69 the bus cannot be opened
            """
        case "model":
            """
            USAGE: sensegate model NAME KEY=VALUE ...
                   sensegate model --list

            Evaluates one physical model (AQI, NowCast, PM2.5 correction, dew point, stage,
            discharge, rain, traffic, …) and prints one JSON object: the inputs, the outputs and
            their units. NAME and the KEYs may be written as the command lists them (dewpoint,
            t=, rh=) or as the config spells them (dew_point, temperature=, humidity=); inputs
            named as in the config take the units the daemon publishes (pressure= in Pa), and a
            model asked for by its config name answers in them (sea_level_pressure in Pa).

            EXIT CODES: 0 evaluated, 2 an unknown model or a missing, repeated or invalid input
            """
        case "version":
            """
            USAGE: sensegate version

            Prints the version and the libgpiod API the binary was built against.
            """
        case "help":
            """
            USAGE: sensegate help [COMMAND]

            Shows the commands, or one command's page (also: sensegate COMMAND --help).
            Commands: \(commands.joined(separator: ", ")).
            """
        default: nil
        }
    }
}
