import CGPIOD
import SenseCore
import SenseHardware
import SenseOS
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `/dev/gpiochipN` through libgpiod (v1 on Debian 12; the CGPIOD seam also builds against v2).
package final class LinuxGPIOChip: GPIOChip {
    package let name: String
    package let path: String
    package let lineCount: Int

    package init(name: String, path: String) throws(GPIOError) {
        let n = cgpiod_chip_lines(path)
        guard n >= 0 else { throw .openFailed(path: path, errno: -n) }
        self.name = name
        self.path = path
        lineCount = Int(n)
    }

    /// 1 or 2: the libgpiod API this binary was built against.
    package static var apiVersion: Int { Int(cgpiod_api_version()) }

    package func requestInput(offset: Int, bias: Bias, consumer: String) throws(GPIOError) -> any GPIOInput {
        try check(offset)
        let line = UnsafeMutablePointer<cgpiod_line>.allocate(capacity: 1)
        line.initialize(to: cgpiod_line())
        let rc = cgpiod_request_input(path, UInt32(offset), bias.cgpiod, consumer, line)
        guard rc == 0 else {
            line.deallocate()
            throw mapRequestError(-rc, offset)
        }
        return LinuxGPIOInput(chip: name, offset: offset, line: line)
    }

    package func requestOutput(offset: Int, initial: Bool, consumer: String) throws(GPIOError) -> any GPIOOutput {
        try check(offset)
        let line = UnsafeMutablePointer<cgpiod_line>.allocate(capacity: 1)
        line.initialize(to: cgpiod_line())
        let rc = cgpiod_request_output(path, UInt32(offset), initial ? 1 : 0, consumer, line)
        guard rc == 0 else {
            line.deallocate()
            throw mapRequestError(-rc, offset)
        }
        return LinuxGPIOOutput(chip: name, offset: offset, line: line, level: initial)
    }

    private func check(_ offset: Int) throws(GPIOError) {
        guard offset >= 0, offset < lineCount else {
            throw .noSuchLine(chip: name, offset: offset, lineCount: lineCount)
        }
    }

    private func mapRequestError(_ errno: Int32, _ offset: Int) -> GPIOError {
        switch errno {
        case 16: .lineBusy(chip: name, offset: offset)  // EBUSY
        case 2, 13, 19: .openFailed(path: path, errno: errno)  // ENOENT, EACCES, ENODEV
        default: .io(chip: name, offset: offset, errno: errno)
        }
    }
}

extension Bias {
    var cgpiod: Int32 {
        switch self {
        case .asIs: Int32(CGPIOD_BIAS_AS_IS)
        case .disabled: Int32(CGPIOD_BIAS_DISABLE)
        case .pullUp: Int32(CGPIOD_BIAS_PULL_UP)
        case .pullDown: Int32(CGPIOD_BIAS_PULL_DOWN)
        }
    }
}

/// The C line handle, owned by one input or output and freed exactly once.
private final class LineHandle: @unchecked Sendable {
    // Guarded by the owner's mutex.
    let pointer: UnsafeMutablePointer<cgpiod_line>
    init(_ pointer: UnsafeMutablePointer<cgpiod_line>) { self.pointer = pointer }
    func free() {
        cgpiod_release(pointer)
        pointer.deallocate()
    }
}

final class LinuxGPIOInput: GPIOInput {
    let chip: String
    let offset: Int
    private let handle: LineHandle
    private let released = Locked(false)
    private let stop = StopFlag()
    private let reader = Locked<OSThread?>(nil)
    private let stream: EdgeEvents
    private let continuation: EdgeEvents.Continuation

    init(chip: String, offset: Int, line: UnsafeMutablePointer<cgpiod_line>) {
        self.chip = chip
        self.offset = offset
        handle = LineHandle(line)
        (stream, continuation) = EdgeEvents.makeStream(bufferingPolicy: .bufferingNewest(4096))
        startReader()
    }

    func level() throws(GPIOError) -> Bool {
        try released.withLock { isReleased throws(GPIOError) -> Bool in
            guard !isReleased else { throw .released(chip: chip, offset: offset) }
            let v = cgpiod_get_value(handle.pointer)
            guard v >= 0 else { throw .io(chip: chip, offset: offset, errno: -v) }
            return v == 1
        }
    }

