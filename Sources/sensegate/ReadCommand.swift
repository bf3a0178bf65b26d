import Logging
import SenseCLI
import SenseConfig
import SenseCore
import SenseDaemon
import SenseWire

/// `sensegate read --config FILE [SENSOR...]`: prints one measurement of each sensor.
enum ReadCommand {
    static func run(config path: String, sensors names: [String]) async -> Int32 {
        let cfg: SensegateConfig
        do throws(ConfigErrors) {
            cfg = try ConfigLoader.load(path, parts: .standard)
        } catch {
            writeStderr(error.description + "\n")
            return ExitStatus.configError
        }
        var chosen: [SensorConfig] = []
        for name in names {
            guard let s = cfg.sensors.first(where: { $0.name == name }) else {
                writeStderr("sensegate read: \(path) has no sensor '\(name)'; its sensors are \(cfg.sensors.map(\.name).joined(separator: ", "))\n")
                return ExitStatus.usage
            }
            if !chosen.contains(where: { $0.name == name }) { chosen.append(s) }
        }
        if names.isEmpty { chosen = cfg.sensors }
        let logger = Logger(label: "sensegate-read") { _ in QuietLogHandler() }
        var failed = false
        for (sensor, outcome) in await SensorReadout.read(cfg, sensors: chosen, logger: logger) {
            print("\(sensor.name) (\(where_(sensor)))")
            switch outcome {
            case let .readings(readings):
                for r in readings {
                    let value = r.value.map { StationWatch.text(of: $0, counted: r.unit == .none || r.unit == .count) } ?? "—"
                    let unit = HomeAssistantQuantity.haUnit(r.unit) ?? r.unit.rawValue
                    let quality = r.reason.map { "\(r.quality.rawValue) (\($0.rawValue))" } ?? r.quality.rawValue
                    print(
                        "  " + StationWatch.pad(r.quantity, 22) + StationWatch.pad(value, 12, right: true) + " " + StationWatch.pad(unit, 8) + quality
                    )
                    if r.quality == .bad { failed = true }
                }
            case let .failed(reason):
                print("  failed: \(reason)")
                failed = true
            case let .notReadable(why):
                print("  not read: \(why)")
            }
        }
        return failed ? 1 : 0
    }

    /// `bme280 on i2c-1 at 0x76`, `digital_input on GPIO17`.
    private static func where_(_ s: SensorConfig) -> String {
        let driver = s.kind.driverName
        if let bus = s.bus, let address = s.address {
            let hex = String(address, radix: 16)
            return "\(driver) on \(bus.name) at 0x\(hex.count < 2 ? "0" + hex : hex)"
        }
        switch s.kind {
        case let .digitalInput(o): return "\(driver) on \(o.pinName)"
        case let .hcsr04(o): return "\(driver) on \(o.triggerPin)/\(o.echoPin)"
        default: return driver
        }
    }
}
