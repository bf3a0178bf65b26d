import SenseModels
import SenseTesting
import Testing

/// Against the reference vectors C* (vectors.json in SenseTesting), with the vectors' tolerances.
@Suite struct TrafficTests {
    @Test func loopSpeed() {
        let v = Vectors.named("C1-SPEED-01")
        let speed = Traffic.trapSpeed(spacing: v.inputs["spacing_m"].double, seconds: v.inputs["dt_s"].double)
        #expect(abs(speed - v.expected["v_ms"].double) <= 1e-6)
        #expect(abs(speed * 3.6 - v.expected["v_kmh"].double) <= 1e-6)
        #expect(abs(speed * 3600 / Traffic.metresPerMile - v.expected["v_mph"].double) <= 1e-6)
    }

    @Test func vehicleLength() {
        let v = Vectors.named("C1-LEN-01")
        let speed = v.inputs["v_ms"].double, on = v.inputs["on_time_s"].double, zone = v.inputs["loop_length_m"].double
        #expect(abs(speed * on - v.expected["effective_length_m"].double) <= 1e-5)
        #expect(abs(Traffic.vehicleLength(speed: speed, onTime: on, detectorLength: zone) - v.expected["vehicle_length_m"].double) <= 1e-5)
    }

    @Test func flowOccupancyDensity() {
        let v = Vectors.named("C1-FLOW-01")
        let q = Traffic.flow(count: v.inputs["count"].int, seconds: v.inputs["period_s"].double)
        let o = Traffic.occupancy(onTime: v.inputs["sum_on_time_s"].double, seconds: v.inputs["period_s"].double)
        #expect(q == v.expected["q_vph"].double)
        #expect(abs(o - v.expected["occupancy"].double) <= 1e-12)
        #expect(abs(Traffic.density(flow: q, speedKmh: v.inputs["v_kmh"].double) - v.expected["k_veh_per_km_from_q_over_v"].double) <= 1e-9)
        #expect(
            abs(
                Traffic.density(occupancy: o, effectiveLength: v.inputs["g_eff_len_m"].double)
                    - v.expected["k_veh_per_km_from_occ"].double) <= 1e-6)
        // The single-loop speed estimate with the same effective length: 2700 × 6 / 120 = 135 km/h —
        // far from the trap's 100 km/h when the assumed length is wrong, which is why traps exist.
        #expect(abs(Traffic.singleLoopSpeed(flow: q, occupancy: o, effectiveLength: 6) - 135) <= 1e-9)
    }

    @Test func greenshieldsCapacity() {
        let v = Vectors.named("C1-GREENSHIELDS-01")
        let g = Greenshields(freeFlowSpeed: v.inputs["vf_kmh"].double, jamDensity: v.inputs["kj_veh_per_km"].double)
        #expect(g.criticalDensity == v.expected["k_c"].double)
        #expect(g.criticalSpeed == v.expected["v_c"].double)
        #expect(g.capacity == v.expected["q_max_vph"].double)
        #expect(g.flow(density: g.criticalDensity) == g.capacity)
    }

    @Test func greenshieldsAtDensity() {
        let v = Vectors.named("C1-GREENSHIELDS-02")
        let g = Greenshields(freeFlowSpeed: v.inputs["vf_kmh"].double, jamDensity: v.inputs["kj_veh_per_km"].double)
        #expect(g.speed(density: v.inputs["k_veh_per_km"].double) == v.expected["v_kmh"].double)
        #expect(g.flow(density: v.inputs["k_veh_per_km"].double) == v.expected["q_vph"].double)
    }

    @Test(arguments: ["C2-LOS-01", "C2-LOS-02", "C2-LOS-03"])
    func freewayLOS(id: String) {
        let v = Vectors.named(id)
        #expect(LevelOfService(freewayDensity: v.inputs["density_pc_mi_ln"].double).rawValue == v.expected["los"].string)
    }

    @Test func losFromMetricDensity() {
        let v = Vectors.named("C2-LOS-04")
        let pc = Traffic.passengerCarsPerMile(vehiclesPerKilometre: v.inputs["density_veh_km_ln"].double, pce: v.inputs["pce_factor"].double)
        #expect(abs(pc - v.expected["density_pc_mi_ln"].double) <= 1e-4)
        #expect(LevelOfService(freewayDensity: pc).rawValue == v.expected["los"].string)
    }

    @Test func losBoundaries() {
        let expected: [(Double, String)] = [
            (0, "A"), (11, "A"), (11.01, "B"), (18, "B"), (26, "C"), (26.5, "D"), (35, "D"),
            (45, "E"), (45.01, "F"), (200, "F"),
        ]
        for (k, los) in expected { #expect(LevelOfService(freewayDensity: k).rawValue == los, "at \(k)") }
    }

    @Test(arguments: ["C3-TIMING-01", "C3-TIMING-02", "C3-TIMING-03"])
    func timingError(id: String) {
        let v = Vectors.named(id)
        let e = Traffic.timingError(
            spacing: v.inputs["spacing_m"].double, speedKmh: v.inputs["v_kmh"].double,
            error: v.inputs["timestamp_error_ms"].double / 1000)
        #expect(abs(e.interval * 1000 - v.expected["dt_ms"].double) <= 1e-4)
        #expect(abs(e.relative * 100 - v.expected["rel_error_pct"].double) <= 1e-3)
        #expect(abs(e.speedErrorKmhIfShort - v.expected["v_error_kmh_if_dt_short"].double) <= 1e-4)
    }

    @Test func timingTableOfTheReference() {
        // §C3's table, to its printed precision (Δt in ms, error in % for δ = 1 ms).
        let rows: [(Double, Double, Double, Double)] = [
            (2, 30, 240, 0.42), (2, 100, 72, 1.39), (4, 50, 288, 0.35),
            (4, 130, 110.8, 0.90), (6, 100, 216, 0.46), (6, 130, 166.2, 0.60),
        ]
        for (d, v, dt, pct) in rows {
            let e = Traffic.timingError(spacing: d, speedKmh: v, error: 0.001)
            #expect(abs(e.interval * 1000 - dt) <= 0.05, "\(d) m at \(v) km/h")
            #expect(abs(e.relative * 100 - pct) <= 0.005, "\(d) m at \(v) km/h")
        }
    }

    @Test func meansAndPercentile() {
        let speeds = [20.0, 25, 30, 40]
        #expect(Traffic.timeMeanSpeed(speeds) == 28.75)
        // Harmonic: 4 / (1/20 + 1/25 + 1/30 + 1/40) = 4 / 0.148333… = 26.966…
        #expect(abs(Traffic.spaceMeanSpeed(speeds)! - 26.966292) <= 1e-6)
        #expect(Traffic.percentile(85, of: speeds)! == 30 + 0.55 * 10)
        #expect(Traffic.percentile(50, of: [7]) == 7)
        #expect(Traffic.percentile(85, of: []) == nil)
        #expect(Traffic.spaceMeanSpeed([10, 0]) == nil)
    }
}
