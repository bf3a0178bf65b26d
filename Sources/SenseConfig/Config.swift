import SenseAnalysis
import SenseCore
import SenseDrivers
import SenseHardware
import SenseWire

/// A checked configuration: every name resolved against the board, every value in range.
public struct SensegateConfig: Sendable, Hashable {
    public var file: String
    public var node: String
    public var board: Board
    public var stateDirectory: String
    public var logLevel: LogLevel
    public var mqtt: MQTTSettings
    public var sensors: [SensorConfig]
    public var derived: [DerivedDefinition]
    public var alarms: [AlarmDefinition]
    public var alarmFlood: AlarmFlood.Settings
    public var windows: [WindowDefinition]
    public var rules: [RuleDefinition]
    public var actuators: [ActuatorDefinition]
    /// How long outputs stay at their failsafe level after a start that follows an unclean stop.
    public var restartFailsafe: Duration
    public var simulation: SimulationConfig?
    /// The site's offset from UTC: civil hours and days (rain per day, time-of-day rules).
    public var utcOffsetMinutes: Int = 0
}

public enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

public struct BrokerURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var tls: Bool

    /// `mqtt://host[:port]` (1883) or `mqtts://host[:port]` (8883, TLS).
    public init?(_ text: String) {
        let schemes: [(String, Bool)] = [("mqtt://", false), ("tcp://", false), ("mqtts://", true), ("ssl://", true)]
        guard let (prefix, secure) = schemes.first(where: { text.hasPrefix($0.0) }) else { return nil }
        tls = secure
        var rest = text.dropFirst(prefix.count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@") else { return nil }
        if rest.hasPrefix("[") {   // [::1]:1883
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.isEmpty { port = tls ? 8883 : 1883 } else {
                guard after.hasPrefix(":"), let p = Int(after.dropFirst()) else { return nil }
                port = p
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            guard let p = Int(rest[rest.index(after: colon)...]) else { return nil }
            port = p
        } else {
            host = String(rest)
            port = tls ? 8883 : 1883
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
    }

    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(tls ? "mqtts" : "mqtt")://\(h):\(port)"
    }
}

public struct MQTTSettings: Sendable, Hashable {
    public struct TLS: Sendable, Hashable {
        public var caFile: String?
        public var caPath: String?
        public var certFile: String?
        public var keyFile: String?
    }

    public var broker: BrokerURL
    public var clientID: String
    public var username: String?
    public var password: String?
    public var prefix: String
    public var keepalive: Duration
    public var qos: Int
    public var tls: TLS?
    public var reconnectMin: Duration
    public var reconnectMax: Duration
    /// Messages held in memory at most while the outbox cannot use the disk.
    public var queueLimit: Int
    public var outbox: OutboxConfig
    /// `auto` (MQTT 5, falling back to 3.1.1), `5` or `3.1.1`.
    public var protocolVersion: MQTTProtocolSetting = .auto
    /// How readings and derived channels are published: sensegate JSON per quantity, or SenML packs.
    public var format: PayloadFormat = .sensegate
    /// `home_assistant:` (top level): MQTT discovery; nil when the section is absent.
    public var homeAssistant: HomeAssistantSettings?
    /// `cap:` (top level) with the alarms that issue CAP alerts; nil when the section is absent.
    public var publicAlerts: PublicAlertSettings?
}

public enum PayloadFormat: String, Sendable, Hashable, CaseIterable {
    /// One JSON object per quantity on `<root>/sensor/<sensor>/<quantity>` (docs/mqtt.md).
    case sensegate
    /// One SenML pack (RFC 8428) per sensor and fetch on `<root>/senml/<sensor>`.
    case senml
}

public enum MQTTProtocolSetting: String, Sendable, Hashable, CaseIterable {
    case auto
    case v5 = "5"
    case v311 = "3.1.1"
}

/// `mqtt.outbox`: the durable queue between the pipeline and the broker (docs/outbox.md).
public struct OutboxConfig: Sendable, Hashable {
    /// false: messages wait in memory only (at most `queue_limit`), lost on a restart.
    public var enabled = true
    /// The SQLite file, relative to `state_dir` unless absolute.
    public var path = "outbox.db"
    public var maxMessages = 1_000_000
    public var maxMegabytes = 256
    public var maxAge: Duration = .seconds(7 * 86_400)
    public var flushInterval: Duration = .seconds(1)
    public var window = 1000

    public init() {}

    /// The file's full path under `stateDirectory`.
    public func file(in stateDirectory: String) -> String {
        path.hasPrefix("/") ? path : stateDirectory + "/" + path
    }
}

public struct BME280Options: Sendable, Hashable {
    public var temperatureOversampling = 2
    public var pressureOversampling = 16
    public var humidityOversampling = 1
    public var filter = 0
    public init() {}
}

public struct DigitalInputOptions: Sendable, Hashable {
    public var line: Board.Line
    public var pinName: String
    public var bias: Bias
    public var activeLow: Bool
    public var debounce: Duration

    public init(line: Board.Line, pinName: String, bias: Bias, activeLow: Bool, debounce: Duration) {
        self.line = line
        self.pinName = pinName
        self.bias = bias
        self.activeLow = activeLow
        self.debounce = debounce
    }
}

/// A pulse sensor's input line: a reed switch or open-collector output pulling the line low
/// against a pull-up by default.
public struct PulseInputOptions: Sendable, Hashable {
    public var line: Board.Line
    public var pinName: String
    public var bias: Bias
    public var activeLow: Bool
    public var debounce: Duration
    /// How often changed totals are written to the state directory (what a power cut can lose).
    public var flush: Duration

    public init(line: Board.Line, pinName: String, bias: Bias, activeLow: Bool, debounce: Duration, flush: Duration) {
        self.line = line
        self.pinName = pinName
        self.bias = bias
        self.activeLow = activeLow
        self.debounce = debounce
        self.flush = flush
    }
}

public struct TippingBucketOptions: Sendable, Hashable {
    public var input: PulseInputOptions
    public var millimetresPerTip: Double
    public var windows: [Duration]
    public var eventGap: Duration
}

public struct FlowMeterOptions: Sendable, Hashable {
    public var input: PulseInputOptions
    /// F = k·Q: pulses per second per litre per minute.
    public var hertzPerLitrePerMinute: Double
}

public struct UltrasonicOptions: Sendable, Hashable {
    public var trigger: Board.Line
    public var triggerPin: String
    public var echo: Board.Line
    public var echoPin: String
    public var settings: UltrasonicRanger.Settings
}

public enum SensorKind: Sendable, Hashable {
    case bme280(BME280Options)
    case bmp280(BME280Options)
    case sht4x(SHT4xOptions)
    case scd4x(SCD4xOptions)
    case scd30(SCD30Options)
    case sps30
    case sen5x
    case ads1115(ADS1115Options)
    case digitalInput(DigitalInputOptions)
    case tippingBucket(TippingBucketOptions)
    case flowMeter(FlowMeterOptions)
    case hcsr04(UltrasonicOptions)
    case traffic(TrafficStationOptions)

    public var driverName: String {
        switch self {
        case .bme280: "bme280"
        case .bmp280: "bmp280"
        case .sht4x: "sht4x"
        case .scd4x: "scd4x"
        case .scd30: "scd30"
        case .sps30: "sps30"
        case .sen5x: "sen5x"
        case .ads1115: "ads1115"
        case .digitalInput: "digital_input"
        case .tippingBucket: "tipping_bucket"
        case .flowMeter: "flow_meter"
        case .hcsr04: "hcsr04"
        case .traffic: "traffic"
        }
    }

    /// The GPIO lines the sensor holds, with the names the config gave them.
    public var gpioLines: [(line: Board.Line, pin: String)] {
        switch self {
        case let .digitalInput(o): [(o.line, o.pinName)]
        case let .tippingBucket(o): [(o.input.line, o.input.pinName)]
        case let .flowMeter(o): [(o.input.line, o.input.pinName)]
        case let .hcsr04(o): [(o.trigger, o.triggerPin), (o.echo, o.echoPin)]
        case let .traffic(o): o.lines
        default: []
        }
    }

    /// The quantities this sensor can publish, with their units (an ADC's are its configured inputs).
    public var channels: [(String, Unit)] {
        switch self {
        case let .ads1115(o): return o.inputs.map { ($0.quantity, $0.unit) }
        case let .traffic(o): return o.channels
        case let .tippingBucket(o):
            return TippingBucket.channels(.init(millimetresPerTip: o.millimetresPerTip, windows: o.windows)).map { ($0.quantity, $0.unit) }
        default: return DriverCatalogue.channels(driverName)
        }
    }

    public var quantities: [String] { channels.map(\.0) }
}

public struct SensorConfig: Sendable, Hashable {
    public var name: String
    public var kind: SensorKind
    /// The board's bus name and device path, for I2C sensors.
    public var bus: (name: String, device: String)?
    public var address: UInt8?
    /// Polling interval (I2C) or heartbeat interval (digital inputs).
    public var interval: Duration
    public var publish: [String]
    /// Quality checks and filters per quantity (absent: published as measured).
    public var channels: [String: ChannelPipeline.Settings]

    public static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.kind == b.kind && a.bus?.name == b.bus?.name && a.bus?.device == b.bus?.device
            && a.address == b.address && a.interval == b.interval && a.publish == b.publish && a.channels == b.channels
    }

    public func hash(into h: inout Hasher) { h.combine(name) }
}

