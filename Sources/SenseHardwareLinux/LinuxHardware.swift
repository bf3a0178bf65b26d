import SenseHardware

/// Opens real device files: `/dev/i2c-N` and `/dev/gpiochipN`.
public struct LinuxHardware: Hardware {
    public init() {}

    public func i2cBus(named name: String, device: String) throws(I2CError) -> any I2CBus {
        try LinuxI2CBus(name: name, path: device)
    }

    public func gpioChip(named name: String, device: String) throws(GPIOError) -> any GPIOChip {
        try LinuxGPIOChip(name: name, path: device)
    }
}
