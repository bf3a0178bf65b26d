/// Rate of rise and flood categories (physics reference §B4).
package enum FloodLogic {
    /// Change per unit time between the first and last of `samples` (time, value); nil for fewer
    /// than two samples or no elapsed time.
    package static func riseByDifference(_ samples: [(t: Double, value: Double)]) -> Double? {
        guard let first = samples.first, let last = samples.last, last.t > first.t else { return nil }
        return (last.value - first.value) / (last.t - first.t)
    }

    /// Least-squares slope of `samples`: one noisy sample moves it far less than a difference.
    package static func riseByLeastSquares(_ samples: [(t: Double, value: Double)]) -> Double? {
        guard samples.count >= 2 else { return nil }
        let n = Double(samples.count)
        let mt = samples.reduce(0) { $0 + $1.t } / n
        let mv = samples.reduce(0) { $0 + $1.value } / n
        var sxy = 0.0, sxx = 0.0
        for s in samples {
            sxy += (s.t - mt) * (s.value - mv)
            sxx += (s.t - mt) * (s.t - mt)
        }
        return sxx > 0 ? sxy / sxx : nil
    }

    /// NWS stage categories: below action stage, action, flood stage (minor), moderate, major.
    package enum Category: String, Sendable, Hashable, CaseIterable, Comparable {
        case normal, action, minor, moderate, major

        package var level: Int { Self.allCases.firstIndex(of: self)! }

        /// As NWS products name it: flood stage is minor flooding.
        package var nwsName: String { self == .minor ? "flood(minor)" : rawValue }

        package static func < (a: Self, b: Self) -> Bool { a.level < b.level }
    }

    /// A site's stage levels, ascending: action ≤ flood ≤ moderate ≤ major.
    package struct Stages: Sendable, Hashable {
        package var action: Double
        package var flood: Double
        package var moderate: Double
        package var major: Double

        package init(action: Double, flood: Double, moderate: Double, major: Double) {
            self.action = action
            self.flood = flood
            self.moderate = moderate
            self.major = major
        }

        package var ascending: Bool { action <= flood && flood <= moderate && moderate <= major }

        /// The category of `stage`: each level is reached at its threshold.
        package func category(stage: Double) -> Category {
            if stage >= major { return .major }
            if stage >= moderate { return .moderate }
            if stage >= flood { return .minor }
            if stage >= action { return .action }
            return .normal
        }
    }
}
