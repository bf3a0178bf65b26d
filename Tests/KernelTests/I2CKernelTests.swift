import CLinuxShim
import SenseCore
import SenseDrivers
import SenseHardware
import SenseHardwareLinux
import SenseParts
import SenseSimulator

/// The i2c-dev backend against the kernel's i2c-stub (SMBus) and sensegate's sg_i2c_sim (plain
/// I2C messages through I2C_RDWR).
enum I2CKernelTests {
    static let all: [KernelTest] = [
        KernelTest(name: "i2c: SMBus byte, word and I2C-block transfers on i2c-stub", body: smbus),
        KernelTest(name: "i2c: LinuxI2CBus register reads and writes beyond one SMBus block", body: registers),
        KernelTest(name: "i2c: BME280 driver through the real /dev/i2c on i2c-stub", body: bme280),
        KernelTest(name: "i2c: an absent address is a typed NACK", body: nack),
        KernelTest(name: "i2c: plain transfers on an SMBus-only adapter are refused as unsupported", body: unsupported),
        KernelTest(name: "i2c: plain write, read and combined I2C_RDWR on sg_i2c_sim", body: plain),
        KernelTest(name: "i2c: SHT4x driver (command, wait, read with CRC) through I2C_RDWR", body: sht4x),
        KernelTest(name: "i2c: a missing bus names its device and errno", body: missingBus),
    ]

