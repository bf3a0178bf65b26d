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
    case millimetre = "mm"
    case millimetrePerHour = "mm/h"
    /// A rate of rise of a water level.
    case metrePerHour = "m/h"
    case cubicMetrePerSecond = "m3/s"
    case litre = "l"
    /// Not in the SenML registry (which has l/s); what pulse flow meters are rated in.
    case litrePerMinute = "l/min"
    case hertz = "Hz"
    /// An ultrasonic echo's round-trip time.
    case microsecond = "us"
    /// Traffic: speeds, flows (vehicles per hour) and densities (vehicles per kilometre). km/h
    /// is not in the SenML registry (m/s is); it is what traffic engineers read.
    case kilometrePerHour = "km/h"
    case perHour = "1/h"
    case perKilometre = "1/km"
    /// A dimensionless state, such as a digital input's level (0 or 1).
    case none = ""
}
