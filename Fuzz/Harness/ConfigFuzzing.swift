import SenseConfig
import SenseCore
import SenseDaemon
import SenseMQTT
import SenseParts
import SenseWire

/// Config text → a checked config or errors; an accepted config is then run for a few steps
/// (analysis, alarms, windows, rules, actuators, payloads), since a setting can be accepted and
/// still trap where it is used.
enum ConfigFuzzing {
    static func run(_ bytes: [UInt8]) {
        let config: SensegateConfig
        do throws(ConfigErrors) {
            config = try ConfigLoader.check(bytes, file: FuzzTargets.scratch + "/fuzz.yaml", parts: .standard)
        } catch {
            for d in error.diagnostics where d.mark.line < 1 || d.mark.column < 1 {
                preconditionFailure("a diagnostic without a place: \(d)")
            }
            return
        }
        exercise(config)
    }

    static let start = MonotonicInstant(nanoseconds: 1_000_000_000_000)
    static let wall = WallTime(nanosecondsSinceEpoch: 1_795_406_839_000_000_000)
    static let values: [Double?] = [20, -40, 1e6, nil, 0.5, 85]

    static func exercise(_ config: SensegateConfig) {
        var analysis = Analysis(config)
        var reaction = Reaction(config, uncleanRestart: true, at: start)
        var seq: UInt64 = 1
        for (step, value) in values.enumerated() {
            let now = start + .seconds(Int64(step) * 61)
            let w = wall + .seconds(Int64(step) * 61)
            var batch: [Sample] = []
            for sensor in config.sensors.prefix(64) {
                for (quantity, unit) in sensor.kind.channels.prefix(64) {
                    batch.append(
                        Sample(
                            sensor: sensor.name, quantity: quantity, value: value, unit: unit,
                            quality: value == nil ? .bad : .good, reason: value == nil ? .nack : nil, monotonic: now, wall: w))
                }
            }
            for output in [analysis.process(batch), analysis.checkStale(at: now, wall: w), analysis.closeWindows(at: now, wall: w)] {
                for sample in output.samples {
                    _ = Payloads.reading(sample, seq: seq)
                    seq += 1
                }
            }
            _ = analysis.tickAlarms(at: now, wall: w)
            _ = analysis.evaluateRules(at: now, wall: w)
            _ = reaction.apply(analysis.rules, at: now)
            _ = reaction.nextDeadline(after: now)
        }
        _ = reaction.stop(at: start + .seconds(3600))
    }
}

/// Board-file text → a board or errors.
enum BoardFuzzing {
    static func run(_ bytes: [UInt8]) {
        let sink = DiagnosticSink(file: "fuzz-board.yaml")
        guard let board = BoardLoader.load(bytes: bytes, sink: sink) else { return }
        for name in board.gpioLines.keys.prefix(16) { _ = board.line(named: name) }
        _ = board.line(named: "pin11")
        _ = board.lines(takenBy: Set(board.i2cBuses.keys))
    }
}
