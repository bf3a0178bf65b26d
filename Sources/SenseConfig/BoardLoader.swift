import SenseHardware

/// Board files (`boards/*.yaml`): the names operators use, mapped to devices and lines.
package enum BoardLoader {
    /// Where `board: NAME` is looked up, in order. A value with a `/` or ending in `.yaml` is a path
    /// relative to the config file instead.
    package static func searchDirectories(configFile: String) -> [String] {
        let dir = SourceFile.directory(of: configFile)
        var dirs: [String] = []
        if let env = SourceFile.environment("SENSEGATE_BOARDS") { dirs.append(env) }
        dirs += [
            "\(dir)/boards", "\(dir)/../boards", "/etc/sensegate/boards", "/usr/local/share/sensegate/boards",
            "/usr/share/sensegate/boards",
        ]
        return dirs
    }

    /// The board names found where `board: NAME` is looked up, sorted, without repeats.
    package static func available(configFile: String) -> [String] {
        let names = searchDirectories(configFile: configFile).flatMap { SourceFile.names(in: $0, suffix: ".yaml") }
        return Set(names.map { String($0.dropLast(5)) }).sorted()
    }

    package static func locate(_ value: String, configFile: String) -> (path: String?, tried: [String]) {
        if value.contains("/") || value.hasSuffix(".yaml") {
            let p = value.hasPrefix("/") ? value : "\(SourceFile.directory(of: configFile))/\(value)"
            return (SourceFile.exists(p) ? p : nil, [p])
        }
        let tried = searchDirectories(configFile: configFile).map { "\($0)/\(value).yaml" }
        return (tried.first(where: SourceFile.exists), tried)
    }

    /// Parses a board file, reporting problems into `sink`.
    package static func load(path: String, sink: DiagnosticSink) -> Board? {
        let bytes: [UInt8]
        do {
            bytes = try SourceFile.read(path)
        } catch {
            sink.error(SourceMark(line: 1, column: 1), "", "cannot read board file: \(error)")
            return nil
        }
        return load(bytes: bytes, sink: sink)
    }

    /// Parses board-file text (the sink names the file).
    package static func load(bytes: [UInt8], sink: DiagnosticSink) -> Board? {
        let root: YAMLNode
        do {
            guard let r = try YAMLParser.parse(bytes) else {
                sink.error(SourceMark(line: 1, column: 1), "", "the board file is empty")
                return nil
            }
            root = r
        } catch {
            sink.error(error.mark, "", error.message)
            return nil
        }
        let scalars = ScalarReader(sink)
        guard var top = MappingReader(root, path: "", sink: sink) else { return nil }
        let name = top.required("board").flatMap { scalars.string($0, "board") }
        let description = top.node("description").flatMap { scalars.string($0, "description") } ?? ""
        let simulated = top.node("simulated").flatMap { scalars.bool($0, "simulated") } ?? false
        // `i2c-1: /dev/i2c-1`, or with the lines the bus takes: `i2c-1: {device: /dev/i2c-1, sda: GPIO2, scl: GPIO3}`.
        var buses: [String: String] = [:]
        var busPinNames: [String: [String: (String, SourceMark, String)]] = [:]
        var busEnable: [String: String] = [:]
        if let n = top.node("i2c"), var m = MappingReader(n, path: "i2c", sink: sink) {
            for e in m.entries {
                guard let v = m.node(e.key) else { continue }
                if case .scalar = v {
                    if let dev = scalars.string(v, m.child(e.key)) { buses[e.key] = dev }
                    continue
                }
                guard var bm = MappingReader(v, path: m.child(e.key), sink: sink) else { continue }
                if let dev = bm.required("device").flatMap({ scalars.nonEmptyString($0, bm.child("device")) }) { buses[e.key] = dev }
                if let n = bm.node("enable"), let line = scalars.nonEmptyString(n, bm.child("enable")) { busEnable[e.key] = line }
                for role in ["sda", "scl"] {
                    if let p = bm.node(role), let pin = scalars.string(p, bm.child(role)) {
                        busPinNames[e.key, default: [:]][role] = (pin, p.mark, bm.child(role))
                    }
                }
                bm.finish()
            }
            m.finish()
        }
        var chips: [String: String] = [:]
        var lines: [String: Board.Line] = [:]
        if let n = top.node("gpio"), var gpio = MappingReader(n, path: "gpio", sink: sink) {
            if let c = gpio.node("chips"), var m = MappingReader(c, path: "gpio.chips", sink: sink) {
                for e in m.entries {
                    if let dev = m.node(e.key).flatMap({ scalars.string($0, m.child(e.key)) }) { chips[e.key] = dev }
                }
                m.finish()
            }
            if let l = gpio.node("lines"), var m = MappingReader(l, path: "gpio.lines", sink: sink) {
                for e in m.entries {
                    guard let ln = m.node(e.key), var line = MappingReader(ln, path: m.child(e.key), sink: sink) else { continue }
                    let chip = line.required("chip").flatMap { scalars.string($0, line.child("chip")) }
                    let offset = line.required("line").flatMap { scalars.integer($0, line.child("line"), in: 0...65_535) }
                    let pin = line.node("pin").flatMap { scalars.integer($0, line.child("pin"), in: 1...1000) }
                    line.finish()
                    if let chip, let offset {
                        if chips[chip] == nil {
                            sink.error(ln.mark, line.child("chip"), "chip '\(chip)' is not listed under gpio.chips")
                        }
                        lines[e.key] = Board.Line(chip: chip, offset: offset, pin: pin)
                    }
                }
                m.finish()
            }
            gpio.finish()
        }
        top.finish()
        guard let name else { return nil }
        var board = Board(
            name: name, description: description, simulated: simulated, i2cBuses: buses,
            gpioChips: chips, gpioLines: lines, busEnable: busEnable)
        for (bus, roles) in busPinNames {
            for (role, (pin, mark, path)) in roles {
                if let line = board.line(named: pin) {
                    board.busPins[bus, default: [:]][role] = line
                } else {
                    sink.error(mark, path, "no line named '\(pin)' under gpio.lines")
                }
            }
        }
        return board
    }
}
