import Logging
import SenseCLI
import SenseConfig
import SenseCore
import SenseDaemon
import SenseMQTT

#if canImport(Glibc)
    import Glibc
#endif

/// The gateway's parsers of outside input, each as one function of bytes that must return for
/// any input (a typed error is an answer; a trap, a hang or unbounded memory is a finding).
/// libFuzzer drives them through `Fuzz/Targets`; `swift test` replays the committed corpora
/// through the same functions (docs/testing.md, "Fuzzing").
public enum FuzzTargets {
    public struct Target: Sendable {
        public var name: String
        public var run: @Sendable ([UInt8]) -> Void
    }

    public static let all: [Target] = [
        Target(name: "config", run: ConfigFuzzing.run),
        Target(name: "board", run: BoardFuzzing.run),
        Target(name: "command", run: CommandFuzzing.run),
        Target(name: "json", run: JSONFuzzing.run),
        Target(name: "scalars", run: ScalarFuzzing.run),
        Target(name: "cli", run: CLIFuzzing.run),
        Target(name: "state", run: StateFileFuzzing.run),
        Target(name: "outbox", run: OutboxFuzzing.run),
        Target(name: "sensor", run: SensorFuzzing.run),
    ]

    public static func named(_ name: String) -> Target? { all.first { $0.name == name } }

    /// Where targets that need files write them: a directory of their own, on tmpfs when there is one.
    static let scratch: String = {
        let base = SourceFile.exists("/dev/shm") ? "/dev/shm" : "/tmp"
        let dir = "\(base)/sensegate-fuzz-\(getpid())"
        _ = mkdir(dir, 0o700)
        return dir
    }()

    /// Logs go nowhere: a fuzzer runs a target millions of times.
    static let quiet = Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() }
}
