#if canImport(Glibc)
    import Glibc
#endif

/// Water stage from a submerged pressure transducer or an ultrasonic sensor above the water
/// (physics reference §B1). SI units: Pa, m, °C, s. Pure functions.
package enum WaterLevel {
    /// Standard gravity; use the local value where it is known.
    package static let standardGravity = 9.80665

    /// The Tanaka et al. (2001) / CIPM density of air-free pure water, fitted for 0–40 °C.
    package static let densityValidRange = 0.0...40.0

    /// Density of water in kg/m³ at `celsius` (Tanaka 2001).
    package static func waterDensity(celsius t: Double) -> Double {
        let a1 = -3.983035, a2 = 301.797, a3 = 522528.9, a4 = 69.34881, a5 = 999.974950
        return a5 * (1 - (t + a1) * (t + a1) * (t + a2) / (a3 * (t + a4)))
    }

    /// Depth of water over a vented (gauge) transducer: h = p / (ρ(T)·g).
    package static func depth(gaugePressure p: Double, waterCelsius t: Double, gravity g: Double = standardGravity) -> Double {
        p / (waterDensity(celsius: t) * g)
    }

    /// Depth over a non-vented (absolute) transducer, less the barometer above the water.
    package static func depth(
        absolutePressure p: Double, barometric baro: Double, waterCelsius t: Double,
        gravity g: Double = standardGravity
    ) -> Double {
        depth(gaugePressure: p - baro, waterCelsius: t, gravity: g)
    }

    /// Speed of sound in air, the linear form c = 331.3 + 0.606·T m/s (within 0.2 % of the
    /// ideal-gas form over −10…35 °C).
    package static func speedOfSound(celsius t: Double) -> Double { 331.3 + 0.606 * t }

    /// The ideal-gas form 331.3·√(T/273.15 K), for comparison.
    package static func speedOfSoundIdealGas(celsius t: Double) -> Double { 331.3 * ((t + 273.15) / 273.15).squareRoot() }

    /// One-way distance of an echo that took `echoTime` seconds there and back.
    package static func echoDistance(echoTime: Double, airCelsius t: Double) -> Double {
        speedOfSound(celsius: t) * echoTime / 2
    }

    /// Stage under a sensor mounted `mountHeight` above the gauge datum.
    package static func ultrasonicStage(echoTime: Double, airCelsius t: Double, mountHeight: Double) -> Double {
        mountHeight - echoDistance(echoTime: echoTime, airCelsius: t)
    }

    /// The round-trip time of an echo from `distance` (the inverse, for emulators and limits).
    package static func echoTime(distance: Double, airCelsius t: Double) -> Double {
        2 * distance / speedOfSound(celsius: t)
    }
}
