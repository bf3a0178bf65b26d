import Foundation
import SenseTesting
import Testing

/// `sensegate model` for the traffic models: every §C vector through the command line, and the
/// mistakes specific to them refused with exit 2 and a message naming the input.
@Suite struct TrafficModelCommandTests {
    @Test func everyTrafficVector() throws {
        let s = Vectors.named("C1-SPEED-01")
        let speed = try ModelRun(["loop-speed", "spacing=\(s.inputs["spacing_m"].double)", "dt=\(s.inputs["dt_s"].double)"])
        #expect(abs(speed.number("v_kmh") - s.expected["v_kmh"].double) <= 1e-6, "\(speed.stderr)")
        #expect(abs(speed.number("v_mph") - s.expected["v_mph"].double) <= 1e-6)
        let both = try ModelRun(["loop-speed", "spacing=4", "dt=0.144", "dt_trail=0.144"])
        #expect(both.number("mismatch") == 0)

        let l = Vectors.named("C1-LEN-01")
        let length = try ModelRun([
            "vehicle-length", "v=\(l.inputs["v_ms"].double)", "on_time=\(l.inputs["on_time_s"].double)",
            "loop_length=\(l.inputs["loop_length_m"].double)",
        ])
        #expect(abs(length.number("length") - l.expected["vehicle_length_m"].double) <= 1e-5, "\(length.stderr)")

        let f = Vectors.named("C1-FLOW-01")
        let flow = try ModelRun([
            "traffic-density", "count=\(f.inputs["count"].int)", "period=\(f.inputs["period_s"].double)",
            "on_time=\(f.inputs["sum_on_time_s"].double)", "v_kmh=\(f.inputs["v_kmh"].double)",
            "eff_length=\(f.inputs["g_eff_len_m"].double)",
        ])
        #expect(flow.number("q") == f.expected["q_vph"].double, "\(flow.stderr)")
        #expect(abs(flow.number("occupancy") - 100 * f.expected["occupancy"].double) <= 1e-9)
        #expect(abs(flow.number("k_from_q_over_v") - f.expected["k_veh_per_km_from_q_over_v"].double) <= 1e-9)
        #expect(abs(flow.number("k_from_occupancy") - f.expected["k_veh_per_km_from_occ"].double) <= 1e-6)
        #expect(flow.outputs["los"] as? String == "E")  // 27 veh/km from q/v is C2-LOS-04's density

        let g1 = Vectors.named("C1-GREENSHIELDS-01")
        let gs = try ModelRun(["greenshields", "vf=\(g1.inputs["vf_kmh"].double)", "kj=\(g1.inputs["kj_veh_per_km"].double)", "k=30"])
        #expect(gs.number("q_max") == g1.expected["q_max_vph"].double)
        #expect(gs.number("k_c") == g1.expected["k_c"].double)
        #expect(gs.number("v_c") == g1.expected["v_c"].double)
        let g2 = Vectors.named("C1-GREENSHIELDS-02")
        #expect(gs.number("v") == g2.expected["v_kmh"].double)
        #expect(gs.number("q") == g2.expected["q_vph"].double)

        for id in ["C2-LOS-01", "C2-LOS-02", "C2-LOS-03"] {
            let v = Vectors.named(id)
            let r = try ModelRun(["los-freeway", "density=\(v.inputs["density_pc_mi_ln"].double)"])
            #expect(r.outputs["los"] as? String == v.expected["los"].string, "\(id): \(r.stderr)")
        }
        let v4 = Vectors.named("C2-LOS-04")
        let los4 = try ModelRun(["los-freeway", "density_km=\(v4.inputs["density_veh_km_ln"].double)", "pce=\(v4.inputs["pce_factor"].double)"])
        #expect(abs(los4.number("density_pc_mi_ln") - v4.expected["density_pc_mi_ln"].double) <= 1e-4)
        #expect(los4.outputs["los"] as? String == "E")

        for id in ["C3-TIMING-01", "C3-TIMING-02", "C3-TIMING-03"] {
            let v = Vectors.named(id)
            let r = try ModelRun([
                "speed-error", "spacing=\(v.inputs["spacing_m"].double)", "v_kmh=\(v.inputs["v_kmh"].double)",
                "error=\(v.inputs["timestamp_error_ms"].double)",
            ])
            #expect(abs(r.number("dt") - v.expected["dt_ms"].double) <= 1e-4, "\(id): \(r.stderr)")
            #expect(abs(r.number("rel_error") - v.expected["rel_error_pct"].double) <= 1e-3, "\(id)")
            #expect(abs(r.number("v_error_if_dt_short") - v.expected["v_error_kmh_if_dt_short"].double) <= 1e-4, "\(id)")
        }
    }

    @Test func mistakesAreNamed() throws {
        let cases: [([String], String)] = [
            (["loop-speed", "spacing=4"], "missing input 'dt'"),
            (["loop-speed", "spacing=0.1", "dt=0.1"], "'spacing'"),
            (["vehicle-length", "v=10", "v_kmh=36", "on_time=0.2", "loop_length=2"], "either v"),
            (["traffic-density", "count=4.5", "period=60", "on_time=1"], "whole number"),
            (["traffic-density", "count=4", "period=60", "on_time=61"], "'on_time'"),
            (["greenshields", "vf=100", "kj=120", "k=130"], "'k'"),
            (["los-freeway", "density=20", "density_km=12"], "either density"),
            (["los-freeway", "density=20", "pce=1.5"], "'pce' goes with density_km"),
            (["speed-error", "spacing=2", "v_kmh=130", "error=60"], "shorter than the trap"),
        ]
        for (args, message) in cases {
            let r = try SensegateBinary.run(["model"] + args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}
