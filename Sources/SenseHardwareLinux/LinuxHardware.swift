import SenseHardware

/// Opens real device files: `/dev/i2c-N` and `/dev/gpiochipN`.
package struct LinuxHardware: Hardware {
    package init() {}

    package func i2cBus(named name: String, device: String) throws(I2CError) -> any I2CBus {
        try LinuxI2CBus(name: name, path: device)
    }

    package func gpioChip(named name: String, device: String) throws(GPIOError) -> any GPIOChip {
        try LinuxGPIOChip(name: name, path: device)
    }
}
