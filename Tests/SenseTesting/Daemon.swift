import Foundation

/// The built `sensegate` binary, run as a process, as systemd would run it.
package enum SensegateBinary {
    /// The binary beside the test bundle (both are build products), or `$SENSEGATE_BIN`.
    package static var path: String {
        if let env = ProcessInfo.processInfo.environment["SENSEGATE_BIN"] { return env }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        // swift test runs <build>/debug/sensegatePackageTests.xctest (a file on Linux).
        for _ in 0..<3 {
            let candidate = dir.appendingPathComponent("sensegate").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return RepositoryPaths.root + "/.build/debug/sensegate"
    }

    /// Starts the daemon; `NOTIFY_SOCKET` and `JOURNAL_STREAM` are cleared unless given.
    package static func start(_ arguments: [String], environment: [String: String] = [:], stalledStderr: Bool = false) throws -> ChildProcess {
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "JOURNAL_STREAM")
        env.removeValue(forKey: "WATCHDOG_USEC")
        // Under AddressSanitizer the test runner itself is not leak-checked (XCTest and Swift
        // tasks keep objects LeakSanitizer cannot see); the daemon and the CLI are, at each exit.
        if let options = env["SENSEGATE_CHILD_ASAN_OPTIONS"] { env["ASAN_OPTIONS"] = options }
        for (k, v) in environment { env[k] = v }
        return try ChildProcess(path, arguments, environment: env, stalledStderr: stalledStderr)
    }

    /// Runs a command to completion.
    package static func run(_ arguments: [String], timeout: Double = 30) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = try start(arguments)
        let status = p.waitForExit(timeout: timeout) ?? -1
        usleep(20_000)  // let the reader threads drain the pipes
        return (status, p.stdout, p.stderr)
    }
}