public struct SimulationConfig: Sendable, Hashable {
    public enum FaultKind: String, Sendable, Hashable, CaseIterable {
        case nack
        case busError = "bus_error"
        case stuckBusy = "stuck_busy"
        case wrongChipID = "wrong_chip_id"
        case skipped
        /// Sensirion parts: a corrupted CRC byte in every reply.
        case crc
        /// Data-ready never comes (Sensirion parts, the ADS1115's conversion).
        case notReady = "not_ready"
        /// "Not available" sentinels (Sensirion parts).
        case notAvailable = "not_available"

        /// The drivers whose emulators can show this fault.
        public var drivers: [String] {
            switch self {
            case .nack, .busError: ["bme280", "bmp280", "sht4x", "scd4x", "scd30", "sps30", "sen5x", "ads1115"]
            case .stuckBusy: ["bme280", "bmp280", "sht4x", "scd4x", "scd30", "sps30", "sen5x", "ads1115"]
            case .wrongChipID, .skipped: ["bme280", "bmp280"]
            case .crc, .notAvailable: ["sht4x", "scd4x", "scd30", "sps30", "sen5x"]
            case .notReady: ["scd4x", "scd30", "sps30", "sen5x", "ads1115"]
            }
        }
    }

    public struct Fault: Sendable, Hashable {
        public var sensor: String
        public var kind: FaultKind
        /// From this long after start …
        public var after: Duration
        /// … for this long (nil: until the end).
        public var duration: Duration?
    }

