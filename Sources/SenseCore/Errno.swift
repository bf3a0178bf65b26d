/// Names of the errno values a device file can return, so errors read
/// `ENOENT (no such file or directory)` without reaching into libc from pure modules.
public enum Errno {
    public static func describe(_ code: Int32) -> String {
        if let (name, text) = known[code] { return "\(name) (\(text))" }
        return "errno \(code)"
    }

    private static let known: [Int32: (String, String)] = [
        1: ("EPERM", "operation not permitted"),
        2: ("ENOENT", "no such file or directory"),
        4: ("EINTR", "interrupted system call"),
        5: ("EIO", "input/output error"),
        6: ("ENXIO", "no such device or address"),
        11: ("EAGAIN", "resource temporarily unavailable"),
        12: ("ENOMEM", "out of memory"),
        13: ("EACCES", "permission denied"),
        16: ("EBUSY", "device or resource busy"),
        19: ("ENODEV", "no such device"),
        20: ("ENOTDIR", "not a directory"),
        22: ("EINVAL", "invalid argument"),
        25: ("ENOTTY", "inappropriate ioctl for device"),
        27: ("EFBIG", "file too large"),
        28: ("ENOSPC", "no space left on device"),
        30: ("EROFS", "read-only file system"),
        71: ("EPROTO", "protocol error"),
        95: ("EOPNOTSUPP", "operation not supported"),
        110: ("ETIMEDOUT", "timed out"),
        111: ("ECONNREFUSED", "connection refused"),
        121: ("EREMOTEIO", "remote I/O error"),
    ]
}
