import SenseCore
#if canImport(Glibc)
import Glibc
#endif

/// Small state files that must survive a power cut whole: written to a temporary file, synced,
/// renamed over the old one, and the directory synced, so a reader finds the old content or
/// the new, never a mixture.
package enum DurableFile {
    package struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        var path: String
        var operation: String
        var errno: Int32
        package var description: String { "\(path): cannot \(operation): \(Errno.describe(errno))" }
    }

    static func replace(_ path: String, with text: String) throws(Failure) {
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw Failure(path: temp, operation: "write", errno: errno) }
        let bytes = Array(text.utf8)
        let written = write(fd, bytes, bytes.count)
        let writeErrno = errno
        let synced = fsync(fd)
        let syncErrno = errno
        Glibc.close(fd)
        guard written == bytes.count else { throw Failure(path: temp, operation: "write", errno: written < 0 ? writeErrno : ENOSPC) }
        guard synced == 0 else { throw Failure(path: temp, operation: "sync", errno: syncErrno) }
        guard rename(temp, path) == 0 else { throw Failure(path: path, operation: "rename into place", errno: errno) }
        let dir = open(directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 {
            fsync(dir)
            Glibc.close(dir)
        }
    }

    /// Larger state files are damage: they are refused whole (`EFBIG`), never read in part.
    static let sizeLimit = 65536

    /// The whole file, nil if it does not exist; one over `sizeLimit` is an `EFBIG` failure.
    static func read(_ path: String) throws(Failure) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw Failure(path: path, operation: "read", errno: errno)
        }
        defer { Glibc.close(fd) }
        // One byte more than the limit tells a file at the limit from a larger one.
        var buffer = [UInt8](repeating: 0, count: sizeLimit + 1)
        var used = 0
        while used < buffer.count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + used, $0.count - used) }
            if n < 0 { throw Failure(path: path, operation: "read", errno: errno) }
            if n == 0 { break }
            used += n
        }
        guard used <= sizeLimit else { throw Failure(path: path, operation: "read (larger than 64 KiB, not a state file)", errno: EFBIG) }
        return String(decoding: buffer.prefix(used), as: UTF8.self)
    }

    static func makeDirectory(_ path: String) throws(Failure) {
        if mkdir(path, 0o750) != 0, errno != EEXIST { throw Failure(path: path, operation: "create directory", errno: errno) }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
