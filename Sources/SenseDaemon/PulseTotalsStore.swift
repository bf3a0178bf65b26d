import Logging
import SenseCore
import SenseDrivers
import SenseOS

#if canImport(Glibc)
    import Glibc
#endif

/// Where a pulse counter's totals live between runs: `<state_dir>/counters/<sensor>`. Written
/// whole (see `DurableFile`) every flush interval when they have changed and at a clean stop,
/// so a crash or power cut loses at most the pulses of one flush interval.
package struct PulseTotalsStore: Sendable {
    package let path: String

    package init(stateDirectory: String, sensor: String) throws(DurableFile.Failure) {
        let dir = stateDirectory + "/counters"
        try DurableFile.makeDirectory(stateDirectory)
        try DurableFile.makeDirectory(dir)
        path = dir + "/" + sensor
    }

    enum Loaded {
        case fresh
        case restored(PulseTotals)
        /// Unreadable content, moved aside to `<path>.corrupt` for inspection; counting starts at zero.
        case corrupt(movedTo: String)
    }

    func load() throws(DurableFile.Failure) -> Loaded {
        let read: String?
        do throws(DurableFile.Failure) {
            read = try DurableFile.read(path)
        } catch  where error.errno == EFBIG {
            // Far too large for totals: set aside whole, as unreadable totals are.
            let aside = path + ".corrupt"
            guard rename(path, aside) == 0 else { throw DurableFile.Failure(path: path, operation: "move aside", errno: errno) }
            return .corrupt(movedTo: aside)
        }
        guard let text = read else { return .fresh }
        if let totals = PulseTotals(text: text) { return .restored(totals) }
        let aside = path + ".corrupt"
        try DurableFile.replace(aside, with: text)
        return .corrupt(movedTo: aside)
    }

    /// The saved totals, or zero (saying why in the log) when there are none or they are unreadable.
    package func restore(logger: Logger) throws(DurableFile.Failure) -> PulseTotals {
        switch try load() {
        case .fresh:
            logger.info("no saved totals at \(path); counting from zero")
            return PulseTotals()
        case let .restored(t):
            logger.info("restored totals from \(path) (\(t.total) pulses since installation)")
            return t
        case let .corrupt(aside):
            logger.error("saved totals at \(path) unreadable, moved to \(aside); counting from zero")
            return PulseTotals()
        }
    }

}

/// Hands a counter's totals to the state file thread and remembers what is on disk, so that a
/// flush writes only changed totals and the counting task never waits for the card.
final class TotalsSaver: StateWriteObserver {
    private let path: String
    private let sensor: String
    private let writer: StateFileWriter
    private let logger: Logger
    private let state: Locked<(onDisk: String, submitted: String?)>

    init(store: PulseTotalsStore, restored: PulseTotals, sensor: String, writer: StateFileWriter, logger: Logger) {
        path = store.path
        self.sensor = sensor
        self.writer = writer
        self.logger = logger
        state = Locked((restored.text, nil))
    }

    /// Queues `totals` for writing if they differ from what is on disk or on its way there.
    func save(_ totals: PulseTotals) {
        let text = totals.text
        let submit = state.withLock { s -> Bool in
            guard text != s.onDisk, text != s.submitted else { return false }
            s.submitted = text
            return true
        }
        if submit { writer.submit(path, text, observer: self) }
    }

    func stateWritten(_ path: String, text: String, failure: DurableFile.Failure?) {
        state.withLock { s in
            if failure == nil { s.onDisk = text }
            if s.submitted == text { s.submitted = nil }  // a failed write is tried again at the next flush
        }
        if let failure { logger.error("sensor \(sensor): totals not saved (they are kept in memory and retried): \(failure)") }
    }
}
