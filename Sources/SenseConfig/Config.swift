import SenseAnalysis
import SenseCore
import SenseDrivers
import SenseHardware
import SenseWire

/// A checked configuration: every name resolved against the board, every value in range.
package struct SensegateConfig: Sendable, Hashable {
    package var file: String
    package var node: String
    package var board: Board
    package var stateDirectory: String
    package var logLevel: LogLevel
    package var mqtt: MQTTSettings
    package var sensors: [SensorConfig]
    package var derived: [DerivedDefinition]
    package var alarms: [AlarmDefinition]
    package var alarmFlood: AlarmFlood.Settings
    package var windows: [WindowDefinition]
    package var rules: [RuleDefinition]
    package var actuators: [ActuatorDefinition]
    /// How long outputs stay at their failsafe level after a start that follows an unclean stop.
    package var restartFailsafe: Duration
    package var simulation: SimulationConfig?
    /// The site's offset from UTC: civil hours and days (rain per day, time-of-day rules).
    package var utcOffsetMinutes: Int = 0
    /// Prometheus metrics for node_exporter's textfile collector; nil: none written.
    package var metrics: MetricsSettings? = nil
    /// `commands:`: signed commands and their keys; nil when absent (commands are not signed).
    package var commandSigning: CommandSigning? = nil
}

package enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case trace, debug, info, notice, warning, error, critical
}

