import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// A file another program reads while the daemon rewrites it (node_exporter's textfile
/// collector): written to a temporary file beside it, made readable by all (0644, whatever
/// the umask), and renamed over the old one, so a reader finds the old whole or the new whole.
/// Not synced: it is regenerated every interval, usually on tmpfs, and syncing it would wear
/// an SD card for nothing.
package enum ExposedFile {
    package static func replace(_ path: String, with text: String) throws(DurableFile.Failure) {
        let temp = path + ".tmp"
        let fd: Int32
        // O_NOFOLLOW: a link planted where the temporary file goes is not written through.
        switch Syscall.open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644) {
        case let .success(d): fd = d
        case let .failure(e): throw DurableFile.Failure(path: temp, operation: "write", errno: e.errno)
        }
        let modeError = fchmod(fd, 0o644) == 0 ? nil : errno
        let writeError = modeError == nil ? Syscall.writeAll(fd, text.utf8) : nil
        Syscall.close(fd)
        if let modeError { throw DurableFile.Failure(path: temp, operation: "make readable", errno: modeError) }
        if let writeError { throw DurableFile.Failure(path: temp, operation: "write", errno: writeError.errno) }
        guard rename(temp, path) == 0 else { throw DurableFile.Failure(path: path, operation: "rename into place", errno: errno) }
    }
}
