import SenseCore
import SenseHardware
import SenseHardwareLinux

#if canImport(Glibc)
    import Glibc
#endif

/// The libgpiod backend against gpio-sim: outputs seen from the outside, inputs driven from the
/// outside (the line's pull), edges with the kernel's timestamps.
enum GPIOKernelTests {
    static let all: [KernelTest] = [
        KernelTest(name: "gpio: an output's level is what the chip's line shows", body: output),
        KernelTest(name: "gpio: input edges arrive in order with kernel timestamps", body: edges),
        KernelTest(name: "gpio: a burst of 1000 edges (about 1 kHz) from another process, none lost", body: pacedBurst),
        KernelTest(
            name: "gpio: 1000 edges as fast as this process can write them, none lost (libgpiod v2's 1024-event kernel queue)", body: fastBurst),
        KernelTest(name: "gpio: edges lost by the kernel's queue show as sequence gaps (libgpiod v1)", body: lossShows),
        KernelTest(name: "gpio: a released output falls back to its pull; a released line can be requested again", body: release),
        KernelTest(name: "gpio: a busy line, a line beyond the chip and a missing chip are typed errors", body: errors),
        KernelTest(name: "gpio: bias requested by the backend reaches the chip", body: bias),
    ]

    static var apiVersion: Int { LinuxGPIOChip.apiVersion }

    static func chip() throws -> LinuxGPIOChip { try LinuxGPIOChip(name: "gpiochip-sim", path: try Guest.gpioChip) }

    /// Collects a line's edges on a task of its own.
    final class EdgeCollector: Sendable {
        private let events = LockedList<EdgeEvent>()
        private let task: Task<Void, Never>

        init(_ input: any GPIOInput) {
            let stream = input.edges()
            let events = events
            task = Task {
                do { for try await e in stream { events.append(e) } } catch {}
            }
        }

        /// Waits until `count` edges came, or none came for `quiet` (the line has stopped).
        func wait(for count: Int, quiet: Duration = .seconds(2), limit: Duration = .seconds(60)) async -> [EdgeEvent] {
            let end = Guest.monotonicNow + limit
            var seen = 0
            var lastChange = Guest.monotonicNow
            while Guest.monotonicNow < end {
                let now = events.count
                if now >= count { break }
                if now != seen {
                    seen = now
                    lastChange = Guest.monotonicNow
                }
                if Guest.monotonicNow - lastChange > quiet { break }
                await Guest.sleep(milliseconds: 20)
            }
            return events.all
        }
    }

    static func output(_ t: Checks) async throws {
        let out = try chip().requestOutput(offset: 0, initial: false, consumer: "kernel-test")
        defer { out.release() }
        t.expect(try Guest.level(0) == 0, "initial low")
        for high in [true, false, true, true, false] {
            try out.set(high)
            t.expect(try Guest.level(0) == (high ? 1 : 0), "set \(high)")
            t.expect(out.level == high, "level reported")
        }
    }

    static func edges(_ t: Checks) async throws {
        try Guest.pull(1, up: false)
        let input = try chip().requestInput(offset: 1, bias: .asIs, consumer: "kernel-test")
        defer { input.release() }
        t.expect(try input.level() == false, "starts low")
        var windows: [(MonotonicInstant, MonotonicInstant)] = []
        let collector = EdgeCollector(input)
        for i in 0..<20 {
            let before = Guest.monotonicNow
            try Guest.pull(1, up: i % 2 == 0)
            windows.append((before, Guest.monotonicNow))
            await Guest.sleep(milliseconds: 5)
        }
        let got = await collector.wait(for: 20)
        t.expect(got.count == 20, "20 edges, got \(got.count)")
        for (i, e) in got.enumerated() {
            t.expect(e.edge == (i % 2 == 0 ? .rising : .falling), "edge \(i) is \(e.edge)")
            t.expect(e.sequence == UInt64(i + 1), "sequence \(e.sequence) at \(i)")
            // The kernel stamps the edge when the line changes: inside the window of the write.
            if i < windows.count {
                t.expect(
                    e.timestamp >= windows[i].0 && e.timestamp <= windows[i].1,
                    "edge \(i) stamped \(e.timestamp.nanoseconds), written in \(windows[i].0.nanoseconds)…\(windows[i].1.nanoseconds)")
            }
        }
        t.expect(try input.level() == false, "ends low")
    }

    /// Writes 1000 alternating pulls on `line` (`pace` between them) and collects the edges.
    static func burst(line: Int, pace: UInt32) async throws -> (edges: [EdgeEvent], took: Duration) {
        try Guest.pull(line, up: false)
        let input = try chip().requestInput(offset: line, bias: .asIs, consumer: "kernel-test")
        defer { input.release() }
        let collector = EdgeCollector(input)
        let start = Guest.monotonicNow
        if pace > 0 {
            // The world outside: another process drives the line, as a sensor would, leaving this
            // process to read edges the way the daemon does.
            let writer = try GuestProcess(
                CommandLine.arguments[0], ["--drive", String(line), "1000", String(pace)],
                log: "/tmp/burst-writer.log")
            _ = await writer.wait(timeout: .seconds(30))
        } else {
            let puller = try Guest.Puller(line)
            for i in 0..<1000 { try puller.set(up: i % 2 == 0) }
        }
        let took = Guest.monotonicNow - start
        return (await collector.wait(for: 1000), took)
    }

