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

    /// /dev/null opens, but it is no adapter: the I2C_FUNCS ioctl fails (ENOTTY), and the bus is
    /// refused at once with one error (issue 17: `i2c-scan /dev/null` printed 117 lines, exit 0).
    @Test func aFileThatIsNotAnI2CAdapterIsRefused() {
        #expect(throws: I2CError.notAnAdapter(path: "/dev/null", errno: 25)) {
            _ = try LinuxI2CBus(name: "null", path: "/dev/null")
        }
        #expect(
            I2CError.notAnAdapter(path: "/dev/null", errno: 25).description
                == "/dev/null is not an I2C adapter (ENOTTY (inappropriate ioctl for device) for I2C_FUNCS); buses are /dev/i2c-N")
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
