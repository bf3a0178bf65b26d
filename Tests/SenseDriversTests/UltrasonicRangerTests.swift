import SenseCore
import SenseDrivers
import SenseHardware
import SenseModels
import SenseSimulator
import Testing

/// The HC-SR04 driver against the emulated module on a simulated GPIO chip, in real time: echo
/// widths come from the edges' kernel-style timestamps, so the distance is exact however late
/// the driver's task wakes.
@Suite struct UltrasonicRangerTests {
    final class World: Sendable {
        let target = Locked<(distance: Double, airTemperature: Double)>((1.0, 20))
    }

    func rig(settings: UltrasonicRanger.Settings = .init()) throws -> (UltrasonicRanger, UltrasonicRangerEmulator, World, SimulatedGPIOChip) {
        let clock = SystemClock()
        let chip = SimulatedGPIOChip(name: "gpiochip0", clock: clock)
        let world = World()
        let emulator = UltrasonicRangerEmulator(chip: chip, trigger: 23, echo: 24, clock: clock) { _ in world.target.withLock { $0 } }
        let trigger = try chip.requestOutput(offset: 23, initial: false, consumer: "test")
        let echo = try chip.requestInput(offset: 24, bias: .pullDown, consumer: "test")
        return (UltrasonicRanger(trigger: trigger, echo: echo, settings: settings, clock: clock), emulator, world, chip)
    }

    @Test func distanceWithinAMillimetreAcrossRangeAndTemperature() async throws {
        var (driver, emulator, world, _) = try rig()
        try await driver.initialize()
        for (d, t) in [(0.25, -10.0), (1.5, 20.0), (3.9, 35.0)] {
            world.target.withLock { $0 = (d, t) }
            let r = try await driver.fetch()
            let echo = try #require(r.first { $0.quantity == "echo_time" })
            #expect(echo.quality == .good)
            let distance = WaterLevel.echoDistance(echoTime: try #require(echo.value) * 1e-6, airCelsius: t)
            #expect(abs(distance - d) < 0.001, "\(d) m at \(t) °C measured \(distance)")
            #expect(r.first { $0.quantity == "valid_pings" }?.value == 5)
        }
        #expect(emulator.pings == 15)
    }

    @Test func anUncompensatedReadingWouldBeCentimetresOff() async throws {
        // Why the stage model takes a thermometer: at 35 °C a fixed 340 m/s reads 3.6 % short.
        var (driver, emulator, world, _) = try rig()
        world.target.withLock { $0 = (1.41004, 35) }
        try await driver.initialize()
        let r = try await driver.fetch()
        let echo = try #require(r.first?.value, "\(r)") * 1e-6
        #expect(abs(WaterLevel.echoDistance(echoTime: echo, airCelsius: 35) - 1.41004) < 0.001)
        #expect(abs(340 * echo / 2 - 1.36) < 0.001)
        #expect(emulator.pings == 5)  // the module is wired as long as the emulator lives
    }

    @Test func outOfRangeAndSilentModulesGiveNoValue() async throws {
        var (driver, emulator, world, _) = try rig(settings: .init(pings: 3, maximumDistance: 3.0))
        try await driver.initialize()
        world.target.withLock { $0 = (3.5, 20) }  // beyond the configured range
        var r = try await driver.fetch()
        #expect(r[0].quality == .bad && r[0].reason == .outOfRange && r[0].value == nil)
        world.target.withLock { $0 = (1.0, 20) }
        emulator.inject(.noEcho)
        r = try await driver.fetch()
        #expect(r[0].quality == .bad && r[0].reason == .outOfRange)
        emulator.inject(.silent)
        r = try await driver.fetch()
        #expect(r[0].quality == .bad && r[0].reason == .timeout)
        #expect(r[1].value == 0)
        emulator.inject(nil)
        r = try await driver.fetch()
        #expect(r[0].quality == .good)
    }

    @Test func releasedTriggerIsAnIOFault() async throws {
        let clock = SystemClock()
        let chip = SimulatedGPIOChip(name: "gpiochip0", clock: clock)
        let trigger = try chip.requestOutput(offset: 5, initial: false, consumer: "test")
        let echo = try chip.requestInput(offset: 6, bias: .pullDown, consumer: "test")
        var driver = UltrasonicRanger(trigger: trigger, echo: echo, settings: .init(), clock: clock)
        trigger.release()
        await #expect(throws: SensorFault.self) { try await driver.initialize() }
    }

    // The echo decision from timestamps alone.
    func e(_ edge: Edge, _ us: Int64, _ seq: UInt64) -> EdgeEvent {
        EdgeEvent(edge: edge, timestamp: MonotonicInstant(nanoseconds: us * 1000), sequence: seq)
    }

    @Test func echoPulseDecisions() {
        let t0 = MonotonicInstant(nanoseconds: 0)
        #expect(EchoPulse.measure([e(.rising, 460, 1), e(.falling, 5460, 2)], triggeredAt: t0) == .echo(seconds: 0.005))
        #expect(EchoPulse.measure([], triggeredAt: t0) == .noResponse)
        #expect(EchoPulse.measure([e(.rising, 460, 1)], triggeredAt: t0) == .unfinished)
        #expect(EchoPulse.measure([e(.rising, 460, 1), e(.falling, 38460, 2)], triggeredAt: t0) == .noEcho)
        #expect(EchoPulse.measure([e(.rising, 460, 1), e(.falling, 5460, 4)], triggeredAt: t0) == .lostEdges)
        // An edge from before the trigger (the previous ping's tail) is not this ping's.
        #expect(EchoPulse.measure([e(.falling, -10, 1), e(.rising, 460, 2), e(.falling, 1460, 3)], triggeredAt: t0) == .echo(seconds: 0.001))
    }
}
