import Foundation
import SenseTesting
import Testing

/// `sensegate model` for the hydrology models: every §B vector through the command line, and the
/// mistakes specific to them refused with exit 2 and a message naming the input.
@Suite struct HydrologyModelCommandTests {
    @Test func everyStageVector() throws {
        for id in ["B1-RHO-01", "B1-RHO-02", "B1-RHO-03"] {
            let v = Vectors.named(id)
            let r = try ModelRun(["water-density", "t=\(v.inputs["t_c"].double)"])
            #expect(abs(r.number("rho") - v.expected["rho_kgm3"].double) <= 0.001, "\(id): \(r.stderr)")
        }
        for id in ["B1-HYD-01", "B1-HYD-02"] {
            let v = Vectors.named(id)
            let r = try ModelRun([
                "hydrostatic-depth", "p=\(v.inputs["p_gauge_pa"].double)", "t=\(v.inputs["t_water_c"].double)",
                "g=\(v.inputs["g"].double)", "datum=0.5",
            ])
            #expect(abs(r.number("depth") - v.expected["depth_m"].double) <= 1e-6, "\(id): \(r.stderr)")
            #expect(abs(r.number("depth_rho1000") - v.expected["depth_m_rho1000"].double) <= 1e-6, "\(id)")
            #expect(abs(r.number("stage") - v.expected["depth_m"].double - 0.5) <= 1e-6, "\(id)")
        }
        let v3 = Vectors.named("B1-HYD-03")
        let abs3 = try ModelRun([
            "hydrostatic-depth", "p_abs=\(v3.inputs["p_abs_pa"].double)", "p_baro=\(v3.inputs["p_baro_pa"].double)",
            "t=\(v3.inputs["t_water_c"].double)",
        ])
        #expect(abs(abs3.number("depth") - v3.expected["depth_m"].double) <= 1e-6, "\(abs3.stderr)")
        for id in ["B1-US-01", "B1-US-02", "B1-US-03"] {
            let v = Vectors.named(id)
            let r = try ModelRun([
                "ultrasonic-stage", "echo=\(v.inputs["echo_us"].double)", "t=\(v.inputs["t_air_c"].double)",
                "mount_height=\(v.inputs["mount_height_m"].double)",
            ])
            #expect(abs(r.number("c") - v.expected["c_ms"].double) <= 1e-9, "\(id): \(r.stderr)")
            #expect(abs(r.number("distance") - v.expected["distance_m"].double) <= 1e-6, "\(id)")
            #expect(abs(r.number("stage") - v.expected["stage_m"].double) <= 1e-6, "\(id)")
            #expect(abs(r.number("distance_if_c340") - v.expected["distance_m_if_c340"].double) <= 1e-6, "\(id)")
        }
    }

    @Test func everyDischargeVector() throws {
        for id in ["B2-RATING-01", "B2-RATING-02"] {
            let v = Vectors.named(id)
            let r = try ModelRun([
                "rating-curve", "h=\(v.inputs["h_m"].double)", "c=\(v.inputs["C"].double)",
                "h0=\(v.inputs["h0_m"].double)", "b=\(v.inputs["b"].double)",
            ])
            #expect(abs(r.number("q") - v.expected["Q_m3s"].double) <= 1e-5, "\(id): \(r.stderr)")
        }
        let m1 = Vectors.named("B2-MANNING-01")
        let r1 = try ModelRun(["manning", "n=0.015", "width=3", "depth=1", "slope=0.001"])
        #expect(abs(r1.number("q") - m1.expected["Q_m3s"].double) <= 1e-5, "\(r1.stderr)")
        #expect(abs(r1.number("velocity") - m1.expected["V_ms"].double) <= 1e-5)
        let m2 = Vectors.named("B2-MANNING-02")
        let r2 = try ModelRun(["manning", "n=0.013", "diameter=1", "fill=half", "slope=0.005"])
        #expect(abs(r2.number("q") - m2.expected["Q_m3s"].double) <= 1e-5, "\(r2.stderr)")
        #expect(abs(r2.number("hydraulic_radius") - m2.expected["R_m"].double) <= 1e-9)
        let vn = Vectors.named("B2-VNOTCH-01")
        let r3 = try ModelRun(["weir-vnotch", "h=0.2"])
        #expect(abs(r3.number("q") - vn.expected["Q_m3s_si_form"].double) <= 2e-5, "\(r3.stderr)")
        let rw = Vectors.named("B2-RECTWEIR-01")
        let r4 = try ModelRun(["weir-rect", "h=0.25", "length=1", "cd=0.62", "contractions=2"])
        #expect(abs(r4.number("q") - rw.expected["Q_m3s"].double) <= 1e-6, "\(r4.stderr)")
        #expect(abs(r4.number("effective_length") - rw.expected["L_eff_m"].double) <= 1e-12)
        let r5 = try ModelRun(["weir-rect", "h=0.25", "length=1", "cd=0.62", "contractions=0"])
        #expect(abs(r5.number("q") - rw.expected["Q_m3s_suppressed"].double) <= 1e-6)
    }

