#if canImport(Glibc)
    import Glibc
#endif

/// Moist-air relations (physics reference §A4). Temperatures in °C, relative humidity in %,
/// pressures in hPa unless a name says otherwise. Pure functions.
package enum Psychrometrics {
    /// Magnus constants over liquid water, as in Sensirion's dew-point application note
    /// (valid −45 … +60 °C). Below 0 °C the dew point is over supercooled water, not the frost point.
    package static let magnusA = 17.62
    package static let magnusB = 243.12  // °C
    package static let magnusE0 = 6.112  // hPa

    /// Saturation vapour pressure e_s(T) in hPa.
    package static func saturationVapourPressure(celsius t: Double) -> Double {
        magnusE0 * exp(magnusA * t / (magnusB + t))
    }

    /// Dew point in °C; nil for RH ≤ 0 (no water vapour: no dew point).
    package static func dewPoint(celsius t: Double, relativeHumidity rh: Double) -> Double? {
        guard rh > 0 else { return nil }
        let gamma = log(rh / 100) + magnusA * t / (magnusB + t)
        return magnusB * gamma / (magnusA - gamma)
    }

    /// Water-vapour density in g/m³ (ideal gas: 216.7 g·K/(J·hPa⁻¹) · e / T).
    package static func absoluteHumidity(celsius t: Double, relativeHumidity rh: Double) -> Double {
        216.7 * (rh / 100 * saturationVapourPressure(celsius: t)) / (273.15 + t)
    }

    /// The US NWS heat index in °F from °F and %RH: the simple estimate below 80 °F, else the
    /// Rothfusz regression with the low- and high-humidity adjustments. Outside Steadman's data
    /// (roughly T < 80 °F or beyond 130 °F apparent) it is an extrapolation.
    package static func heatIndexFahrenheit(_ t: Double, relativeHumidity rh: Double) -> Double {
        let simple = 0.5 * (t + 61.0 + (t - 68.0) * 1.2 + rh * 0.094)
        guard (simple + t) / 2 >= 80 else { return simple }
        var hi =
            -42.379 + 2.04901523 * t + 10.14333127 * rh - 0.22475541 * t * rh
            - 6.83783e-3 * t * t - 5.481717e-2 * rh * rh + 1.22874e-3 * t * t * rh
            + 8.5282e-4 * t * rh * rh - 1.99e-6 * t * t * rh * rh
        if rh < 13, (80...112).contains(t) {
            hi -= (13 - rh) / 4 * sqrt((17 - abs(t - 95)) / 17)
        } else if rh > 85, (80...87).contains(t) {
            hi += (rh - 85) / 10 * ((87 - t) / 5)
        }
        return hi
    }

    /// The heat index in °C from °C.
    package static func heatIndex(celsius t: Double, relativeHumidity rh: Double) -> Double {
        (heatIndexFahrenheit(t * 9 / 5 + 32, relativeHumidity: rh) - 32) * 5 / 9
    }
}

/// Station pressure ↔ sea-level pressure and altitude (physics reference §A4). Every form is an
/// estimate: weather services reduce with station-specific methods.
package enum Barometry {
    /// Reduction with the actual temperature and a 6.5 K/km lapse rate (exponent g/(R·L) = 5.257).
    package static func seaLevelPressure(station p: Double, altitude h: Double, celsius t: Double) -> Double {
        p * pow(1 - 0.0065 * h / (t + 0.0065 * h + 273.15), -5.257)
    }

    /// Bosch's ISA form (15 °C standard column), as in BMP180/BMP280 application notes.
    package static func seaLevelPressureISA(station p: Double, altitude h: Double) -> Double {
        p / pow(1 - h / 44_330, 5.255)
    }

    /// Hypsometric reduction with the mean column temperature T + 0.0065·h/2 (as PsychroLib).
    package static func seaLevelPressureHypsometric(station p: Double, altitude h: Double, celsius t: Double) -> Double {
        let column = t + 0.0065 * h / 2
        let scaleHeight = 287.055 * (column + 273.15) / 9.807
        return p * exp(h / scaleHeight)
    }

    /// Altitude in m from pressure and a reference sea-level pressure (ISA form).
    package static func altitude(pressure p: Double, seaLevel p0: Double = 1013.25) -> Double {
        44_330 * (1 - pow(p / p0, 1 / 5.255))
    }
}
