/// Rainfall from a tipping-bucket gauge and flow from a pulse meter (physics reference §B3).
package enum Rainfall {
    /// Intensity in mm/h of `tips` counted over `windowSeconds`.
    package static func intensity(tips: Int, millimetresPerTip: Double, windowSeconds: Double) -> Double {
        Double(tips) * millimetresPerTip * 3600 / windowSeconds
    }

    /// The inter-tip-time method: one tip's depth spread over the time since the previous tip.
    package static func interTipIntensity(millimetresPerTip: Double, interTipSeconds: Double) -> Double {
        millimetresPerTip * 3600 / interTipSeconds
    }

    /// Intensity classes as commonly cited from WMO-No. 8 (light < 2.5, moderate < 10,
    /// heavy < 50, violent ≥ 50 mm/h; the reference marks these as not checked against the WMO text).
    package enum IntensityClass: String, Sendable, Hashable, CaseIterable {
        case none, light, moderate, heavy, violent

        package init(wmo mmPerHour: Double) {
            self =
                switch mmPerHour {
                case ...0: .none
                case ..<2.5: .light
                case ..<10: .moderate
                case ..<50: .heavy
                default: .violent
                }
        }

        /// US practice (AMS Glossary): light ≤ 2.5, moderate ≤ 7.6, heavy above; no violent class.
        package init(ams mmPerHour: Double) {
            self =
                switch mmPerHour {
                case ...0: .none
                case ...2.5: .light
                case ...7.6: .moderate
                default: .heavy
                }
        }

        package var level: Int { Self.allCases.firstIndex(of: self)! }
    }
}

/// A pulse-output flow meter (Hall turbine, reed totaliser): F = k·Q.
package enum PulseFlow {
    /// Flow in L/min from pulse frequency with `hertzPerLitrePerMinute` = k (YF-S201: 7.5).
    package static func flow(frequency: Double, hertzPerLitrePerMinute k: Double) -> Double { frequency / k }

    /// Pulses per litre: 60·k.
    package static func pulsesPerLitre(hertzPerLitrePerMinute k: Double) -> Double { 60 * k }

    /// Volume in litres of `pulses`.
    package static func volume(pulses: Int, hertzPerLitrePerMinute k: Double) -> Double {
        Double(pulses) / pulsesPerLitre(hertzPerLitrePerMinute: k)
    }
}
