import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// System calls as they must be made: a signal that interrupts one (EINTR) restarts it, and a
/// short write goes on from where it stopped. Errors carry the errno.
package enum Syscall {
    /// Runs `call` until it does not fail with EINTR; returns its result (−1 with errno set on failure).
    @inline(__always)
    package static func retrying<R: BinaryInteger>(_ call: () -> R) -> R {
        while true {
            let r = call()
            if r == -1, errno == EINTR { continue }
            return r
        }
    }

    /// Opens `path`; the descriptor, or the errno.
    package static func open(_ path: String, _ flags: Int32, _ mode: mode_t = 0) -> Result<Int32, OSError> {
        let fd = retrying { Glibc.open(path, flags, mode) }
        return fd >= 0 ? .success(fd) : .failure(OSError(errno))
    }

    /// Writes all of `bytes`, however many calls it takes; nil, or the errno of the call that failed.
    package static func writeAll(_ fd: Int32, _ bytes: some Collection<UInt8>) -> OSError? {
        let copy = Array(bytes)
        return copy.withUnsafeBytes { buf -> OSError? in
            var offset = 0
            while offset < buf.count {
                let n = retrying { Glibc.write(fd, buf.baseAddress! + offset, buf.count - offset) }
                if n < 0 { return OSError(errno) }
                if n == 0 { return OSError(ENOSPC) }  // no progress and no error: the device is full
                offset += n
            }
            return nil
        }
    }

    /// Reads until end of file, at most `limit` bytes; `.failure` with the errno of a failed read.
    /// Returns `limit + 1` bytes at most, so a caller can tell a file at the limit from a larger one.
    package static func readAll(_ fd: Int32, limit: Int) -> Result<[UInt8], OSError> {
        // Grown as the file turns out larger, so a generous limit costs nothing up front.
        var buffer = [UInt8](repeating: 0, count: min(limit + 1, 65537))
        var used = 0
        while used < limit + 1 {
            if used == buffer.count { buffer.append(contentsOf: repeatElement(0, count: min(buffer.count, limit + 1 - buffer.count))) }
            let n = buffer.withUnsafeMutableBytes { b in retrying { Glibc.read(fd, b.baseAddress! + used, b.count - used) } }
            if n < 0 { return .failure(OSError(errno)) }
            if n == 0 { break }
            used += n
        }
        buffer.removeSubrange(used...)
        return .success(buffer)
    }

    /// fsync(2), restarted on EINTR; nil or the errno.
    package static func sync(_ fd: Int32) -> OSError? {
        retrying { fsync(fd) } == 0 ? nil : OSError(errno)
    }

    /// close(2) is never restarted: on Linux the descriptor is gone even when it reports EINTR.
    package static func close(_ fd: Int32) { _ = Glibc.close(fd) }
}

/// The errno of a failed system call.
package struct OSError: Error, Sendable, Hashable, CustomStringConvertible {
    package var errno: Int32
    package init(_ errno: Int32) { self.errno = errno }
    package var description: String { Errno.describe(errno) }
}
