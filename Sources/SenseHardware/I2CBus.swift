/// One I2C bus. Implementations serialise transactions, so drivers on the same bus may share it.
/// Addresses are 7-bit.
package protocol I2CBus: Sendable {
    /// The operator's name of the bus, e.g. `i2c-1`.
    var name: String { get }

    /// A plain write: START, address+W, bytes, STOP.
    func write(_ address: UInt8, _ bytes: [UInt8]) throws(I2CError)
    /// A plain read: START, address+R, `count` bytes, STOP.
    func read(_ address: UInt8, count: Int) throws(I2CError) -> [UInt8]
    /// One combined transaction: write, repeated START, read — nothing can come between.
    func writeRead(_ address: UInt8, _ bytes: [UInt8], readCount: Int) throws(I2CError) -> [UInt8]

    // SMBus-style helpers for register-map devices. The defaults build on the transfers above;
    // the Linux backend uses the SMBus ioctls so that SMBus-only adapters work too.

    /// Reads `count` consecutive registers starting at `start` (auto-increment burst read).
    func readRegisters(_ address: UInt8, start: UInt8, count: Int) throws(I2CError) -> [UInt8]
    /// Writes one byte to one register.
    func writeRegister(_ address: UInt8, _ register: UInt8, _ value: UInt8) throws(I2CError)
    /// Whether a device acknowledges `address` (as `i2cdetect` does).
    func probe(_ address: UInt8) throws(I2CError) -> Bool
}

extension I2CBus {
    package func readRegisters(_ address: UInt8, start: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        try writeRead(address, [start], readCount: count)
    }

    package func writeRegister(_ address: UInt8, _ register: UInt8, _ value: UInt8) throws(I2CError) {
        try write(address, [register, value])
    }

    package func probe(_ address: UInt8) throws(I2CError) -> Bool {
        do {
            _ = try read(address, count: 1)
            return true
        } catch .nack {
            return false
        }
    }

    /// One register.
    package func readRegister(_ address: UInt8, _ register: UInt8) throws(I2CError) -> UInt8 {
        try readRegisters(address, start: register, count: 1)[0]
    }
}
