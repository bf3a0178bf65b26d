import SenseCore
import SenseDrivers
import SenseHardware

/// Options of the air-quality drivers, as configured.
package struct SHT4xOptions: Sendable, Hashable {
    package var precision: SHT4x.Precision = .high
    package init() {}
}

package struct SCD4xOptions: Sendable, Hashable {
    package var settings = SCD4x.Settings()
    package init() {}
}

package struct SCD30Options: Sendable, Hashable {
    package var settings = SCD30.Settings()
    package init() {}
}

package struct ADS1115Options: Sendable, Hashable {
    package var inputs: [ADS1115.Channel]
    package init(inputs: [ADS1115.Channel]) { self.inputs = inputs }
}

/// `driver: sht4x | scd4x | scd30 | sps30 | sen5x | ads1115` — the I2C place (bus and one of the
/// part's addresses) and each part's own keys, checked against the datasheet's limits.
enum AirSensorDecoding {
    /// The addresses each part can answer at, with how they are chosen.
    static let addresses: [String: (allowed: [UInt8], hint: String)] = [
        "bme280": ([0x76, 0x77], "answers only at 0x76 (SDO to GND) or 0x77 (SDO to VDDIO)"),
        "bmp280": ([0x76, 0x77], "answers only at 0x76 (SDO to GND) or 0x77 (SDO to VDDIO)"),
        "sht4x": ([0x44, 0x45, 0x46], "answers at 0x44 (SHT4x-A), 0x45 (-B) or 0x46 (-C), fixed by the part number"),
        "scd4x": ([0x62], "answers only at 0x62"),
        "scd30": ([0x61], "answers only at 0x61"),
        "sps30": ([0x69], "answers only at 0x69"),
        "sen5x": ([0x69], "answers only at 0x69"),
        "ads1115": ([0x48, 0x49, 0x4A, 0x4B], "answers at 0x48 (ADDR to GND), 0x49 (VDD), 0x4A (SDA) or 0x4B (SCL)"),
    ]

    static let defaultAddress: [String: UInt8] = ["sht4x": 0x44, "scd4x": 0x62, "scd30": 0x61, "sps30": 0x69,
                                                  "sen5x": 0x69, "ads1115": 0x48]

    /// `bus:` and `address:` of an I2C sensor.
    static func place(_ m: inout MappingReader, driver: String, board: Board?,
                      sink: DiagnosticSink) -> (bus: (String, String)?, address: UInt8?) {
        let s = ScalarReader(sink)
        var bus: (String, String)?
        if let b = m.required("bus"), let busName = s.string(b, m.child("bus")), let board {
            if let dev = board.i2cBuses[busName] {
                bus = (busName, dev)
            } else {
                sink.error(b.mark, m.child("bus"), "board '\(board.name)' has no I2C bus '\(busName)'; it has: "
                           + board.i2cBuses.keys.sorted().joined(separator: ", "))
            }
        }
        let rule = addresses[driver]!
        let node = defaultAddress[driver] == nil ? m.required("address") : m.node("address")
        guard let a = node else { return (bus, defaultAddress[driver]) }
        guard let v = s.integer(a, m.child("address")) else { return (bus, nil) }
        guard (0x03...0x77).contains(v) else {
            sink.error(a.mark, m.child("address"), "\(v) (0x\(String(v, radix: 16))) is not a 7-bit I2C address (0x03–0x77)")
            return (bus, nil)
        }
        guard rule.allowed.contains(UInt8(v)) else {
            sink.error(a.mark, m.child("address"), "a \(driver.uppercased()) \(rule.hint)")
            return (bus, nil)
        }
        return (bus, UInt8(v))
    }

    /// Shortest useful polling interval: the part makes no new value faster.
    static let minimumInterval: [String: (Duration, String)] = [
        "scd4x": (.seconds(5), "an SCD4x measures every 5 s (30 s in low-power mode)"),
        "sps30": (.seconds(1), "an SPS30 measures once a second"),
        "sen5x": (.seconds(1), "a SEN5x measures once a second"),
    ]

