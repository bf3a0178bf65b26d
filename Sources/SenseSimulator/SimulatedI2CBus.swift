import SenseCore
import SenseHardware

/// How an emulated device fails a transfer, as real silicon would.
package enum I2CDeviceFault: Error, Sendable, Hashable {
    case nack
    case busError
    case timeout
}

/// A chip emulator on a simulated bus: it sees the bytes of each message as the chip would.
package protocol I2CDeviceEmulator: AnyObject, Sendable {
    /// A write message (register pointer first for register-map chips).
    func receive(_ bytes: [UInt8]) throws(I2CDeviceFault)
    /// A read message of `count` bytes.
    func transmit(count: Int) throws(I2CDeviceFault) -> [UInt8]
}

/// A simulated bus that routes by address; an address with no device NACKs, like hardware.
package final class SimulatedI2CBus: I2CBus {
    package struct Transaction: Sendable, Hashable {
        package enum Kind: Sendable, Hashable { case write, read, writeRead }
        package var kind: Kind
        package var address: UInt8
        package var written: [UInt8]
        package var readCount: Int
    }

    package let name: String
    private let state = Locked<(devices: [UInt8: any I2CDeviceEmulator], log: [Transaction])>(([:], []))
    /// How many recent transactions `transactions` keeps: none unless a test asks, as a daemon
    /// on the simulated board would otherwise carry a log per bus (20 KiB each at 256).
    private let logLimit: Int

    package init(name: String, transactionLog: Int = 0) {
        self.name = name
        logLimit = max(0, transactionLog)
    }

    package func attach(_ device: any I2CDeviceEmulator, at address: UInt8) {
        precondition(address >= 0x03 && address <= 0x77, "7-bit address out of range")
        state.withLock { $0.devices[address] = device }
    }

    package func detach(_ address: UInt8) {
        state.withLock { _ = $0.devices.removeValue(forKey: address) }
    }

    /// The most recent transactions (at most `transactionLog`), oldest first, for tests that
    /// count bus traffic.
    package var transactions: [Transaction] { state.withLock { Array($0.log.suffix(logLimit)) } }

    package func write(_ address: UInt8, _ bytes: [UInt8]) throws(I2CError) {
        _ = try run(.write, address, bytes, 0)
    }

    package func read(_ address: UInt8, count: Int) throws(I2CError) -> [UInt8] {
        try run(.read, address, [], count)
    }

    package func writeRead(_ address: UInt8, _ bytes: [UInt8], readCount: Int) throws(I2CError) -> [UInt8] {
        try run(.writeRead, address, bytes, readCount)
    }

    private func run(
        _ kind: Transaction.Kind, _ address: UInt8, _ bytes: [UInt8],
        _ count: Int
    ) throws(I2CError) -> [UInt8] {
        try state.withLock { s throws(I2CError) -> [UInt8] in
            if logLimit > 0 {
                s.log.append(Transaction(kind: kind, address: address, written: bytes, readCount: count))
                // Trimmed in halves, so a transaction costs O(1) on average.
                if s.log.count >= 2 * logLimit { s.log.removeFirst(s.log.count - logLimit) }
            }
            guard let device = s.devices[address] else { throw .nack(bus: name, address: address) }
            do throws(I2CDeviceFault) {
                if kind != .read { try device.receive(bytes) }
                return kind == .write ? [] : try device.transmit(count: count)
            } catch {
                switch error {
                case .nack: throw .nack(bus: name, address: address)
                case .busError: throw .busError(bus: name, address: address)
                case .timeout: throw .timeout(bus: name, address: address)
                }
            }
        }
    }
}
