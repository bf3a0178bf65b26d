import SenseCore
import SenseModels

/// A model a derived channel can compute, with the inputs and parameters it needs. The domain
/// issues add models here; each is a call into SenseModels.
public enum DerivedModel: String, Sendable, Hashable, CaseIterable {
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

    /// Input names and the unit each must have.
    public var inputs: [(name: String, unit: Unit)] {
        switch self {
        case .dewPoint, .absoluteHumidity, .heatIndex: [("temperature", .celsius), ("humidity", .relativeHumidity)]
        case .seaLevelPressure: [("pressure", .pascal), ("temperature", .celsius)]
        case .pm25EPA, .pm25Smoke: [("pm2_5", .microgramPerCubicMetre), ("humidity", .relativeHumidity)]
        case .nowcastPM: [("hourly", .microgramPerCubicMetre)]
        case .nowcastO3: [("hourly", .ppm)]
        case .aqi: AirQualityIndex.Pollutant.allCases.map { ($0.inputName, $0.inputUnit) }
        }
    }

    /// Whether the inputs are alternatives (at least one), left out while bad, rather than all required.
    public var inputsAreOptional: Bool { self == .aqi }

    /// Whether the single input is an hourly series the model keeps (12 h for NowCast).
    public var keepsHourlyHistory: Bool { self == .nowcastPM || self == .nowcastO3 }

    /// Required numeric parameters.
    public var parameters: [String] {
        switch self {
        case .seaLevelPressure: ["altitude"]
        default: []
        }
    }

    public var unit: Unit {
        switch self {
        case .dewPoint, .heatIndex: .celsius
        case .absoluteHumidity: .gramPerCubicMetre
        case .seaLevelPressure: .pascal
        case .pm25EPA, .pm25Smoke, .nowcastPM: .microgramPerCubicMetre
        case .nowcastO3: .ppm
        case .aqi: .none
        }
    }

    /// A caveat on a computed value: inputs outside the range the model was fitted on.
    public func caveat(_ x: [String: Double]) -> QualityReason? {
        switch self {
        case .pm25EPA: x["pm2_5"]! > PMCorrection.validUpTo ? .outOfRange : nil
        default: nil
        }
    }

    /// The AQI of the given inputs (named as in `inputs`), with its text attributes.
    public static func airQualityIndex(_ x: [String: Double]) -> (value: Double, attributes: [String: String])? {
        let given = AirQualityIndex.Pollutant.allCases.compactMap { p in x[p.inputName].map { (p, $0) } }
        guard let o = AirQualityIndex.overall(given) else { return nil }
        return (Double(o.aqi), ["category": o.category.rawValue, "colour": o.category.colour.hex,
                                "pollutant": o.responsible.inputName])
    }

    /// The value with its text attributes (an AQI's category, colour, pollutant); nil when the
    /// model has no value for these inputs.
    public func evaluate(_ x: [String: Double], _ p: [String: Double]) -> (value: Double, attributes: [String: String]?)? {
        if self == .aqi { return Self.airQualityIndex(x) }
        return compute(x, p).map { ($0, nil) }
    }

    /// nil when the model has no value for these inputs (e.g. no dew point at 0 %RH).
    public func compute(_ x: [String: Double], _ p: [String: Double]) -> Double? {
        switch self {
        case .dewPoint:
            Psychrometrics.dewPoint(celsius: x["temperature"]!, relativeHumidity: x["humidity"]!)
        case .absoluteHumidity:
            Psychrometrics.absoluteHumidity(celsius: x["temperature"]!, relativeHumidity: x["humidity"]!)
        case .heatIndex:
            Psychrometrics.heatIndex(celsius: x["temperature"]!, relativeHumidity: x["humidity"]!)
        case .seaLevelPressure:
            // Pa in, Pa out; the reduction works in any pressure unit.
            Barometry.seaLevelPressure(station: x["pressure"]!, altitude: p["altitude"]!, celsius: x["temperature"]!)
        case .pm25EPA:
            PMCorrection.epa2021(pm: x["pm2_5"]!, relativeHumidity: x["humidity"]!)
        case .pm25Smoke:
            PMCorrection.smokeMap2021(pm: x["pm2_5"]!, relativeHumidity: x["humidity"]!)
        case .aqi:
            Self.airQualityIndex(x)?.value
        case .nowcastPM, .nowcastO3:
            preconditionFailure("NowCast is computed from its hourly history by the engine")
        }
    }
}

extension AirQualityIndex.Pollutant {
    /// The input name of the `aqi` model.
    public var inputName: String {
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

    public var inputUnit: Unit {
        switch self {
        case .pm25, .pm10: .microgramPerCubicMetre
        case .o3_8h, .o3_1h, .co: .ppm
        case .so2_1h, .so2_24h, .no2: .ppb
        }
    }
}