    @Test func everyRainFlowAndFloodVector() throws {
        for id in ["B3-RAIN-01", "B3-RAIN-02"] {
            let v = Vectors.named(id)
            let r = try ModelRun([
                "rain-intensity", "tips=\(v.inputs["tips"].int)", "mm_per_tip=\(v.inputs["mm_per_tip"].double)",
                "window=\(v.inputs["window_min"].double)",
            ])
            #expect(abs(r.number("intensity") - v.expected["intensity_mmh"].double) <= 1e-6, "\(id): \(r.stderr)")
            #expect(abs(r.number("depth") - v.expected["depth_mm"].double) <= 1e-9, "\(id)")
            #expect(r.outputs["wmo_class"] as? String == v.expected["wmo_class"].string, "\(id)")
        }
        let it = Vectors.named("B3-RAIN-03")
        let r3 = try ModelRun(["rain-intensity", "mm_per_tip=0.2", "inter_tip=12"])
        #expect(abs(r3.number("intensity") - it.expected["intensity_mmh"].double) <= 1e-9, "\(r3.stderr)")
        #expect(r3.outputs["wmo_class"] as? String == it.expected["wmo_class"].string)
        let flow = Vectors.named("B3-FLOW-01")
        let f = try ModelRun(["pulse-flow", "frequency=60", "pulses=900"])
        #expect(abs(f.number("flow") - flow.expected["q_lmin"].double) <= 1e-9, "\(f.stderr)")
        #expect(abs(f.number("volume") - flow.expected["volume_l"].double) <= 1e-12)
        let series = "samples=0:1.2,5:1.25,10:1.31,15:1.38"
        let ror = try ModelRun(["rate-of-rise", series, "threshold=15"])
        #expect(abs(ror.number("rise_cm_per_15min") - Vectors.named("B4-ROR-01").expected["rise_cm_per_15min"].double) <= 1e-6, "\(ror.stderr)")
        #expect(abs(ror.number("rate_cm_per_15min") - Vectors.named("B4-ROR-02").expected["rate_cm_per_15min"].double) <= 1e-6)
        #expect(abs(ror.number("slope_m_per_min") - Vectors.named("B4-ROR-02").expected["slope_m_per_min"].double) <= 1e-9)
        #expect(ror.outputs["alarm"] as? String == "true")
        let cat = try ModelRun(["flood-category", "stage=2.7", "action=2.0", "flood=2.5", "moderate=3.0", "major=3.5"])
        #expect(cat.outputs["category"] as? String == Vectors.named("B4-STAGE-01").expected["category"].string, "\(cat.stderr)")
        #expect(cat.outputs["level"] as? Int == 2)
    }

    @Test func mistakesAreRefusedWithTheInputNamed() throws {
        let cases: [([String], String)] = [
            (["water-density", "t=45"], "'t' = 45 is outside the model's valid range 0.0…40.0"),
            (["hydrostatic-depth", "p=1000", "p_abs=2000", "t=10"], "give either p"),
            (["hydrostatic-depth", "p_abs=101000", "t=10"], "give either p"),
            (["ultrasonic-stage", "echo=abc", "t=20"], "'echo' must be a number"),
            (["manning", "n=0.015", "width=3", "diameter=1", "depth=1", "slope=0.001"], "not both"),
            (["manning", "n=0.013", "diameter=1", "slope=0.005"], "depth or fill"),
            (["weir-vnotch", "h=0.2", "angle=60"], "give ce and kh"),
            (["weir-rect", "h=0.25", "length=1", "cd=0.62", "contractions=3"], "'contractions' must be one of 0, 1, 2"),
            (["rain-intensity", "mm_per_tip=0.2", "tips=3"], "give tips and window"),
            (["rain-intensity", "mm_per_tip=0.2", "tips=2.5", "window=15"], "'tips' must be a whole number"),
            (["rate-of-rise", "samples=0:1.2"], "at least 2 points"),
            (["rate-of-rise", "samples=5:1.2,0:1.3"], "times must increase"),
            (["rate-of-rise", "samples=0-1.2"], "item 1 must be minutes:metres"),
            (["flood-category", "stage=1", "action=3", "flood=2", "moderate=4", "major=5"], "must ascend"),
            (["rating-curve", "h=1", "c=10", "h0=0.2"], "missing input 'b'"),
        ]
        for (args, message) in cases {
            let r = try ModelRun(args)
            #expect(r.status == 2, "\(args)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}
