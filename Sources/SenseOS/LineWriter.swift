import Dispatch
import SenseCore

#if canImport(Glibc)
    import Glibc
#endif

/// Writes lines to a file descriptor (the log's stderr) on its own thread, so that nobody who
/// logs waits for it: a journald that stalls, or a terminal nobody reads, would otherwise stop
/// the engine mid-reflex. Lines wait in a bounded queue; when it is full the newest are dropped,
/// counted, and the count is written once the descriptor takes lines again.
package final class LineWriter: Sendable {
    private struct State {
        var lines: [String] = []
        var bytes = 0
        var dropped = 0
        var writing = false
        var closing = false
    }

    /// What may wait: beyond either bound a line is dropped.
    package static let maxLines = 4096
    package static let maxBytes = 1 << 20

    private let fd: Int32
    private let state = Locked(State())
    private let wake = DispatchSemaphore(value: 0)
    private let thread = Locked<OSThread?>(nil)

    package init(fd: Int32) throws(OSThread.StartError) {
        self.fd = fd
        let t = try OSThread(name: "log writer") { [self] in run() }
        thread.withLock { $0 = t }
    }

    /// Queues one line (with its newline); never waits.
    package func write(_ line: String) {
        let signal = state.withLock { s -> Bool in
            guard s.lines.count < Self.maxLines, s.bytes + line.utf8.count <= Self.maxBytes else {
                s.dropped += 1
                return false
            }
            s.lines.append(line)
            s.bytes += line.utf8.count
            return !s.writing && s.lines.count == 1
        }
        if signal { wake.signal() }
    }

    /// Lines dropped so far because the queue was full.
    package var dropped: Int { state.withLock { $0.dropped } }

    /// Waits until every queued line is written, at most `timeout` (a clean exit).
    /// Returns false when lines still wait at the deadline (the output does not take them).
    @discardableResult
    package func flush(timeout: Duration = .seconds(2)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while state.withLock({ $0.writing || !$0.lines.isEmpty }) {
            guard ContinuousClock.now < deadline else { return false }
            usleep(1000)
        }
        return true
    }

    private func run() {
        var reportedDropped = 0
        while true {
            let (batch, dropped, closing) = state.withLock { s -> ([String], Int, Bool) in
                let batch = s.lines
                s.lines = []
                s.bytes = 0
                s.writing = !batch.isEmpty || s.dropped != reportedDropped
                return (batch, s.dropped, s.closing)
            }
            if batch.isEmpty, dropped == reportedDropped {
                if closing { return }
                wake.wait()
                continue
            }
            // Nowhere to report a failure to write the log: the lines are gone either way.
            _ = Syscall.writeAll(fd, batch.joined().utf8)
            if dropped > reportedDropped {
                // After the lines that waited: the dropped ones came after them.
                _ = Syscall.writeAll(fd, "log: \(dropped - reportedDropped) line(s) dropped while the log's output did not take them\n".utf8)
                reportedDropped = dropped
            }
            state.withLock { $0.writing = false }
        }
    }

    /// Writes what is queued (for at most `timeout`, 2 s by default), then stops the thread.
    package func close(timeout: Duration = .seconds(2)) {
        // A thread blocked in write(2) on an output nobody reads would never be joined: then the
        // stop goes on without it (the process is about to exit), rather than hang.
        guard flush(timeout: timeout) else { return }
        state.withLock { $0.closing = true }
        wake.signal()
        let t = thread.withLock { t -> OSThread? in
            defer { t = nil }
            return t
        }
        t?.join()
    }
}
