import Dispatch
import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// Told when a state file write submitted to a `StateFileWriter` has finished.
package protocol StateWriteObserver: AnyObject, Sendable {
    /// `text` is on disk at `path` (`failure` nil), or could not be written.
    func stateWritten(_ path: String, text: String, failure: DurableFile.Failure?)
}

/// Writes state files on its own thread, so that whoever changes state (the engine, under its
/// lock, on the reflex path) never waits for the disk. Writes to one path coalesce: a file
/// still waiting is replaced by newer content, so a stalled card costs one write, not a queue.
package final class StateFileWriter: Sendable {
    private struct Job {
        var text: String
        var observer: (any StateWriteObserver)?
        /// Read by other programs while it changes, and regenerated: `ExposedFile`, not synced.
        var exposed = false
    }

    private struct State {
        var waiting: [String: Job] = [:]
        var order: [String] = []
        var writing = false
        var closing = false
    }

    package let files: any StateFiles
    private let state = Locked(State())
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Locked<OSThread?>(nil)

    package init(files: any StateFiles = DiskStateFiles()) throws(OSThread.StartError) {
        self.files = files
        let t = try OSThread(name: "sg-state-files") { [self] in run() }
        thread.withLock { $0 = t }
    }

    /// Queues `text` for `path`; never waits for the disk.
    package func submit(_ path: String, _ text: String, observer: (any StateWriteObserver)? = nil) {
        let signal = state.withLock { s -> Bool in
            if s.waiting.updateValue(Job(text: text, observer: observer), forKey: path) == nil { s.order.append(path) }
            return !s.writing && s.order.count == 1
        }
        if signal { wake.signal() }
    }

    /// Queues `text` for a file other programs read (`ExposedFile`: mode 0644, renamed into
    /// place, not synced); never waits for the disk.
    package func submitExposed(_ path: String, _ text: String, observer: (any StateWriteObserver)? = nil) {
        let signal = state.withLock { s -> Bool in
            if s.waiting.updateValue(Job(text: text, observer: observer, exposed: true), forKey: path) == nil { s.order.append(path) }
            return !s.writing && s.order.count == 1
        }
        if signal { wake.signal() }
    }

    /// Waits until everything submitted so far is written (a clean stop, a test).
    package func settle() {
        while state.withLock({ s in s.writing || !s.order.isEmpty }) {
            usleep(1000)  // only a stop or a test waits here
        }
    }

    /// Writes what is waiting, then stops the thread.
    package func close() {
        settle()
        state.withLock { $0.closing = true }
        wake.signal()
        let t = thread.withLock { t -> OSThread? in
            defer { t = nil }
            return t
        }
        t?.join()
    }

    private func run() {
        while true {
            let next = state.withLock { s -> (String, Job)? in
                guard !s.order.isEmpty else {
                    s.writing = false
                    return nil
                }
                let path = s.order.removeFirst()
                s.writing = true
                return (path, s.waiting.removeValue(forKey: path)!)
            }
            guard let (path, job) = next else {
                if state.withLock({ $0.closing }) { return }
                wake.wait()
                continue
            }
            var failure: DurableFile.Failure?
            do throws(DurableFile.Failure) {
                if job.exposed { try ExposedFile.replace(path, with: job.text) } else { try files.replace(path, with: job.text) }
            } catch {
                failure = error
            }
            job.observer?.stateWritten(path, text: job.text, failure: failure)
        }
    }
}
