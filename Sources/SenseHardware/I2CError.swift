import SenseCore

/// What can go wrong on an I2C bus, always naming the bus and, where there is one, the address.
package enum I2CError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No acknowledge: the address is absent, unpowered or miswired.
    case nack(bus: String, address: UInt8)
    /// The transfer did not complete in time (clock stretching beyond the adapter's limit).
    case timeout(bus: String, address: UInt8)
    /// Arbitration lost or the bus is stuck.
    case busError(bus: String, address: UInt8)
    /// Any other error the kernel returned for a transfer.
    case io(bus: String, address: UInt8, errno: Int32)
    /// The bus device could not be opened.
    case openFailed(path: String, errno: Int32)
    /// The file opened, but it is not an I2C adapter (the adapter's functionality query failed).
    case notAnAdapter(path: String, errno: Int32)
    /// The adapter cannot do this kind of transfer (e.g. plain I2C on an SMBus-only adapter).
    case unsupported(bus: String, operation: String)

    package var description: String {
        switch self {
        case let .nack(bus, address): "\(bus) \(hex(address)): no acknowledge (device absent or miswired)"
        case let .timeout(bus, address): "\(bus) \(hex(address)): transfer timed out"
        case let .busError(bus, address): "\(bus) \(hex(address)): bus error (arbitration lost or bus stuck)"
        case let .io(bus, address, errno): "\(bus) \(hex(address)): \(Errno.describe(errno))"
        case let .openFailed(path, errno): "cannot open \(path): \(Errno.describe(errno))"
        case let .notAnAdapter(path, errno): "\(path) is not an I2C adapter (\(Errno.describe(errno)) for I2C_FUNCS); buses are /dev/i2c-N"
        case let .unsupported(bus, operation): "\(bus): adapter does not support \(operation)"
        }
    }

    /// The quality reason a sample gets when its transfer fails this way.
    package var qualityReason: QualityReason {
        switch self {
        case .nack: .nack
        case .timeout: .timeout
        case .busError: .busError
        case .io, .openFailed, .notAnAdapter, .unsupported: .io
        }
    }

    package var fault: SensorFault { SensorFault(qualityReason, description) }
}

/// `0x76`
package func hex(_ address: UInt8) -> String {
    let digits = String(address, radix: 16)
    return "0x" + (digits.count < 2 ? "0" + digits : digits)
}
