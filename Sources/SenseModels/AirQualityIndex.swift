import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// The US EPA Air Quality Index, May-2024 revision (EPA-454/B-24-002, Table 6; physics
/// reference §A1): per-pollutant sub-indices from truncated averages by piecewise-linear
/// interpolation, rounded; the AQI is the largest, and its pollutant is the responsible one.
package enum AirQualityIndex {
    /// A pollutant with its averaging period. Concentrations: µg/m³ (PM), ppm (O3, CO), ppb
    /// (SO2, NO2) — the units of the EPA table.
    package enum Pollutant: String, Sendable, Hashable, CaseIterable {
        case pm25 = "pm25_24h", pm10 = "pm10_24h", o3_8h, o3_1h, co = "co_8h", so2_1h, so2_24h, no2 = "no2_1h"

        /// Averages are truncated (never rounded) to this step before the table is used.
        package var truncationStep: Double {
            switch self {
            case .pm25, .co: 0.1
            case .pm10, .so2_1h, .so2_24h, .no2: 1
            case .o3_8h, .o3_1h: 0.001
            }
        }

        package var unit: String {
            switch self {
            case .pm25, .pm10: "ug/m3"
            case .o3_8h, .o3_1h, .co: "ppm"
            case .so2_1h, .so2_24h, .no2: "ppb"
            }
        }
    }

    package enum Category: String, Sendable, Hashable, CaseIterable {
        case good = "Good", moderate = "Moderate", unhealthyForSensitiveGroups = "Unhealthy for Sensitive Groups"
        case unhealthy = "Unhealthy", veryUnhealthy = "Very Unhealthy", hazardous = "Hazardous"
        case beyond = "Beyond the AQI"

        package init(aqi: Int) {
            switch aqi {
            case ...50: self = .good
            case 51...100: self = .moderate
            case 101...150: self = .unhealthyForSensitiveGroups
            case 151...200: self = .unhealthy
            case 201...300: self = .veryUnhealthy
            case 301...500: self = .hazardous
            default: self = .beyond
            }
        }

        /// The TAD's colour name and hex (Beyond the AQI keeps Hazardous' maroon).
        package var colour: (name: String, hex: String) {
            switch self {
            case .good: ("Green", "#00E400")
            case .moderate: ("Yellow", "#FFFF00")
            case .unhealthyForSensitiveGroups: ("Orange", "#FF7E00")
            case .unhealthy: ("Red", "#FF0000")
            case .veryUnhealthy: ("Purple", "#8F3F97")
            case .hazardous, .beyond: ("Maroon", "#7E0023")
            }
        }
    }

    package struct SubIndex: Sendable, Hashable {
        package var pollutant: Pollutant
        package var truncated: Double
        /// Before rounding; above the table, the top segment extrapolated.
        package var unrounded: Double
        /// Rounded; capped at 500 beyond the table (the policy: report 500 and "Beyond the AQI").
        package var aqi: Int
        package var category: Category
    }

    /// Why a concentration has no sub-index.
    package enum Undefined: Error, Sendable, Hashable, CustomStringConvertible {
        case negative(Pollutant)
        /// 8-h ozone above 0.200 ppm: the 1-h index applies.
        case useOneHourOzone
        /// 1-h ozone below 0.125 ppm: only the 8-h index is defined there.
        case belowOneHourOzoneTable
        /// 1-h SO2 above 304 ppb: AQI ≥ 200 comes from the 24-h average.
        case useDailySO2
        /// 24-h SO2 below 305 ppb: below AQI 200 the 1-h average is used.
        case belowDailySO2Table
        case notFinite(Pollutant)

        package var description: String {
            switch self {
            case let .negative(p): "a negative \(p.rawValue) concentration has no AQI"
            case .useOneHourOzone: "8-hour ozone above 0.200 ppm: the AQI comes from the 1-hour ozone average"
            case .belowOneHourOzoneTable: "1-hour ozone below 0.125 ppm: only the 8-hour average has an AQI there"
            case .useDailySO2: "1-hour SO2 above 304 ppb: the AQI comes from the 24-hour SO2 average"
            case .belowDailySO2Table: "24-hour SO2 below 305 ppb: the AQI comes from the 1-hour SO2 average"
            case let .notFinite(p): "\(p.rawValue) is not a finite number"
            }
        }
    }

    /// A row: concentration breakpoints and AQI breakpoints.
    struct Row: Sendable {
        var lo: Double, hi: Double, iLo: Int, iHi: Int
    }

    static func table(_ p: Pollutant) -> [Row] {
        func rows(_ bps: [(Double, Double)], _ indices: [(Int, Int)]) -> [Row] {
            zip(bps, indices).map { Row(lo: $0.0, hi: $0.1, iLo: $1.0, iHi: $1.1) }
        }
        let all = [(0, 50), (51, 100), (101, 150), (151, 200), (201, 300), (301, 500)]
        switch p {
        case .pm25: return rows([(0, 9.0), (9.1, 35.4), (35.5, 55.4), (55.5, 125.4), (125.5, 225.4), (225.5, 325.4)], all)
        case .pm10: return rows([(0, 54), (55, 154), (155, 254), (255, 354), (355, 424), (425, 604)], all)
        case .o3_8h: return rows([(0, 0.054), (0.055, 0.070), (0.071, 0.085), (0.086, 0.105), (0.106, 0.200)], all)
        case .o3_1h: return rows([(0.125, 0.164), (0.165, 0.204), (0.205, 0.404), (0.405, 0.604)], Array(all.dropFirst(2)))
        case .co: return rows([(0, 4.4), (4.5, 9.4), (9.5, 12.4), (12.5, 15.4), (15.5, 30.4), (30.5, 50.4)], all)
        case .so2_1h: return rows([(0, 35), (36, 75), (76, 185), (186, 304)], Array(all.prefix(4)))
        case .so2_24h: return rows([(305, 604), (605, 1004)], Array(all.suffix(2)))
        case .no2: return rows([(0, 53), (54, 100), (101, 360), (361, 649), (650, 1249), (1250, 2049)], all)
        }
    }

    /// Truncates to `step` as decimal arithmetic would: a value within a millionth of a step
    /// of a multiple is that multiple (the float mean of 30.4, 33.8, 42.3 is
    /// 35.49999999999999 and must truncate to 35.5 — vector A1-PM25-FLOAT-01).
    package static func truncate(_ x: Double, step: Double) -> Double {
        let scaled = x / step
        let nearest = scaled.rounded()
        let whole = abs(scaled - nearest) < 1e-6 ? nearest : scaled.rounded(.down)
        // Re-derive from the integer count so that 0.1 steps print as 35.5, not 35.500000000000004.
        return (whole * step * 1e6).rounded() / 1e6
    }

    /// The sub-index of one pollutant's average.
    package static func subIndex(_ p: Pollutant, concentration c: Double) throws(Undefined) -> SubIndex {
        guard c.isFinite else { throw .notFinite(p) }
        guard c >= 0 else { throw .negative(p) }
        let t = truncate(c, step: p.truncationStep)
        let rows = table(p)
        switch p {
        case .o3_8h where t > 0.200: throw .useOneHourOzone
        case .o3_1h where t < 0.125: throw .belowOneHourOzoneTable
        case .so2_1h where t > 304: throw .useDailySO2
        case .so2_24h where t < 305: throw .belowDailySO2Table
        default: break
        }
        let row = rows.first { t >= $0.lo && t <= $0.hi + p.truncationStep / 2 } ?? rows.last!
        let unrounded = Double(row.iHi - row.iLo) / (row.hi - row.lo) * (t - row.lo) + Double(row.iLo)
        // A broken sensor can report anything: beyond Int it is simply beyond the index (found by fuzzing).
        let rounded = Int(checkedRounding: unrounded, .toNearestOrAwayFromZero) ?? Int.max
        let aqi = min(rounded, 500)
        return SubIndex(
            pollutant: p, truncated: t, unrounded: unrounded, aqi: aqi,
            category: rounded > 500 ? .beyond : Category(aqi: aqi))
    }

    package struct Overall: Sendable, Hashable {
        package var aqi: Int
        package var category: Category
        /// The pollutant with the largest sub-index (the first in the given order on a tie).
        package var responsible: Pollutant
        package var subIndices: [SubIndex]
    }

    /// The AQI of several pollutants: the largest sub-index. Pollutants without a defined
    /// sub-index at their concentration (e.g. 1-h ozone below the 1-h table) are left out; nil
    /// when none has one. For ozone give both 8-h and 1-h where available: the larger wins.
    package static func overall(_ concentrations: [(Pollutant, Double)]) -> Overall? {
        var subs: [SubIndex] = []
        for (p, c) in concentrations {
            do throws(Undefined) { subs.append(try subIndex(p, concentration: c)) } catch { continue }
        }
        guard let best = subs.map(\.aqi).max(), let winner = subs.first(where: { $0.aqi == best }) else { return nil }
        return Overall(aqi: winner.aqi, category: winner.category, responsible: winner.pollutant, subIndices: subs)
    }
}
