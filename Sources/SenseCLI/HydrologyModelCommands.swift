import SenseCore
import SenseModels

/// The hydrology models of `sensegate model` (physics reference §B): same conventions as the air
/// models — SI inputs named with their units, every output with its unit.
extension ModelCommand {
    static let hydrologyModels: [Model] = [
        Model(
            name: "water-density", summary: "density of air-free water (Tanaka 2001 / CIPM, 0–40 °C)",
            inputs: [Input(key: "t", unit: "Cel", help: "water temperature, 0…40")]
        ) { a throws(Failure) in
            let t = try a.number("t", in: WaterLevel.densityValidRange, unit: "Cel")
            return [Output(key: "rho", value: .number(WaterLevel.waterDensity(celsius: t)), unit: "kg/m3")]
        },
        Model(
            name: "hydrostatic-depth", summary: "water depth over a pressure transducer (vented, or absolute less a barometer), and stage",
            inputs: [
                Input(key: "p", unit: "Pa", help: "gauge pressure of a vented sensor (or give p_abs and p_baro)"),
                Input(key: "p_abs", unit: "Pa", help: "absolute pressure of a non-vented sensor"),
                Input(key: "p_baro", unit: "Pa", help: "barometric pressure above the water, with p_abs"),
                Input(key: "t", unit: "Cel", help: "water temperature, 0…40"),
                Input(key: "g", unit: "m/s2", help: "local gravity (default 9.80665)"),
                Input(key: "datum", unit: "m", help: "optional: elevation of the pressure port above the gauge datum"),
            ]
        ) { a throws(Failure) in
            let t = try a.number("t", in: WaterLevel.densityValidRange, unit: "Cel")
            let g = try a.optionalNumber("g", in: 9.7...9.9, unit: "m/s2") ?? WaterLevel.standardGravity
            let pressure: Double
            switch (a.values["p"], a.values["p_abs"], a.values["p_baro"]) {
            case (_?, nil, nil):
                pressure = try a.number("p", in: -1e4...1e7, unit: "Pa")
            case (nil, _?, _?):
                pressure = try a.number("p_abs", in: 0...1e7, unit: "Pa") - a.number("p_baro", in: 3e4...1.1e5, unit: "Pa")
            default:
                throw Failure(message: "give either p (a vented sensor's gauge pressure) or both p_abs and p_baro")
            }
            let rho = WaterLevel.waterDensity(celsius: t)
            let depth = WaterLevel.depth(gaugePressure: pressure, waterCelsius: t, gravity: g)
            var out = [
                Output(key: "rho", value: .number(rho), unit: "kg/m3"),
                Output(key: "depth", value: .number(depth), unit: "m"),
                Output(key: "depth_rho1000", value: .number(pressure / (1000 * g)), unit: "m"),
            ]
            if let datum = try a.optionalNumber("datum", in: -1e4...1e4, unit: "m") {
                out.append(Output(key: "stage", value: .number(depth + datum), unit: "m"))
            }
            return out
        },
        Model(
            name: "ultrasonic-stage", summary: "distance and stage from an ultrasonic echo, speed of sound from the air temperature",
            inputs: [
                Input(key: "echo", unit: "us", help: "echo (round-trip) time, 0…100000"),
                Input(key: "t", unit: "Cel", help: "air temperature, -40…60"),
                Input(key: "mount_height", unit: "m", help: "optional: the sensor's height above the gauge datum"),
            ]
        ) { a throws(Failure) in
            let echo = try a.number("echo", in: 0...100_000, unit: "us") * 1e-6
            let t = try a.number("t", in: -40...60, unit: "Cel")
            let d = WaterLevel.echoDistance(echoTime: echo, airCelsius: t)
            var out = [
                Output(key: "c", value: .number(WaterLevel.speedOfSound(celsius: t)), unit: "m/s"),
                Output(key: "c_ideal_gas", value: .number(WaterLevel.speedOfSoundIdealGas(celsius: t)), unit: "m/s"),
                Output(key: "distance", value: .number(d), unit: "m"),
                Output(key: "distance_if_c340", value: .number(340 * echo / 2), unit: "m"),
            ]
            if let mount = try a.optionalNumber("mount_height", in: 0...100, unit: "m") {
                out.append(Output(key: "stage", value: .number(mount - d), unit: "m"))
            }
            return out
        },
        Model(
            name: "rating-curve", summary: "stage–discharge power law Q = C·(h + shift − h0)^b (0 at or below h0)",
            inputs: [
                Input(key: "h", unit: "m", help: "stage (gauge height)"), Input(key: "c", unit: "", help: "coefficient C (> 0)"),
                Input(key: "h0", unit: "m", help: "gauge height of zero flow"), Input(key: "b", unit: "", help: "exponent, 0.5…5"),
                Input(key: "shift", unit: "m", help: "optional: the rating shift added to the stage"),
            ]
        ) { a throws(Failure) in
            let h = try a.number("h", in: -1e3...1e4, unit: "m") + (a.optionalNumber("shift", in: -100...100, unit: "m") ?? 0)
            let c = try a.number("c", in: 1e-9...1e9)
            let q = Discharge.powerLaw(
                stage: h, c: c, zeroFlow: try a.number("h0", in: -1e3...1e4, unit: "m"),
                exponent: try a.number("b", in: 0.5...5))
            return [Output(key: "q", value: .number(q), unit: "m3/s")]
        },
        Model(
            name: "manning", summary: "Manning's equation (SI) for a rectangular, trapezoidal or part-full circular section",
            inputs: [
                Input(key: "n", unit: "", help: "roughness, 0.008…0.2"), Input(key: "slope", unit: "", help: "energy slope (m/m), >0…1"),
                Input(key: "width", unit: "m", help: "bottom width (rectangle, trapezoid)"),
                Input(key: "side_slope", unit: "", help: "optional: trapezoid side slope z (horizontal per vertical)"),
                Input(key: "diameter", unit: "m", help: "pipe diameter (instead of width)"),
                Input(key: "depth", unit: "m", help: "flow depth (or fill for a pipe)"),
                Input(key: "fill", unit: "", help: "pipe only: half | full, instead of depth"),
            ]
        ) { a throws(Failure) in
            let n = try a.number("n", in: 0.008...0.2)
            let s = try a.number("slope", in: 1e-7...1)
            let section: Discharge.Section
            let y: Double
            if a.values["diameter"] != nil {
                guard a.values["width"] == nil, a.values["side_slope"] == nil else {
                    throw Failure(message: "give diameter (a pipe) or width (an open channel), not both")
                }
                let d = try a.number("diameter", in: 0.01...20, unit: "m")
                section = .circular(diameter: d)
                switch (a.values["depth"], a.values["fill"]) {
                case (_?, nil): y = try a.number("depth", in: 0...d, unit: "m")
                case (nil, _?): y = try a.choice("fill", ["half", "full"]) == "half" ? d / 2 : d
                default: throw Failure(message: "a pipe needs depth or fill=half|full (one of them)")
                }
            } else {
                let b = try a.number("width", in: 0...1e4, unit: "m")
                let z = try a.optionalNumber("side_slope", in: 0...20) ?? 0
                section = z == 0 ? .rectangular(width: b) : .trapezoidal(bottomWidth: b, sideSlope: z)
                y = try a.number("depth", in: 0...1e3, unit: "m")
            }
            let r = Discharge.manning(section: section, depth: y, roughness: n, slope: s)
            return [
                Output(key: "area", value: .number(r.area), unit: "m2"), Output(key: "perimeter", value: .number(r.perimeter), unit: "m"),
                Output(key: "hydraulic_radius", value: .number(r.radius), unit: "m"),
                Output(key: "velocity", value: .number(r.velocity), unit: "m/s"), Output(key: "q", value: .number(r.discharge), unit: "m3/s"),
            ]
        },
        Model(
            name: "weir-vnotch", summary: "thin-plate V-notch weir (Kindsvater–Shen)",
            inputs: [
                Input(key: "h", unit: "m", help: "head over the notch vertex"),
                Input(key: "angle", unit: "deg", help: "notch angle, 25…100 (default 90)"),
                Input(key: "ce", unit: "", help: "discharge coefficient (default 0.578, for 90°)"),
                Input(key: "kh", unit: "m", help: "head correction (default 0.00088 m, for 90°)"),
            ]
        ) { a throws(Failure) in
            let h = try a.number("h", in: 0...10, unit: "m")
            let angle = try a.optionalNumber("angle", in: 25...100, unit: "deg") ?? 90
            let ce = try a.optionalNumber("ce", in: 0.5...0.7)
            let kh = try a.optionalNumber("kh", in: 0...0.01, unit: "m")
            guard angle == 90 || (ce != nil && kh != nil) else {
                throw Failure(
                    message:
                        "the defaults ce=0.578 and kh=0.00088 m hold for a 90° notch: give ce and kh for \(angle)° (USBR Water Measurement Manual, ch. 7)"
                )
            }
            var out: [Output] = []
            if h < 0.06 { out.append(Output(key: "note", value: .text("head below 0.06 m (0.2 ft): outside the method's range"), unit: nil)) }
            let q = Discharge.vNotchWeir(
                head: h, angleDegrees: angle, coefficient: ce ?? Discharge.vNotch90Coefficient,
                headCorrection: kh ?? Discharge.vNotch90HeadCorrection)
            return out + [Output(key: "q", value: .number(q), unit: "m3/s"), Output(key: "q_ls", value: .number(q * 1000), unit: "l/s")]
        },
        Model(
            name: "weir-rect", summary: "thin-plate rectangular weir with Francis end contractions",
            inputs: [
                Input(key: "h", unit: "m", help: "head over the crest"), Input(key: "length", unit: "m", help: "crest length"),
                Input(key: "cd", unit: "", help: "discharge coefficient, 0.5…0.8"),
                Input(key: "contractions", unit: "", help: "end contractions: 0 (suppressed), 1 or 2 (default 2)"),
            ]
        ) { a throws(Failure) in
            let h = try a.number("h", in: 0...10, unit: "m")
            let l = try a.number("length", in: 0.01...1000, unit: "m")
            let cd = try a.number("cd", in: 0.5...0.8)
            let n = Int(try a.choice("contractions", ["0", "1", "2"], default: "2"))!
            let r = Discharge.rectangularWeir(head: h, crestLength: l, coefficient: cd, endContractions: n)
            guard r.effectiveLength > 0 else {
                throw Failure(message: "the head is too large for the crest: effective length \(r.effectiveLength) m")
            }
            return [
                Output(key: "effective_length", value: .number(r.effectiveLength), unit: "m"),
                Output(key: "q", value: .number(r.discharge), unit: "m3/s"),
            ]
        },
        Model(
            name: "rain-intensity", summary: "tipping-bucket rainfall depth and intensity over a window, or by the inter-tip time",
            inputs: [
                Input(key: "mm_per_tip", unit: "mm", help: "bucket resolution, e.g. 0.2 or 0.254"),
                Input(key: "tips", unit: "count", help: "tips counted in the window"),
                Input(key: "window", unit: "min", help: "the window, with tips"),
                Input(key: "inter_tip", unit: "s", help: "time between two tips (instead of tips and window)"),
            ]
        ) { a throws(Failure) in
            let mm = try a.number("mm_per_tip", in: 0.01...10, unit: "mm")
            var out: [Output] = []
            let intensity: Double
            switch (a.values["tips"], a.values["window"], a.values["inter_tip"]) {
            case (_?, _?, nil):
                let tips = try a.number("tips", in: 0...1e6, unit: "count")
                guard tips == tips.rounded() else { throw Failure(message: "'tips' must be a whole number") }
                let window = try a.number("window", in: 0.01...44_640, unit: "min")
                intensity = Rainfall.intensity(tips: Int(tips), millimetresPerTip: mm, windowSeconds: window * 60)
                out.append(Output(key: "depth", value: .number(tips * mm), unit: "mm"))
            case (nil, nil, _?):
                intensity = Rainfall.interTipIntensity(millimetresPerTip: mm, interTipSeconds: try a.number("inter_tip", in: 0.1...1e6, unit: "s"))
            default:
                throw Failure(message: "give tips and window (minutes), or inter_tip (seconds)")
            }
            return out + [
                Output(key: "intensity", value: .number(intensity), unit: "mm/h"),
                Output(key: "wmo_class", value: .text(Rainfall.IntensityClass(wmo: intensity).rawValue), unit: nil),
                Output(key: "ams_class", value: .text(Rainfall.IntensityClass(ams: intensity).rawValue), unit: nil),
            ]
        },
        Model(
            name: "pulse-flow", summary: "flow and volume of a pulse flow meter, F = k·Q (YF-S201: k = 7.5 Hz per L/min)",
            inputs: [
                Input(key: "frequency", unit: "Hz", help: "pulse frequency"), Input(key: "k", unit: "Hz/(l/min)", help: "meter factor (default 7.5)"),
                Input(key: "pulses", unit: "count", help: "optional: pulses counted, for a volume"),
            ]
        ) { a throws(Failure) in
            let f = try a.number("frequency", in: 0...1e5, unit: "Hz")
            let k = try a.optionalNumber("k", in: 0.001...1e5, unit: "Hz/(l/min)") ?? 7.5
            var out = [
                Output(key: "flow", value: .number(PulseFlow.flow(frequency: f, hertzPerLitrePerMinute: k)), unit: "l/min"),
                Output(key: "pulses_per_litre", value: .number(PulseFlow.pulsesPerLitre(hertzPerLitrePerMinute: k)), unit: nil),
            ]
            if let p = try a.optionalNumber("pulses", in: 0...1e12, unit: "count") {
                out.append(Output(key: "volume", value: .number(PulseFlow.volume(pulses: Int(p), hertzPerLitrePerMinute: k)), unit: "l"))
            }
            return out
        },
        Model(
            name: "rate-of-rise", summary: "rate of rise of a stage series: end-to-end difference and least-squares slope",
            inputs: [
                Input(key: "samples", unit: "min:m", help: "t:stage,t:stage,… (minutes, metres), at least 2, times increasing"),
                Input(key: "threshold", unit: "cm/15min", help: "optional: alarm threshold on the least-squares rate"),
            ]
        ) { a throws(Failure) in
            guard let text = a.values["samples"] else { throw Failure(message: "missing input 'samples': t:stage,t:stage,… (minutes, metres)") }
            var samples: [(t: Double, value: Double)] = []
            for (i, item) in text.split(separator: ",").enumerated() {
                let parts = item.split(separator: ":")
                guard parts.count == 2, let t = NumberText.decimal(parts[0]), let h = NumberText.decimal(parts[1]) else {
                    throw Failure(message: "'samples' item \(i + 1) must be minutes:metres, got '\(item)'")
                }
                if let last = samples.last, t <= last.t { throw Failure(message: "'samples' times must increase (item \(i + 1))") }
                samples.append((t, h))
            }
            guard let diff = FloodLogic.riseByDifference(samples), let lsq = FloodLogic.riseByLeastSquares(samples) else {
                throw Failure(message: "'samples' needs at least 2 points")
            }
            var out = [
                Output(key: "rise_cm_per_15min", value: .number(diff * 1500), unit: "cm"),
                Output(key: "slope_m_per_min", value: .number(lsq), unit: "m/min"),
                Output(key: "rate_cm_per_15min", value: .number(lsq * 1500), unit: "cm"),
                Output(key: "rate_cm_per_h", value: .number(lsq * 6000), unit: "cm/h"),
            ]
            if let threshold = try a.optionalNumber("threshold", in: 0...1e4, unit: "cm/15min") {
                out.append(Output(key: "alarm", value: .text(lsq * 1500 >= threshold ? "true" : "false"), unit: nil))
            }
            return out
        },
        Model(
            name: "flood-category", summary: "NWS flood category of a stage from the site's action, flood, moderate and major stages",
            inputs: [
                Input(key: "stage", unit: "m", help: "the stage"), Input(key: "action", unit: "m", help: "action stage"),
                Input(key: "flood", unit: "m", help: "flood stage (minor flooding)"), Input(key: "moderate", unit: "m", help: "moderate flood stage"),
                Input(key: "major", unit: "m", help: "major flood stage"),
            ]
        ) { a throws(Failure) in
            let r = -1e4...1e4
            let stages = FloodLogic.Stages(
                action: try a.number("action", in: r, unit: "m"), flood: try a.number("flood", in: r, unit: "m"),
                moderate: try a.number("moderate", in: r, unit: "m"), major: try a.number("major", in: r, unit: "m"))
            guard stages.ascending else { throw Failure(message: "the stages must ascend: action ≤ flood ≤ moderate ≤ major") }
            let c = stages.category(stage: try a.number("stage", in: r, unit: "m"))
            return [Output(key: "category", value: .text(c.nwsName), unit: nil), Output(key: "level", value: .integer(c.level), unit: nil)]
        },
    ]
}

extension ModelCommand.Arguments {
    /// A number that may be left out (nil), checked like `number` when given.
    func optionalNumber(_ key: String, in range: ClosedRange<Double>? = nil, unit: String = "") throws(ModelCommand.Failure) -> Double? {
        values[key] == nil ? nil : try number(key, in: range, unit: unit)
    }
}