    static func kind(_ m: inout MappingReader, driver: String, interval: Duration, sink: DiagnosticSink) -> SensorKind? {
        let s = ScalarReader(sink)
        switch driver {
        case "sht4x":
            var o = SHT4xOptions()
            if let p = m.node("precision"), let v = s.choice(p, m.child("precision"), SHT4x.Precision.allCases) { o.precision = v }
            return .sht4x(o)
        case "scd4x":
            var o = SCD4xOptions()
            if let v = m.node("low_power"), let b = s.bool(v, m.child("low_power")) {
                o.settings.lowPower = b
                if b, interval < .seconds(30) {
                    sink.error(v.mark, m.child("low_power"), "low-power mode measures every 30 s: set interval to 30s or more")
                }
            }
            if let v = m.node("altitude"), let a = s.integer(v, m.child("altitude")) {
                if (0...3000).contains(a) { o.settings.altitude = a } else {
                    sink.error(v.mark, m.child("altitude"), "the SCD4x accepts 0…3000 m")
                }
            }
            if let v = m.node("temperature_offset"), let t = s.number(v, m.child("temperature_offset")) {
                if (0...20).contains(t) { o.settings.temperatureOffset = t } else {
                    sink.error(v.mark, m.child("temperature_offset"), "must be 0…20 °C (the part's self-heating in its enclosure)")
                }
            }
            return .scd4x(o)
        case "scd30":
            var o = SCD30Options()
            if let v = m.node("measurement_interval"),
               let d = s.duration(v, m.child("measurement_interval"), in: .seconds(2)...(.seconds(1800)),
                                  why: "the SCD30 measures every 2…1800 whole seconds") {
                let secs = Int(d.components.seconds)
                if d == .seconds(secs) { o.settings.measurementInterval = secs } else {
                    sink.error(v.mark, m.child("measurement_interval"), "the SCD30 measures every 2…1800 whole seconds")
                }
            }
            if .seconds(o.settings.measurementInterval) > interval {
                sink.error(m.mark, m.child("interval"), "polling every \(interval.configText) is faster than the SCD30's measurement_interval "
                           + "(\(o.settings.measurementInterval) s): readings would repeat")
            }
            if let v = m.node("ambient_pressure"), let p = s.integer(v, m.child("ambient_pressure")) {
                if p == 0 || (700...1400).contains(p) { o.settings.ambientPressure = p } else {
                    sink.error(v.mark, m.child("ambient_pressure"), "must be 700…1400 mbar (0: use altitude)")
                }
            }
            if let v = m.node("altitude"), let a = s.integer(v, m.child("altitude")) {
                if (0...3000).contains(a) { o.settings.altitude = a } else {
                    sink.error(v.mark, m.child("altitude"), "must be 0…3000 m")
                }
            }
            return .scd30(o)
        case "sps30": return .sps30
        case "sen5x": return .sen5x
        case "ads1115":
            guard let n = m.required("inputs"), let items = s.list(n, m.child("inputs")) else { return nil }
            guard !items.isEmpty else {
                sink.error(n.mark, m.child("inputs"), "list at least one input")
                return nil
            }
            var channels: [ADS1115.Channel] = []
            var ok = true
            for (i, item) in items.enumerated() {
                if let c = analogInput(item, path: m.child("inputs[\(i)]"), sink: sink) {
                    if channels.contains(where: { $0.quantity == c.quantity }) {
                        sink.error(item.mark, m.child("inputs[\(i)].name"), "'\(c.quantity)' is listed twice")
                        ok = false
                    }
                    channels.append(c)
                } else {
                    ok = false
                }
            }
            return ok ? .ads1115(ADS1115Options(inputs: channels)) : nil
        default:
            return nil
        }
    }

    static let rangeNames = ADS1115.Range.allCases.map { String($0.rawValue) }

