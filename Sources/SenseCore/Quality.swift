/// How far a value can be trusted. Travels with every value from the driver to the payload.
public enum Quality: String, Sendable, Hashable, Comparable, CaseIterable {
    case good
    case uncertain
    case bad

    public static func < (lhs: Quality, rhs: Quality) -> Bool { lhs.rank < rhs.rank }
    private var rank: Int {
        switch self {
        case .good: 0
        case .uncertain: 1
        case .bad: 2
        }
    }
}

/// Why a value is not `good`. The raw value is what payloads carry in `"r"`.
public enum QualityReason: String, Sendable, Hashable, CaseIterable {
    /// The device did not acknowledge its address (absent, unpowered, miswired).
    case nack
    /// A checksum did not match.
    case crc
    /// The device or bus did not answer in time (stuck busy bit, clock stretching).
    case timeout
    /// Bus-level failure: arbitration lost, bus stuck.
    case busError = "bus_error"
    /// Another operating-system error on the device file.
    case io
    /// The chip answered but is not the chip configured (wrong chip id).
    case wrongDevice = "wrong_device"
    /// The device reported "no data" (a skipped measurement, a not-available sentinel).
    case noData = "no_data"
    /// Outside the device's physical output range.
    case outOfRange = "out_of_range"
    /// Changed faster than the quantity physically can (a spike, a glitch).
    case implausibleRate = "implausible_rate"
    /// Flat-lined: identical readings for too long.
    case stuck
    /// No fresh reading for too long.
    case stale
    /// A window aggregate over fewer samples than its completeness threshold requires.
    case incomplete
    /// A derived value computed from a held last-good input (its own input is currently bad).
    case held
    /// A derived value whose input is bad.
    case inputBad = "input_bad"
    /// A traffic detector is stuck, chattering, silent, lost edges or disagrees with its pair.
    case detectorFault = "detector_fault"
}

/// A fault a driver reports instead of a value: the quality reason plus a human detail
/// (bus, address, errno) for the log.
public struct SensorFault: Error, Sendable, Hashable, CustomStringConvertible {
    public var reason: QualityReason
    public var detail: String

    public init(_ reason: QualityReason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}
