#if canImport(Glibc)
import Glibc
#endif
import SenseCore

/// Reads whole files and looks up the environment without Foundation.
public enum SourceFile {
    public enum ReadError: Error, Sendable, Hashable, CustomStringConvertible {
        case cannotOpen(path: String, errno: Int32)
        case isDirectory(path: String)
        case tooLarge(path: String)

        public var description: String {
            switch self {
            case let .cannotOpen(_, e): Errno.describe(e)
            case .isDirectory: "is a directory"
            case .tooLarge: "larger than \(SourceFile.sizeLimit >> 20) MiB"
            }
        }
    }

    /// Config and board files are small; anything over 4 MiB is a mistake.
    public static let sizeLimit = 4 << 20

    public static func read(_ path: String) throws(ReadError) -> [UInt8] {
        guard let f = fopen(path, "rb") else { throw .cannotOpen(path: path, errno: errno) }
        defer { fclose(f) }
        var st = stat()
        if fstat(fileno(f), &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR { throw .isDirectory(path: path) }
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

    public static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    /// The directory part of a path (`.` when there is none).
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
