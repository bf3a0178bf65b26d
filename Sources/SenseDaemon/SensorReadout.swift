import Logging
import SenseConfig
import SenseCore
import SenseDrivers
import SenseHardware
import SenseHardwareLinux
import SenseSimulationRig
import SenseSimulator

/// `sensegate read`: one measurement of each sensor through the real drivers, on the board's
/// real buses and lines (or the simulated board's emulators), with no broker and no analysis —
/// what `telegraf --test` is to Telegraf. The driver's own verdict is the quality (CRC, status
/// bits, datasheet ranges); the config's `channels:` checks are the daemon's.
package enum SensorReadout {
    package enum Outcome: Sendable {
        case readings([ChannelReading])
        /// The sensor did not answer as it should: the driver's or the kernel's reason.
        case failed(String)
        /// A sensor that counts or reports over time has no single measurement.
        case notReadable(String)
    }

    package static func read(_ config: SensegateConfig, sensors: [SensorConfig], logger: Logger) async -> [(SensorConfig, Outcome)] {
        let clock = SystemClock()
        let hardware: any Hardware
        var world: Task<Void, Never>?
        if config.board.simulated {
            let simulated = SimulatedHardware(clock: clock)
            let rig = SimulationRig(config: config, simulation: config.simulation ?? SimulationConfig(), hardware: simulated)
            world = Task { await rig.run(clock: clock, seed: config.simulation?.seed ?? 1, logger: logger) }
            hardware = simulated
        } else {
            hardware = LinuxHardware()
        }
        defer { world?.cancel() }
        var buses: [String: any I2CBus] = [:]
        var chips: [String: any GPIOChip] = [:]
        func chip(_ name: String) throws(GPIOError) -> any GPIOChip {
            if let c = chips[name] { return c }
            let c = try hardware.gpioChip(named: name, device: config.board.gpioChips[name] ?? "")
            chips[name] = c
            return c
        }
        var results: [(SensorConfig, Outcome)] = []
        for sensor in sensors {
            let outcome: Outcome
            switch sensor.kind {
            case let .i2c(part):
                guard let bus = sensor.bus, let address = sensor.address else { continue }
                do throws(I2CError) {
                    let i2c: any I2CBus
                    if let b = buses[bus.name] {
                        i2c = b
                    } else {
                        i2c = try hardware.i2cBus(named: bus.name, device: bus.device)
                        buses[bus.name] = i2c
                    }
                    outcome = await measure(part.setup.driver(bus: i2c, address: address, clock: clock))
                } catch {
                    let hint = config.board.busEnable[bus.name].map { " (\(bus.name) exists once `\($0)` is in config.txt)" } ?? ""
                    outcome = .failed("\(error)\(hint)")
                }
            case let .digitalInput(o):
                do throws(GPIOError) {
                    let input = try chip(o.line.chip).requestInput(offset: o.line.offset, bias: o.bias, consumer: "sensegate-read")
                    defer { input.release() }
                    let active = try input.level() != o.activeLow
                    outcome = .readings([.good("state", active ? 1 : 0, .none)])
                } catch {
                    outcome = .failed(Self.describe(error))
                }
            case let .hcsr04(o):
                do throws(GPIOError) {
                    let trigger = try chip(o.trigger.chip).requestOutput(offset: o.trigger.offset, initial: false, consumer: "sensegate-read")
                    defer { trigger.release() }
                    let echo = try chip(o.echo.chip).requestInput(offset: o.echo.offset, bias: .asIs, consumer: "sensegate-read")
                    defer { echo.release() }
                    outcome = await measure(UltrasonicRanger(trigger: trigger, echo: echo, settings: o.settings, clock: clock))
                } catch {
                    outcome = .failed(Self.describe(error))
                }
            case .tippingBucket, .flowMeter:
                outcome = .notReadable("a pulse counter measures over time: sensegate watch shows its readings from the running daemon")
            case .traffic:
                outcome = .notReadable("a traffic station reports per period: sensegate watch shows the running daemon's")
            }
            results.append((sensor, outcome))
        }
        return results
    }

    private static func measure(_ driver: some PolledSensorDriver) async -> Outcome {
        var d = driver
        do throws(SensorFault) {
            try await d.initialize()
            return .readings(try await d.fetch())
        } catch {
            return .failed("\(error)")
        }
    }

    /// A line another program holds is most often the daemon itself.
    private static func describe(_ error: GPIOError) -> String {
        guard case .lineBusy = error else { return "\(error)" }
        return "\(error) (is sensegate running? stop it first: sudo systemctl stop sensegate)"
    }
}
