import SenseCore
import SenseHardware

/// Faults a Sensirion part shows in the field.
package enum SensirionFault: Sendable, Hashable {
    /// Does not acknowledge its address (unplugged, dead, held in reset).
    case nack
    /// Every transfer fails with a bus error (a stuck SDA line).
    case busError
    /// The CRC byte of the first word of every reply is wrong (noise on a long cable).
    case corruptCRC
    /// Data-ready never comes (the measurement loop stopped).
    case neverReady
    /// The part reports its "not available" values (sentinels, NaN, CO2 = 0).
    case notAvailable
    /// The part stays busy: reads are not acknowledged.
    case stuckBusy
}

/// What a chip does with a command: reply words available after a busy time, or no reply.
package struct SensirionExecution: Sendable, Hashable {
    package var busy: Duration
    package var reply: [UInt16]?

    package init(busy: Duration, reply: [UInt16]? = nil) {
        self.busy = busy
        self.reply = reply
    }
}

/// One Sensirion part's command set, as a value the emulator owns.
package protocol SensirionChipModel: Sendable {
    /// 1 (SHT4x) or 2 bytes.
    var commandWidth: Int { get }
    /// Executes a command with its (CRC-checked) arguments; nil for a command the part does not
    /// know or does not accept in its present state (the part then NACKs).
    mutating func execute(
        _ command: UInt16, arguments: [UInt16], now: MonotonicInstant, air: AirConditions,
        fault: SensirionFault?
    ) -> SensirionExecution?
}

extension SensirionChipModel {
    package var commandWidth: Int { 2 }
}

/// A Sensirion part on the simulated bus, at command level: it parses the command and its
/// argument words (ignoring a command whose argument CRC is wrong, as the parts do), holds the
/// reply until the execution time has passed (a read before that is not acknowledged), frames
/// each reply word with its CRC, and shows the injected fault.
package final class SensirionEmulator<Model: SensirionChipModel>: I2CDeviceEmulator {
    private struct State {
        var model: Model
        var fault: SensirionFault?
        var reply: [UInt16]?
        var readyAt: MonotonicInstant?
        var commands: [UInt16] = []
        var rejectedFrames = 0
    }

    private let clock: any SenseClock
    private let air: any AirSource
    private let state: Locked<State>

    package init(_ model: Model, air: any AirSource, clock: any SenseClock) {
        self.clock = clock
        self.air = air
        state = Locked(State(model: model))
    }

    package func inject(_ fault: SensirionFault?) { state.withLock { $0.fault = fault } }

    /// Every command code received, oldest first (the last 64).
    package var commands: [UInt16] { state.withLock { $0.commands } }
    /// Commands dropped because an argument's CRC was wrong.
    package var rejectedFrames: Int { state.withLock { $0.rejectedFrames } }
    package var model: Model { state.withLock { $0.model } }

    package func receive(_ bytes: [UInt8]) throws(I2CDeviceFault) {
        let now = clock.monotonicNow
        let conditions = air.conditions(at: clock.wallNow)
        try state.withLock { s throws(I2CDeviceFault) in
            try Self.check(s.fault)
            let width = s.model.commandWidth
            guard bytes.count >= width else { throw .nack }
            if let readyAt = s.readyAt, now < readyAt { throw .nack }  // busy: no new command
            let command = width == 1 ? UInt16(bytes[0]) : UInt16(bytes[0]) << 8 | UInt16(bytes[1])
            s.commands.append(command)
            if s.commands.count > 64 { s.commands.removeFirst() }
            var arguments: [UInt16] = []
            var i = width
            while i + 3 <= bytes.count {
                guard Self.crc(bytes[i], bytes[i + 1]) == bytes[i + 2] else {
                    s.rejectedFrames += 1
                    return
                }
                arguments.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1]))
                i += 3
            }
            guard i == bytes.count else { throw .nack }  // a partial argument word
            guard let e = s.model.execute(command, arguments: arguments, now: now, air: conditions, fault: s.fault) else {
                throw .nack
            }
            s.reply = e.reply
            s.readyAt = now + e.busy
        }
    }

    package func transmit(count: Int) throws(I2CDeviceFault) -> [UInt8] {
        let now = clock.monotonicNow
        return try state.withLock { s throws(I2CDeviceFault) -> [UInt8] in
            try Self.check(s.fault)
            if s.fault == .stuckBusy { throw .nack }
            if let readyAt = s.readyAt, now < readyAt { throw .nack }
            guard let words = s.reply else { throw .nack }
            s.reply = nil
            var out: [UInt8] = []
            for (i, w) in words.enumerated() {
                let b = [UInt8(w >> 8), UInt8(w & 0xFF)]
                var crc = Self.crc(b[0], b[1])
                if i == 0 && s.fault == .corruptCRC { crc ^= 0x5A }
                out += b + [crc]
            }
            // A longer read than the reply clocks out 0xFF, as an idle bus does.
            while out.count < count { out.append(0xFF) }
            return Array(out.prefix(count))
        }
    }

    private static func check(_ fault: SensirionFault?) throws(I2CDeviceFault) {
        switch fault {
        case .nack: throw .nack
        case .busError: throw .busError
        default: return
        }
    }

    /// The parts' CRC-8 (0x31, init 0xFF), written out here independently of the driver's.
    static func crc(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var crc: UInt8 = 0xFF
        for byte in [a, b] {
            crc ^= byte
            for _ in 0..<8 { crc = (crc & 0x80) != 0 ? (crc << 1) ^ 0x31 : (crc << 1) }
        }
        return crc
    }
}

/// The raw word the SHT/SCD4x temperature formula maps to `celsius`.
package func sensirionTemperatureWord(_ celsius: Double) -> UInt16 {
    UInt16(max(0, min(65535, ((celsius + 45) * 65535 / 175).rounded())))
}

/// ASCII packed two characters a word, NUL-padded to `words`.
package func sensirionTextWords(_ text: String, words: Int) -> [UInt16] {
    var bytes = Array(text.utf8.prefix(words * 2 - 1))
    while bytes.count < words * 2 { bytes.append(0) }
    return (0..<words).map { UInt16(bytes[2 * $0]) << 8 | UInt16(bytes[2 * $0 + 1]) }
}

/// A float as two words, most significant first.
package func sensirionFloatWords(_ v: Float) -> [UInt16] {
    [UInt16(v.bitPattern >> 16), UInt16(v.bitPattern & 0xFFFF)]
}

/// How a laser-scattering PM sensor over-reads: a factor on dry mass, and hygroscopic growth
/// (κ-Köhler) with the humidity in its housing.
package struct OpticalResponse: Sendable, Hashable {
    package var factor: Double
    package var kappa: Double

    package init(factor: Double = 1.3, kappa: Double = 0.3) {
        self.factor = factor
        self.kappa = kappa
    }

    package func reading(_ dry: Double, humidity: Double) -> Double {
        let rh = min(95, max(0, humidity)) / 100
        return dry * factor * (1 + kappa * rh / (1 - rh))
    }
}
