import SenseCore
import SenseModels

/// A model a derived channel can compute, with the inputs and parameters it needs. The domain
/// issues add models here; each is a call into SenseModels.
package enum DerivedModel: String, Sendable, Hashable, CaseIterable {
    case dewPoint = "dew_point"
    case absoluteHumidity = "absolute_humidity"
    case heatIndex = "heat_index"
    case seaLevelPressure = "sea_level_pressure"
    /// EPA US-wide correction of a low-cost PM2.5 sensor for humidity (Barkjohn 2021).
    case pm25EPA = "pm25_epa"
    /// EPA Fire and Smoke Map correction (2021), for smoke up to and beyond 300 µg/m³.
    case pm25Smoke = "pm25_smoke"
    /// NowCast of hourly PM averages (12 h, weight floor 0.5), fed by an hourly window's mean.
    case nowcastPM = "nowcast_pm"
    /// NowCast of hourly ozone (8 h, no floor), in ppm.
    case nowcastO3 = "nowcast_o3"
    /// The EPA AQI (2024 table) of whichever pollutants are given, with category, colour and
    /// responsible pollutant.
    case aqi
    /// Stage over a vented pressure transducer: depth from hydrostatics plus the port's datum.
    case stageVented = "stage_vented"
    /// Stage over an absolute transducer, less a barometer above the water.
    case stageAbsolute = "stage_absolute"
    /// Distance to the water under an ultrasonic sensor, speed of sound from the air temperature.
    case ultrasonicDistance = "ultrasonic_distance"
    /// Stage under an ultrasonic sensor: its mount height less the distance.
    case ultrasonicStage = "ultrasonic_stage"
    /// Discharge from stage through the site's rating curve (`rating:` in the config).
    case dischargeRating = "discharge_rating"
    /// Discharge of uniform flow at a depth (Manning, SI).
    case dischargeManning = "discharge_manning"
    /// Discharge over a thin-plate V-notch weir from the stage and the notch's elevation.
    case dischargeVNotch = "discharge_vnotch"
    /// Discharge over a thin-plate rectangular weir.
    case dischargeRectangularWeir = "discharge_weir_rect"
    /// NWS flood category of a stage (0 normal … 4 major), with its name.
    case floodCategory = "flood_category"
    /// WMO rain-intensity class (0 none … 4 violent), with its name.
    case rainClass = "rain_class"

    /// Input names and the unit each must have.
    package var inputs: [(name: String, unit: Unit)] {
        switch self {
        case .dewPoint, .absoluteHumidity, .heatIndex: [("temperature", .celsius), ("humidity", .relativeHumidity)]
        case .seaLevelPressure: [("pressure", .pascal), ("temperature", .celsius)]
        case .pm25EPA, .pm25Smoke: [("pm2_5", .microgramPerCubicMetre), ("humidity", .relativeHumidity)]
        case .nowcastPM: [("hourly", .microgramPerCubicMetre)]
        case .nowcastO3: [("hourly", .ppm)]
        case .aqi: AirQualityIndex.Pollutant.allCases.map { ($0.inputName, $0.inputUnit) }
        case .stageVented: [("pressure", .pascal), ("water_temperature", .celsius)]
        case .stageAbsolute: [("pressure", .pascal), ("barometer", .pascal), ("water_temperature", .celsius)]
        case .ultrasonicDistance, .ultrasonicStage: [("echo_time", .microsecond), ("air_temperature", .celsius)]
        case .dischargeRating, .dischargeVNotch, .dischargeRectangularWeir, .floodCategory: [("stage", .metre)]
        case .dischargeManning: [("depth", .metre)]
        case .rainClass: [("intensity", .millimetrePerHour)]
        }
    }

    /// Inputs that may instead be given as a constant parameter of the same name (a site without a
    /// water thermometer; a sensor in a shelter of known temperature).
    package var parameterFallbacks: Set<String> {
        switch self {
        case .stageVented, .stageAbsolute: ["water_temperature"]
        case .ultrasonicDistance, .ultrasonicStage: ["air_temperature"]
        default: []
        }
    }

    /// Parameters that may be left out (their defaults are in `evaluate`).
    package var optionalParameters: [String] {
        switch self {
        case .stageVented, .stageAbsolute: ["datum", "gravity"]
        case .dischargeManning: ["width", "side_slope", "diameter"]
        case .dischargeVNotch: ["angle", "coefficient", "head_correction"]
        case .dischargeRectangularWeir: ["contractions"]
        default: []
        }
    }

    /// Whether the model takes the definition's rating curve.
    package var usesRatingCurve: Bool { self == .dischargeRating }

    /// Whether the inputs are alternatives (at least one), left out while bad, rather than all required.
    package var inputsAreOptional: Bool { self == .aqi }

    /// Whether the single input is an hourly series the model keeps (12 h for NowCast).
    package var keepsHourlyHistory: Bool { self == .nowcastPM || self == .nowcastO3 }

    /// Required numeric parameters.
    package var parameters: [String] {
        switch self {
        case .seaLevelPressure: ["altitude"]
        case .ultrasonicStage: ["mount_height"]
        case .dischargeManning: ["roughness", "slope"]
        case .dischargeVNotch: ["crest"]
        case .dischargeRectangularWeir: ["crest", "length", "coefficient"]
        case .floodCategory: ["action", "flood", "moderate", "major"]
        default: []
        }
    }

    package var unit: Unit {
        switch self {
        case .dewPoint, .heatIndex: .celsius
        case .absoluteHumidity: .gramPerCubicMetre
        case .seaLevelPressure: .pascal
        case .pm25EPA, .pm25Smoke, .nowcastPM: .microgramPerCubicMetre
        case .nowcastO3: .ppm
        case .aqi, .floodCategory, .rainClass: .none
        case .stageVented, .stageAbsolute, .ultrasonicDistance, .ultrasonicStage: .metre
        case .dischargeRating, .dischargeManning, .dischargeVNotch, .dischargeRectangularWeir: .cubicMetrePerSecond
        }
    }

    /// A computed value: its text attributes (an AQI's category) and a caveat that makes a value
    /// from good inputs `uncertain` (inputs outside the range the model was fitted on).
    package struct Evaluation: Sendable, Hashable {
        package var value: Double
        package var attributes: [String: String]?
        package var caveat: QualityReason?

        package init(_ value: Double, attributes: [String: String]? = nil, caveat: QualityReason? = nil) {
            self.value = value
            self.attributes = attributes
            self.caveat = caveat
        }
    }

    /// The AQI of the given inputs (named as in `inputs`), with its text attributes.
    package static func airQualityIndex(_ x: [String: Double]) -> Evaluation? {
        let given = AirQualityIndex.Pollutant.allCases.compactMap { p in x[p.inputName].map { (p, $0) } }
        guard let o = AirQualityIndex.overall(given) else { return nil }
        return Evaluation(
            Double(o.aqi),
            attributes: [
                "category": o.category.rawValue, "colour": o.category.colour.hex,
                "pollutant": o.responsible.inputName,
            ])
    }

    /// The value for inputs `x` (fallback parameters already among them) and parameters `p`; nil
    /// when the model has no value for these inputs (e.g. no dew point at 0 %RH).
    package func evaluate(_ x: [String: Double], _ p: [String: Double], rating: RatingCurve? = nil) -> Evaluation? {
        switch self {
        case .dewPoint:
            Psychrometrics.dewPoint(celsius: x["temperature"]!, relativeHumidity: x["humidity"]!).map { Evaluation($0) }
        case .absoluteHumidity:
            Evaluation(Psychrometrics.absoluteHumidity(celsius: x["temperature"]!, relativeHumidity: x["humidity"]!))
        case .heatIndex:
            Evaluation(Psychrometrics.heatIndex(celsius: x["temperature"]!, relativeHumidity: x["humidity"]!))
        case .seaLevelPressure:
            // Pa in, Pa out; the reduction works in any pressure unit.
            Evaluation(Barometry.seaLevelPressure(station: x["pressure"]!, altitude: p["altitude"]!, celsius: x["temperature"]!))
        case .pm25EPA:
            Evaluation(
                PMCorrection.epa2021(pm: x["pm2_5"]!, relativeHumidity: x["humidity"]!),
                caveat: x["pm2_5"]! > PMCorrection.validUpTo ? .outOfRange : nil)
        case .pm25Smoke:
            Evaluation(PMCorrection.smokeMap2021(pm: x["pm2_5"]!, relativeHumidity: x["humidity"]!))
        case .aqi:
            Self.airQualityIndex(x)
        case .nowcastPM, .nowcastO3:
            preconditionFailure("NowCast is computed from its hourly history by the engine")
        default:
            evaluateHydrology(x, p, rating: rating)
        }
    }
}

extension AirQualityIndex.Pollutant {
    /// The input name of the `aqi` model.
    package var inputName: String {
        switch self {
        case .pm25: "pm2_5"
        case .pm10: "pm10"
        case .o3_8h: "o3_8h"
        case .o3_1h: "o3_1h"
        case .co: "co"
        case .so2_1h: "so2_1h"
        case .so2_24h: "so2_24h"
        case .no2: "no2"
        }
    }

    package var inputUnit: Unit {
        switch self {
        case .pm25, .pm10: .microgramPerCubicMetre
        case .o3_8h, .o3_1h, .co: .ppm
        case .so2_1h, .so2_24h, .no2: .ppb
        }
    }
}