    func edges() -> EdgeEvents { stream }

    func release() {
        stop.set()
        let thread = reader.withLock { t -> OSThread? in
            defer { t = nil }
            return t
        }
        thread?.join()
        released.withLock { isReleased in
            guard !isReleased else { return }
            isReleased = true
            handle.free()
        }
        continuation.finish()
    }

    deinit { release() }

    /// A dedicated thread waits on the line's file descriptor, so no cooperative thread is
    /// pinned; it wakes every 100 ms to notice a release.
    private func startReader() {
        let context = EdgeReader(
            handle: handle, stop: stop, continuation: continuation,
            chip: chip, offset: offset)
        do throws(OSThread.StartError) {
            let thread = try OSThread(name: "gpio \(chip) \(offset)") { context.run() }
            reader.withLock { $0 = thread }
        } catch {
            continuation.finish(throwing: GPIOError.io(chip: chip, offset: offset, errno: error.errno))
        }
    }
}

private final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func set() { flag.store(true, ordering: .releasing) }
    var isSet: Bool { flag.load(ordering: .acquiring) }
}

/// The body of an input's reader thread.
private final class EdgeReader: @unchecked Sendable {
    let handle: LineHandle
    let stop: StopFlag
    let continuation: EdgeEvents.Continuation
    let chip: String
    let offset: Int

    init(handle: LineHandle, stop: StopFlag, continuation: EdgeEvents.Continuation, chip: String, offset: Int) {
        self.handle = handle
        self.stop = stop
        self.continuation = continuation
        self.chip = chip
        self.offset = offset
    }

    func run() {
        var counted: UInt64 = 0
        var previous: Edge?
        var buffer = [cgpiod_event](repeating: cgpiod_event(), count: 64)
        while !stop.isSet {
            let rc = cgpiod_wait(handle.pointer, 100_000_000)
            if rc == -EINTR { continue }  // a signal, not a fault of the line
            if rc < 0 {
                continuation.finish(throwing: GPIOError.io(chip: chip, offset: offset, errno: -rc))
                return
            }
            guard rc > 0 else { continue }
            let n = cgpiod_read_events(handle.pointer, &buffer, UInt32(buffer.count))
            if n < 0 {
                continuation.finish(throwing: GPIOError.io(chip: chip, offset: offset, errno: -n))
                return
            }
            for e in buffer.prefix(Int(n)) {
                let edge: Edge = e.rising != 0 ? .rising : .falling
                // libgpiod v1 has no kernel sequence number, and the kernel's queue of 16 events
                // drops edges when the reader falls behind. Two edges of the same direction in a
                // row prove at least one lost between them: counted as a gap, so the loss shows.
                counted += edge == previous ? 2 : 1
                previous = edge
                continuation.yield(
                    EdgeEvent(
                        edge: edge, timestamp: MonotonicInstant(nanoseconds: Int64(e.ts_ns)),
                        sequence: e.seqno != 0 ? e.seqno : counted))
            }
        }
    }
}

final class LinuxGPIOOutput: GPIOOutput {
    let chip: String
    let offset: Int
    private let handle: LineHandle
    private let state: Locked<(level: Bool, released: Bool)>

    init(chip: String, offset: Int, line: UnsafeMutablePointer<cgpiod_line>, level: Bool) {
        self.chip = chip
        self.offset = offset
        handle = LineHandle(line)
        state = Locked((level, false))
    }

    func set(_ high: Bool) throws(GPIOError) {
        try state.withLock { s throws(GPIOError) in
            guard !s.released else { throw .released(chip: chip, offset: offset) }
            let rc = cgpiod_set_value(handle.pointer, high ? 1 : 0)
            guard rc == 0 else { throw .io(chip: chip, offset: offset, errno: -rc) }
            s.level = high
        }
    }

    var level: Bool { state.withLock { $0.level } }

    func release() {
        state.withLock { s in
            guard !s.released else { return }
            s.released = true
            handle.free()
        }
    }

    deinit { release() }
}
