import SenseHardware
import SenseHardwareLinux
import Testing

/// Without hardware, the Linux backends must fail with typed errors naming the path and errno.
/// (Against the kernel's own i2c-stub and gpio-sim, they are exercised in a VM: docs/testing.md.)
@Suite struct LinuxBackendTests {
    @Test func missingI2CBusNamesPathAndErrno() {
        #expect(throws: I2CError.openFailed(path: "/dev/i2c-97", errno: 2)) {
            _ = try LinuxI2CBus(name: "i2c-97", path: "/dev/i2c-97")
        }
        let e = I2CError.openFailed(path: "/dev/i2c-97", errno: 2)
        #expect(e.description == "cannot open /dev/i2c-97: ENOENT (no such file or directory)")
    }

    @Test func aFileThatIsNotAnI2CAdapterRefusesTransfers() throws {
        // /dev/null opens, but it is no adapter: the I2C_FUNCS ioctl fails, so plain transfers are
        // refused up front and SMBus calls fail with the kernel's errno (ENOTTY).
        let bus = try LinuxI2CBus(name: "null", path: "/dev/null")
        #expect(throws: I2CError.unsupported(bus: "null", operation: "combined I2C transfer (I2C_RDWR)")) {
            _ = try bus.writeRead(0x76, [0xD0], readCount: 1)
        }
        #expect(throws: I2CError.io(bus: "null", address: 0x76, errno: 25)) {
            _ = try bus.readRegisters(0x76, start: 0xD0, count: 1)
        }
    }

    @Test func missingGPIOChipNamesPathAndErrno() {
        #expect(throws: GPIOError.openFailed(path: "/dev/gpiochip97", errno: 2)) {
            _ = try LinuxGPIOChip(name: "gpiochip97", path: "/dev/gpiochip97")
        }
    }

    @Test func notAGPIOChip() {
        do {
            _ = try LinuxGPIOChip(name: "null", path: "/dev/null")
            Issue.record("/dev/null accepted as a GPIO chip")
        } catch {
            guard case let .openFailed(path, errno) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(path == "/dev/null")
            #expect(errno != 0)
        }
    }

    @Test func builtAgainstLibgpiodV1OnDebian12() {
        #expect(LinuxGPIOChip.apiVersion == 1)
    }

    @Test func hardwareFactoryOpensByDevicePath() {
        #expect(throws: I2CError.openFailed(path: "/dev/i2c-98", errno: 2)) {
            _ = try LinuxHardware().i2cBus(named: "i2c-1", device: "/dev/i2c-98")
        }
    }
}
