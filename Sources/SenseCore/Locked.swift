import Synchronization

/// State behind a lock: the standard library's `Mutex`, plus an atomic that each holder reads on
/// entry and writes on exit. On Linux `Mutex` waits on a futex inside the uninstrumented
/// standard library, so ThreadSanitizer cannot see it order its holders and reports every access
/// to the state as a race; the atomic, compiled into the caller, shows it that order. Uncontended
/// it costs two plain moves on x86 and ARM64 (an acquiring load and a releasing store).
public final class Locked<State: ~Copyable>: Sendable {
    private let mutex: Mutex<State>
    private let order = Atomic<UInt8>(0)

    public init(_ initial: consuming sending State) { mutex = Mutex(initial) }

    public func withLock<Result: ~Copyable, E: Error>(
        _ body: (inout sending State) throws(E) -> sending Result
    ) throws(E) -> sending Result {
        try mutex.withLock { (state: inout sending State) throws(E) -> sending Result in
            _ = order.load(ordering: .acquiring)
            defer { order.store(0, ordering: .releasing) }
            return try body(&state)
        }
    }
}