    public var seed: UInt64 = 1
    public var speed: Double = 1
    public var altitude: Double = 35
    public var meanTemperature: Double = 14
    public var faults: [Fault] = []
    /// Quantities pushed away from the world's value (a heat wave, a humid night).
    public var excursions: [ExcursionSetting] = []
    /// The river and its catchment, for the hydrology sensors.
    public var hydrology = HydrologySimulation()
    /// The road past the traffic stations.
    public var traffic = TrafficSimulation()

    public init() {}
}

public struct HydrologySimulation: Sendable, Hashable {
    public var scenario: CatchmentScenario = .dry
    /// When the storm begins, after the start.
    public var after: Duration = .seconds(600)
    public var rainScale: Double = 1
    /// The actuator whose output runs the pump that a simulated flow meter measures.
    public var pump: String?
    /// L/min through the flow meter while the pump runs.
    public var pumpFlow: Double = 25
    public init() {}
}

public struct TrafficSimulation: Sendable, Hashable {

    public enum DetectorFaultKind: String, Sendable, Hashable, CaseIterable {
        /// The line is held occupied.
        case stuckOn = "stuck_on"
        /// Bursts of very short pulses, shorter than the minimum pulse.
        case chatter
        /// The line never changes.
        case dead
    }

    public struct DetectorFault: Sendable, Hashable {
        public var station: String
        public var lane: String
        public var detector: String
        public var kind: DetectorFaultKind
        public var after: Duration
        public var duration: Duration?
    }

    public var scenario: RoadScenario = .freeFlow
    /// When the episode (rush hour, incident) begins after the start, and how long it lasts.
    public var after: Duration = .seconds(300)
    public var duration: Duration = .seconds(1200)
    /// Vehicles per hour per lane outside the episode, and at rush hour's peak.
    public var demand: Double = 500
    public var peakDemand: Double = 1500
    public var speedLimit: Double = 50
    /// An incident on top of the scenario: when, how long, and the direction it blocks (nil: all).
    public struct Incident: Sendable, Hashable {
        public var after: Duration
        public var duration: Duration
        public var direction: String?
    }

    public var incident: Incident?
    public var faults: [DetectorFault] = []
    public init() {}
}

/// The quantities each driver can publish, with their units.
public enum DriverCatalogue {
    public static func quantities(_ driver: String) -> [String] { channels(driver).map(\.0) }

    public static func channels(_ driver: String) -> [(String, Unit)] {
        switch driver {
        case "bme280": [("temperature", .celsius), ("pressure", .pascal), ("humidity", .relativeHumidity)]
        case "bmp280": [("temperature", .celsius), ("pressure", .pascal)]
        case "sht4x": [("temperature", .celsius), ("humidity", .relativeHumidity)]
        case "scd4x", "scd30": [("co2", .ppm), ("temperature", .celsius), ("humidity", .relativeHumidity)]
        case "sps30": SPS30.quantities.map { ($0.quantity, $0.unit) }
        case "sen5x": SEN5x.quantities.map { ($0.quantity, $0.unit) }
        case "digital_input": [("state", .none)]
        case "tipping_bucket": TippingBucket.channels(.init(millimetresPerTip: 0.2)).map { ($0.quantity, $0.unit) }
        case "flow_meter": PulseFlowMeter.quantities.map { ($0.quantity, $0.unit) }
        case "hcsr04": UltrasonicRanger.quantities.map { ($0.quantity, $0.unit) }
        default: []
        }
    }

    public static let drivers = ["bme280", "bmp280", "sht4x", "scd4x", "scd30", "sps30", "sen5x", "ads1115", "digital_input",
                                 "tipping_bucket", "flow_meter", "hcsr04", "traffic"]
}
