import SenseCore
import SenseHardware
import SenseParts
import SenseSimulator
import Testing

@Suite struct SimulatedBusTests {
    @Test func absentAddressNacks() throws {
        let bus = SimulatedI2CBus(name: "i2c-1")
        #expect(throws: I2CError.nack(bus: "i2c-1", address: 0x40)) { try bus.read(0x40, count: 1) }
        #expect(try bus.probe(0x40) == false)
    }

    @Test func routesByAddressAndDetaches() throws {
        let clock = ManualClock()
        let bus = SimulatedI2CBus(name: "i2c-1")
        bus.attach(BME280Emulator(air: FixedAir(.init(temperature: 1, pressure: 90_000, humidity: 1)), clock: clock), at: 0x77)
        #expect(try bus.readRegister(0x77, 0xD0) == 0x60)
        #expect(try bus.probe(0x77))
        bus.detach(0x77)
        #expect(throws: I2CError.self) { try bus.readRegister(0x77, 0xD0) }
    }

    @Test func emulatorFaultsReachTheBusAsTypedErrors() {
        let clock = ManualClock()
        let bus = SimulatedI2CBus(name: "i2c-3")
        let e = BME280Emulator(air: FixedAir(.init(temperature: 1, pressure: 90_000, humidity: 1)), clock: clock)
        bus.attach(e, at: 0x76)
        e.inject(.busError)
        #expect(throws: I2CError.busError(bus: "i2c-3", address: 0x76)) { try bus.readRegister(0x76, 0xD0) }
        e.inject(.nack)
        #expect(throws: I2CError.nack(bus: "i2c-3", address: 0x76)) { try bus.readRegister(0x76, 0xD0) }
    }
}

@Suite struct BME280EmulatorTests {
    @Test func measuringBitFollowsTheClock() throws {
        let clock = ManualClock()
        let bus = SimulatedI2CBus(name: "i2c-1")
        bus.attach(BME280Emulator(air: FixedAir(.init(temperature: 20, pressure: 100_000, humidity: 40)), clock: clock), at: 0x76)
        try bus.writeRegister(0x76, 0xF2, 0x01)
        try bus.writeRegister(0x76, 0xF4, 0b001_001_01)  // ×1 ×1, forced
        #expect(try bus.readRegister(0x76, 0xF3) & 0x08 != 0)
        // Data registers still hold the reset value until the conversion ends.
        #expect(try bus.readRegisters(0x76, start: 0xF7, count: 8)[0] == 0x80)
        clock.advance(by: .milliseconds(8))
        #expect(try bus.readRegister(0x76, 0xF3) & 0x08 == 0)
        #expect(try bus.readRegisters(0x76, start: 0xF7, count: 8)[0] != 0x80)
        // Forced mode returned to sleep.
        #expect(try bus.readRegister(0x76, 0xF4) & 0x03 == 0)
    }

    @Test func ctrlHumTakesEffectOnlyAfterCtrlMeas() throws {
        let clock = ManualClock()
        let bus = SimulatedI2CBus(name: "i2c-1")
        let e = BME280Emulator(air: FixedAir(.init(temperature: 20, pressure: 100_000, humidity: 40)), clock: clock)
        bus.attach(e, at: 0x76)
        try bus.writeRegister(0x76, 0xF4, 0b001_001_01)  // humidity oversampling still 0: skipped
        clock.advance(by: .milliseconds(20))
        let skipped = try bus.readRegisters(0x76, start: 0xFD, count: 2)
        #expect(skipped == [0x80, 0x00])
    }

    @Test func softResetClearsControlRegisters() throws {
        let bus = SimulatedI2CBus(name: "i2c-1")
        let e = BME280Emulator(air: FixedAir(.init(temperature: 20, pressure: 100_000, humidity: 40)), clock: ManualClock())
        bus.attach(e, at: 0x76)
        try bus.writeRegister(0x76, 0xF5, 0x10)
        try bus.writeRegister(0x76, 0xE0, 0xB6)
        #expect(e.register(0xF5) == 0)
    }

    @Test func stuckBusyNeverClears() throws {
        let clock = ManualClock()
        let bus = SimulatedI2CBus(name: "i2c-1")
        let e = BME280Emulator(air: FixedAir(.init(temperature: 20, pressure: 100_000, humidity: 40)), clock: clock)
        bus.attach(e, at: 0x76)
        e.inject(.stuckBusy)
        try bus.writeRegister(0x76, 0xF4, 0b001_001_01)
        clock.advance(by: .seconds(10))
        #expect(try bus.readRegister(0x76, 0xF3) & 0x08 != 0)
    }
}

@Suite struct ClockTests {
    @Test func manualClockWakesSleepersInOrder() async throws {
        let clock = ManualClock()
        let start = clock.monotonicNow
        async let a: MonotonicInstant = {
            try await clock.sleep(for: .seconds(5))
            return clock.monotonicNow
        }()
        async let b: MonotonicInstant = {
            try await clock.sleep(for: .seconds(2))
            return clock.monotonicNow
        }()
        while clock.sleeperCount < 2 { await Task.yield() }
        clock.advance(by: .seconds(2))
        clock.advance(by: .seconds(3))
        let (ta, tb) = try await (a, b)
        #expect(tb - start >= .seconds(2))
        #expect(ta - start == .seconds(5))
    }

