import SenseCore

/// How a sensegate quantity appears in Home Assistant: the unit as Home Assistant spells it, and
/// the device class where Home Assistant has one that accepts that unit (a device class with a
/// unit it does not list makes Home Assistant reject the entity, so none is better than a guess).
package struct HomeAssistantQuantity: Equatable {
    package var unit: String?
    package var deviceClass: String?
    /// `measurement`, or `total_increasing` for counters that only grow (and reset).
    package var stateClass: String = "measurement"

    package init(unit: String?, deviceClass: String? = nil, stateClass: String = "measurement") {
        self.unit = unit
        self.deviceClass = deviceClass
        self.stateClass = stateClass
    }

    package static func of(quantity: String, unit: Unit) -> HomeAssistantQuantity {
        let haUnit = haUnit(unit)
        var q = HomeAssistantQuantity(unit: haUnit, deviceClass: nil)
        switch unit {
        case .celsius: q.deviceClass = "temperature"
        case .pascal, .hectopascal: q.deviceClass = "pressure"
        case .relativeHumidity: q.deviceClass = "humidity"
        case .ppm where quantity == "co2": q.deviceClass = "carbon_dioxide"
        case .ppm where quantity == "co": q.deviceClass = "carbon_monoxide"
        case .microgramPerCubicMetre:
            if quantity.hasPrefix("pm1_0") || quantity == "pm1" { q.deviceClass = "pm1" }
            if quantity.hasPrefix("pm2_5") || quantity.hasPrefix("pm25") { q.deviceClass = "pm25" }
            if quantity.hasPrefix("pm10") { q.deviceClass = "pm10" }
        case .milliampere: q.deviceClass = "current"
        case .volt: q.deviceClass = "voltage"
        case .millimetre: q.deviceClass = "precipitation"
        case .millimetrePerHour: q.deviceClass = "precipitation_intensity"
        case .metre: q.deviceClass = "distance"
        // Pumped or metered volumes are totals: `volume` takes only total and total_increasing
        // (`water` is a utility meter's consumption).
        case .litre where quantity.hasPrefix("volume_"): q.deviceClass = "volume"
        case .litrePerMinute, .cubicMetrePerSecond: q.deviceClass = "volume_flow_rate"
        case .microsecond: q.deviceClass = "duration"
        case .hertz: q.deviceClass = "frequency"
        case .kilometrePerHour: q.deviceClass = "speed"
        default: break
        }
        // Rain and volume totals only grow between their resets (hour, day, event).
        if unit == .millimetre || unit == .litre, quantity.hasPrefix("rain_") || quantity.hasPrefix("volume_") {
            q.stateClass = "total_increasing"
        }
        return q
    }

    /// Home Assistant's spelling of a unit (it compares units as text): its micro is the Greek
    /// letter mu, U+03BC, not the micro sign U+00B5 that looks the same.
    package static func haUnit(_ unit: Unit) -> String? {
        switch unit {
        case .celsius: "°C"
        case .relativeHumidity, .percent: "%"
        case .gramPerCubicMetre: "g/m³"
        case .microgramPerCubicMetre: "\u{03BC}g/m³"
        case .milligramPerCubicMetre: "mg/m³"
        case .perCubicCentimetre: "/cm³"
        case .micrometre: "\u{03BC}m"
        case .cubicMetrePerSecond: "m³/s"
        case .litre: "L"
        case .litrePerMinute: "L/min"
        case .microsecond: "\u{03BC}s"
        case .perHour: "veh/h"
        case .perKilometre: "veh/km"
        case .count, .none: nil
        default: unit.rawValue
        }
    }
}
