import SenseCore
import SenseModels

extension DerivedModel {
    /// The hydrology models (physics reference §B), with their caveats: water outside the density
    /// fit (0–40 °C), a stage outside the rated range, a weir head outside its method's range.
    func evaluateHydrology(_ x: [String: Double], _ p: [String: Double], rating: RatingCurve?) -> Evaluation? {
        switch self {
        case .stageVented, .stageAbsolute:
            let t = x["water_temperature"]!
            let g = p["gravity"] ?? WaterLevel.standardGravity
            let gauge = self == .stageVented ? x["pressure"]! : x["pressure"]! - x["barometer"]!
            let depth = WaterLevel.depth(gaugePressure: gauge, waterCelsius: t, gravity: g)
            return Evaluation(depth + (p["datum"] ?? 0), caveat: WaterLevel.densityValidRange.contains(t) ? nil : .outOfRange)
        case .ultrasonicDistance:
            return Evaluation(WaterLevel.echoDistance(echoTime: x["echo_time"]! * 1e-6, airCelsius: x["air_temperature"]!))
        case .ultrasonicStage:
            return Evaluation(
                WaterLevel.ultrasonicStage(
                    echoTime: x["echo_time"]! * 1e-6, airCelsius: x["air_temperature"]!,
                    mountHeight: p["mount_height"]!))
        case .dischargeRating:
            guard let rating else { preconditionFailure("a checked discharge_rating has a rating curve") }
            let r = rating.discharge(stage: x["stage"]!)
            return Evaluation(r.discharge, caveat: r.range == .rated ? nil : .outOfRange)
        case .dischargeManning:
            let section: Discharge.Section =
                if let d = p["diameter"] { .circular(diameter: d) } else if let z = p["side_slope"], z > 0 {
                    .trapezoidal(bottomWidth: p["width"]!, sideSlope: z)
                } else { .rectangular(width: p["width"]!) }
            let y = max(0, x["depth"]!)
            let full: Bool = if case let .circular(d) = section { y > d } else { false }
            let r = Discharge.manning(section: section, depth: y, roughness: p["roughness"]!, slope: p["slope"]!)
            // A surcharged pipe is no longer open-channel flow.
            return Evaluation(r.discharge, caveat: full ? .outOfRange : nil)
        case .dischargeVNotch:
            let head = x["stage"]! - p["crest"]!
            let q = Discharge.vNotchWeir(
                head: head, angleDegrees: p["angle"] ?? 90,
                coefficient: p["coefficient"] ?? Discharge.vNotch90Coefficient,
                headCorrection: p["head_correction"] ?? Discharge.vNotch90HeadCorrection)
            // Below 0.06 m (0.2 ft) of head the nappe clings to the plate: outside Kindsvater–Shen.
            return Evaluation(q, caveat: head > 0 && head < 0.06 ? .outOfRange : nil)
        case .dischargeRectangularWeir:
            let head = x["stage"]! - p["crest"]!
            let r = Discharge.rectangularWeir(
                head: head, crestLength: p["length"]!, coefficient: p["coefficient"]!,
                endContractions: Int(p["contractions"] ?? 2))
            return Evaluation(r.discharge, caveat: r.effectiveLength <= 0 ? .outOfRange : nil)
        case .floodCategory:
            let stages = FloodLogic.Stages(action: p["action"]!, flood: p["flood"]!, moderate: p["moderate"]!, major: p["major"]!)
            let c = stages.category(stage: x["stage"]!)
            return Evaluation(Double(c.level), attributes: ["category": c.rawValue])
        case .rainClass:
            let c = Rainfall.IntensityClass(wmo: x["intensity"]!)
            return Evaluation(Double(c.level), attributes: ["class": c.rawValue])
        default:
            preconditionFailure("\(self) is not a hydrology model")
        }
    }

    /// Problems with a definition's parameter values, as (parameter, message).
    package func parameterProblems(_ p: [String: Double]) -> [(String, String)] {
        var out: [(String, String)] = []
        func positive(_ k: String) { if let v = p[k], v <= 0 { out.append((k, "must be positive")) } }
        switch self {
        case .stageVented, .stageAbsolute:
            if let g = p["gravity"], !(9.7...9.9).contains(g) { out.append(("gravity", "local gravity is 9.7…9.9 m/s²")) }
            if let t = p["water_temperature"], !WaterLevel.densityValidRange.contains(t) {
                out.append(("water_temperature", "the density formula holds for 0…40 °C"))
            }
        case .ultrasonicStage:
            positive("mount_height")
        case .dischargeManning:
            if let n = p["roughness"], !(0.008...0.2).contains(n) {
                out.append(("roughness", "Manning's n is 0.008 (glass) … 0.2 (dense floodplain)"))
            }
            positive("slope")
            switch (p["width"], p["diameter"]) {
            case (nil, nil): out.append(("width", "give width (an open channel) or diameter (a pipe)"))
            case (_?, _?): out.append(("diameter", "give width (an open channel) or diameter (a pipe), not both"))
            case (nil, _?): if p["side_slope"] != nil { out.append(("side_slope", "a pipe has no side slope")) }
            default: break
            }
            positive("width")
            positive("diameter")
            if let z = p["side_slope"], z < 0 { out.append(("side_slope", "must not be negative")) }
        case .dischargeVNotch:
            if let a = p["angle"], !(25...100).contains(a) { out.append(("angle", "Kindsvater–Shen holds for 25…100°")) }
            if (p["angle"] ?? 90) != 90, p["coefficient"] == nil || p["head_correction"] == nil {
                out.append(
                    (
                        "angle",
                        "the default coefficient and head correction are for 90°: give coefficient and head_correction (USBR Water Measurement Manual, ch. 7)"
                    ))
            }
        case .dischargeRectangularWeir:
            positive("length")
            if let cd = p["coefficient"], !(0.5...0.8).contains(cd) { out.append(("coefficient", "a sharp-crested weir's Cd is 0.5…0.8")) }
            if let n = p["contractions"], ![0, 1, 2].contains(n) { out.append(("contractions", "0 (suppressed), 1 or 2")) }
        case .floodCategory:
            if let a = p["action"], let f = p["flood"], let m = p["moderate"], let j = p["major"],
                !FloodLogic.Stages(action: a, flood: f, moderate: m, major: j).ascending
            {
                out.append(("action", "the stages must ascend: action ≤ flood ≤ moderate ≤ major"))
            }
        default:
            break
        }
        return out
    }
}
