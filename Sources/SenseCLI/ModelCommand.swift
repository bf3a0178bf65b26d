import SenseCore
import SenseModels
import SenseWire

/// `sensegate model NAME key=value …`: evaluates one model of `SenseModels` and prints one JSON
/// object — the inputs echoed, the outputs, their units. `sensegate model --list` lists them.
/// Mistakes (unknown model, missing, repeated, unknown or non-numeric input, a value outside the
/// model's valid range) exit 2 with a message naming the input.
package enum ModelCommand {
    package struct Failure: Error { package var message: String }

    struct Input: Sendable {
        var key: String
        var unit: String
        var help: String
    }

    struct Model: Sendable {
        var name: String
        var summary: String
        var inputs: [Input]
        var evaluate: @Sendable (Arguments) throws(Failure) -> [Output]
    }

    enum Value: Sendable {
        case number(Double), integer(Int), text(String), object([Output])
    }

    struct Output: Sendable {
        var key: String
        var value: Value
        var unit: String?
    }

    /// The parsed `key=value` pairs, with typed readers that name what is wrong.
    struct Arguments {
        var values: [String: String]

        func number(_ key: String, in range: ClosedRange<Double>? = nil, unit: String = "") throws(Failure) -> Double {
            guard let text = values[key] else { throw Failure(message: "missing input '\(key)'") }
            guard let v = NumberText.decimal(text) else { throw Failure(message: "'\(key)' must be a number, got '\(text)'") }
            if let range, !range.contains(v) {
                throw Failure(message: "'\(key)' = \(text) is outside the model's valid range \(range.lowerBound)…\(range.upperBound) \(unit)")
            }
            return v
        }

        func choice(_ key: String, _ options: [String], default fallback: String? = nil) throws(Failure) -> String {
            guard let v = values[key] ?? fallback else { throw Failure(message: "missing input '\(key)': one of \(options.joined(separator: ", "))") }
            guard options.contains(v) else { throw Failure(message: "'\(key)' must be one of \(options.joined(separator: ", ")), got '\(v)'") }
            return v
        }
    }

    /// `pm25`, `co`, `no2` are the short names of the averages the AQI uses.
    static let pollutantNames: [String: AirQualityIndex.Pollutant] = [
        "pm25": .pm25, "pm10": .pm10, "o3_8h": .o3_8h, "o3_1h": .o3_1h, "co": .co, "no2": .no2,
        "so2_1h": .so2_1h, "so2_24h": .so2_24h,
    ]
    static let pollutantKeys = ["pm25", "pm10", "o3_8h", "o3_1h", "co", "no2", "so2_1h", "so2_24h"]

    static let models: [Model] = airModels + hydrologyModels + trafficModels

    static let airModels: [Model] = [
        Model(
            name: "aqi", summary: "EPA AQI sub-index (2024 table) of one pollutant average",
            inputs: [
                Input(key: "pollutant", unit: "", help: pollutantKeys.joined(separator: "|")),
                Input(key: "concentration", unit: "ug/m3 | ppm | ppb", help: "the average: µg/m³ for PM, ppm for O3 and CO, ppb for SO2 and NO2"),
            ]
        ) { a throws(Failure) in
            let p = pollutantNames[try a.choice("pollutant", pollutantKeys)]!
            return try subIndexOutputs(p, a.number("concentration", in: 0...1e6, unit: p.unit))
        },
        Model(
            name: "aqi-overall", summary: "EPA AQI of several pollutants: the largest sub-index and its pollutant",
            inputs: pollutantKeys.map { Input(key: $0, unit: pollutantNames[$0]!.unit, help: "optional") }
        ) { a throws(Failure) in
            var given: [(AirQualityIndex.Pollutant, Double)] = []
            for key in pollutantKeys where a.values[key] != nil {
                let p = pollutantNames[key]!
                given.append((p, try a.number(key, in: 0...1e6, unit: p.unit)))
            }
            guard !given.isEmpty else { throw Failure(message: "give at least one pollutant: \(pollutantKeys.joined(separator: ", "))") }
            guard let o = AirQualityIndex.overall(given) else {
                throw Failure(message: "no pollutant has an AQI at these concentrations (e.g. 1-hour ozone below 0.125 ppm)")
            }
            let shortName = { (p: AirQualityIndex.Pollutant) in pollutantNames.first { $0.value == p }!.key }
            return [
                Output(key: "aqi", value: .integer(o.aqi), unit: nil),
                Output(key: "category", value: .text(o.category.rawValue), unit: nil),
                Output(key: "color", value: .text(o.category.colour.name), unit: nil),
                Output(key: "hex", value: .text(o.category.colour.hex), unit: nil),
                Output(key: "responsible", value: .text(shortName(o.responsible)), unit: nil),
                Output(
                    key: "sub_indices", value: .object(o.subIndices.map { Output(key: shortName($0.pollutant), value: .integer($0.aqi), unit: nil) }),
                    unit: nil),
            ]
        },
        Model(
            name: "nowcast", summary: "EPA NowCast of hourly averages (PM: 12 h, weight floor 0.5; ozone: 8 h)",
            inputs: [
                Input(key: "values", unit: "ug/m3 | ppb", help: "c1,c2,… newest first; empty for a missing hour"),
                Input(key: "pollutant", unit: "", help: "pm25 (default) | pm10 | o3"),
            ]
        ) { a throws(Failure) in
            let pollutant = try a.choice("pollutant", ["pm25", "pm10", "o3"], default: "pm25")
            guard let text = a.values["values"] else { throw Failure(message: "missing input 'values': c1,c2,… newest first") }
            let kind: NowCast.Kind = pollutant == "o3" ? .ozone : .particulate
            var hourly: [Double?] = []
            for (i, item) in text.split(separator: ",", omittingEmptySubsequences: false).enumerated() {
                if item.isEmpty {
                    hourly.append(nil)
                    continue
                }
                guard let v = NumberText.decimal(item), v >= 0 else {
                    throw Failure(message: "'values' item \(i + 1) must be a non-negative number or empty, got '\(item)'")
                }
                hourly.append(v)
            }
            let hours = kind == .ozone ? 8 : 12
            guard hourly.count <= hours else { throw Failure(message: "'values' takes at most \(hours) hours for \(pollutant), got \(hourly.count)") }
            guard let r = NowCast.compute(kind, hourly: hourly) else {
                throw Failure(message: "no NowCast: fewer than 2 of the 3 most recent hours are valid")
            }
            let unit = kind == .ozone ? "ppb" : "ug/m3"
            var out = [
                Output(key: "weight", value: .number(r.weight), unit: nil),
                Output(key: "nowcast_unrounded", value: .number(r.unrounded), unit: unit),
                Output(key: "nowcast", value: .number(r.value), unit: unit),
            ]
            let p: AirQualityIndex.Pollutant = pollutant == "o3" ? .o3_8h : pollutant == "pm10" ? .pm10 : .pm25
            do throws(AirQualityIndex.Undefined) {
                let s = try AirQualityIndex.subIndex(p, concentration: kind == .ozone ? r.value / 1000 : r.value)
                out += [Output(key: "aqi", value: .integer(s.aqi), unit: nil), Output(key: "category", value: .text(s.category.rawValue), unit: nil)]
            } catch {
                out.append(Output(key: "aqi_note", value: .text(error.description), unit: nil))
            }
            return out
        },
        Model(
            name: "pm25-correction", summary: "humidity correction of a low-cost laser PM2.5 reading",
            inputs: [
                Input(key: "pm25", unit: "ug/m3", help: "the sensor's PM2.5"), Input(key: "rh", unit: "%RH", help: "humidity at the sensor"),
                Input(key: "method", unit: "", help: "epa2021 (default, valid to 300 µg/m³) | smoke (Fire and Smoke Map 2021) | kappa (κ = 0.24)"),
            ]
        ) { a throws(Failure) in
            let method = try a.choice("method", ["epa2021", "smoke", "kappa"], default: "epa2021")
            let rh = try a.number("rh", in: 0...100, unit: "%RH")
            switch method {
            case "epa2021":
                let pm = try a.number("pm25", in: 0...PMCorrection.validUpTo, unit: "ug/m3 (above it, method=smoke)")
                return [Output(key: "pm25_corrected", value: .number(PMCorrection.epa2021(pm: pm, relativeHumidity: rh)), unit: "ug/m3")]
            case "smoke":
                let pm = try a.number("pm25", in: 0...5000, unit: "ug/m3")
                return [Output(key: "pm25_corrected", value: .number(PMCorrection.smokeMap2021(pm: pm, relativeHumidity: rh)), unit: "ug/m3")]
            default:
                let pm = try a.number("pm25", in: 0...5000, unit: "ug/m3")
                let r = PMCorrection.kappa(pm: pm, relativeHumidity: rh)
                return [Output(key: "pm25_dry", value: .number(r.pm), unit: "ug/m3"), Output(key: "rh_used", value: .number(r.rhUsed), unit: "%RH")]
            }
        },
        Model(
            name: "dewpoint", summary: "dew point (Magnus, Sensirion constants) and absolute humidity",
            inputs: [Input(key: "t", unit: "Cel", help: "air temperature, -45…60"), Input(key: "rh", unit: "%RH", help: "relative humidity, >0…100")]
        ) { a throws(Failure) in
            let t = try a.number("t", in: -45...60, unit: "Cel")
            let rh = try a.number("rh", in: 0.001...100, unit: "%RH")
            return [
                Output(key: "dewpoint", value: .number(Psychrometrics.dewPoint(celsius: t, relativeHumidity: rh)!), unit: "Cel"),
                Output(key: "absolute_humidity", value: .number(Psychrometrics.absoluteHumidity(celsius: t, relativeHumidity: rh)), unit: "g/m3"),
            ]
        },
        Model(
            name: "heat-index", summary: "NWS heat index (Rothfusz regression with its adjustments)",
            inputs: [Input(key: "t", unit: "Cel", help: "air temperature, -40…60"), Input(key: "rh", unit: "%RH", help: "relative humidity, 0…100")]
        ) { a throws(Failure) in
            let t = try a.number("t", in: -40...60, unit: "Cel")
            let rh = try a.number("rh", in: 0...100, unit: "%RH")
            return [Output(key: "heat_index", value: .number(Psychrometrics.heatIndex(celsius: t, relativeHumidity: rh)), unit: "Cel")]
        },
        Model(
            name: "sea-level-pressure", summary: "station pressure reduced to sea level (with the station temperature)",
            inputs: [
                Input(key: "p", unit: "hPa", help: "station pressure, 300…1100"), Input(key: "t", unit: "Cel", help: "station temperature, -60…60"),
                Input(key: "altitude", unit: "m", help: "station altitude, -500…9000"),
            ]
        ) { a throws(Failure) in
            let p = try a.number("p", in: 300...1100, unit: "hPa")
            let t = try a.number("t", in: -60...60, unit: "Cel")
            let h = try a.number("altitude", in: -500...9000, unit: "m")
            return [Output(key: "sea_level_pressure", value: .number(Barometry.seaLevelPressure(station: p, altitude: h, celsius: t)), unit: "hPa")]
        },
    ]

    static func subIndexOutputs(_ p: AirQualityIndex.Pollutant, _ c: Double) throws(Failure) -> [Output] {
        do throws(AirQualityIndex.Undefined) {
            let s = try AirQualityIndex.subIndex(p, concentration: c)
            return [
                Output(key: "truncated_concentration", value: .number(s.truncated), unit: p.unit),
                Output(key: "aqi_unrounded", value: .number(s.unrounded), unit: nil),
                Output(key: "aqi", value: .integer(s.aqi), unit: nil),
                Output(key: "category", value: .text(s.category.rawValue), unit: nil),
                Output(key: "color", value: .text(s.category.colour.name), unit: nil),
                Output(key: "hex", value: .text(s.category.colour.hex), unit: nil),
            ]
        } catch {
            throw Failure(message: "outside the model's valid range: \(error)")
        }
    }

    /// Runs `model` with `arguments`; the JSON to print, or the message for exit 2.
    package static func run(_ name: String, _ arguments: [String]) throws(Failure) -> String {
        guard let model = model(named: name) else {
            throw Failure(message: "unknown model '\(name)'; models: \(models.map(\.name).joined(separator: ", ")) (sensegate model --list)")
        }
        let asConfigured = name != model.name && name.contains("_")
        let name = model.name
        var values: [String: String] = [:]
        var order: [String] = []
        for arg in arguments {
            guard let eq = arg.firstIndex(of: "="), eq != arg.startIndex else {
                throw Failure(message: "'\(arg)' is not key=value; \(name) takes: \(model.inputs.map(\.key).joined(separator: ", "))")
            }
            let (key, value) = canonical(String(arg[..<eq]), String(arg[arg.index(after: eq)...]), model: name)
            guard model.inputs.contains(where: { $0.key == key }) else {
                let aliases = inputAliases[name].map { " (or as the config names them: \($0.keys.sorted().joined(separator: ", ")))" } ?? ""
                throw Failure(message: "\(name) has no input '\(key)'; it takes: \(model.inputs.map(\.key).joined(separator: ", "))\(aliases)")
            }
            guard values[key] == nil else { throw Failure(message: "'\(key)' given twice") }
            values[key] = value
            order.append(key)
        }
        var outputs = try model.evaluate(Arguments(values: values))
        if asConfigured, let units = daemonOutputUnits[name] {
            outputs = outputs.map { o in
                guard let (unit, scale) = units[o.key], case let .number(v) = o.value else { return o }
                return Output(key: o.key, value: .number(v * scale), unit: unit)
            }
        }
        var w = JSONWriter()
        w.beginObject()
        w.field("model", name)
        w.key("inputs")
        w.beginObject()
        for key in order {
            if let v = NumberText.decimal(values[key]!), key != "values", key != "samples" { w.field(key, v) } else { w.field(key, values[key]!) }
        }
        w.endObject()
        w.key("outputs")
        write(outputs, into: &w)
        w.key("units")
        w.beginObject()
        let pollutant = values["pollutant"].flatMap { pollutantNames[$0] }
        for key in order where key != "pollutant" && key != "method" {
            guard let unit = model.inputs.first(where: { $0.key == key })?.unit, !unit.isEmpty else { continue }
            if !unit.contains("|") { w.field(key, unit) } else if let pollutant { w.field(key, pollutant.unit) }
        }
        for o in outputs { if let u = o.unit, !order.contains(o.key) { w.field(o.key, u) } }
        w.endObject()
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }

    private static func write(_ outputs: [Output], into w: inout JSONWriter) {
        w.beginObject()
        for o in outputs {
            switch o.value {
            case let .number(v): w.field(o.key, v)
            case let .integer(v): w.field(o.key, Int64(v))
            case let .text(v): w.field(o.key, v)
            case let .object(inner):
                w.key(o.key)
                write(inner, into: &w)
            }
        }
        w.endObject()
    }

    package static var list: String {
        var lines: [String] = []
        for m in models {
            let also = configModelNames.filter { $0.value == m.name }.keys.sorted() + [m.name.replacingHyphens].filter { $0 != m.name }
            lines.append("\(m.name): \(m.summary)\(also.isEmpty ? "" : " (also: \(also.joined(separator: ", ")))")")
            for i in m.inputs { lines.append("  \(i.key)=\(i.unit.isEmpty ? "…" : "[\(i.unit)]")  \(i.help)") }
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    /// `dew-point` → `dew_point`: the config's spelling of a command name.
    fileprivate var replacingHyphens: String { String(map { $0 == "-" ? "_" : $0 }) }
}
