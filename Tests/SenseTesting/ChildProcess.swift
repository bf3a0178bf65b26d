import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A child process started with posix_spawn: stdout and stderr read by a thread each, killed and
/// reaped with plain signals and waitpid. (Foundation's Process busy-waits in waitUntilExit on
/// Linux when it runs off the main thread, which a parallel test runner always does.)
package final class ChildProcess: @unchecked Sendable {
    package let pid: pid_t
    private let lock = NSLock()
    private var out = Data()
    private var err = Data()
    private var status: Int32?
    private var reapedAt: Date?
    private var onStdout: (@Sendable (Data) -> Void)?
    /// The read end of stderr while nobody reads it (`stalledStderr`).
    private var stalledStderr: Int32?

    /// `stalledStderr`: stderr is a pipe nobody reads until `readStderr()` (a journald that
    /// stalls), shrunk to one page (4 KiB), so it fills after a few dozen log lines.
    package init(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
        onStdout: (@Sendable (Data) -> Void)? = nil, stalledStderr: Bool = false
    ) throws {
        self.onStdout = onStdout
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw SpawnError.pipe(errno) }
        // Close-on-exec, so a child spawned by another test meanwhile does not inherit this
        // child's pipes (and keep them open past its exit); dup2 clears the flag on 1 and 2.
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        for fd in outPipe + errPipe { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for e in env { free(e) } }
        // Threads of the test runner block signals, and a spawned child inherits the mask: give it
        // an empty mask and default handlers, as a shell or systemd would.
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for sig in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attr, argv, env)
        close(outPipe[1])
        close(errPipe[1])
        guard rc == 0 else {
            close(outPipe[0])
            close(errPipe[0])
            throw SpawnError.spawn(executable, rc)
        }
        pid = child
        startReader(outPipe[0], isStdout: true)
        if stalledStderr {
            _ = fcntl(errPipe[0], 1031, 4096)  // F_SETPIPE_SZ
            self.stalledStderr = errPipe[0]
        } else {
            startReader(errPipe[0], isStdout: false)
        }
    }

    /// Starts reading a stalled stderr.
    package func readStderr() {
        guard
            let fd = lock.withLock({ () -> Int32? in
                defer { stalledStderr = nil }
                return stalledStderr
            })
        else { return }
        startReader(fd, isStdout: false)
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: 5)
        }
    }

    private func startReader(_ fd: Int32, isStdout: Bool) {
        let t = Thread { [weak self] in
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fd, &buf, buf.count)
                if n <= 0 { break }
                let d = Data(buf[0..<n])
                guard let self else { break }
                self.lock.withLock { if isStdout { self.out.append(d) } else { self.err.append(d) } }
                if isStdout { self.onStdout?(d) }
            }
            close(fd)
        }
        t.start()
    }

    package var stdout: String { lock.withLock { String(decoding: out, as: UTF8.self) } }
    package var stderr: String { lock.withLock { String(decoding: err, as: UTF8.self) } }

    /// Signals the child unless it has been reaped: its pid is then free for the kernel to give to
    /// another process (pid_max is 32768 here, and the suite starts thousands), which a late
    /// signal would hit instead. Until reaped, the pid stays this child's, even as a zombie.
    package func signal(_ sig: Int32) {
        lock.lock()
        defer { lock.unlock() }
        if status == nil { kill(pid, sig) }
    }

    package var isRunning: Bool { reap(block: false) == nil }

    /// The exit status (or 128 + signal), or nil if still running after `timeout` seconds.
    /// `waitForExit` for a test's task, on a thread of its own: the task does not hold one of the
    /// two cooperative threads the parallel suite shares, and the exit is seen within 5 ms even
    /// when the pool is busy (`exitedAt` says when, for tests that time a stop).
    package func exited(timeout: Double) async -> Int32? {
        do {
            return try await Blocking.run { self.waitForExit(timeout: timeout) }
        } catch {
            return waitForExit(timeout: 0)
        }
    }

    /// When the process was seen to have exited (nil while it runs).
    package var exitedAt: Date? {
        lock.lock()
        defer { lock.unlock() }
        return reapedAt
    }

    package func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let s = reap(block: false) { return s }
            usleep(5000)
        }
        return reap(block: false)
    }

    private func reap(block: Bool) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let status { return status }
        var raw: Int32 = 0
        let r = waitpid(pid, &raw, block ? 0 : WNOHANG)
        guard r == pid else { return nil }
        let sig = raw & 0x7F
        status = sig == 0 ? (raw >> 8) & 0xFF : 128 + sig
        reapedAt = Date()
        return status
    }

    package enum SpawnError: Error { case pipe(Int32), spawn(String, Int32) }
}