    static func smbus(_ t: Checks) async throws {
        let path = try Guest.stubBus
        let fd = sg_i2c_open(path)
        _ = try t.require(fd >= 0 ? fd : nil, "open \(path): errno \(-fd)")
        defer { sg_close(fd) }
        t.expect(sg_i2c_set_address(fd, 0x76) == 0, "I2C_SLAVE 0x76")
        t.expect(sg_smbus_write_byte_data(fd, 0x10, 0xAB) == 0, "write byte data")
        t.expect(sg_smbus_read_byte_data(fd, 0x10) == 0xAB, "read byte data back")
        t.expect(sg_smbus_write_word_data(fd, 0x20, 0xBEEF) == 0, "write word data")
        t.expect(sg_smbus_read_word_data(fd, 0x20) == 0xBEEF, "read word data back: \(sg_smbus_read_word_data(fd, 0x20))")
        let block: [UInt8] = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]
        t.expect(sg_smbus_write_block(fd, 0x40, UInt8(block.count), block) == 0, "write I2C block")
        var back = [UInt8](repeating: 0, count: block.count)
        let n = sg_smbus_read_block(fd, 0x40, UInt8(block.count), &back)
        t.expect(n == Int32(block.count) && back == block, "I2C block read back: \(n) \(back)")
        var funcs: UInt = 0
        t.expect(
            sg_i2c_functionality(fd, &funcs) == 0 && sg_i2c_supports_rdwr(funcs) == 0,
            "i2c-stub reports SMBus only (funcs 0x\(String(funcs, radix: 16)))")
    }

    static func registers(_ t: Checks) async throws {
        let bus = try LinuxI2CBus(name: "i2c-stub", path: try Guest.stubBus)
        let image = (0..<80).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        for (i, v) in image.enumerated() { try bus.writeRegister(0x77, UInt8(0x80 + i), v) }
        let back = try bus.readRegisters(0x77, start: 0x80, count: image.count)  // 3 SMBus blocks of ≤ 32
        t.expect(back == image, "80 registers read back as written")
        t.expect(try bus.readRegister(0x77, 0x80 + 79) == image[79], "single register")
        t.expect(try bus.probe(0x77), "0x77 answers a probe")
    }

    /// Registers of an emulated BME280 (the project's register-level emulator, fed a known
    /// atmosphere) loaded into i2c-stub: the driver must get that atmosphere back through the
    /// kernel's i2c-dev and SMBus code.
    static func loadBME280(_ bus: any I2CBus, address: UInt8, air: AirConditions) throws {
        let clock = ManualClock()
        let chip = BME280Emulator(air: FixedAir(air), clock: clock)
        try chip.receive([0xF2, 0x01])
        try chip.receive([0xF4, 0x25])  // T×1, P×1, forced
        clock.advance(by: .milliseconds(50))
        try chip.receive([0xF7])
        _ = try chip.transmit(count: 8)  // the conversion is latched into the data registers
        for reg in Array(0x88...0xA1) + Array(0xE1...0xE7) + Array(0xF7...0xFE) + [0xD0] {
            try bus.writeRegister(address, UInt8(reg), chip.register(UInt8(reg)))
        }
        try bus.writeRegister(address, 0xF3, 0x00)  // status: not measuring, NVM copied
    }

    static func bme280(_ t: Checks) async throws {
        let bus = try LinuxI2CBus(name: "i2c-stub", path: try Guest.stubBus)
        let air = AirConditions(temperature: 21.37, pressure: 98_765, humidity: 55.5)
        try loadBME280(bus, address: 0x76, air: air)
        var driver = BME280(bus: bus, address: 0x76, clock: SystemClock())
        try await driver.initialize()
        let readings = try await driver.fetch()
        func value(_ q: String) -> Double? { readings.first { $0.quantity == q && $0.quality == .good }?.value }
        let temperature = try t.require(value("temperature"), "temperature: \(readings)")
        let pressure = try t.require(value("pressure"), "pressure: \(readings)")
        let humidity = try t.require(value("humidity"), "humidity: \(readings)")
        t.expect(abs(temperature - air.temperature) < 0.02, "temperature \(temperature) for \(air.temperature)")
        t.expect(abs(pressure - air.pressure) < 3, "pressure \(pressure) for \(air.pressure)")
        t.expect(abs(humidity - air.humidity) < 0.1, "humidity \(humidity) for \(air.humidity)")
        // What the driver wrote reached the stub's registers: soft reset, ctrl_meas in forced mode.
        t.expect(try bus.readRegister(0x76, 0xE0) == 0xB6, "soft reset command written")
        t.expect(try bus.readRegister(0x76, 0xF4) & 0x03 == 0x01, "ctrl_meas in forced mode")
    }

    static func nack(_ t: Checks) async throws {
        let path = try Guest.stubBus
        let bus = try LinuxI2CBus(name: "i2c-7", path: path)
        do {
            _ = try bus.readRegisters(0x40, start: 0, count: 4)
            t.record("a read from 0x40 succeeded")
        } catch {
            t.expect(error == .nack(bus: "i2c-7", address: 0x40), "typed NACK, got \(error)")
        }
        t.expect(try !bus.probe(0x40), "0x40 does not answer a probe")
        let sim = try LinuxI2CBus(name: "sim", path: try Guest.simBus)
        do {
            try sim.write(0x45, [0x00])
            t.record("a plain write to 0x45 succeeded")
        } catch {
            t.expect(error == .nack(bus: "sim", address: 0x45), "typed NACK on a plain write, got \(error)")
        }
    }

    static func unsupported(_ t: Checks) async throws {
        let bus = try LinuxI2CBus(name: "i2c-stub", path: try Guest.stubBus)
        do {
            _ = try bus.writeRead(0x76, [0xD0], readCount: 1)
            t.record("a plain transfer on i2c-stub succeeded")
        } catch {
            guard case .unsupported(bus: "i2c-stub", _) = error else {
                t.record("expected unsupported, got \(error)")
                return
            }
        }
    }

    static func plain(_ t: Checks) async throws {
        let bus = try LinuxI2CBus(name: "sim", path: try Guest.simBus)
        try bus.write(0x44, [0x10, 0xDE, 0xAD, 0xBE, 0xEF])
        t.expect(try bus.writeRead(0x44, [0x10], readCount: 4) == [0xDE, 0xAD, 0xBE, 0xEF], "combined write-read (repeated start)")
        try bus.write(0x44, [0x11])
        t.expect(try bus.read(0x44, count: 2) == [0xAD, 0xBE], "plain read continues from the pointer")
        t.expect(try bus.readRegisters(0x44, start: 0x12, count: 2) == [0xBE, 0xEF], "SMBus on the same adapter")
        // 64 bytes in one message: longer than any SMBus block.
        let long = (0..<64).map { UInt8($0 ^ 0x5A) }
        try bus.write(0x62, [0x00] + long)
        t.expect(try bus.writeRead(0x62, [0x00], readCount: 64) == long, "a 64-byte read in one message")
    }

    static func sht4x(_ t: Checks) async throws {
        let bus = try LinuxI2CBus(name: "sim", path: try Guest.simBus)
        let air = AirConditions(temperature: -7.25, pressure: 101_325, humidity: 83.5)
        let clock = ManualClock()
        let chip = SensirionEmulator(SHT4xModel(serial: 0x1234_5678), air: FixedAir(air), clock: clock)
        // Each reply at the register its one-byte command points at: the serial at 0x89, the
        // high-precision measurement at 0xFD (wrapping past 0xFF).
        for command: UInt8 in [0x89, 0xFD] {
            try chip.receive([command])
            clock.advance(by: .milliseconds(20))
            let reply = try chip.transmit(count: 6)
            for (i, b) in reply.enumerated() { try bus.writeRegister(0x44, command &+ UInt8(i), b) }
        }
        var driver = SHT4x(bus: bus, address: 0x44, clock: SystemClock())
        try await driver.initialize()
        t.expect(driver.serialNumber == 0x1234_5678, "serial through I2C_RDWR: \(String(describing: driver.serialNumber))")
        let readings = try await driver.fetch()
        let temperature = try t.require(readings.first { $0.quantity == "temperature" }?.value, "temperature: \(readings)")
        let humidity = try t.require(readings.first { $0.quantity == "humidity" }?.value, "humidity: \(readings)")
        t.expect(abs(temperature - air.temperature) < 0.01, "temperature \(temperature) for \(air.temperature)")
        t.expect(abs(humidity - air.humidity) < 0.01, "humidity \(humidity) for \(air.humidity)")
        // A corrupted CRC byte in the chip is caught by the driver, not passed on as a value.
        try bus.writeRegister(0x44, 0xFF, try bus.readRegister(0x44, 0xFF) ^ 0x01)
        do {
            let bad = try await driver.fetch()
            t.record("a reply with a bad CRC was accepted: \(bad)")
        } catch {
            t.expect(error.reason == .crc, "CRC fault, got \(error)")
        }
    }

    static func missingBus(_ t: Checks) async throws {
        do {
            _ = try LinuxI2CBus(name: "i2c-9", path: "/dev/i2c-9")
            t.record("/dev/i2c-9 opened")
        } catch {
            t.expect(error == .openFailed(path: "/dev/i2c-9", errno: 2), "\(error)")
            t.expect(error.description.contains("/dev/i2c-9"), error.description)
        }
    }
}
