import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// Reads whole files and looks up the environment without Foundation.
package enum SourceFile {
    package enum ReadError: Error, Sendable, Hashable, CustomStringConvertible {
        case cannotOpen(path: String, errno: Int32)
        case isDirectory(path: String)
        /// A FIFO, a socket or a device: reading one may never end (`board: /dev/stdin`).
        case notRegular(path: String)
        case tooLarge(path: String)
        /// A secret (a signing key) that others than its owner and group may read or write.
        case openToOthers(path: String, mode: UInt32)

        package var description: String {
            switch self {
            case let .cannotOpen(_, e): Errno.describe(e)
            case .isDirectory: "is a directory"
            case .notRegular: "not a regular file (a pipe, socket or device)"
            case .tooLarge: "larger than \(SourceFile.sizeLimit >> 20) MiB"
            case let .openToOthers(_, mode):
                "others may access it (mode \(String(mode & 0o777, radix: 8))): a key file must not be, e.g. chmod 640 and chgrp sensegate"
            }
        }
    }

    /// Config and board files are small; anything over 4 MiB is a mistake.
    package static let sizeLimit = 4 << 20

    /// The whole file. Files a config names (boards, passwords) must be regular files
    /// (`regularOnly`); the config itself may come through a pipe (`--config <(…)`).
    /// A `secret` must not be accessible to others (mode bits 0o007).
    package static func read(_ path: String, regularOnly: Bool = true, secret: Bool = false) throws(ReadError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO with no writer must not wait; regular files ignore the flag.
        let fd = open(path, O_RDONLY | O_CLOEXEC | (regularOnly ? O_NONBLOCK : 0))
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let e = errno
            close(fd)
            throw .cannotOpen(path: path, errno: e)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            close(fd)
            throw .isDirectory(path: path)
        }
        if regularOnly, (st.st_mode & S_IFMT) != S_IFREG {
            close(fd)
            throw .notRegular(path: path)
        }
        if secret, st.st_mode & 0o007 != 0 {
            close(fd)
            throw .openToOthers(path: path, mode: UInt32(st.st_mode))
        }
        if regularOnly { _ = fcntl(fd, F_SETFL, 0) }  // back to blocking reads for the regular file
        guard let f = fdopen(fd, "rb") else {
            let e = errno
            close(fd)
            throw .cannotOpen(path: path, errno: e)
        }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n > 0 { out.append(contentsOf: chunk[0..<n]) }
            if out.count > sizeLimit { throw .tooLarge(path: path) }
            if n < chunk.count {
                if ferror(f) != 0 { throw .cannotOpen(path: path, errno: errno) }
                return out
            }
        }
    }

    package static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// The names of a directory's entries that end in `suffix` (none when it cannot be read),
    /// at most `limit` of them: a directory of a million files is not a list to print.
    package static func names(in directory: String, suffix: String, limit: Int = 256) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while names.count < limit, let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasSuffix(suffix), name.count > suffix.count, !name.hasPrefix(".") { names.append(name) }
        }
        return names
    }

    package static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The directory part of a path (`.` when there is none).
    package static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
