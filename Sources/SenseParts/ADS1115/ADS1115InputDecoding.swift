import SenseConfig
import SenseCore
import SenseDrivers

/// The keys of one ADS1115 input: `{name: no2, input: ain0, range: 4.096, rate: 128, unit: ppb,
/// transfer: {linear: {volts: [0.4, 2.0], values: [0, 500]}}}`, checked against the PGA's range.
enum ADS1115InputDecoding {
    static let rangeNames = ADS1115.Range.allCases.map { String($0.rawValue) }

    static func analogInput(_ n: YAMLNode, path: String, sink: DiagnosticSink) -> ADS1115.Channel? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        defer { m.finish() }
        let name = m.required("name").flatMap { v -> String? in
            guard let t = s.string(v, m.child("name")) else { return nil }
            guard ConfigLoader.isIdentifier(t, max: 48) else {
                sink.error(v.mark, m.child("name"), "'\(t)' is not a valid quantity name: use 1–48 of a-z, 0-9, '-' and '_'")
                return nil
            }
            return t
        }
        let input = m.required("input").flatMap { s.choice($0, m.child("input"), ADS1115.Input.allCases) }
        var range = ADS1115.Range.fsr4_096
        if let v = m.node("range"), let r = s.number(v, m.child("range")) {
            if let known = ADS1115.Range(rawValue: r) {
                range = known
            } else {
                sink.error(v.mark, m.child("range"), "the PGA's full-scale ranges are ±" + rangeNames.joined(separator: ", ±") + " V")
            }
        }
        var rate = ADS1115.DataRate.sps128
        if let v = m.node("rate"), let r = s.integer(v, m.child("rate")) {
            if let known = ADS1115.DataRate(rawValue: r) {
                rate = known
            } else {
                sink.error(
                    v.mark, m.child("rate"),
                    "data rates are " + ADS1115.DataRate.allCases.map { String($0.rawValue) }.joined(separator: ", ") + " SPS")
            }
        }
        let unit = m.required("unit").flatMap { v -> Unit? in
            guard let t = s.string(v, m.child("unit")) else { return nil }
            guard let u = Unit(rawValue: t) else {
                sink.error(
                    v.mark, m.child("unit"),
                    "unknown unit '\(t)'; known: " + Unit.allCases.map { $0 == .none ? "'' (none)" : $0.rawValue }.joined(separator: ", "))
                return nil
            }
            return u
        }
        let transfer = m.required("transfer").flatMap { transferFunction($0, path: m.child("transfer"), range: range, sink: sink) }
        guard let name, let input, let unit, let transfer else { return nil }
        return ADS1115.Channel(quantity: name, unit: unit, input: input, range: range, rate: rate, transfer: transfer)
    }

    static func transferFunction(_ n: YAMLNode, path: String, range: ADS1115.Range, sink: DiagnosticSink) -> AnalogTransfer? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        defer { m.finish() }
        func pair(_ mm: inout MappingReader, _ key: String) -> (Double, Double)? {
            guard let v = mm.required(key), let items = s.list(v, mm.child(key)) else { return nil }
            guard items.count == 2, let a = s.number(items[0], mm.child("\(key)[0]")), let b = s.number(items[1], mm.child("\(key)[1]")) else {
                if items.count != 2 { sink.error(v.mark, mm.child(key), "expected two numbers") }
                return nil
            }
            return (a, b)
        }
        let kinds = ["linear", "polynomial", "current_loop"].filter { m.has($0) }
        guard kinds.count == 1 else {
            sink.error(m.mark, path, "give exactly one of linear, polynomial or current_loop")
            _ = m.node("linear")
            _ = m.node("polynomial")
            _ = m.node("current_loop")
            return nil
        }
        switch kinds[0] {
        case "linear":
            guard let node = m.node("linear"), var lm = MappingReader(node, path: m.child("linear"), sink: sink) else { return nil }
            defer { lm.finish() }
            guard let v = pair(&lm, "volts"), let y = pair(&lm, "values") else { return nil }
            guard v.0 != v.1 else {
                sink.error(node.mark, lm.child("volts"), "the two calibration voltages must differ")
                return nil
            }
            for x in [v.0, v.1] where abs(x) > range.rawValue {
                sink.error(node.mark, lm.child("volts"), "\(x) V is beyond the ±\(range.rawValue) V range")
            }
            return .linear(v0: v.0, v1: v.1, y0: y.0, y1: y.1)
        case "polynomial":
            guard let node = m.node("polynomial"), let items = s.list(node, m.child("polynomial")) else { return nil }
            let c = items.enumerated().compactMap { s.number($1, m.child("polynomial[\($0)]")) }
            guard c.count == items.count, (1...6).contains(c.count) else {
                if c.count == items.count { sink.error(node.mark, m.child("polynomial"), "give 1…6 coefficients, c0 first") }
                return nil
            }
            return .polynomial(c)
        default:
            guard let node = m.node("current_loop"), var cm = MappingReader(node, path: m.child("current_loop"), sink: sink) else { return nil }
            defer { cm.finish() }
            let shunt = cm.required("shunt").flatMap { s.number($0, cm.child("shunt")) }
            guard let shunt, let y = pair(&cm, "values") else { return nil }
            guard shunt > 0 else {
                sink.error(node.mark, cm.child("shunt"), "the shunt resistance must be positive (ohms)")
                return nil
            }
            // 21 mA (a NAMUR failure signal) must still be measurable, or a fault reads as full scale.
            if 0.021 * shunt > range.rawValue {
                sink.error(
                    node.mark, cm.child("shunt"),
                    "21 mA across \(shunt) Ω is \(0.021 * shunt) V, beyond the ±\(range.rawValue) V range: "
                        + "choose a wider range or a smaller shunt")
            }
            return .currentLoop(ohms: shunt, y0: y.0, y1: y.1)
        }
    }
}
