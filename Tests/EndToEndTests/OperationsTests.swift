import Foundation
import SenseTesting
import Testing

/// The systemd unit and the installer, checked with systemd's own tools.
@Suite struct OperationsTests {
    static let analyze = "/usr/bin/systemd-analyze"

    /// The unit with ExecStart pointing at the built binary (verify insists that it exists).
    static func stagedUnit() throws -> String {
        let dir = TemporaryDirectory.make("sensegate-unit")
        let unit = try String(contentsOfFile: RepositoryPaths.root + "/systemd/sensegate.service", encoding: .utf8)
            .replacing("/usr/local/bin/sensegate", with: SensegateBinary.path)
        try unit.write(toFile: dir + "/sensegate.service", atomically: true, encoding: .utf8)
        return dir + "/sensegate.service"
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func unitVerifiesCleanly() throws {
        let p = try ChildProcess(Self.analyze, ["verify", try Self.stagedUnit()])
        #expect(p.waitForExit(timeout: 30) == 0)
        usleep(50_000)
        #expect(p.stderr.isEmpty, "\(p.stderr)")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: analyze)))
    func unitIsHardened() throws {
        let p = try ChildProcess(Self.analyze, ["security", "--offline=true", "--threshold=20", try Self.stagedUnit()])
        #expect(p.waitForExit(timeout: 30) == 0)
        usleep(50_000)
        let line = try #require(p.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") })
        let score = try #require(Double(line.split(separator: " ").first { Double($0) != nil } ?? ""))
        #expect(score <= 1.5, "\(line)")
        #expect(p.stdout.contains("NoNewPrivileges="))
    }

    @Test func installerStagesEverything() throws {
        let dest = TemporaryDirectory.make("sensegate-stage")
        var env = ProcessInfo.processInfo.environment
        env["DESTDIR"] = dest
        env["SENSEGATE_BINARY"] = SensegateBinary.path
        let p = try ChildProcess("/bin/bash", [RepositoryPaths.root + "/deploy/install.sh", "--no-systemctl"], environment: env)
        #expect(p.waitForExit(timeout: 60) == 0)
        for f in [
            "usr/local/bin/sensegate", "etc/systemd/system/sensegate.service", "etc/sensegate/sensegate.yaml",
            "usr/local/share/sensegate/boards/raspberry-pi-4.yaml", "usr/local/share/sensegate/boards/sim.yaml",
        ] {
            #expect(FileManager.default.fileExists(atPath: "\(dest)/\(f)"), "\(f)")
        }
    }
}
