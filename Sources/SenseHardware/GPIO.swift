import SenseCore

package enum Edge: String, Sendable, Hashable {
    case rising
    case falling
}

/// One edge on an input line, stamped by the kernel when the interrupt fired — not when user
/// space woke up — on the monotonic clock.
package struct EdgeEvent: Sendable, Hashable {
    package var edge: Edge
    package var timestamp: MonotonicInstant
    /// Per-line sequence number: the kernel's where the API has one, else counted on read, so a
    /// gap shows a lost event.
    package var sequence: UInt64

    package init(edge: Edge, timestamp: MonotonicInstant, sequence: UInt64) {
        self.edge = edge
        self.timestamp = timestamp
        self.sequence = sequence
    }
}

package enum Bias: String, Sendable, Hashable, CaseIterable {
    case asIs = "as-is"
    case disabled
    case pullUp = "pull-up"
    case pullDown = "pull-down"
}

/// Edge events of one input line; ends when the line is released, throws on a read error.
package typealias EdgeEvents = AsyncThrowingStream<EdgeEvent, any Error>

/// A requested input line. Levels are physical (true = high); active-low is the caller's concern.
package protocol GPIOInput: Sendable {
    var chip: String { get }
    var offset: Int { get }
    /// The current physical level.
    func level() throws(GPIOError) -> Bool
    /// The edges on this line, from the moment it was requested. One consumer.
    func edges() -> EdgeEvents
    /// Gives the line back to the kernel; the edge stream finishes.
    func release()
}

/// A requested output line.
package protocol GPIOOutput: Sendable {
    var chip: String { get }
    var offset: Int { get }
    func set(_ high: Bool) throws(GPIOError)
    /// The level last set.
    var level: Bool { get }
    /// Gives the line back to the kernel (it keeps its level or falls back to its pull,
    /// depending on the chip).
    func release()
}

/// A GPIO controller (`/dev/gpiochipN`).
package protocol GPIOChip: Sendable {
    var name: String { get }
    var lineCount: Int { get }
    func requestInput(offset: Int, bias: Bias, consumer: String) throws(GPIOError) -> any GPIOInput
    func requestOutput(offset: Int, initial: Bool, consumer: String) throws(GPIOError) -> any GPIOOutput
}

package enum GPIOError: Error, Sendable, Hashable, CustomStringConvertible {
    case openFailed(path: String, errno: Int32)
    case noSuchLine(chip: String, offset: Int, lineCount: Int)
    case lineBusy(chip: String, offset: Int)
    case io(chip: String, offset: Int, errno: Int32)
    case released(chip: String, offset: Int)

    package var description: String {
        switch self {
        case let .openFailed(path, errno): "cannot open \(path): \(Errno.describe(errno))"
        case let .noSuchLine(chip, offset, count): "\(chip) has no line \(offset) (it has \(count))"
        case let .lineBusy(chip, offset): "\(chip) line \(offset) is already in use by another consumer"
        case let .io(chip, offset, errno): "\(chip) line \(offset): \(Errno.describe(errno))"
        case let .released(chip, offset): "\(chip) line \(offset) has been released"
        }
    }
}
