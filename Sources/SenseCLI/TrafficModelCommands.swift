import SenseModels

/// The traffic models of `sensegate model` (physics reference §C): speed traps, lengths, flow,
/// occupancy and density, Greenshields, HCM freeway LOS, and the speed error of a timing error.
extension ModelCommand {
    static let trafficModels: [Model] = [
        Model(
            name: "loop-speed", summary: "speed over a two-detector trap: spacing over the time between leading edges (and trailing edges, averaged)",
            inputs: [
                Input(key: "spacing", unit: "m", help: "leading-edge to leading-edge spacing, 0.5…100"),
                Input(key: "dt", unit: "s", help: "time between the two leading edges"),
                Input(key: "dt_trail", unit: "s", help: "optional: time between the two trailing edges"),
            ]
        ) { a throws(Failure) in
            let d = try a.number("spacing", in: 0.5...100, unit: "m")
            let lead = Traffic.trapSpeed(spacing: d, seconds: try a.number("dt", in: 1e-4...3600, unit: "s"))
            var v = lead
            var out: [Output] = []
            if let trail = try a.optionalNumber("dt_trail", in: 1e-4...3600, unit: "s").map({ Traffic.trapSpeed(spacing: d, seconds: $0) }) {
                v = (lead + trail) / 2
                out = [
                    Output(key: "v_lead", value: .number(lead), unit: "m/s"), Output(key: "v_trail", value: .number(trail), unit: "m/s"),
                    Output(key: "mismatch", value: .number(100 * abs(lead - trail) / max(lead, trail)), unit: "%"),
                ]
            }
            return out + [
                Output(key: "v", value: .number(v), unit: "m/s"), Output(key: "v_kmh", value: .number(v * 3.6), unit: "km/h"),
                Output(key: "v_mph", value: .number(v * 3600 / Traffic.metresPerMile), unit: "mi/h"),
            ]
        },
        Model(
            name: "vehicle-length", summary: "vehicle length from speed and on-time: v·t_on − detection-zone length",
            inputs: [
                Input(key: "v", unit: "m/s", help: "speed (or v_kmh)"), Input(key: "v_kmh", unit: "km/h", help: "speed, instead of v"),
                Input(key: "on_time", unit: "s", help: "time the detector was occupied"),
                Input(key: "loop_length", unit: "m", help: "effective length of the detection zone, 0…20"),
            ]
        ) { a throws(Failure) in
            let v = try speed(a)
            let on = try a.number("on_time", in: 1e-4...3600, unit: "s")
            let zone = try a.number("loop_length", in: 0...20, unit: "m")
            return [
                Output(key: "effective_length", value: .number(v * on), unit: "m"),
                Output(key: "length", value: .number(Traffic.vehicleLength(speed: v, onTime: on, detectorLength: zone)), unit: "m"),
            ]
        },
        Model(
            name: "traffic-density", summary: "flow, occupancy and density (q/v and from occupancy) of one interval, with its HCM freeway LOS",
            inputs: [
                Input(key: "count", unit: "", help: "vehicles counted"), Input(key: "period", unit: "s", help: "interval length"),
                Input(key: "on_time", unit: "s", help: "total time the detector was occupied in the interval"),
                Input(key: "v_kmh", unit: "km/h", help: "optional: space-mean speed, for k = q/v"),
                Input(key: "eff_length", unit: "m", help: "optional: mean effective length (vehicle + zone), for k from occupancy"),
                Input(key: "pce", unit: "", help: "optional: passenger-car equivalent of the mix (default 1)"),
            ]
        ) { a throws(Failure) in
            let n = try a.number("count", in: 0...1e6)
            guard n == n.rounded() else { throw Failure(message: "'count' must be a whole number, got '\(a.values["count"]!)'") }
            let period = try a.number("period", in: 1...86400 * 7, unit: "s")
            let on = try a.number("on_time", in: 0...period, unit: "s")
            let q = Traffic.flow(count: Int(n), seconds: period)
            let o = Traffic.occupancy(onTime: on, seconds: period)
            let pce = try a.optionalNumber("pce", in: 1...10) ?? 1
            var out = [Output(key: "q", value: .number(q), unit: "veh/h"), Output(key: "occupancy", value: .number(o * 100), unit: "%")]
            var k: Double?
            if let v = try a.optionalNumber("v_kmh", in: 0.1...300, unit: "km/h") {
                k = Traffic.density(flow: q, speedKmh: v)
                out.append(Output(key: "k_from_q_over_v", value: .number(k!), unit: "veh/km"))
            }
            if let g = try a.optionalNumber("eff_length", in: 1...50, unit: "m") {
                let ko = Traffic.density(occupancy: o, effectiveLength: g)
                k = k ?? ko
                out.append(Output(key: "k_from_occupancy", value: .number(ko), unit: "veh/km"))
            }
            if let k {
                let pc = Traffic.passengerCarsPerMile(vehiclesPerKilometre: k, pce: pce)
                out += [
                    Output(key: "density_pc_mi_ln", value: .number(pc), unit: "pc/mi/ln"),
                    Output(key: "los", value: .text(LevelOfService(freewayDensity: pc).rawValue), unit: nil),
                ]
            }
            return out
        },
        Model(
            name: "greenshields", summary: "Greenshields' linear model: capacity, critical density and speed; speed and flow at a density",
            inputs: [
                Input(key: "vf", unit: "km/h", help: "free-flow speed"), Input(key: "kj", unit: "veh/km", help: "jam density"),
                Input(key: "k", unit: "veh/km", help: "optional: a density, 0…kj"),
            ]
        ) { a throws(Failure) in
            let g = Greenshields(
                freeFlowSpeed: try a.number("vf", in: 1...300, unit: "km/h"), jamDensity: try a.number("kj", in: 1...1000, unit: "veh/km"))
            var out = [
                Output(key: "k_c", value: .number(g.criticalDensity), unit: "veh/km"),
                Output(key: "v_c", value: .number(g.criticalSpeed), unit: "km/h"),
                Output(key: "q_max", value: .number(g.capacity), unit: "veh/h"),
            ]
            if let k = try a.optionalNumber("k", in: 0...g.jamDensity, unit: "veh/km") {
                out += [
                    Output(key: "v", value: .number(g.speed(density: k)), unit: "km/h"),
                    Output(key: "q", value: .number(g.flow(density: k)), unit: "veh/h"),
                ]
            }
            return out
        },
        Model(
            name: "los-freeway", summary: "HCM level of service of a basic freeway segment by density (A ≤ 11 … E ≤ 45 pc/mi/ln, F above)",
            inputs: [
                Input(key: "density", unit: "pc/mi/ln", help: "density in passenger cars per mile per lane (or density_km)"),
                Input(key: "density_km", unit: "veh/km/ln", help: "density in vehicles per km per lane, instead of density"),
                Input(key: "pce", unit: "", help: "optional, with density_km: passenger-car equivalent of the mix (default 1)"),
            ]
        ) { a throws(Failure) in
            let pc: Double
            switch (a.values["density"], a.values["density_km"]) {
            case (_?, nil):
                guard a.values["pce"] == nil else { throw Failure(message: "'pce' goes with density_km (density is already in passenger cars)") }
                pc = try a.number("density", in: 0...1000, unit: "pc/mi/ln")
            case (nil, _?):
                pc = Traffic.passengerCarsPerMile(
                    vehiclesPerKilometre: try a.number("density_km", in: 0...1000, unit: "veh/km/ln"),
                    pce: try a.optionalNumber("pce", in: 1...10) ?? 1)
            default:
                throw Failure(message: "give either density (pc/mi/ln) or density_km (veh/km/ln)")
            }
            let los = LevelOfService(freewayDensity: pc)
            return [
                Output(key: "density_pc_mi_ln", value: .number(pc), unit: "pc/mi/ln"), Output(key: "los", value: .text(los.rawValue), unit: nil),
                Output(key: "rank", value: .integer(los.rank), unit: nil),
            ]
        },
        Model(
            name: "speed-error", summary: "speed error of a trap from a timing error δ: δv/v ≈ δ/Δt",
            inputs: [
                Input(key: "spacing", unit: "m", help: "trap spacing, 0.5…100"), Input(key: "v_kmh", unit: "km/h", help: "true speed"),
                Input(key: "error", unit: "ms", help: "timing error"),
            ]
        ) { a throws(Failure) in
            let d = try a.number("spacing", in: 0.5...100, unit: "m")
            let v = try a.number("v_kmh", in: 0.1...400, unit: "km/h")
            let e = Traffic.timingError(spacing: d, speedKmh: v, error: try a.number("error", in: 0...1e4, unit: "ms") / 1000)
            guard e.relative < 1 else { throw Failure(message: "'error' must be shorter than the trap's time, \(e.interval * 1000) ms") }
            return [
                Output(key: "dt", value: .number(e.interval * 1000), unit: "ms"),
                Output(key: "rel_error", value: .number(e.relative * 100), unit: "%"),
                Output(key: "v_error_if_dt_short", value: .number(e.speedErrorKmhIfShort), unit: "km/h"),
            ]
        },
    ]

    /// `v` (m/s) or `v_kmh`, exactly one.
    private static func speed(_ a: Arguments) throws(Failure) -> Double {
        switch (a.values["v"], a.values["v_kmh"]) {
        case (_?, nil): return try a.number("v", in: 0.01...120, unit: "m/s")
        case (nil, _?): return try a.number("v_kmh", in: 0.04...430, unit: "km/h") / 3.6
        default: throw Failure(message: "give either v (m/s) or v_kmh (km/h)")
        }
    }
}
