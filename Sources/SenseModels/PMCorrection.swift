/// Corrections of low-cost laser PM2.5 sensors (PurpleAir / Plantower / Sensirion class) for
/// their over-reading in humid air (physics reference §A3). Inputs in µg/m³ and %RH, where RH is
/// measured at the sensor (its own housing), not by a distant hygrometer.
package enum PMCorrection {
    /// The US-wide EPA correction (Barkjohn, Gantt & Clements 2021) for the CF=1 channel:
    /// 0.524·PM − 0.0862·RH + 5.75, never below 0. Developed for ambient and smoke levels up to
    /// about 300 µg/m³ (`validUpTo`): above that the optical response turns non-linear.
    package static func epa2021(pm: Double, relativeHumidity rh: Double) -> Double {
        max(0, 0.524 * pm - 0.0862 * rh + 5.75)
    }

    package static let validUpTo = 300.0

    /// The piecewise "Fire and Smoke Map" correction (EPA, October 2021), extending the US-wide
    /// one to heavy smoke with blended segments; never below 0.
    package static func smokeMap2021(pm x: Double, relativeHumidity rh: Double) -> Double {
        let linear = { (slope: Double) in slope * x - 0.0862 * rh + 5.75 }
        let y: Double
        switch x {
        case ..<30:
            y = linear(0.524)
        case ..<50:
            let f = x / 20 - 1.5
            y = linear(0.786 * f + 0.524 * (1 - f))
        case ..<210:
            y = linear(0.786)
        case ..<260:
            let f = x / 50 - 4.2
            y = (0.69 * f + 0.786 * (1 - f)) * x - 0.0862 * rh * (1 - f) + 2.966 * f + 5.75 * (1 - f) + 8.84e-4 * x * x * f
        default:
            y = 2.966 + 0.69 * x + 8.84e-4 * x * x
        }
        return max(0, y)
    }

    /// Hygroscopic growth (single-parameter κ-Köhler, Crilley et al. 2018): the dry-equivalent
    /// mass PM / (1 + κ / (100/RH − 1)), with RH clipped to 30…70 % and κ = 0.24 as Nilson et al.
    /// (2022) found best for North American PurpleAir data. Returns the RH used too.
    package static func kappa(
        pm: Double, relativeHumidity rh: Double, kappa: Double = 0.24,
        clip: ClosedRange<Double> = 30...70
    ) -> (pm: Double, rhUsed: Double) {
        let used = min(max(rh, clip.lowerBound), clip.upperBound)
        return (pm / (1 + kappa / (100 / used - 1)), used)
    }
}
