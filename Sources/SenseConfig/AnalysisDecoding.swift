import SenseAnalysis
import SenseCore
import SenseModels

/// Decoding of `sensors[].channels` (quality checks and filters) and `derived:`.
enum AnalysisDecoding {
    /// `channels: {temperature: {range: [-30, 50], rate: {max: 2, per: 1s}, stuck: {...}, stale: 3, filters: [...]}}`
    static func channels(
        _ n: YAMLNode, path: String, driver: String, available: [String], interval: Duration,
        sink: DiagnosticSink
    ) -> [String: ChannelPipeline.Settings] {
        guard var m = MappingReader(n, path: path, sink: sink) else { return [:] }
        var out: [String: ChannelPipeline.Settings] = [:]
        for e in m.entries {
            guard let node = m.node(e.key) else { continue }
            guard available.contains(e.key) else {
                sink.error(e.keyMark, m.child(e.key), "\(driver) has no quantity '\(e.key)'; it has: \(available.joined(separator: ", "))")
                continue
            }
            if let settings = channel(node, path: m.child(e.key), interval: interval, sink: sink) { out[e.key] = settings }
        }
        m.finish()
        return out
    }

    static func channel(_ n: YAMLNode, path: String, interval: Duration, sink: DiagnosticSink) -> ChannelPipeline.Settings? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        var q = QualityGate.Settings()
        if let r = m.node("range"), let items = s.list(r, m.child("range")) {
            if items.count != 2 {
                sink.error(r.mark, m.child("range"), "expected [min, max] (null for an open end)")
            } else {
                q.minimum = optionalNumber(items[0], m.child("range[0]"), s)
                q.maximum = optionalNumber(items[1], m.child("range[1]"), s)
                if let lo = q.minimum, let hi = q.maximum, lo >= hi {
                    sink.error(r.mark, m.child("range"), "min \(lo) must be below max \(hi)")
                }
            }
        }
        if let r = m.node("rate"), var rm = MappingReader(r, path: m.child("rate"), sink: sink) {
            let max = rm.required("max").flatMap { s.number($0, rm.child("max")) }
            let per = rm.node("per").flatMap { s.duration($0, rm.child("per"), in: .milliseconds(1)...(.seconds(86_400))) } ?? .seconds(1)
            rm.finish()
            if let max {
                if max <= 0 { sink.error(r.mark, m.child("rate"), "max must be positive") } else { q.maxRatePerSecond = max / per.seconds }
            }
        }
        if let st = m.node("stuck"), var sm = MappingReader(st, path: m.child("stuck"), sink: sink) {
            let samples = sm.required("samples").flatMap { s.integer($0, sm.child("samples")) }
            let minStd = sm.node("min_std").flatMap { s.number($0, sm.child("min_std")) } ?? 0.000_001
            sm.finish()
            if let samples {
                if (2...10_000).contains(samples), minStd > 0 {
                    q.stuckSamples = samples
                    q.stuckMinStd = minStd
                } else {
                    sink.error(st.mark, m.child("stuck"), "samples must be 2…10000 and min_std positive")
                }
            }
        }
        var staleAfter: Duration?
        if let st = m.node("stale") {
            // A whole number counts intervals; a duration is a time.
            if case let .scalar(text, true, _) = st, let k = ScalarReader.parseInteger(text) {
                if (1...1000).contains(k) {
                    staleAfter = interval * k
                } else {
                    sink.error(st.mark, m.child("stale"), "a count of 1…1000 intervals, or a duration such as 5m")
                }
            } else {
                staleAfter = s.duration(st, m.child("stale"), in: .milliseconds(1)...(.seconds(7 * 86_400)))
            }
        }
        var filters: [FilterSpec] = []
        if let f = m.node("filters"), let items = s.list(f, m.child("filters")) {
            for (i, item) in items.enumerated() {
                if let spec = filter(item, path: m.child("filters[\(i)]"), sink: sink) { filters.append(spec) }
            }
            if filters.filter({ if case .heartbeat = $0 { true } else { false } }).count > 1 {
                sink.error(f.mark, m.child("filters"), "at most one heartbeat")
            }
        }
        m.finish()
        return ChannelPipeline.Settings(quality: q, filters: filters, staleAfter: staleAfter)
    }

    static let filterNames = [
        "calibrate", "polynomial", "offset", "multiply", "median", "moving_average", "ema",
        "delta", "throttle", "heartbeat", "clamp",
    ]

    /// One filter: a mapping with exactly one key, e.g. `- median: 5`.
    static func filter(_ n: YAMLNode, path: String, sink: DiagnosticSink) -> FilterSpec? {
        let s = ScalarReader(sink)
        guard case let .mapping(entries, _) = n, entries.count == 1, let e = entries.first else {
            sink.error(n.mark, path, "a filter is one key, e.g. '- median: 5'; filters: \(filterNames.joined(separator: ", "))")
            return nil
        }
        let p = "\(path).\(e.key)"
        func positive(_ n: YAMLNode) -> Duration? { s.duration(n, p, in: .milliseconds(1)...(.seconds(7 * 86_400))) }
        func window(_ v: Int?) -> Int? {
            guard let v else { return nil }
            guard (1...10_000).contains(v) else {
                sink.error(e.value.mark, p, "a window of 1…10000 samples")
                return nil
            }
            return v
        }
        switch e.key {
        case "calibrate":
            guard let pts = s.list(e.value, p), pts.count == 2,
                let a = pair(pts[0], "\(p)[0]", s), let b = pair(pts[1], "\(p)[1]", s)
            else {
                sink.error(e.value.mark, p, "expected two points [[raw, true], [raw, true]]")
                return nil
            }
            guard a.0 != b.0 else {
                sink.error(e.value.mark, p, "the two raw values must differ")
                return nil
            }
            return .calibrateLinear(raw1: a.0, true1: a.1, raw2: b.0, true2: b.1)
        case "polynomial":
            guard let items = s.list(e.value, p), !items.isEmpty else {
                sink.error(e.value.mark, p, "expected coefficients [c0, c1, …]")
                return nil
            }
            let cs = items.enumerated().compactMap { s.number($1, "\(p)[\($0)]") }
            return cs.count == items.count ? .polynomial(cs) : nil
        case "offset": return s.number(e.value, p).map(FilterSpec.offset)
        case "multiply": return s.number(e.value, p).map(FilterSpec.multiply)
        case "median": return window(s.integer(e.value, p)).map(FilterSpec.median)
        case "moving_average": return window(s.integer(e.value, p)).map(FilterSpec.movingAverage)
        case "ema": return positive(e.value).map { FilterSpec.ema(tau: $0) }
        case "delta":
            guard let d = s.number(e.value, p) else { return nil }
            guard d > 0 else {
                sink.error(e.value.mark, p, "must be positive")
                return nil
            }
            return .delta(d)
        case "throttle": return positive(e.value).map(FilterSpec.throttle)
        case "heartbeat": return positive(e.value).map(FilterSpec.heartbeat)
        case "clamp":
            guard let (lo, hi) = pair(e.value, p, s) else { return nil }
            guard lo < hi else {
                sink.error(e.value.mark, p, "min must be below max")
                return nil
            }
            return .clamp(lo, hi)
        default:
            sink.error(e.keyMark, p, "unknown filter '\(e.key)'; filters: \(filterNames.joined(separator: ", "))")
            return nil
        }
    }

    static func pair(_ n: YAMLNode, _ path: String, _ s: ScalarReader) -> (Double, Double)? {
        guard let items = s.list(n, path), items.count == 2,
            let a = s.number(items[0], "\(path)[0]"), let b = s.number(items[1], "\(path)[1]")
        else { return nil }
        return (a, b)
    }

    static func optionalNumber(_ n: YAMLNode, _ path: String, _ s: ScalarReader) -> Double? {
        if case let .scalar(text, true, _) = n, text == "null" || text == "~" { return nil }
        return s.number(n, path)
    }

    /// `derived: [{name, model, inputs: {input: sensor.quantity | derived.name}, parameters: {…}, hold: 5m}]`
    /// An aggregate input of a derived channel, checked once the windows are known.
    struct PendingAggregateInput {
        var derived: String
        var input: String
        var window: String
        var function: String
        var mark: SourceMark
        var path: String
    }

    static func derived(
        _ list: [YAMLNode], sensors: Named<SensorConfig>, pending: inout [PendingAggregateInput],
        sink: DiagnosticSink
    ) -> [DerivedDefinition] {
        let s = ScalarReader(sink)
        var defs: [(DerivedDefinition, YAMLNode)] = []
        var taken: Set<String> = []
        let models = DerivedModel.allCases.map(\.rawValue)
        for (i, item) in list.enumerated() {
            let path = "derived[\(i)]"
            guard var m = MappingReader(item, path: path, sink: sink) else { continue }
            let name = uniqueName(&m, kind: "derived channel", taken: &taken, sink: sink)
            let model = m.required("model").flatMap { n -> DerivedModel? in
                guard let v = s.string(n, m.child("model")) else { return nil }
                guard let model = DerivedModel(rawValue: v) else {
                    sink.error(n.mark, m.child("model"), "unknown model '\(v)'; models: \(models.joined(separator: ", "))")
                    return nil
                }
                return model
            }
            var inputs: [String: ChannelRef] = [:]
            var inputMarks: [String: SourceMark] = [:]
            if let inNode = m.required("inputs"), var im = MappingReader(inNode, path: m.child("inputs"), sink: sink) {
                for e in im.entries {
                    guard let v = im.node(e.key).flatMap({ s.string($0, im.child(e.key)) }) else { continue }
                    if let ref = reference(v) {
                        inputs[e.key] = ref
                        inputMarks[e.key] = e.value.mark
                    } else {
                        sink.error(
                            e.value.mark, im.child(e.key), "'\(v)' is not a channel: write SENSOR.QUANTITY, derived.NAME or aggregate.WINDOW.FUNCTION"
                        )
                    }
                }
                im.finish()
            }
            var parameters: [String: Double] = [:]
            if let pn = m.node("parameters"), var pm = MappingReader(pn, path: m.child("parameters"), sink: sink) {
                for e in pm.entries {
                    if let v = pm.node(e.key).flatMap({ s.number($0, pm.child(e.key)) }) { parameters[e.key] = v }
                }
                pm.finish()
            }
            let hold = m.node("hold").flatMap { s.duration($0, m.child("hold"), in: .zero...(.seconds(7 * 86_400))) }
            var rating: RatingCurve?
            if let rn = m.node("rating") {
                rating = ratingCurve(rn, path: m.child("rating"), sink: sink)
                if let model, !model.usesRatingCurve {
                    sink.error(m.keyMark("rating"), m.child("rating"), "\(model.rawValue) takes no rating curve (discharge_rating does)")
                }
            } else if let model, model.usesRatingCurve {
                sink.error(
                    item.mark, "\(path).rating", "\(model.rawValue) needs the site's rating: {segments: [{from, c, h0, b}, …], valid_to, shift}")
            }
            m.finish()
            guard let name, let model else { continue }
            // The model's inputs, exactly.
            let wanted = Set(model.inputs.map(\.name))
            if model.inputsAreOptional {
                if inputs.isEmpty {
                    sink.error(
                        item.mark, "\(path).inputs", "\(model.rawValue) needs at least one of: \(model.inputs.map(\.name).joined(separator: ", "))")
                }
            } else {
                for missing in wanted.subtracting(inputs.keys).sorted() {
                    if model.parameterFallbacks.contains(missing) {
                        if parameters[missing] == nil {
                            sink.error(
                                item.mark, "\(path).inputs.\(missing)",
                                "\(model.rawValue) needs input '\(missing)' (a channel), or a constant as parameters.\(missing)")
                        }
                    } else {
                        sink.error(item.mark, "\(path).inputs.\(missing)", "\(model.rawValue) needs input '\(missing)'")
                    }
                }
            }
            for extra in Set(inputs.keys).subtracting(wanted).sorted() {
                sink.error(
                    inputMarks[extra] ?? item.mark, "\(path).inputs.\(extra)",
                    "\(model.rawValue) has no input '\(extra)'; it takes: \(model.inputs.map(\.name).joined(separator: ", "))")
            }
            for needed in model.parameters where parameters[needed] == nil {
                sink.error(item.mark, "\(path).parameters.\(needed)", "\(model.rawValue) needs parameter '\(needed)'")
            }
            let accepted = model.parameters + model.optionalParameters + model.parameterFallbacks.sorted()
            for extra in Set(parameters.keys).subtracting(accepted).sorted() {
                sink.error(
                    item.mark, "\(path).parameters.\(extra)",
                    accepted.isEmpty
                        ? "\(model.rawValue) takes no parameters"
                        : "\(model.rawValue) takes no parameter '\(extra)'; it takes: \(accepted.joined(separator: ", "))")
            }
            for fallback in model.parameterFallbacks.sorted() where inputs[fallback] != nil && parameters[fallback] != nil {
                sink.error(item.mark, "\(path).parameters.\(fallback)", "'\(fallback)' is given both as an input and as a constant: keep one")
            }
            for (key, message) in model.parameterProblems(parameters) {
                sink.error(item.mark, "\(path).parameters.\(key)", message)
            }
            defs.append(
                (
                    DerivedDefinition(
                        name: name, model: model, inputs: inputs, parameters: parameters, hold: hold,
                        rating: rating), item
                ))
        }
        // References and units, now that every derived name is known.
        let derivedUnits = Dictionary(defs.map { ($0.0.name, $0.0.model.unit) }, uniquingKeysWith: { a, _ in a })
        for (i, (d, item)) in defs.enumerated() {
            for (input, ref) in d.inputs.sorted(by: { $0.key < $1.key }) {
                let want = d.model.inputs.first { $0.name == input }?.unit
                let path = "derived[\(i)].inputs.\(input)"
                let mark = inputMark(item, input) ?? item.mark
                var have: Unit?
                switch ref {
                case let .sensor(sensor, quantity):
                    guard let cfg = sensors[sensor] else {
                        sink.missing(.sensor, sensor, mark, path)
                        continue
                    }
                    guard let unit = cfg.kind.channels.first(where: { $0.0 == quantity })?.1 else {
                        sink.error(mark, path, "sensor '\(sensor)' (\(cfg.kind.driverName)) has no quantity '\(quantity)'")
                        continue
                    }
                    have = unit
                case let .derived(other):
                    guard let unit = derivedUnits[other] else {
                        sink.missing(.derived, other, mark, path)
                        continue
                    }
                    have = unit
                case let .aggregate(window, function):
                    pending.append(
                        PendingAggregateInput(
                            derived: d.name, input: input, window: window, function: function,
                            mark: mark, path: path))
                    continue
                }
                if d.model.keepsHourlyHistory {
                    sink.error(mark, path, "\(d.model.rawValue) takes hourly averages: aggregate.WINDOW.mean of a tumbling 1h window")
                    continue
                }
                if let want, let have, want != have {
                    sink.error(mark, path, "\(d.model.rawValue) needs '\(input)' in \(want.rawValue), but \(ref) is in \(have.rawValue)")
                }
            }
        }
        let result = defs.map(\.0)
        do throws(DerivedEngine.CycleError) {
            _ = try DerivedEngine(result)
        } catch {
            let first = defs.first { $0.0.name == error.cycle.first }?.1.mark ?? SourceMark(line: 1, column: 1)
            sink.error(first, "derived", error.description)
        }
        return result
    }

    /// `rating: {segments: [{from: 0.3, c: 12.5, h0: 0.3, b: 1.6}, …], valid_to: 3.5, shift: 0}`:
    /// ascending segments, each with its zero-flow height at or below its start, joined without a
    /// step in discharge of more than 2 %.
    static func ratingCurve(_ n: YAMLNode, path: String, sink: DiagnosticSink) -> RatingCurve? {
        let s = ScalarReader(sink)
        guard var m = MappingReader(n, path: path, sink: sink) else { return nil }
        var segments: [RatingCurve.Segment] = []
        var failed = false
        if let list = m.required("segments").flatMap({ s.list($0, m.child("segments")) }) {
            if list.isEmpty { sink.error(m.keyMark("segments"), m.child("segments"), "at least one segment") }
            for (i, item) in list.enumerated() {
                let p = m.child("segments[\(i)]")
                guard var sm = MappingReader(item, path: p, sink: sink) else {
                    failed = true
                    continue
                }
                let from = sm.required("from").flatMap { s.number($0, sm.child("from")) }
                let c = sm.required("c").flatMap { s.number($0, sm.child("c")) }
                let h0 = sm.required("h0").flatMap { s.number($0, sm.child("h0")) }
                let b = sm.required("b").flatMap { s.number($0, sm.child("b")) }
                sm.finish()
                guard let from, let c, let h0, let b else {
                    failed = true
                    continue
                }
                if c <= 0 {
                    sink.error(item.mark, "\(p).c", "must be positive")
                    failed = true
                }
                if !(0.5...5).contains(b) {
                    sink.error(item.mark, "\(p).b", "a rating exponent is 0.5…5 (natural controls 1.3–2.5)")
                    failed = true
                }
                if h0 > from {
                    sink.error(item.mark, "\(p).h0", "the zero-flow height \(h0) m is above the segment's start \(from) m")
                    failed = true
                }
                if let last = segments.last, from <= last.from {
                    sink.error(item.mark, "\(p).from", "segments must ascend: \(from) m does not follow \(last.from) m")
                    failed = true
                }
                segments.append(.init(from: from, c: c, zeroFlow: h0, exponent: b))
            }
        }
        let validTo = m.node("valid_to").flatMap { s.number($0, m.child("valid_to")) }
        let shift = m.node("shift").flatMap { s.number($0, m.child("shift")) } ?? 0
        m.finish()
        guard !failed, !segments.isEmpty else { return nil }
        if let validTo, validTo <= segments.last!.from {
            sink.error(m.keyMark("valid_to"), m.child("valid_to"), "must lie above the last segment's start (\(segments.last!.from) m)")
            return nil
        }
        let curve = RatingCurve(segments: segments, validTo: validTo, shift: shift)
        for joint in curve.discontinuities() {
            sink.error(
                m.keyMark("segments"), m.child("segments"),
                "the segments disagree at \(joint.stage) m: \(rounded(joint.below)) below vs "
                    + "\(rounded(joint.above)) above m3/s; make the curve continuous (adjust c or h0 of the upper segment)")
        }
        return curve
    }

    static func rounded(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }

    /// Aggregate inputs of derived channels: the window and its function exist, units agree,
    /// NowCast gets the mean of a tumbling hourly window, and no window aggregates a channel that
    /// is itself derived from aggregates (that loop would never settle).
    static func checkAggregateInputs(
        _ pending: [PendingAggregateInput], derived: Named<DerivedDefinition>,
        windows: Named<WindowDefinition>, sensors: Named<SensorConfig>, sink: DiagnosticSink
    ) {
        for p in pending {
            guard let d = derived[p.derived] else { continue }
            guard let w = windows[p.window] else {
                sink.missing(.window, p.window, p.mark, p.path)
                continue
            }
            guard let f = WindowAggregator.Function(rawValue: p.function), w.settings.functions.contains(f) else {
                sink.error(
                    p.mark, p.path,
                    "window '\(w.name)' computes " + w.settings.functions.map(\.rawValue).joined(separator: ", ")
                        + ", not '\(p.function)'")
                continue
            }
            if d.model.keepsHourlyHistory, f != .mean || w.settings.length != .seconds(3600) || w.settings.every != nil {
                sink.error(p.mark, p.path, "\(d.model.rawValue) takes hourly averages: the mean of a tumbling window of length 1h (no 'every')")
                continue
            }
            var unit: Unit?
            switch w.channel {
            case let .sensor(sensor, quantity): unit = sensors[sensor]?.kind.channels.first { $0.0 == quantity }?.1
            case let .derived(name): unit = derived[name]?.model.unit
            case .aggregate: unit = nil
            }
            if f == .count { unit = .count }
            let want = d.model.inputs.first { $0.name == p.input }?.unit
            if f != .rate, let want, let unit, want != unit {
                sink.error(
                    p.mark, p.path,
                    "\(d.model.rawValue) needs '\(p.input)' in \(want.rawValue), but aggregate.\(w.name).\(f.rawValue) is in \(unit.rawValue)")
            }
        }
        // Which derived channels depend on aggregates, each answered once (a walk without memory
        // is exponential in a diamond-shaped graph). Iterative: no recursion for a long chain.
        let fromAggregates = Set(pending.map(\.derived))
        var depends: [String: Bool] = [:]
        func derivedInputs(_ name: String) -> [String] {
            derived[name]?.inputs.values.compactMap { ref -> String? in if case let .derived(o) = ref { o } else { nil } } ?? []
        }
        func dependsOnAggregates(_ start: String) -> Bool {
            var stack: [(name: String, expanded: Bool)] = [(start, false)]
            var onPath: Set<String> = []
            while let (name, expanded) = stack.popLast() {
                if expanded {
                    onPath.remove(name)
                    depends[name] = fromAggregates.contains(name) || derivedInputs(name).contains { depends[$0] == true }
                    continue
                }
                guard depends[name] == nil, !onPath.contains(name) else { continue }  // known, or a cycle (reported elsewhere)
                onPath.insert(name)
                stack.append((name, true))
                for other in derivedInputs(name) where depends[other] == nil { stack.append((other, false)) }
            }
            return depends[start] == true
        }
        var firstPending: [String: SourceMark] = [:]
        for p in pending where firstPending[p.derived] == nil { firstPending[p.derived] = p.mark }
        for w in windows {
            if case let .derived(name) = w.channel, dependsOnAggregates(name) {
                let mark = firstPending[name] ?? SourceMark(line: 1, column: 1)
                sink.error(
                    mark, "windows",
                    "window '\(w.name)' aggregates derived.\(name), which is itself computed from aggregates: "
                        + "aggregate its inputs instead")
            }
        }
    }

    /// The names a list (`rules:`, `actuators:`) declares, read before anything refers to them
    /// (so a reference to a declared but broken item is not reported as unknown too).
    static func declaredNames(_ list: [YAMLNode]) -> [String] {
        list.compactMap { item in
            guard case let .mapping(entries, _) = item, case let .scalar(name, _, _)? = entries.first(where: { $0.key == "name" })?.value
            else { return nil }
            return name
        }
    }

    /// A unique `name:` of a declared thing (`kind` names it in messages); it becomes a topic
    /// level. A valid name is added to `taken`.
    static func uniqueName(
        _ m: inout MappingReader, kind: String, taken: inout Set<String>,
        sink: DiagnosticSink
    ) -> String? {
        let s = ScalarReader(sink)
        guard let n = m.required("name"), let v = s.string(n, m.child("name")) else { return nil }
        guard ConfigLoader.isIdentifier(v, max: 48) else {
            sink.error(n.mark, m.child("name"), "'\(v)' is not a valid \(kind) name: 1–48 of a-z, 0-9, '-' and '_' (a topic level)")
            return nil
        }
        guard taken.insert(v).inserted else {
            sink.error(n.mark, m.child("name"), "duplicate \(kind) '\(v)'")
            return nil
        }
        return v
    }

    /// A `channel:` reference that must exist: a sensor's quantity or a derived channel. Returns
    /// the sensor's polling interval too, when it is a sensor channel.
    /// `windows` is nil where aggregates may not be used (derived inputs, window channels).
    static func existingChannel(
        _ n: YAMLNode, path: String, sensors: Named<SensorConfig>, derived: Named<DerivedDefinition>,
        windows: Named<WindowDefinition>? = nil,
        sink: DiagnosticSink
    ) -> (ref: ChannelRef, interval: Duration?)? {
        guard let v = ScalarReader(sink).string(n, path) else { return nil }
        let forms = windows == nil ? "SENSOR.QUANTITY or derived.NAME" : "SENSOR.QUANTITY, derived.NAME or aggregate.WINDOW.FUNCTION"
        guard let ref = reference(v) else {
            sink.error(n.mark, path, "'\(v)' is not a channel: write \(forms)")
            return nil
        }
        switch ref {
        case let .sensor(sensor, quantity):
            guard let cfg = sensors[sensor] else {
                sink.missing(.sensor, sensor, n.mark, path)
                return nil
            }
            guard cfg.kind.quantities.contains(quantity) else {
                sink.error(n.mark, path, "sensor '\(sensor)' (\(cfg.kind.driverName)) has no quantity '\(quantity)'")
                return nil
            }
            return (ref, cfg.interval)
        case let .derived(d):
            guard derived.contains(name: d) else {
                sink.missing(.derived, d, n.mark, path)
                return nil
            }
            return (ref, nil)
        case let .aggregate(w, f):
            guard let windows else {
                sink.error(n.mark, path, "an aggregate cannot be used here: write \(forms)")
                return nil
            }
            guard let window = windows[w] else {
                sink.missing(.window, w, n.mark, path)
                return nil
            }
            guard window.settings.functions.map(\.rawValue).contains(f) else {
                sink.error(
                    n.mark, path,
                    "window '\(w)' does not compute '\(f)'; it computes: "
                        + window.settings.functions.map(\.rawValue).joined(separator: ", "))
                return nil
            }
            return (ref, nil)
        }
    }

    /// `SENSOR.QUANTITY`, `derived.NAME` or `aggregate.WINDOW.FUNCTION`.
    static func reference(_ text: String) -> ChannelRef? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ !$0.isEmpty }) else { return nil }
        if parts.count == 3, parts[0] == "aggregate" { return .aggregate(parts[1], function: parts[2]) }
        // A traffic station's measures: STATION.GROUP.PERIOD.MEASURE.
        if parts.count == 4, parts[0] != "aggregate", parts[0] != "derived" {
            return .sensor(parts[0], quantity: parts[1...].joined(separator: "."))
        }
        guard parts.count == 2, parts[0] != "aggregate" else { return nil }
        return parts[0] == "derived" ? .derived(parts[1]) : .sensor(parts[0], quantity: parts[1])
    }

    static func inputMark(_ item: YAMLNode, _ input: String) -> SourceMark? {
        guard case let .mapping(entries, _) = item,
            case let .mapping(inputs, _)? = entries.first(where: { $0.key == "inputs" })?.value
        else { return nil }
        return inputs.first { $0.key == input }?.value.mark
    }
}