    static func checkComplete(_ t: Checks, _ got: [EdgeEvent]) {
        t.expect(got.count == 1000, "1000 edges, got \(got.count)")
        let alternating = got.enumerated().allSatisfy { $0.element.edge == ($0.offset % 2 == 0 ? .rising : .falling) }
        let doubled = zip(got.indices, got.indices.dropFirst()).filter { got[$0].edge == got[$1].edge }.map { i, j in
            "#\(j) \(got[j].edge) \((got[j].timestamp - got[i].timestamp).nanoseconds / 1000) µs after #\(i)"
        }
        t.expect(alternating, "edges alternate rising/falling; repeated at \(doubled.prefix(5))")
        t.expect(zip(got, got.dropFirst()).allSatisfy { $0.timestamp <= $1.timestamp }, "timestamps never go back")
        t.expect(got.map(\.sequence) == (0..<UInt64(got.count)).map { $0 + 1 }, "sequence 1…n without a gap")
    }

    /// `sensegate-kernel-tests --drive LINE COUNT PACE_US`: toggles a line's pull COUNT times.
    static func drive(line: Int, count: Int, pace: UInt32) throws {
        let puller = try Guest.Puller(line)
        for i in 0..<count {
            try puller.set(up: i % 2 == 0)
            usleep(pace)
        }
    }

    static func pacedBurst(_ t: Checks) async throws {
        let (got, took) = try await burst(line: 2, pace: 300)
        print("#   1000 edges written in \(took.nanoseconds / 1_000_000) ms")
        checkComplete(t, got)
    }

    static func fastBurst(_ t: Checks) async throws {
        guard apiVersion >= 2 else { throw Skip(reason: "libgpiod v1: the kernel queues 16 events per line (next test)") }
        let (got, took) = try await burst(line: 12, pace: 0)
        print("#   1000 edges written in \(took.nanoseconds / 1_000_000) ms")
        checkComplete(t, got)
    }

    /// v1 has no kernel sequence numbers and a queue of 16: a burst faster than the reader drops
    /// edges. The backend must then show a gap where two edges of one direction follow each other.
    static func lossShows(_ t: Checks) async throws {
        guard apiVersion == 1 else { throw Skip(reason: "libgpiod v2 numbers events in the kernel") }
        let (got, took) = try await burst(line: 13, pace: 0)
        let doubled = zip(got, got.dropFirst()).filter { $0.edge == $1.edge }.count
        let gaps = zip(got, got.dropFirst()).filter { $1.sequence != $0.sequence + 1 }.count
        print("#   1000 edges written in \(took.nanoseconds / 1_000_000) ms; \(got.count) read, \(doubled) places where edges were lost")
        t.expect(gaps == doubled, "each place two edges of one direction follow is a sequence gap (\(gaps) gaps, \(doubled) places)")
        t.expect(got.first?.sequence == 1 && zip(got, got.dropFirst()).allSatisfy { $1.sequence > $0.sequence }, "sequence increasing")
    }

    static func release(_ t: Checks) async throws {
        try Guest.pull(3, up: false)
        let c = try chip()
        let out = try c.requestOutput(offset: 3, initial: true, consumer: "kernel-test")
        t.expect(try Guest.level(3) == 1, "driven high")
        out.release()
        t.expect(try Guest.level(3) == 0, "released: back to its pull-down")
        do {
            try out.set(true)
            t.record("a released output took a level")
        } catch {
            t.expect(error == .released(chip: "gpiochip-sim", offset: 3), "\(error)")
        }
        let again = try c.requestInput(offset: 3, bias: .asIs, consumer: "kernel-test")
        t.expect(try again.level() == false, "requested again as an input")
        again.release()
    }

    static func errors(_ t: Checks) async throws {
        let c = try chip()
        let first = try c.requestInput(offset: 4, bias: .asIs, consumer: "kernel-test")
        defer { first.release() }
        do {
            _ = try c.requestInput(offset: 4, bias: .asIs, consumer: "kernel-test-2")
            t.record("the same line was requested twice")
        } catch {
            t.expect(error == .lineBusy(chip: "gpiochip-sim", offset: 4), "\(error)")
        }
        do {
            _ = try c.requestOutput(offset: c.lineCount, initial: false, consumer: "kernel-test")
            t.record("a line beyond the chip was requested")
        } catch {
            t.expect(error == .noSuchLine(chip: "gpiochip-sim", offset: c.lineCount, lineCount: c.lineCount), "\(error)")
        }
        do {
            _ = try LinuxGPIOChip(name: "gpiochip9", path: "/dev/gpiochip9")
            t.record("/dev/gpiochip9 opened")
        } catch {
            t.expect(error == .openFailed(path: "/dev/gpiochip9", errno: 2), "\(error)")
        }
    }

    /// A pull-up requested with the line: gpio-sim takes the bias as its pull, as a real SoC's pad does.
    static func bias(_ t: Checks) async throws {
        try Guest.pull(5, up: false)
        let c = try chip()
        let up = try c.requestInput(offset: 5, bias: .pullUp, consumer: "kernel-test")
        t.expect(try up.level() == true, "pull-up bias reads high")
        up.release()
        let down = try c.requestInput(offset: 5, bias: .pullDown, consumer: "kernel-test")
        t.expect(try down.level() == false, "pull-down bias reads low")
        down.release()
    }
}
