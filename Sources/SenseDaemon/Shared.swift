import SenseCore

/// A value shared between tasks, behind a lock.
package final class Shared<Value: Sendable>: Sendable {
    private let mutex: Locked<Value>
    package init(_ value: Value) { mutex = Locked(value) }
    package func withLock<R>(_ body: (inout Value) -> R) -> R { mutex.withLock { body(&$0) } }
}
