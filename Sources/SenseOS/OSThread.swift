import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// A dedicated POSIX thread, for work that blocks (the outbox's disk, a GPIO line's poll, state
/// files) and so must not pin one of Swift's few cooperative threads. The one place threads start.
package final class OSThread: @unchecked Sendable {
    package struct StartError: Error, Sendable, Hashable, CustomStringConvertible {
        package var name: String
        package var errno: Int32
        package var description: String { "cannot start the \(name) thread: \(Errno.describe(errno))" }
    }

    private final class Body {
        let name: String
        let run: @Sendable () -> Void
        init(_ name: String, _ run: @escaping @Sendable () -> Void) {
            self.name = name
            self.run = run
        }
    }

    private var thread = pthread_t()

    /// Starts `body` on a new thread; `name` says which in errors.
    package init(name: String, _ body: @escaping @Sendable () -> Void) throws(StartError) {
        let box = Unmanaged.passRetained(Body(name, body)).toOpaque()
        let rc = pthread_create(
            &thread, nil,
            { raw in
                let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
                body.run()
                return nil
            }, box)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(box).release()
            throw StartError(name: name, errno: rc)
        }
    }

    /// Waits for the thread's body to return. Call once.
    package func join() { pthread_join(thread, nil) }

    /// Runs `body` on a thread nobody joins.
    package static func detached(name: String, _ body: @escaping @Sendable () -> Void) throws(StartError) {
        let t = try OSThread(name: name, body)
        pthread_detach(t.thread)
    }
}
