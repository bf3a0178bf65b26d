import SenseCore
import SenseModels

/// A model a derived channel can compute, with the inputs and parameters it needs. The domain
/// issues add models here; each is a call into SenseModels.
public enum DerivedModel: String, Sendable, Hashable, CaseIterable {
    case dewPoint = "dew_point"
    case absoluteHumidity = "absolute_humidity"
    case heatIndex = "heat_index"
    case seaLevelPressure = "sea_level_pressure"

    /// Input names and the unit each must have.
    public var inputs: [(name: String, unit: Unit)] {
        switch self {
        case .dewPoint, .absoluteHumidity, .heatIndex: [("temperature", .celsius), ("humidity", .relativeHumidity)]
        case .seaLevelPressure: [("pressure", .pascal), ("temperature", .celsius)]
        }
    }

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
        }
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
        }
    }
}
