import CLinuxShim
import SenseCore
import SenseHardware

/// `/dev/i2c-N`: plain and combined transfers through the `I2C_RDWR` ioctl, register access
/// through libi2c's SMBus calls (which also work on SMBus-only adapters).
package final class LinuxI2CBus: I2CBus {
    package let name: String
    package let path: String
    /// The file descriptor and the address it is currently bound to with `I2C_SLAVE`.
    private let state: Locked<(fd: Int32, boundAddress: UInt8?)>
    private let plainTransfers: Bool

    package init(name: String, path: String) throws(I2CError) {
        let fd = sg_i2c_open(path)
        guard fd >= 0 else { throw .openFailed(path: path, errno: -fd) }
        var funcs: UInt = 0
        // Every i2c-dev adapter answers I2C_FUNCS; anything else (a tty, /dev/null) is no bus.
        let rc = sg_i2c_functionality(fd, &funcs)
        guard rc == 0 else {
            sg_close(fd)
            throw .notAnAdapter(path: path, errno: -rc)
        }
        plainTransfers = sg_i2c_supports_rdwr(funcs) != 0
        self.name = name
        self.path = path
        state = Locked((fd, nil))
    }

    deinit {
        state.withLock { sg_close($0.fd) }
    }

    package func write(_ address: UInt8, _ bytes: [UInt8]) throws(I2CError) {
        _ = try transfer(address, bytes, readCount: 0, operation: "plain I2C write")
    }

    package func read(_ address: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        try transfer(address, [], readCount: count, operation: "plain I2C read")
    }

    package func writeRead(_ address: UInt8, _ bytes: [UInt8], readCount: Int) throws(I2CError) -> [UInt8] {
        try transfer(address, bytes, readCount: readCount, operation: "combined I2C transfer (I2C_RDWR)")
    }

    package func readRegisters(_ address: UInt8, start: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        precondition(count > 0 && Int(start) + count <= 256, "register range beyond 0xFF")
        return try smbus(address) { fd throws(I2CError) in
            var out: [UInt8] = []
            out.reserveCapacity(count)
            var next = Int(start)
            let end = Int(start) + count
            while next < end {
                let chunk = min(Int(sg_smbus_block_max()), end - next)
                var buf = [UInt8](repeating: 0, count: chunk)
                let rc = sg_smbus_read_block(fd, UInt8(next), UInt8(chunk), &buf)
                guard rc >= 0 else { throw map(-rc, address) }
                guard Int(rc) == chunk else { throw .io(bus: name, address: address, errno: 5) }
                out += buf
                next += chunk
            }
            return out
        }
    }

    package func writeRegister(_ address: UInt8, _ register: UInt8, _ value: UInt8) throws(I2CError) {
        try smbus(address) { fd throws(I2CError) in
            let rc = sg_smbus_write_byte_data(fd, register, value)
            guard rc >= 0 else { throw map(-rc, address) }
        }
    }

    /// Like `i2cdetect`: a quick write, except in the EEPROM ranges where a read is safer.
    package func probe(_ address: UInt8) throws(I2CError) -> Bool {
        do {
            return try smbus(address) { fd throws(I2CError) in
                let eeprom = (0x30...0x37).contains(address) || (0x50...0x5F).contains(address)
                let rc = eeprom ? sg_smbus_read_byte(fd) : sg_smbus_quick_write(fd)
                guard rc >= 0 else { throw map(-rc, address) }
                return true
            }
        } catch .nack {
            return false
        }
    }

    private func transfer(
        _ address: UInt8, _ bytes: [UInt8], readCount: Int,
        operation: String
    ) throws(I2CError) -> [UInt8] {
        precondition(bytes.count <= 0xFFFF && readCount <= 0xFFFF, "I2C message longer than 65535 bytes")
        guard plainTransfers else { throw .unsupported(bus: name, operation: operation) }
        return try state.withLock { s throws(I2CError) -> [UInt8] in
            var out = [UInt8](repeating: 0, count: readCount)
            let rc = sg_i2c_rdwr(s.fd, UInt16(address), bytes, UInt16(bytes.count), &out, UInt16(readCount))
            guard rc == 0 else { throw map(-rc, address) }
            return out
        }
    }

    /// Runs an SMBus call with the descriptor bound to `address`.
    private func smbus<T>(_ address: UInt8, _ body: (Int32) throws(I2CError) -> T) throws(I2CError) -> T {
        try state.withLock { s throws(I2CError) -> T in
            if s.boundAddress != address {
                let rc = sg_i2c_set_address(s.fd, UInt16(address))
                // EBUSY: a kernel driver owns this address (e.g. the bmp280 IIO driver).
                guard rc == 0 else { throw .io(bus: name, address: address, errno: -rc) }
                s.boundAddress = address
            }
            return try body(s.fd)
        }
    }

    private func map(_ errno: Int32, _ address: UInt8) -> I2CError {
        switch errno {
        // No acknowledge: ENXIO and EREMOTEIO from most adapters (EREMOTEIO on a Pi's
        // i2c-bcm2835), ENODEV from i2c-stub and some USB adapters (the kernel-VM tests).
        case 6, 19, 121: .nack(bus: name, address: address)  // ENXIO, ENODEV, EREMOTEIO
        case 110: .timeout(bus: name, address: address)  // ETIMEDOUT
        case 11: .busError(bus: name, address: address)  // EAGAIN: arbitration lost
        case 95: .unsupported(bus: name, operation: "this transfer (EOPNOTSUPP)")
        default: .io(bus: name, address: address, errno: errno)
        }
    }
}
