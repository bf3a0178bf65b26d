import SenseAnalysis
import SenseCore
import SenseHardware

/// Reads and checks a config file. Touches no hardware and no network: `sensegate check` and the
/// daemon (at start and on SIGHUP) use the same path, so what `check` accepts is what runs.
package enum ConfigLoader {
    package static func load(_ file: String, parts: PartCatalogue) throws(ConfigErrors) -> SensegateConfig {
        let sink = DiagnosticSink(file: file)
        let start = SourceMark(line: 1, column: 1)
        let bytes: [UInt8]
        do {
            bytes = try SourceFile.read(file, regularOnly: false)
        } catch {
            switch error {
            case let .cannotOpen(_, e): sink.error(start, "", "cannot read config file: \(Errno.describe(e))")
            case .isDirectory: sink.error(start, "", "is a directory, not a config file")
            case .notRegular: sink.error(start, "", "not a regular file")
            case .tooLarge: sink.error(start, "", "larger than \(SourceFile.sizeLimit >> 20) MiB: not a config file")
            case .openToOthers: sink.error(start, "", "\(error)")  // only secrets are checked for this
            }
            throw ConfigErrors(sink.diagnostics)
        }
        return try check(bytes, file: file, parts: parts)
    }

    /// Checks config text as if read from `file` (board files are found relative to it): the
    /// whole of `load` but the reading, for tests and fuzzing.
    package static func check(_ bytes: [UInt8], file: String, parts: PartCatalogue) throws(ConfigErrors) -> SensegateConfig {
        let sink = DiagnosticSink(file: file)
        let start = SourceMark(line: 1, column: 1)
        guard bytes.count <= SourceFile.sizeLimit else {
            sink.error(start, "", "larger than \(SourceFile.sizeLimit >> 20) MiB: not a config file")
            throw ConfigErrors(sink.diagnostics)
        }
        let parsed: YAMLNode?
        do {
            parsed = try YAMLParser.parse(bytes)
        } catch {
            sink.error(error.mark, "", "YAML syntax: \(error.message)")
            throw ConfigErrors(sink.diagnostics)
        }
        guard let root = parsed else {
            sink.error(start, "", "the config file is empty; see examples/demo.yaml for a complete one")
            throw ConfigErrors(sink.diagnostics)
        }
        let config = decode(root, file: file, parts: parts, sink: sink)
        guard sink.diagnostics.isEmpty, let config else { throw ConfigErrors(sink.diagnostics) }
        return config
    }

    static func decode(_ root: YAMLNode, file: String, parts: PartCatalogue, sink: DiagnosticSink) -> SensegateConfig? {
        let s = ScalarReader(sink)
        guard var top = MappingReader(root, path: "", sink: sink) else { return nil }

        let node = top.required("node").flatMap { n -> String? in
            guard let v = s.string(n, "node") else { return nil }
            guard isIdentifier(v, max: 64) else {
                sink.error(n.mark, "node", "'\(v)' is not a valid node id: use 1–64 of a-z, 0-9, '-' and '_'")
                return nil
            }
            return v
        }

        var board: Board?
        if let b = top.required("board"), let name = s.string(b, "board") {
            let (path, tried) = BoardLoader.locate(name, configFile: file)
            if let path {
                let boardSink = DiagnosticSink(file: path)
                board = BoardLoader.load(path: path, sink: boardSink)
                for d in boardSink.diagnostics { sink.error(b.mark, "board", "in board file \(d)") }
            } else {
                let known = BoardLoader.available(configFile: file)
                let list = known.isEmpty ? "no board files found" : "the boards here are: \(known.joined(separator: ", "))"
                sink.error(b.mark, "board", "no board file for '\(name)'; \(list) (looked at: \(tried.joined(separator: ", ")))")
            }
        }

        let stateDirectory = top.node("state_dir").flatMap { s.string($0, "state_dir") } ?? "/var/lib/sensegate"
        let logLevel = top.node("log_level").flatMap { s.choice($0, "log_level", LogLevel.allCases) } ?? .info
        let mqtt = top.required("mqtt").flatMap { decodeMQTT($0, node: node ?? "node", sink: sink) }
        var sensors = Named<SensorConfig>()
        if let list = top.required("sensors").flatMap({ s.list($0, "sensors") }) {
            if list.isEmpty, let n = top.node("sensors") {
                sink.error(n.mark, "sensors", "no sensors configured: a gateway with nothing to read would only publish its status")
            }
            var decoded: [(Int, SensorConfig)] = []
            for (i, item) in list.enumerated() {
                if let sensor = decodeSensor(item, path: "sensors[\(i)]", board: board, parts: parts, sink: sink) {
                    decoded.append((i, sensor))
                }
            }
            checkUnique(decoded, list, board: board, sink: sink)
            sensors = Named(decoded.map(\.1))
            sink.noteRefused(.sensor, declared: list, decoded: Set(sensors.names))
        }
        var derived = Named<DerivedDefinition>()
        var pendingAggregates: [AnalysisDecoding.PendingAggregateInput] = []
        if let n = top.node("derived"), let list = s.list(n, "derived") {
            derived = Named(AnalysisDecoding.derived(list, sensors: sensors, pending: &pendingAggregates, sink: sink))
            sink.noteRefused(.derived, declared: list, decoded: Set(derived.names))
        }
        var windows = Named<WindowDefinition>()
        if let n = top.node("windows"), let list = s.list(n, "windows") {
            windows = Named(WindowDecoding.windows(list, sensors: sensors, derived: derived, sink: sink))
            sink.noteRefused(.window, declared: list, decoded: Set(windows.names))
        }
        AnalysisDecoding.checkAggregateInputs(pendingAggregates, derived: derived, windows: windows, sensors: sensors, sink: sink)
        var alarms: [AlarmDefinition] = []
        var capNodes: [AlarmDecoding.PendingCAP] = []
        if let n = top.node("alarms"), let list = s.list(n, "alarms") {
            alarms = AlarmDecoding.alarms(list, sensors: sensors, derived: derived, windows: windows, capNodes: &capNodes, sink: sink)
            sink.noteRefused(.alarm, declared: list, decoded: Set(alarms.map(\.name)))
        }
        let publicAlerts = CAPDecoding.settings(top.node("cap"), keyMark: top.keyMark("cap"), alarms: capNodes, sink: sink)
        let homeAssistant = top.node("home_assistant").flatMap { HomeAssistantDecoding.settings($0, sink: sink) }
        let sensorThings = top.node("sensorthings").flatMap {
            SensorThingsDecoding.settings($0, sensors: sensors, derived: derived, sink: sink)
        }
        let metrics = top.node("metrics").flatMap { MetricsDecoding.settings($0, sink: sink) }
        let alarmFlood = top.node("alarm_flood").flatMap { AlarmDecoding.flood($0, sink: sink) } ?? AlarmFlood.Settings()
        let utcOffset =
            top.node("utc_offset").flatMap { n -> Int? in
                guard let text = s.string(n, "utc_offset") else { return nil }
                guard let minutes = parseUTCOffset(text) else {
                    sink.error(n.mark, "utc_offset", "expected an offset such as \"+01:00\" or \"-05:30\", got '\(text)'")
                    return nil
                }
                return minutes
            } ?? 0
        let ruleList = top.node("rules").flatMap { s.list($0, "rules") } ?? []
        let conditions = ConditionDecoder(
            sensors: sensors, derived: derived, windows: windows, alarms: Set(alarms.map(\.name)),
            rules: Set(AnalysisDecoding.declaredNames(ruleList)), utcOffsetMinutes: utcOffset, sink: sink)
        var actuators: [ActuatorDefinition] = []
        if let n = top.node("actuators"), let list = s.list(n, "actuators") {
            var inputs: [Board.Line: String] = [:]
            for sensor in sensors { for (line, _) in sensor.kind.gpioLines { inputs[line] = sensor.name } }
            actuators = ActuatorDecoding.actuators(
                list, board: board, inputs: inputs,
                busLines: board?.lines(takenBy: Self.busesInUse(sensors.all)) ?? [:],
                conditions: conditions, sink: sink)
        }
        let actuatorNames = AnalysisDecoding.declaredNames(
            top.node("actuators").flatMap { n in
                if case let .sequence(items, _) = n { items } else { nil }
            } ?? [])
        let rules = RuleDecoding.rules(ruleList, conditions: conditions, actuators: actuatorNames, sink: sink)
        let commandSigning = top.node("commands").flatMap {
            CommandsDecoding.settings($0, actuators: Set(actuators.map(\.name)), alarms: Set(alarms.map(\.name)), sink: sink)
        }
        let restartFailsafe =
            top.node("restart_failsafe").flatMap { s.duration($0, "restart_failsafe", in: .zero...(.seconds(3600))) }
            ?? .seconds(30)
        var simulation: SimulationConfig?
        if let n = top.node("simulation") {
            simulation = decodeSimulation(n, sensors: sensors, parts: parts, sink: sink)
            if let pump = simulation?.hydrology.pump, !actuators.contains(where: { $0.name == pump }) {
                sink.error(n.mark, "simulation.hydrology.pump", "no actuator named '\(pump)'")
            }
            if let board, !board.simulated {
                sink.error(
                    top.keyMark("simulation"), "simulation",
                    "only the simulated board takes a simulation section (board is '\(board.name)')")
            }
        }
        top.finish()
        guard let node, let board, var mqtt else { return nil }
        if homeAssistant?.enabled == true, mqtt.format == .senml {
            sink.error(
                top.keyMark("home_assistant"), "home_assistant",
                "Home Assistant discovery reads the sensegate JSON readings: remove mqtt.format: senml, or set home_assistant.enabled: false")
        }
        mqtt.homeAssistant = homeAssistant
        mqtt.publicAlerts = publicAlerts
        mqtt.sensorThings = sensorThings
        return SensegateConfig(
            file: file, node: node, board: board, stateDirectory: stateDirectory,
            logLevel: logLevel, mqtt: mqtt, sensors: sensors.all, derived: derived.all, alarms: alarms, alarmFlood: alarmFlood, windows: windows.all,
            rules: rules, actuators: actuators, restartFailsafe: restartFailsafe,
            simulation: simulation ?? (board.simulated ? SimulationConfig() : nil), utcOffsetMinutes: utcOffset,
            metrics: metrics, commandSigning: commandSigning)
    }

    /// `+01:00`, `-05:30`, `Z` → minutes east of UTC.
    static func parseUTCOffset(_ text: String) -> Int? {
        if text == "Z" || text == "UTC" { return 0 }
        guard let sign = text.first, sign == "+" || sign == "-" else { return nil }
        let parts = text.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
            h <= 14, m < 60
        else { return nil }
        return (sign == "-" ? -1 : 1) * (h * 60 + m)
    }

    static func decodeSensor(_ n: YAMLNode, path: String, board: Board?, parts: PartCatalogue, sink: DiagnosticSink) -> SensorConfig? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        let name = m.required("name").flatMap { v -> String? in
            guard let text = s.string(v, m.child("name")) else { return nil }
            guard isIdentifier(text, max: 48) else {
                sink.error(
                    v.mark, m.child("name"), "'\(text)' is not a valid sensor name: use 1–48 of a-z, 0-9, '-' and '_' (it becomes a topic level)")
                return nil
            }
            guard text != "derived", text != "aggregate" else {
                sink.error(v.mark, m.child("name"), "'\(text)' is reserved (it names \(text) channels in references)")
                return nil
            }
            return text
        }
        guard let driverNode = m.required("driver"), let driver = s.string(driverNode, m.child("driver")) else {
            m.finish()
            return nil
        }
        let part = parts.part(named: driver)
        guard part != nil || GPIOSensorDrivers.names.contains(driver) else {
            sink.error(
                driverNode.mark, m.child("driver"),
                "unknown driver '\(driver)'; available: \((parts.names + GPIOSensorDrivers.names).joined(separator: ", "))")
            return nil
        }
        let defaultInterval: Duration =
            switch driver {
            case "digital_input": .seconds(300)
            case "tipping_bucket", "flow_meter": .seconds(60)
            default: .seconds(10)
            }
        let interval =
            m.node("interval").flatMap { s.duration($0, m.child("interval"), in: .milliseconds(200)...(.seconds(86400))) }
            ?? defaultInterval
        var kind: SensorKind?
        var bus: (String, String)?
        var address: UInt8?
        if let part {
            (bus, address) = I2CPlaceDecoding.place(&m, part: part, board: board, sink: sink)
            kind = part.decode(&m, interval: interval, sink: sink).map { .i2c(I2CSensorSetup(part: part, setup: $0)) }
            if let (least, why) = part.minimumInterval, interval < least {
                sink.error(m.keyMark("interval"), m.child("interval"), "at least \(least.configText): \(why)")
            }
        }
        switch driver {
        case "digital_input":
            let line = BoardPins.line(&m, "pin", board: board, sink: sink)
            let bias = m.node("bias").flatMap { s.choice($0, m.child("bias"), Bias.allCases) } ?? .asIs
            let activeLow = m.node("active_low").flatMap { s.bool($0, m.child("active_low")) } ?? false
            let debounce =
                m.node("debounce").flatMap { s.duration($0, m.child("debounce"), in: .zero...(.seconds(10))) }
                ?? .milliseconds(20)
            let deviceClass = m.node("device_class").flatMap { n -> String? in
                guard let text = s.string(n, m.child("device_class")) else { return nil }
                guard DigitalInputOptions.deviceClasses.contains(text) else {
                    sink.error(
                        n.mark, m.child("device_class"),
                        "'\(text)' is not a Home Assistant binary sensor class; use one of "
                            + DigitalInputOptions.deviceClasses.joined(separator: ", "))
                    return nil
                }
                return text
            }
            if let line {
                kind = .digitalInput(
                    DigitalInputOptions(
                        line: line.0, pinName: line.1, bias: bias,
                        activeLow: activeLow, debounce: debounce, deviceClass: deviceClass))
            }
        case "tipping_bucket", "flow_meter", "hcsr04":
            kind = HydrologySensorDecoding.kind(&m, driver: driver, board: board, interval: interval, sink: sink)
        case "traffic":
            if m.has("interval") {
                sink.error(
                    m.keyMark("interval"), m.child("interval"), "a traffic station reports at the end of each of its periods: set periods instead")
            }
            if m.has("publish") {
                sink.error(
                    m.keyMark("publish"), m.child("publish"),
                    "a traffic station publishes one record per lane, direction and period on derived/traffic/…; rules and alarms can use every measure without publish"
                )
            }
            kind = TrafficSensorDecoding.station(&m, name: name, board: board, sink: sink)
        default:
            break
        }
        let available = kind?.quantities ?? part?.defaultChannels.map(\.quantity) ?? GPIOSensorDrivers.channels(driver).map(\.0)
        var publish = driver == "traffic" ? [] : available
        if driver != "traffic", let p = m.node("publish"), let items = s.list(p, m.child("publish")) {
            publish = []
            for (i, item) in items.enumerated() {
                guard let q = s.string(item, m.child("publish[\(i)]")) else { continue }
                if !available.contains(q) {
                    sink.error(
                        item.mark, m.child("publish[\(i)]"),
                        "\(driver) has no quantity '\(q)'; it has: \(available.joined(separator: ", "))")
                } else if publish.contains(q) {
                    sink.error(item.mark, m.child("publish[\(i)]"), "'\(q)' is listed twice")
                } else {
                    publish.append(q)
                }
            }
            if items.isEmpty { sink.error(p.mark, m.child("publish"), "an empty list would publish nothing") }
        }
        let channels =
            m.node("channels").map {
                AnalysisDecoding.channels($0, path: m.child("channels"), driver: driver, available: available, interval: interval, sink: sink)
            } ?? [:]

        if driver == "traffic" {
            _ = m.node("publish")
            _ = m.node("interval")
        }
        m.finish()
        guard let name, let kind else { return nil }
        var every = interval
        if case let .traffic(o) = kind { every = o.station.periods.min() ?? interval }
        return SensorConfig(
            name: name, kind: kind, bus: bus, address: address, interval: every, publish: publish,
            channels: channels)
    }

    /// The I2C buses the sensors use: the lines they take are not free for GPIO.
    static func busesInUse(_ sensors: [SensorConfig]) -> Set<String> { Set(sensors.compactMap { $0.bus?.name }) }

    /// `sensors` pairs each decoded sensor with its index in the list (failed ones are absent).
    static func checkUnique(_ sensors: [(Int, SensorConfig)], _ nodes: [YAMLNode], board: Board?, sink: DiagnosticSink) {
        let taken = board?.lines(takenBy: busesInUse(sensors.map(\.1))) ?? [:]
        var names: [String: Int] = [:]
        var places: [String: String] = [:]
        var lines: [Board.Line: String] = [:]
        func mark(_ i: Int, _ key: String) -> SourceMark {
            guard nodes.indices.contains(i) else { return SourceMark(line: 1, column: 1) }
            guard case let .mapping(entries, m) = nodes[i] else { return nodes[i].mark }
            return entries.first { $0.key == key }?.value.mark ?? m
        }
        for (i, sensor) in sensors {
            if let first = names[sensor.name] {
                sink.error(mark(i, "name"), "sensors[\(i)].name", "duplicate sensor name '\(sensor.name)' (also sensors[\(first)])")
            } else {
                names[sensor.name] = i
            }
            if let bus = sensor.bus, let address = sensor.address {
                let key = "\(bus.name)@\(address)"
                if let other = places[key] {
                    sink.error(
                        mark(i, "address"), "sensors[\(i)].address",
                        "\(bus.name) \(hex(address)) is already used by sensor '\(other)'")
                } else {
                    places[key] = sensor.name
                }
            }
            for (line, pin) in sensor.kind.gpioLines {
                if let (bus, role) = taken[line] {
                    sink.error(
                        mark(i, "pin"), "sensors[\(i)]",
                        "\(pin) is \(role.uppercased()) of \(bus), which "
                            + "\(Self.users(of: bus, sensors.map(\.1))) uses: choose another pin, or move the I2C sensors to another bus")
                } else if let other = lines[line] {
                    sink.error(mark(i, "pin"), "sensors[\(i)]", "\(pin) is already used by sensor '\(other)'")
                } else {
                    lines[line] = sensor.name
                }
            }
        }
    }

    static func users(of bus: String, _ sensors: [SensorConfig]) -> String {
        let names = sensors.filter { $0.bus?.name == bus }.map(\.name)
        return names.count == 1 ? "sensor '\(names[0])'" : "sensors \(listed(names.map { "'\($0)'" }, limit: 3))"
    }

    static func decodeSimulation(_ n: YAMLNode, sensors: Named<SensorConfig>, parts: PartCatalogue, sink: DiagnosticSink) -> SimulationConfig? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: "simulation", sink: sink) else { return nil }
        var sim = SimulationConfig()
        if let v = m.node("seed"), let seed = s.integer(v, "simulation.seed") {
            if seed >= 0 { sim.seed = UInt64(seed) } else { sink.error(v.mark, "simulation.seed", "must not be negative") }
        }
        if let v = m.node("speed"), let speed = s.number(v, "simulation.speed") {
            if (0.01...10_000).contains(speed) {
                sim.speed = speed
            } else {
                sink.error(v.mark, "simulation.speed", "must be between 0.01 and 10000")
            }
        }
        if let v = m.node("altitude"), let a = s.number(v, "simulation.altitude") {
            if (-400...8000).contains(a) {
                sim.altitude = a
            } else {
                sink.error(v.mark, "simulation.altitude", "must be between -400 and 8000 m")
            }
        }
        if let v = m.node("mean_temperature"), let t = s.number(v, "simulation.mean_temperature") {
            if (-30...40).contains(t) {
                sim.meanTemperature = t
            } else {
                sink.error(v.mark, "simulation.mean_temperature", "must be between -30 and 40 °C")
            }
        }
        if let f = m.node("faults"), let items = s.list(f, "simulation.faults") {
            for (i, item) in items.enumerated() {
                let p = "simulation.faults[\(i)]"
                guard var fm = MappingReader(item, path: p, sink: sink) else { continue }
                let sensor = fm.required("sensor").flatMap { v -> String? in
                    guard let name = s.string(v, fm.child("sensor")) else { return nil }
                    guard let cfg = sensors[name] else {
                        sink.missing(.sensor, name, v.mark, fm.child("sensor"))
                        return nil
                    }
                    guard cfg.address != nil else {
                        sink.error(v.mark, fm.child("sensor"), "faults are emulated for I2C sensors only")
                        return nil
                    }
                    return name
                }
                let kind = fm.required("fault").flatMap { s.choice($0, fm.child("fault"), SimulationConfig.FaultKind.allCases) }
                let after = fm.node("after").flatMap { s.duration($0, fm.child("after"), in: Self.simulatedTime) } ?? .zero
                let duration = fm.node("for").flatMap { s.duration($0, fm.child("for"), in: Self.simulatedTime) }
                let rate = fm.node("rate").flatMap { s.number($0, fm.child("rate"), in: 0.01...1) } ?? 1
                fm.finish()
                if let sensor, let kind {
                    let driver = sensors[sensor]?.kind.driverName ?? ""
                    let shown = parts.part(named: driver)?.simulatedFaults ?? []
                    if shown.contains(kind) {
                        sim.faults.append(.init(sensor: sensor, kind: kind, after: after, duration: duration, rate: rate))
                    } else {
                        sink.error(
                            item.mark, fm.child("fault"),
                            "a \(driver) cannot show '\(kind.rawValue)'; faults for it: "
                                + SimulationConfig.FaultKind.allCases.filter { shown.contains($0) }.map(\.rawValue).joined(separator: ", "))
                    }
                }
            }
        }
        if let f = m.node("excursions"), let items = s.list(f, "simulation.excursions") {
            for (i, item) in items.enumerated() {
                guard var em = MappingReader(item, path: "simulation.excursions[\(i)]", sink: sink) else { continue }
                let quantity = em.required("quantity").flatMap { s.choice($0, em.child("quantity"), ExcursionSetting.Quantity.allCases) }
                let change = em.required("change").flatMap { s.number($0, em.child("change")) }
                let after = em.node("after").flatMap { s.duration($0, em.child("after"), in: Self.simulatedTime) } ?? .zero
                let ramp = em.node("ramp").flatMap { s.duration($0, em.child("ramp"), in: Self.simulatedTime) } ?? .zero
                let hold = em.required("for").flatMap { s.duration($0, em.child("for"), in: Self.simulatedTime) }
                em.finish()
                if let quantity, let change, let hold {
                    sim.excursions.append(ExcursionSetting(quantity: quantity, change: change, after: after, ramp: ramp, hold: hold))
                }
            }
        }
        if let h = m.node("hydrology"), var hm = MappingReader(h, path: "simulation.hydrology", sink: sink) {
            if let v = hm.node("scenario"), let c = s.choice(v, hm.child("scenario"), CatchmentScenario.allCases) { sim.hydrology.scenario = c }
            if let v = hm.node("after"), let d = s.duration(v, hm.child("after"), in: Self.simulatedTime) { sim.hydrology.after = d }
            if let v = hm.node("rain_scale"), let x = s.number(v, hm.child("rain_scale")) {
                if (0...5).contains(x) { sim.hydrology.rainScale = x } else { sink.error(v.mark, hm.child("rain_scale"), "0…5") }
            }
            if let v = hm.node("pump") { sim.hydrology.pump = s.string(v, hm.child("pump")) }
            if let v = hm.node("pump_flow"), let x = s.number(v, hm.child("pump_flow")) {
                if x > 0, x <= 1000 { sim.hydrology.pumpFlow = x } else { sink.error(v.mark, hm.child("pump_flow"), "0…1000 L/min") }
            }
            hm.finish()
        }
        if let t = m.node("traffic") { TrafficSensorDecoding.simulation(t, into: &sim.traffic, sensors: sensors, sink: sink) }
        m.finish()
        return sim
    }

    /// Times in the simulated world (when a fault starts, how long it lasts): within a year.
    static let simulatedTime: ClosedRange<Duration> = .zero...(.seconds(366 * 86_400))

    package static func isIdentifier(_ s: String, max: Int) -> Bool {
        !s.isEmpty && s.count <= max
            && s.utf8.allSatisfy {
                ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 95
            }
    }
}

extension String {
    var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while s.last == "\n" || s.last == "\r" { s = s.dropLast() }
        return String(s)
    }
}