    /// `{name: no2, input: ain0, range: 4.096, rate: 128, unit: ppb, transfer: {linear: {volts: [0.4, 2.0], values: [0, 500]}}}`
    static func analogInput(_ n: YAMLNode, path: String, sink: DiagnosticSink) -> ADS1115.Channel? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        defer { m.finish() }
        let name = m.required("name").flatMap { v -> String? in
            guard let t = s.string(v, m.child("name")) else { return nil }
            guard ConfigLoader.isIdentifier(t, max: 48) else {
                sink.error(v.mark, m.child("name"), "'\(t)' is not a valid quantity name: use 1–48 of a-z, 0-9, '-' and '_'")
                return nil
            }
            return t
        }
        let input = m.required("input").flatMap { s.choice($0, m.child("input"), ADS1115.Input.allCases) }
        var range = ADS1115.Range.fsr4_096
        if let v = m.node("range"), let r = s.number(v, m.child("range")) {
            if let known = ADS1115.Range(rawValue: r) { range = known } else {
                sink.error(v.mark, m.child("range"), "the PGA's full-scale ranges are ±" + rangeNames.joined(separator: ", ±") + " V")
            }
        }
        var rate = ADS1115.DataRate.sps128
        if let v = m.node("rate"), let r = s.integer(v, m.child("rate")) {
            if let known = ADS1115.DataRate(rawValue: r) { rate = known } else {
                sink.error(v.mark, m.child("rate"), "data rates are " + ADS1115.DataRate.allCases.map { String($0.rawValue) }.joined(separator: ", ") + " SPS")
            }
        }
        let unit = m.required("unit").flatMap { v -> Unit? in
            guard let t = s.string(v, m.child("unit")) else { return nil }
            guard let u = Unit(rawValue: t) else {
                sink.error(v.mark, m.child("unit"), "unknown unit '\(t)'; known: " + Unit.allCases.map { $0 == .none ? "'' (none)" : $0.rawValue }.joined(separator: ", "))
                return nil
            }
            return u
        }
        let transfer = m.required("transfer").flatMap { transferFunction($0, path: m.child("transfer"), range: range, sink: sink) }
        guard let name, let input, let unit, let transfer else { return nil }
        return ADS1115.Channel(quantity: name, unit: unit, input: input, range: range, rate: rate, transfer: transfer)
    }

    static func transferFunction(_ n: YAMLNode, path: String, range: ADS1115.Range, sink: DiagnosticSink) -> AnalogTransfer? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        defer { m.finish() }
        func pair(_ mm: inout MappingReader, _ key: String) -> (Double, Double)? {
            guard let v = mm.required(key), let items = s.list(v, mm.child(key)) else { return nil }
            guard items.count == 2, let a = s.number(items[0], mm.child("\(key)[0]")), let b = s.number(items[1], mm.child("\(key)[1]")) else {
                if items.count != 2 { sink.error(v.mark, mm.child(key), "expected two numbers") }
                return nil
            }
            return (a, b)
        }
        let kinds = ["linear", "polynomial", "current_loop"].filter { m.entries.map(\.key).contains($0) }
        guard kinds.count == 1 else {
            sink.error(m.mark, path, "give exactly one of linear, polynomial or current_loop")
            _ = m.node("linear"); _ = m.node("polynomial"); _ = m.node("current_loop")
            return nil
        }
        switch kinds[0] {
        case "linear":
            guard let node = m.node("linear"), var lm = MappingReader(node, path: m.child("linear"), sink: sink) else { return nil }
            defer { lm.finish() }
            guard let v = pair(&lm, "volts"), let y = pair(&lm, "values") else { return nil }
            guard v.0 != v.1 else {
                sink.error(node.mark, lm.child("volts"), "the two calibration voltages must differ")
                return nil
            }
            for x in [v.0, v.1] where abs(x) > range.rawValue {
                sink.error(node.mark, lm.child("volts"), "\(x) V is beyond the ±\(range.rawValue) V range")
            }
            return .linear(v0: v.0, v1: v.1, y0: y.0, y1: y.1)
        case "polynomial":
            guard let node = m.node("polynomial"), let items = s.list(node, m.child("polynomial")) else { return nil }
            let c = items.enumerated().compactMap { s.number($1, m.child("polynomial[\($0)]")) }
            guard c.count == items.count, (1...6).contains(c.count) else {
                if c.count == items.count { sink.error(node.mark, m.child("polynomial"), "give 1…6 coefficients, c0 first") }
                return nil
            }
            return .polynomial(c)
        default:
            guard let node = m.node("current_loop"), var cm = MappingReader(node, path: m.child("current_loop"), sink: sink) else { return nil }
            defer { cm.finish() }
            let shunt = cm.required("shunt").flatMap { s.number($0, cm.child("shunt")) }
            guard let shunt, let y = pair(&cm, "values") else { return nil }
            guard shunt > 0 else {
                sink.error(node.mark, cm.child("shunt"), "the shunt resistance must be positive (ohms)")
                return nil
            }
            // 21 mA (a NAMUR failure signal) must still be measurable, or a fault reads as full scale.
            if 0.021 * shunt > range.rawValue {
                sink.error(node.mark, cm.child("shunt"), "21 mA across \(shunt) Ω is \(0.021 * shunt) V, beyond the ±\(range.rawValue) V range: "
                           + "choose a wider range or a smaller shunt")
            }
            return .currentLoop(ohms: shunt, y0: y.0, y1: y.1)
        }
    }
}
