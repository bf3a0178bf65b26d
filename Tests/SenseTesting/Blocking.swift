import Foundation

/// Work that blocks (a slow card's writes, waiting for them) on a thread of its own, so that a
/// test does not hold one of the two cooperative threads the whole parallel suite shares.
package enum Blocking {
    package static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { c in
            Thread.detachNewThread { c.resume(with: Result { try body() }) }
        }
    }
}
