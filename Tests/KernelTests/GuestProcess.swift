import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// A child process in the guest (the daemon, a burst's driver), its output in a file. Not
/// SenseTesting's `ChildProcess`: that one needs Foundation, which the guest does not have.
final class GuestProcess: @unchecked Sendable {
    let pid: pid_t
    let log: String
    private var status: Int32?

    struct SpawnFailed: Error, CustomStringConvertible {
        var errno: Int32
        var description: String { "posix_spawn failed: errno \(errno)" }
    }

    init(_ path: String, _ arguments: [String], log: String) throws {
        self.log = log
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)  // the runtime's threads block signals; the child must not
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = argv.withUnsafeBufferPointer { buffer in
            posix_spawn(&child, path, &actions, &attributes, UnsafeMutablePointer(mutating: buffer.baseAddress!), environ)
        }
        guard rc == 0 else { throw SpawnFailed(errno: rc) }
        pid = child
    }

    func signal(_ s: Int32) { kill(pid, s) }

    /// The exit status, waiting up to `timeout`; nil if it is still running then.
    func wait(timeout: Duration) async -> Int32? {
        if let status { return status }
        let deadline = Guest.monotonicNow + timeout
        while Guest.monotonicNow < deadline {
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                let code = (raw & 0x7F) == 0 ? (raw >> 8) & 0xFF : 128 + (raw & 0x7F)
                status = code
                return code
            }
            await Guest.sleep(milliseconds: 20)
        }
        return nil
    }

    var output: String { (try? Guest.read(log)) ?? "" }
}