    @Test func manualClockSleepIsCancellable() async {
        let clock = ManualClock()
        let t = Task { try await clock.sleep(for: .seconds(60)) }
        while clock.sleeperCount < 1 { await Task.yield() }
        t.cancel()
        await #expect(throws: CancellationError.self) { try await t.value }
    }

    @Test func acceleratedClockRunsFaster() async throws {
        let real = SystemClock()
        let clock = AcceleratedClock(speed: 100)
        let r0 = real.monotonicNow
        let m0 = clock.monotonicNow, w0 = clock.wallNow
        try await clock.sleep(for: .seconds(5))  // about 50 ms of real time
        let dm = (clock.monotonicNow - m0).seconds
        let dr = (real.monotonicNow - r0).seconds
        let dw = Double(clock.wallNow.nanosecondsSinceEpoch - w0.nanosecondsSinceEpoch) / 1e9
        #expect(dm >= 5)  // slept at least its own 5 s
        #expect(dr >= 0.05)  // which is 50 ms of real time
        #expect(abs(dm - dr * 100) < 0.5)  // and its time is real time × 100, however loaded the machine
        #expect(abs(dw - dm) < 0.5)
    }
}

@Suite struct AtmosphereWorldTests {
    @Test func deterministicForASeed() {
        let t = WallTime(nanosecondsSinceEpoch: 1_795_406_839_000_000_000)
        #expect(AtmosphereWorld(seed: 3).conditions(at: t) == AtmosphereWorld(seed: 3).conditions(at: t))
        #expect(AtmosphereWorld(seed: 3).conditions(at: t) != AtmosphereWorld(seed: 4).conditions(at: t))
    }

    @Test func diurnalCyclePeaksInTheAfternoonAndStaysPhysical() {
        let w = AtmosphereWorld(seed: 11, site: .init(altitude: 500, utcOffsetHours: 0))
        let midnight: Int64 = 1_795_392_000_000_000_000  // 2026-11-23T00:00Z
        var samples: [(hour: Int, air: AirConditions)] = []
        for h in 0..<24 {
            samples.append((h, w.conditions(at: WallTime(nanosecondsSinceEpoch: midnight + Int64(h) * 3_600_000_000_000))))
        }
        let warmest = samples.max { $0.air.temperature < $1.air.temperature }!.hour
        let coldest = samples.min { $0.air.temperature < $1.air.temperature }!.hour
        #expect((12...18).contains(warmest))
        #expect(coldest <= 6 || coldest >= 22)
        for s in samples {
            #expect((0...100).contains(s.air.humidity))
            // 500 m above sea level: about 95 kPa, give or take the weather.
            #expect((90_000...98_000).contains(s.air.pressure))
        }
        // Humidity is highest when it is coldest (the dew point moves slowly).
        let humid = samples.max { $0.air.humidity < $1.air.humidity }!.hour
        #expect(abs(humid - coldest) <= 3 || abs(humid - coldest) >= 21)
    }
}

@Suite struct SimulatedGPIOTests {
    @Test func inputEdgesCarryTimestampsAndSequence() async throws {
        let clock = ManualClock()
        let chip = SimulatedGPIOChip(name: "gpiochip0", clock: clock)
        let input = try chip.requestInput(offset: 17, bias: .pullDown, consumer: "test")
        chip.drive(17, high: true)
        clock.advance(by: .milliseconds(3))
        chip.drive(17, high: false)
        chip.drive(17, high: false)  // no change, no edge
        input.release()
        var events: [EdgeEvent] = []
        for try await e in input.edges() { events.append(e) }
        #expect(events.map(\.edge) == [.rising, .falling])
        #expect(events.map(\.sequence) == [1, 2])
        #expect(events[1].timestamp - events[0].timestamp == .milliseconds(3))
    }

    @Test func lineCanBeRequestedOnceAndOutputsAreObservable() throws {
        let chip = SimulatedGPIOChip(name: "gpiochip0", clock: ManualClock())
        let out = try chip.requestOutput(offset: 4, initial: false, consumer: "test")
        #expect(throws: GPIOError.lineBusy(chip: "gpiochip0", offset: 4)) {
            _ = try chip.requestInput(offset: 4, bias: .asIs, consumer: "other")
        }
        try out.set(true)
        #expect(chip.level(4))
        #expect(chip.outputHistory(4).map(\.1) == [false, true])
        out.release()
        #expect(!chip.isRequested(4))
        #expect(throws: GPIOError.released(chip: "gpiochip0", offset: 4)) { try out.set(false) }
        #expect(throws: GPIOError.noSuchLine(chip: "gpiochip0", offset: 99, lineCount: 54)) {
            _ = try chip.requestOutput(offset: 99, initial: false, consumer: "test")
        }
    }
}