package struct BrokerURL: Sendable, Hashable, CustomStringConvertible {
    package var host: String
    package var port: Int
    package var tls: Bool

    /// `mqtt://host[:port]` (1883) or `mqtts://host[:port]` (8883, TLS).
    package init?(_ text: String) {
        let schemes: [(String, Bool)] = [("mqtt://", false), ("tcp://", false), ("mqtts://", true), ("ssl://", true)]
        guard let (prefix, secure) = schemes.first(where: { text.hasPrefix($0.0) }) else { return nil }
        tls = secure
        var rest = text.dropFirst(prefix.count)
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains("/"), !rest.contains("@") else { return nil }
        if rest.hasPrefix("[") {  // [::1]:1883
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.isEmpty {
                port = tls ? 8883 : 1883
            } else {
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

    package var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(tls ? "mqtts" : "mqtt")://\(h):\(port)"
    }
}

package struct MQTTSettings: Sendable, Hashable {
    package struct TLS: Sendable, Hashable {
        package var caFile: String?
        package var caPath: String?
        package var certFile: String?
        package var keyFile: String?
    }

    /// The broker connected to first (the first of `mqtt.brokers`).
    package var broker: BrokerURL
    /// The rest of `mqtt.brokers`, tried in order when the broker in use is lost for
    /// `failoverAfter`; from a fall-back, the primary is tried again every `retryPrimary`.
    package var fallbackBrokers: [BrokerURL] = []
    package var failoverAfter: Duration = defaultFailoverAfter
    package var retryPrimary: Duration = defaultRetryPrimary
    package static let defaultFailoverAfter = Duration.seconds(10)
    package static let defaultRetryPrimary = Duration.seconds(300)
    package static let brokerLimit = 8
    /// Every broker in order: the primary first.
    package var brokers: [BrokerURL] { [broker] + fallbackBrokers }
    package var clientID: String
    package var username: String?
    package var password: String?
    package var prefix: String
    package var keepalive: Duration
    package var qos: Int
    package var tls: TLS?
    package var reconnectMin: Duration
    package var reconnectMax: Duration
    /// Messages held in memory at most while the outbox cannot use the disk.
    package var queueLimit: Int
    package var outbox: OutboxConfig
    /// `auto` (MQTT 5, falling back to 3.1.1), `5` or `3.1.1`.
    package var protocolVersion: MQTTProtocolSetting = .auto
    /// How readings and derived channels are published: sensegate JSON per quantity, or SenML packs.
    package var format: PayloadFormat = .sensegate
    /// `home_assistant:` (top level): MQTT discovery; nil when the section is absent.
    package var homeAssistant: HomeAssistantSettings?
    /// `cap:` (top level) with the alarms that issue CAP alerts; nil when the section is absent.
    package var publicAlerts: PublicAlertSettings?
    /// `sensorthings:` (top level): Observations for a SensorThings service; nil when absent or off.
    package var sensorThings: SensorThingsSettings?
}

package enum PayloadFormat: String, Sendable, Hashable, CaseIterable {
    /// One JSON object per quantity on `<root>/sensor/<sensor>/<quantity>` (docs/mqtt.md).
    case sensegate
    /// One SenML pack (RFC 8428) per sensor and fetch on `<root>/senml/<sensor>`.
    case senml
}

package enum MQTTProtocolSetting: String, Sendable, Hashable, CaseIterable {
    case auto
    case v5 = "5"
    case v311 = "3.1.1"
}

/// `mqtt.outbox`: the durable queue between the pipeline and the broker (docs/outbox.md).
package struct OutboxConfig: Sendable, Hashable {
    /// false: messages wait in memory only (at most `queue_limit`), lost on a restart.
    package var enabled = true
    /// The SQLite file, relative to `state_dir` unless absolute.
    package var path = "outbox.db"
    package var maxMessages = 1_000_000
    package var maxMegabytes = 256
    package var maxAge: Duration = .seconds(7 * 86_400)
    package var flushInterval: Duration = .seconds(1)
    package var window = 1000

    package init() {}

    /// The file's full path under `stateDirectory`.
    package func file(in stateDirectory: String) -> String {
        path.hasPrefix("/") ? path : stateDirectory + "/" + path
    }
}

package struct DigitalInputOptions: Sendable, Hashable {
    package var line: Board.Line
    package var pinName: String
    package var bias: Bias
    package var activeLow: Bool
    package var debounce: Duration
    /// What the contact is, as Home Assistant's binary sensor device classes name it (`door`:
    /// state 1 is open).
    package var deviceClass: String?

    /// Home Assistant's binary sensor device classes.
    package static let deviceClasses = [
        "battery", "battery_charging", "carbon_monoxide", "cold", "connectivity", "door", "garage_door", "gas", "heat", "light",
        "lock", "moisture", "motion", "moving", "occupancy", "opening", "plug", "power", "presence", "problem", "running",
        "safety", "smoke", "sound", "tamper", "update", "vibration", "window",
    ]

    package init(line: Board.Line, pinName: String, bias: Bias, activeLow: Bool, debounce: Duration, deviceClass: String? = nil) {
        self.line = line
        self.pinName = pinName
        self.bias = bias
        self.activeLow = activeLow
        self.debounce = debounce
        self.deviceClass = deviceClass
    }
}

/// A pulse sensor's input line: a reed switch or open-collector output pulling the line low
/// against a pull-up by default.
package struct PulseInputOptions: Sendable, Hashable {
    package var line: Board.Line
    package var pinName: String
    package var bias: Bias
    package var activeLow: Bool
    package var debounce: Duration
    /// How often changed totals are written to the state directory (what a power cut can lose).
    package var flush: Duration

    package init(line: Board.Line, pinName: String, bias: Bias, activeLow: Bool, debounce: Duration, flush: Duration) {
        self.line = line
        self.pinName = pinName
        self.bias = bias
        self.activeLow = activeLow
        self.debounce = debounce
        self.flush = flush
    }
}

package struct TippingBucketOptions: Sendable, Hashable {
    package var input: PulseInputOptions
    package var millimetresPerTip: Double
    package var windows: [Duration]
    package var eventGap: Duration
}

package struct FlowMeterOptions: Sendable, Hashable {
    package var input: PulseInputOptions
    /// F = k·Q: pulses per second per litre per minute.
    package var hertzPerLitrePerMinute: Double
}

package struct UltrasonicOptions: Sendable, Hashable {
    package var trigger: Board.Line
    package var triggerPin: String
    package var echo: Board.Line
    package var echoPin: String
    package var settings: UltrasonicRanger.Settings
}

package enum SensorKind: Sendable, Hashable {
    /// A polled I2C part from the catalogue (SenseParts), with its own decoded keys.
    case i2c(I2CSensorSetup)
    case digitalInput(DigitalInputOptions)
    case tippingBucket(TippingBucketOptions)
    case flowMeter(FlowMeterOptions)
    case hcsr04(UltrasonicOptions)
    case traffic(TrafficStationOptions)

    package var driverName: String {
        switch self {
        case let .i2c(s): s.part.name
        case .digitalInput: "digital_input"
        case .tippingBucket: "tipping_bucket"
        case .flowMeter: "flow_meter"
        case .hcsr04: "hcsr04"
        case .traffic: "traffic"
        }
    }

    /// The GPIO lines the sensor holds, with the names the config gave them.
    package var gpioLines: [(line: Board.Line, pin: String)] {
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
    package var channels: [(String, Unit)] {
        switch self {
        case let .i2c(s): return s.setup.channels.map { ($0.quantity, $0.unit) }
        case let .traffic(o): return o.channels
        case let .tippingBucket(o):
            return TippingBucket.channels(.init(millimetresPerTip: o.millimetresPerTip, windows: o.windows)).map { ($0.quantity, $0.unit) }
        default: return GPIOSensorDrivers.channels(driverName)
        }
    }

    package var quantities: [String] { channels.map(\.0) }
}

package struct SensorConfig: Sendable, Hashable {
    package var name: String
    package var kind: SensorKind
    /// The board's bus name and device path, for I2C sensors.
    package var bus: (name: String, device: String)?
    package var address: UInt8?
    /// Polling interval (I2C) or heartbeat interval (digital inputs).
    package var interval: Duration
    package var publish: [String]
    /// Quality checks and filters per quantity (absent: published as measured).
    package var channels: [String: ChannelPipeline.Settings]

    package static func == (a: Self, b: Self) -> Bool {
        a.name == b.name && a.kind == b.kind && a.bus?.name == b.bus?.name && a.bus?.device == b.bus?.device
            && a.address == b.address && a.interval == b.interval && a.publish == b.publish && a.channels == b.channels
    }

    package func hash(into h: inout Hasher) { h.combine(name) }
}

package struct SimulationConfig: Sendable, Hashable {
    package enum FaultKind: String, Sendable, Hashable, CaseIterable {
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
    }

    package struct Fault: Sendable, Hashable {
        package var sensor: String
        package var kind: FaultKind
        /// From this long after start …
        package var after: Duration
        /// … for this long (nil: until the end).
        package var duration: Duration?
        /// The share of the window the fault is present, in random bursts (an EMI storm, a loose
        /// connector): 1 holds it for the whole window.
        package var rate: Double = 1
    }

    package var seed: UInt64 = 1
    package var speed: Double = 1
    package var altitude: Double = 35
    package var meanTemperature: Double = 14
    package var faults: [Fault] = []
    /// Quantities pushed away from the world's value (a heat wave, a humid night).
    package var excursions: [ExcursionSetting] = []
    /// The river and its catchment, for the hydrology sensors.
    package var hydrology = HydrologySimulation()
    /// The road past the traffic stations.
    package var traffic = TrafficSimulation()

    package init() {}
}

package struct HydrologySimulation: Sendable, Hashable {
    package var scenario: CatchmentScenario = .dry
    /// When the storm begins, after the start.
    package var after: Duration = .seconds(600)
    package var rainScale: Double = 1
    /// The actuator whose output runs the pump that a simulated flow meter measures.
    package var pump: String?
    /// L/min through the flow meter while the pump runs.
    package var pumpFlow: Double = 25
    package init() {}
}

package struct TrafficSimulation: Sendable, Hashable {

    package enum DetectorFaultKind: String, Sendable, Hashable, CaseIterable {
        /// The line is held occupied.
        case stuckOn = "stuck_on"
        /// Bursts of very short pulses, shorter than the minimum pulse.
        case chatter
        /// The line never changes.
        case dead
    }

    package struct DetectorFault: Sendable, Hashable {
        package var station: String
        package var lane: String
        package var detector: String
        package var kind: DetectorFaultKind
        package var after: Duration
        package var duration: Duration?
    }

    package var scenario: RoadScenario = .freeFlow
    /// When the episode (rush hour, incident) begins after the start, and how long it lasts.
    package var after: Duration = .seconds(300)
    package var duration: Duration = .seconds(1200)
    /// Vehicles per hour per lane outside the episode, and at rush hour's peak.
    package var demand: Double = 500
    package var peakDemand: Double = 1500
    package var speedLimit: Double = 50
    /// An incident on top of the scenario: when, how long, and the direction it blocks (nil: all).
    package struct Incident: Sendable, Hashable {
        package var after: Duration
        package var duration: Duration
        package var direction: String?
    }

    package var incident: Incident?
    package var faults: [DetectorFault] = []
    package init() {}
}

/// The GPIO sensors' drivers (their lines and state are the daemon's watchers', not a polled
/// part's) and the quantities each publishes; the I2C parts are in the `PartCatalogue`.
package enum GPIOSensorDrivers {
    package static func channels(_ driver: String) -> [(String, Unit)] {
        switch driver {
        case "digital_input": [("state", .none)]
        case "tipping_bucket": TippingBucket.channels(.init(millimetresPerTip: 0.2)).map { ($0.quantity, $0.unit) }
        case "flow_meter": PulseFlowMeter.quantities.map { ($0.quantity, $0.unit) }
        case "hcsr04": UltrasonicRanger.quantities.map { ($0.quantity, $0.unit) }
        default: []
        }
    }

    package static let names = ["digital_input", "tipping_bucket", "flow_meter", "hcsr04", "traffic"]
}
