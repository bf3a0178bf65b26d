import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// A small urban catchment and its river gauge: a storm's hyetograph falls on the catchment, a
/// share of it runs off through a linear reservoir (dS/dt = I − S/K, Q = S/K) on top of a base
/// flow, and the stage follows from the gauge's rating curve inverted. Deterministic: the same
/// scenario gives the same rain, tips and stage at the same instants, at any speed.
package struct CatchmentWorld: Sendable {
    package enum Scenario: String, Sendable, Hashable, CaseIterable {
        /// No rain: base flow only.
        case dry
        /// 4 mm/h for six hours: the river rises a little and stays in its banks.
        case steadyRain = "steady_rain"
        /// A convective burst peaking at 90 mm/h, about 49 mm in under two hours: the river
        /// crosses action, flood and moderate stage within the hour.
        case flashFlood = "flash_flood"

        /// The hyetograph: (minutes after the storm begins, mm/h), linear in between.
        var hyetograph: [(minutes: Double, mmPerHour: Double)] {
            switch self {
            case .dry: []
            case .steadyRain: [(0, 0), (10, 4), (360, 4), (370, 0)]
            case .flashFlood: [(0, 0), (10, 6), (30, 6), (45, 40), (60, 90), (75, 40), (90, 10), (110, 0)]
            }
        }
    }

    /// The catchment (documented in docs/simulator.md).
    package static let area = 8.0  // km²
    package static let runoffCoefficient = 0.5
    package static let reservoirConstant = 1800.0  // s
    package static let baseFlow = 1.2  // m³/s
    /// The gauge's control: Q = C·(h − h0)^b (the §B2 vector's curve).
    package static let rating = (c: 12.5, zeroFlow: 0.3, exponent: 1.6)

    package let scenario: Scenario
    /// When the storm begins (wall time).
    package let stormStart: WallTime
    package let rainScale: Double
    private static let step = 10.0  // s
    /// From the storm's start: cumulative rain (mm) and discharge (m³/s) every `step` seconds.
    private let cumulativeRain: [Double]
    private let discharge: [Double]

    package init(scenario: Scenario, stormStart: WallTime, rainScale: Double = 1, hours: Double = 48) {
        self.scenario = scenario
        self.stormStart = stormStart
        self.rainScale = rainScale
        let n = Int(hours * 3600 / Self.step) + 1
        var rain = [Double](repeating: 0, count: n)
        var q = [Double](repeating: Self.baseFlow, count: n)
        var storage = 0.0
        let k = Self.reservoirConstant
        for i in 1..<n {
            let t0 = Double(i - 1) * Self.step, t1 = Double(i) * Self.step
            let i0 = Self.intensity(scenario, at: t0) * rainScale, i1 = Self.intensity(scenario, at: t1) * rainScale
            rain[i] = rain[i - 1] + (i0 + i1) / 2 * Self.step / 3600
            // Runoff in m³/s of the step's mean intensity: mm/h × km² / 3.6.
            let inflow = Self.runoffCoefficient * (i0 + i1) / 2 * Self.area / 3.6
            storage = inflow * k + (storage - inflow * k) * exp(-Self.step / k)
            q[i] = Self.baseFlow + storage / k
        }
        cumulativeRain = rain
        discharge = q
    }

    static func intensity(_ s: Scenario, at seconds: Double) -> Double {
        let m = seconds / 60
        let h = s.hyetograph
        guard let first = h.first, let last = h.last, m >= first.minutes, m <= last.minutes else { return 0 }
        for (a, b) in zip(h, h.dropFirst()) where m <= b.minutes {
            return a.mmPerHour + (b.mmPerHour - a.mmPerHour) * (m - a.minutes) / (b.minutes - a.minutes)
        }
        return 0
    }

    private func seconds(_ wall: WallTime) -> Double { Double(wall.nanosecondsSinceEpoch - stormStart.nanosecondsSinceEpoch) / 1e9 }

    private func interpolate(_ series: [Double], at s: Double, before: Double) -> Double {
        guard s > 0 else { return before }
        let x = s / Self.step
        let i = Int(x)
        guard i + 1 < series.count else { return series[series.count - 1] }
        return series[i] + (series[i + 1] - series[i]) * (x - Double(i))
    }

    /// Rain intensity falling now, mm/h.
    package func rainIntensity(at wall: WallTime) -> Double { Self.intensity(scenario, at: seconds(wall)) * rainScale }

    /// Rain fallen since the storm began, mm.
    package func rainDepth(at wall: WallTime) -> Double { interpolate(cumulativeRain, at: seconds(wall), before: 0) }

    /// The river's discharge, m³/s.
    package func discharge(at wall: WallTime) -> Double { interpolate(discharge, at: seconds(wall), before: Self.baseFlow) }

    /// The stage at the gauge, m above its datum.
    package func stage(at wall: WallTime) -> Double {
        Self.rating.zeroFlow + pow(discharge(at: wall) / Self.rating.c, 1 / Self.rating.exponent)
    }

    /// The first instant after `wall` at which `depth` mm have fallen (a bucket's next tip), or
    /// nil if the storm never brings that much.
    package func time(whenDepthReaches depth: Double, after wall: WallTime) -> WallTime? {
        guard depth <= cumulativeRain[cumulativeRain.count - 1] else { return nil }
        var lo = 0, hi = cumulativeRain.count - 1
        while lo < hi {  // the first grid point at or past the depth
            let mid = (lo + hi) / 2
            if cumulativeRain[mid] >= depth { hi = mid } else { lo = mid + 1 }
        }
        let s: Double
        if lo == 0 {
            s = 0
        } else {
            let a = cumulativeRain[lo - 1], b = cumulativeRain[lo]
            s = (Double(lo - 1) + (b > a ? (depth - a) / (b - a) : 1)) * Self.step
        }
        let t = WallTime(nanosecondsSinceEpoch: stormStart.nanosecondsSinceEpoch + Int64(s * 1e9))
        return max(t, wall)
    }

    /// Density of the river water at `celsius` (Tanaka 2001), kg/m³: what a transducer's
    /// pressure reflects.
    package static func waterDensity(celsius t: Double) -> Double {
        999.974950 * (1 - (t - 3.983035) * (t - 3.983035) * (t + 301.797) / (522528.9 * (t + 69.34881)))
    }

    /// Water temperature, °C: a daily swing around 12 °C.
    package func waterTemperature(at wall: WallTime) -> Double {
        12 + 2 * sin(2 * .pi * (wall.secondsSinceEpoch / 86400 - 0.3))
    }
}
