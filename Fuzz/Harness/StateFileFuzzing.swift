import Logging
import SenseCore
import SenseDaemon
import SenseDrivers
import SenseOS

#if canImport(Glibc)
    import Glibc
#endif

/// The state files read back at start (`seq`, a pulse counter's totals, the public alerts still
/// out, the Home Assistant topics announced): whatever a power cut, a full card or a hand edit
/// left there is refused or recovered with a reason, never a trap. The first byte chooses the file.
enum StateFileFuzzing {
    /// One writer thread for every run (a thread per input would exhaust the process).
    static let writer: StateFileWriter = {
        do { return try StateFileWriter() } catch { preconditionFailure("fuzzing needs its state file thread: \(error)") }
    }()
    static let logger: Logger = {
        var l = Logger(label: "fuzz")
        l.logLevel = .critical
        return l
    }()

    static func run(_ bytes: [UInt8]) {
        var input = FuzzInput(bytes)
        let which = input.byte() % 4
        let dir = FuzzTargets.scratch + "/state"
        _ = mkdir(dir, 0o700)
        switch which {
        case 0: sequence(dir, input.rest)
        case 1: pulseTotals(dir, input.rest)
        case 2: publicAlerts(input.rest)
        default: discoveryLedger(dir, input.rest)
        }
    }

    static func write(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot write \(path)")
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    static func sequence(_ dir: String, _ bytes: [UInt8]) {
        write(dir + "/seq", bytes)
        unlink(dir + "/running")
        do throws(SequenceStore.StoreError) {
            let store = try SequenceStore(directory: dir, writer: writer, logger: logger)
            for _ in 0..<3 {
                let n = store.next()
                precondition(n >= 1 && n <= SequenceNumber.largest, "seq \(n) outside 1…2^53-1")
            }
            _ = store.current
            _ = try store.ensureAbove(5000)
            try store.close()
        } catch {
            _ = error.description
        }
    }

    static func pulseTotals(_ dir: String, _ bytes: [UInt8]) {
        do throws(DurableFile.Failure) {
            let store = try PulseTotalsStore(stateDirectory: dir, sensor: "rain")
            write(store.path, bytes)
            var totals = try store.restore(logger: FuzzTargets.quiet)
            for minutes in [0, 90, 60 * 24 * 3] {
                totals.count(at: ConfigFuzzing.wall + .seconds(Int64(minutes) * 60), utcOffsetMinutes: -330, eventGap: .seconds(6 * 3600))
            }
            precondition(PulseTotals(text: totals.text) == totals, "totals do not survive their own text")
        } catch {
            _ = error.description
        }
    }

    static func publicAlerts(_ bytes: [UInt8]) {
        var skipped: [String] = []
        let alerts = PublicAlerts(fileText: FuzzInput.text(bytes), skipped: &skipped)
        var again: [String] = []
        let reread = PublicAlerts(fileText: alerts.fileText, skipped: &again)
        precondition(again.isEmpty && reread == alerts, "public alerts do not survive their own file")
    }

    /// What is read back is only ever config topics, and survives its own file.
    static func discoveryLedger(_ dir: String, _ bytes: [UInt8]) {
        let ledger = DiscoveryLedger(stateDirectory: dir)
        write(ledger.path, bytes)
        let topics = ledger.load(logger: logger)
        precondition(topics.allSatisfy { DiscoveryLedger.isConfigTopic(Substring($0)) }, "a ledger line that is not a config topic was taken")
        write(ledger.path, Array(DiscoveryLedger.text(Array(topics)).utf8))
        precondition(ledger.load(logger: logger) == topics, "the ledger does not survive its own file")
    }
}
