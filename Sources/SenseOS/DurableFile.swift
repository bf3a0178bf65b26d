import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// Small state files that must survive a power cut whole: written to a temporary file, synced,
/// renamed over the old one, and the directory synced, so a reader finds the old content or
/// the new, never a mixture.
package enum DurableFile {
    package struct Failure: Error, Sendable, Hashable, CustomStringConvertible {
        package var path: String
        package var operation: String
        package var errno: Int32
        package init(path: String, operation: String, errno: Int32) {
            self.path = path
            self.operation = operation
            self.errno = errno
        }
        package var description: String { "\(path): cannot \(operation): \(Errno.describe(errno))" }
    }

    package static func replace(_ path: String, with text: String) throws(Failure) {
        let temp = path + ".tmp"
        let fd: Int32
        switch Syscall.open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640) {
        case let .success(d): fd = d
        case let .failure(e): throw Failure(path: temp, operation: "write", errno: e.errno)
        }
        let writeError = Syscall.writeAll(fd, text.utf8)
        let syncError = writeError == nil ? Syscall.sync(fd) : nil
        Syscall.close(fd)
        if let writeError { throw Failure(path: temp, operation: "write", errno: writeError.errno) }
        if let syncError { throw Failure(path: temp, operation: "sync", errno: syncError.errno) }
        guard rename(temp, path) == 0 else { throw Failure(path: path, operation: "rename into place", errno: errno) }
        if case let .success(dir) = Syscall.open(directory(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC) {
            _ = Syscall.sync(dir)  // the rename's durability; a directory that cannot be synced leaves it to the kernel
            Syscall.close(dir)
        }
    }

    /// Larger state files are damage: they are refused whole (`EFBIG`), never read in part.
    package static let sizeLimit = 65536

    /// The whole file, nil if it does not exist; one over `limit` is an `EFBIG` failure.
    package static func read(_ path: String, limit: Int = sizeLimit) throws(Failure) -> String? {
        let fd: Int32
        switch Syscall.open(path, O_RDONLY | O_CLOEXEC) {
        case let .success(d): fd = d
        case let .failure(e) where e.errno == ENOENT: return nil
        case let .failure(e): throw Failure(path: path, operation: "read", errno: e.errno)
        }
        defer { Syscall.close(fd) }
        switch Syscall.readAll(fd, limit: limit) {
        case let .failure(e): throw Failure(path: path, operation: "read", errno: e.errno)
        case let .success(bytes) where bytes.count > limit:
            throw Failure(path: path, operation: "read (larger than \(limit / 1024) KiB, not a state file)", errno: EFBIG)
        case let .success(bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    package static func makeDirectory(_ path: String) throws(Failure) {
        if mkdir(path, 0o750) != 0, errno != EEXIST { throw Failure(path: path, operation: "create directory", errno: errno) }
    }

    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// Where state files are written: the disk, or a test's stand-in for a slow or failing card.
package protocol StateFiles: Sendable {
    func replace(_ path: String, with text: String) throws(DurableFile.Failure)
}

/// State files on the disk, through `DurableFile`.
package struct DiskStateFiles: StateFiles {
    package init() {}
    package func replace(_ path: String, with text: String) throws(DurableFile.Failure) {
        try DurableFile.replace(path, with: text)
    }
}
