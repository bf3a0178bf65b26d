/// Units by their SenML / UCUM symbols (RFC 8428 registry), as payloads carry them.
public enum Unit: String, Sendable, Hashable, CaseIterable {
    case celsius = "Cel"
    case pascal = "Pa"
    case hectopascal = "hPa"
    case relativeHumidity = "%RH"
    case gramPerCubicMetre = "g/m3"
    case percent = "%"
    case metre = "m"
    case volt = "V"
    case count = "count"
    case ppm = "ppm"
    case ppb = "ppb"
    case microgramPerCubicMetre = "ug/m3"
    case milligramPerCubicMetre = "mg/m3"
    /// Particle number concentration.
    case perCubicCentimetre = "/cm3"
    case micrometre = "um"
    case milliampere = "mA"
    /// A dimensionless state, such as a digital input's level (0 or 1).
    case none = ""
}
