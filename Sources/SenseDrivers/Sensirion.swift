import SenseCore
import SenseHardware

/// Sensirion's I2C framing, shared by the SHT4x, SCD4x, SCD30, SPS30 and SEN5x: a command code
/// (one byte on the SHT4x, two on the others), optional 16-bit argument words, and replies made of
/// 16-bit words, each word followed by its CRC-8 (physics reference §A5.0).
package enum Sensirion {
    /// CRC-8, polynomial 0x31, initial value 0xFF, no reflection, no final XOR. CRC(0xBEEF) = 0x92.
    package static func crc8<C: Collection>(_ bytes: C) -> UInt8 where C.Element == UInt8 {
        var crc: UInt8 = 0xFF
        for byte in bytes {
            crc ^= byte
            for _ in 0..<8 {
                crc = crc & 0x80 != 0 ? (crc << 1) ^ 0x31 : crc << 1
            }
        }
        return crc
    }

    /// A word as it travels: MSB, LSB, CRC.
    package static func frame(_ word: UInt16) -> [UInt8] {
        let bytes = [UInt8(word >> 8), UInt8(word & 0xFF)]
        return bytes + [crc8(bytes)]
    }

    /// A 16-bit command code followed by its argument words, each with its CRC.
    package static func command(_ code: UInt16, arguments: [UInt16] = []) -> [UInt8] {
        var out = [UInt8(code >> 8), UInt8(code & 0xFF)]
        for a in arguments { out += frame(a) }
        return out
    }

    /// A reply word whose CRC did not match: the reply is rejected as a whole.
    package struct CRCMismatch: Error, Sendable, Hashable {
        /// Index of the first bad word in the reply.
        package var word: Int
        package var received: UInt8
        package var computed: UInt8

        package init(word: Int, received: UInt8, computed: UInt8) {
            self.word = word
            self.received = received
            self.computed = computed
        }
    }

    /// Splits a reply into words, checking every CRC.
    package static func words(_ bytes: [UInt8]) throws(CRCMismatch) -> [UInt16] {
        precondition(bytes.count % 3 == 0, "a Sensirion reply is a whole number of 3-byte words")
        var out: [UInt16] = []
        out.reserveCapacity(bytes.count / 3)
        var i = 0
        while i < bytes.count {
            let computed = crc8(bytes[i..<i + 2])
            guard computed == bytes[i + 2] else {
                throw CRCMismatch(word: i / 3, received: bytes[i + 2], computed: computed)
            }
            out.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
            i += 3
        }
        return out
    }

    /// A big-endian IEEE-754 single carried as two words (SCD30, SPS30 in float mode).
    package static func float(_ high: UInt16, _ low: UInt16) -> Float {
        Float(bitPattern: UInt32(high) << 16 | UInt32(low))
    }

    /// The two words of a big-endian IEEE-754 single.
    package static func words(of value: Float) -> (UInt16, UInt16) {
        let bits = value.bitPattern
        return (UInt16(bits >> 16), UInt16(bits & 0xFFFF))
    }

    /// ASCII text packed two characters a word, ended by a NUL (product names, serial numbers).
    package static func text(_ words: [UInt16]) -> String {
        var bytes: [UInt8] = []
        for w in words {
            for b in [UInt8(w >> 8), UInt8(w & 0xFF)] {
                if b == 0 { return String(decoding: bytes, as: UTF8.self) }
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The conversion shared by the SHT3x/SHT4x/SCD4x temperature word: −45 + 175·S/(2¹⁶ − 1) °C.
    package static func temperature(_ s: UInt16) -> Double { -45 + 175 * Double(s) / 65535 }
}

/// One Sensirion device on a bus: writes a command, waits the datasheet's execution time on the
/// injected clock, then reads in a separate transaction (never a repeated START, which the SCD30
/// forbids), and maps bus errors and CRC mismatches to sensor faults naming the command.
package struct SensirionLink: Sendable {
    let bus: any I2CBus
    let address: UInt8
    package let clock: any SenseClock

    package init(bus: any I2CBus, address: UInt8, clock: any SenseClock) {
        self.bus = bus
        self.address = address
        self.clock = clock
    }

    package var place: String { "\(bus.name) \(hex(address))" }

    /// Sends a command (and its arguments), then waits `executionTime`.
    package func send(_ bytes: [UInt8], executionTime: Duration) async throws(SensorFault) {
        try command(bytes)
        try await pause(executionTime)
    }

    /// Sends a command (and its arguments) without waiting: the caller waits its execution time.
    package func command(_ bytes: [UInt8]) throws(SensorFault) {
        try transfer { () throws(I2CError) in try bus.write(address, bytes) }
    }

    package func send(_ code: UInt16, arguments: [UInt16] = [], executionTime: Duration) async throws(SensorFault) {
        try await send(Sensirion.command(code, arguments: arguments), executionTime: executionTime)
    }

    /// Sends a command, waits, reads `words` CRC-checked words.
    package func read(_ bytes: [UInt8], name: String, executionTime: Duration, words: Int) async throws(SensorFault) -> [UInt16] {
        try await send(bytes, executionTime: executionTime)
        return try reply(name: name, words: words)
    }

    /// Reads `words` CRC-checked words of the reply to the last command.
    package func reply(name: String, words: Int) throws(SensorFault) -> [UInt16] {
        let reply = try transfer { () throws(I2CError) in try bus.read(address, count: words * 3) }
        do throws(Sensirion.CRCMismatch) {
            return try Sensirion.words(reply)
        } catch {
            throw SensorFault(
                .crc,
                "\(place): CRC mismatch in word \(error.word) of the \(name) reply (received "
                    + "\(hex(error.received)), computed \(hex(error.computed)))")
        }
    }

    package func read(_ code: UInt16, executionTime: Duration, words: Int) async throws(SensorFault) -> [UInt16] {
        try await read(
            Sensirion.command(code), name: "0x" + String(code, radix: 16, uppercase: true),
            executionTime: executionTime, words: words)
    }

    package func transfer<T>(_ body: () throws(I2CError) -> T) throws(SensorFault) -> T { try onBus(body) }

    package func pause(_ d: Duration) async throws(SensorFault) { try await wait(clock, d) }

    /// Asks `command` whether a new measurement exists, every `step`, for at most `limit`; a
    /// part that never says so is `no_data` (the previous measurement is never read again).
    package func waitForNewData(
        _ command: UInt16, executionTime: Duration, step: Duration, limit: Duration,
        ready: (UInt16) -> Bool
    ) async throws(SensorFault) {
        var waited = Duration.zero
        while true {
            let status = try await read(command, executionTime: executionTime, words: 1)[0]
            if ready(status) { return }
            guard waited < limit else {
                throw SensorFault(
                    .noData,
                    "\(place): no new measurement within \(limit.configText) "
                        + "(data-ready word \(hex16(status)))")
            }
            try await pause(step)
            waited += step
        }
    }
}
