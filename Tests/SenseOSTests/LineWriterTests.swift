import Foundation
import SenseOS
import Testing

/// The log's writer (issue 18): logging never waits for the log's output.
@Suite struct LineWriterTests {
    /// stderr is a pipe nobody reads (a stalled journald, a terminal left in scroll lock): 20,000
    /// lines are taken at memory speed, what does not fit is counted, and once the pipe is read
    /// again the kept lines arrive in order, and where lines were lost a line says how many.
    @Test func aStalledOutputNeverHoldsUpTheLoggerAndLossIsSaid() throws {
        var fds: [Int32] = [0, 0]
        // Close-on-exec: a child another test spawns meanwhile must not inherit the write end,
        // or the reader below would wait for that child's exit to see the end of the pipe.
        #expect(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        let writer = try LineWriter(fd: writeEnd)
        let line = String(repeating: "x", count: 190)
        let start = Date()
        for i in 0..<20_000 { writer.write("\(i) \(line)\n") }
        let took = Date().timeIntervalSince(start)
        #expect(took < 0.5, "20,000 lines took \(took) s: the logger waited for the pipe")
        #expect(writer.dropped > 0)
        // Now the output takes lines again.
        let collected = Collected()
        Thread.detachNewThread { collected.read(readEnd) }
        writer.close(timeout: .seconds(60))  // the pipe is read again: a loaded machine may take a while
        close(writeEnd)
        #expect(collected.wait())
        let lines = collected.text.split(separator: "\n")
        let numbers = lines.compactMap { $0.split(separator: " ").first.flatMap { Int($0) } }
        #expect(numbers == numbers.sorted() && numbers.first == 0, "kept lines in order from the first")
        #expect(numbers.count + writer.dropped == 20_000)
        // Each report stands where the loss was: after the last line kept before it, and it
        // counts the lines missing between that one and the next kept (none after the last).
        var reported = 0
        for (i, l) in lines.enumerated() where l.hasPrefix("log: ") {
            let count = Int(l.dropFirst(5).prefix { $0.isNumber }) ?? -1
            reported += count
            let before = lines[..<i].last { !$0.hasPrefix("log: ") }.flatMap { Int($0.prefix { $0.isNumber }) } ?? -1
            let after = lines[(i + 1)...].first { !$0.hasPrefix("log: ") }.flatMap { Int($0.prefix { $0.isNumber }) } ?? 20_000
            #expect(after - before - 1 == count, "report \(l) between \(before) and \(after)")
        }
        #expect(reported == writer.dropped && reported > 0, "\(lines.filter { $0.hasPrefix("log: ") })")
        close(readEnd)
    }

    /// A clean stop with stderr still stalled: closing gives up after its 2 s flush instead of
    /// waiting forever for a thread blocked in write(2) (the daemon's stop would hang).
    @Test func closingWithAStalledOutputDoesNotHang() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        let writer = try LineWriter(fd: fds[1])
        for i in 0..<2_000 { writer.write("\(i) \(String(repeating: "y", count: 190))\n") }
        let start = Date()
        writer.close()
        let took = Date().timeIntervalSince(start)
        #expect(took < 5, "close took \(took) s")
        // The pipe is left open: the writer's thread is still blocked on it, as at a real exit.
    }
}

/// Reads a descriptor to its end on a thread of its own.
final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    func read(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = Glibc.read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            lock.withLock { data.append(contentsOf: buffer[0..<n]) }
        }
        done.signal()
    }

    func wait() -> Bool { done.wait(timeout: .now() + 10) == .success }
    var text: String { lock.withLock { String(decoding: data, as: UTF8.self) } }
}
