import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// The guest as guest-init.sh prepared it: device paths in the environment, gpio-sim's sysfs.
enum Guest {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func env(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

    static func required(_ name: String) throws -> String {
        guard let v = env(name), !v.isEmpty else { throw Missing(description: "\(name) is not set: run inside deploy/kernel-vm/vm.sh") }
        return v
    }

    /// i2c-stub, SMBus only.
    static var stubBus: String { get throws { try required("SG_I2C_STUB") } }
    /// sg_i2c_sim, plain I2C messages too.
    static var simBus: String { get throws { try required("SG_I2C_SIM") } }
    static var gpioChip: String { get throws { try required("SG_GPIO_CHIP") } }
    static var gpioSysfs: String { get throws { try required("SG_GPIO_SYSFS") } }
    /// `host:port` of the broker forwarded from the host, if the VM has one.
    static var broker: String? { env("SG_BROKER") }

    struct FileError: Error, CustomStringConvertible {
        var path: String
        var errno: Int32
        var description: String { "\(path): \(Errno.describe(errno))" }
    }

    static func write(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        guard Glibc.write(fd, bytes, bytes.count) == bytes.count else { throw FileError(path: path, errno: errno) }
    }

    static func read(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = Glibc.read(fd, &buffer, buffer.count)
        guard n >= 0 else { throw FileError(path: path, errno: errno) }
        return String(decoding: buffer.prefix(n), as: UTF8.self)
    }

    /// Drives a gpio-sim line from outside, as a sensor's contact would: its pull.
    static func pull(_ line: Int, up: Bool) throws {
        try write("\(try gpioSysfs)/sim_gpio\(line)/pull", up ? "pull-up" : "pull-down")
    }

    /// A line's pull held open for a burst: one write per edge, no open/close in between.
    final class Puller {
        private let fd: Int32
        let path: String

        init(_ line: Int) throws {
            path = "\(try gpioSysfs)/sim_gpio\(line)/pull"
            fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileError(path: path, errno: errno) }
        }

        deinit { close(fd) }

        func set(up: Bool) throws {
            let text = up ? "pull-up" : "pull-down"
            let n = text.withCString { pwrite(fd, $0, strlen($0), 0) }
            guard n >= 0 else { throw FileError(path: path, errno: errno) }
        }
    }

    /// The level of a gpio-sim line as the outside world sees it (what an output drives).
    static func level(_ line: Int) throws -> Int {
        let text = try read("\(try gpioSysfs)/sim_gpio\(line)/value")
        return text.hasPrefix("1") ? 1 : 0
    }

    static var monotonicNow: MonotonicInstant { SystemClock().monotonicNow }

    /// Suspends (the cooperative threads stay free for the code under test).
    static func sleep(milliseconds: Int) async { try? await Task.sleep(for: .milliseconds(milliseconds)) }
}
