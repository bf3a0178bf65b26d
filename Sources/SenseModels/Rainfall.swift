/// Rainfall from a tipping-bucket gauge and flow from a pulse meter (physics reference §B3).
public enum Rainfall {
    /// Intensity in mm/h of `tips` counted over `windowSeconds`.
    public static func intensity(tips: Int, millimetresPerTip: Double, windowSeconds: Double) -> Double {
        Double(tips) * millimetresPerTip * 3600 / windowSeconds
    }

    /// The inter-tip-time method: one tip's depth spread over the time since the previous tip.
    public static func interTipIntensity(millimetresPerTip: Double, interTipSeconds: Double) -> Double {
        millimetresPerTip * 3600 / interTipSeconds
    }

    /// Intensity classes as commonly cited from WMO-No. 8 (light < 2.5, moderate < 10,
    /// heavy < 50, violent ≥ 50 mm/h; the reference marks these as not checked against the WMO text).
    public enum IntensityClass: String, Sendable, Hashable, CaseIterable {
        case none, light, moderate, heavy, violent

        public init(wmo mmPerHour: Double) {
            self = switch mmPerHour {
            case ...0: .none
            case ..<2.5: .light
            case ..<10: .moderate
            case ..<50: .heavy
            default: .violent
            }
        }

        /// US practice (AMS Glossary): light ≤ 2.5, moderate ≤ 7.6, heavy above; no violent class.
        public init(ams mmPerHour: Double) {
            self = switch mmPerHour {
            case ...0: .none
            case ...2.5: .light
            case ...7.6: .moderate
            default: .heavy
            }
        }

        public var level: Int { Self.allCases.firstIndex(of: self)! }
    }
}

/// A pulse-output flow meter (Hall turbine, reed totaliser): F = k·Q.
public enum PulseFlow {
    /// Flow in L/min from pulse frequency with `hertzPerLitrePerMinute` = k (YF-S201: 7.5).
    public static func flow(frequency: Double, hertzPerLitrePerMinute k: Double) -> Double { frequency / k }

    /// Pulses per litre: 60·k.
    public static func pulsesPerLitre(hertzPerLitrePerMinute k: Double) -> Double { 60 * k }

    /// Volume in litres of `pulses`.
    public static func volume(pulses: Int, hertzPerLitrePerMinute k: Double) -> Double {
        Double(pulses) / pulsesPerLitre(hertzPerLitrePerMinute: k)
    }
}
