import SenseCore
import SenseHardware

/// The echo of one ping of an HC-SR04 / JSN-SR04T style ranger: the module raises ECHO when its
/// burst leaves and drops it when the echo returns (or after ~38 ms with no echo), so the echo
/// time is the width of the first high pulse after the trigger. Pure: decided from kernel
/// timestamps alone.
package enum EchoPulse: Sendable, Hashable {
    case echo(seconds: Double)
    /// ECHO never rose: the module is absent, unpowered or miswired.
    case noResponse
    /// ECHO rose but did not fall within the listening time.
    case unfinished
    /// The module's own no-echo timeout (≥ `noEchoWidth`): nothing within range.
    case noEcho
    /// Events were lost (a gap in the kernel's sequence numbers): the width cannot be trusted.
    case lostEdges

    /// HC-SR04 modules hold ECHO high ~38 ms when nothing returns; any width from here on is that.
    package static let noEchoWidth = 0.036

    package static func measure(_ edges: [EdgeEvent], triggeredAt trigger: MonotonicInstant) -> EchoPulse {
        let after = edges.filter { $0.timestamp >= trigger }
        guard let rise = after.firstIndex(where: { $0.edge == .rising }) else { return .noResponse }
        guard let fall = after[rise...].firstIndex(where: { $0.edge == .falling }) else { return .unfinished }
        if after[rise].sequence + UInt64(fall - rise) != after[fall].sequence { return .lostEdges }
        let width = (after[fall].timestamp - after[rise].timestamp).seconds
        return width >= noEchoWidth ? .noEcho : .echo(seconds: width)
    }
}
