import SenseCore
import SenseHardware

/// Keeps the edges of one input line as the kernel stamped them, for a driver that looks at them
/// after the fact (an echo's width is measured between two kernel timestamps, not between two
/// wake-ups of this process). Bounded: a noisy line cannot grow it without limit.
package final class EdgeRecorder: Sendable {
    package static let capacity = 256

    private final class Buffer: Sendable {
        let state = Locked<(edges: [EdgeEvent], failure: GPIOError?, overflowed: Bool)>(([], nil, false))
    }

    private let buffer = Buffer()
    private let reader: Task<Void, Never>

    package init(_ input: any GPIOInput) {
        let buffer = self.buffer
        let chip = input.chip, offset = input.offset
        reader = Task {
            do {
                for try await edge in input.edges() {
                    buffer.state.withLock { s in
                        if s.edges.count >= Self.capacity {
                            s.edges.removeFirst()
                            s.overflowed = true
                        }
                        s.edges.append(edge)
                    }
                }
            } catch {
                buffer.state.withLock { $0.failure = error as? GPIOError ?? .io(chip: chip, offset: offset, errno: 5) }
            }
        }
    }

    /// Forgets what has been recorded.
    package func clear() {
        buffer.state.withLock {
            $0.edges.removeAll(keepingCapacity: true)
            $0.overflowed = false
        }
    }

    /// The edges recorded since the last `clear`, and whether any were dropped for space; throws
    /// the line's read error if its event stream failed.
    package func take() throws(GPIOError) -> (edges: [EdgeEvent], overflowed: Bool) {
        try buffer.state.withLock { s throws(GPIOError) in
            if let f = s.failure { throw f }
            defer {
                s.edges.removeAll(keepingCapacity: true)
                s.overflowed = false
            }
            return (s.edges, s.overflowed)
        }
    }

    deinit { reader.cancel() }
}
