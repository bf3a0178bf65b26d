import Foundation
import SenseDaemon
import SenseOS
import SenseTesting
import Testing

@Suite struct SequenceStoreTests {
    static func open(_ dir: String, _ writer: StateFileWriter, _ log: LogRecorder = LogRecorder()) throws -> SequenceStore {
        try SequenceStore(directory: dir, writer: writer, logger: log.logger)
    }

    @Test func neverRepeatsAcrossCrashesAndIsGaplessAcrossCleanStops() throws {
        let dir = TemporaryDirectory.make("sensegate-seq")
        let writer = try StateFileWriter()
        defer { writer.close() }
        var store = try Self.open(dir, writer)
        #expect((1...5).map { _ in store.next() } == [1, 2, 3, 4, 5])
        try store.close()
        store = try Self.open(dir, writer)  // clean restart: no gap
        #expect(store.next() == 6)
        store = try Self.open(dir, writer)  // "crash": the range is skipped
        #expect(store.next() == 1006)
        var last: UInt64 = 0
        for _ in 0..<(Int(clamping: SequenceStore.block) + 10) { last = store.next() }
        store.settle()  // the card kept up with numbering
        store = try Self.open(dir, writer)  // crash after crossing a range
        #expect(store.next() > last)
    }

    @Test func numberingMovesAboveWhatTheOutboxHolds() throws {
        let dir = TemporaryDirectory.make("sensegate-seq")
        let writer = try StateFileWriter()
        defer { writer.close() }
        let store = try Self.open(dir, writer)  // the seq file was lost; the outbox kept 1…4200
        #expect(try store.ensureAbove(4200))
        #expect(store.next() == 4201)
        #expect(try !store.ensureAbove(100))
        try store.close()
        #expect(try Self.open(dir, writer).next() == 4202)
    }

    @Test func corruptOrUnwritableStateIsAClearError() throws {
        let dir = TemporaryDirectory.make("sensegate-seq")
        let writer = try StateFileWriter()
        defer { writer.close() }
        try "garbage\n".write(toFile: dir + "/seq", atomically: true, encoding: .utf8)
        #expect(throws: SequenceStore.StoreError.corrupt(path: dir + "/seq")) { _ = try Self.open(dir, writer) }
        do {
            _ = try Self.open("/proc/sensegate-cannot-exist", writer)
            Issue.record("created a state directory under /proc")
        } catch {
            #expect("\(error)".hasPrefix("/proc/sensegate-cannot-exist: cannot create directory"))
        }
    }

    /// Issue 18: numbering is on the reflex path and never waits for the card. With every write
    /// taking 500 ms, 5,000 numbers are handed out at memory speed; numbering that outruns what
    /// is on disk says so, the reservations grow until the card keeps up, and after the writes
    /// have landed a crash still repeats nothing.
    @Test func numberingNeverWaitsForASlowCard() async throws {
        try await Blocking.run {
            let dir = TemporaryDirectory.make("sensegate-seq")
            let card = SlowStateFiles(delayMilliseconds: 500)
            let writer = try StateFileWriter(files: card)
            defer { writer.close() }
            let log = LogRecorder()
            let store = try Self.open(dir, writer, log)  // its first reservation is written before it returns
            let start = Date()
            var last: UInt64 = 0
            for _ in 0..<5000 { last = store.next() }
            let took = Date().timeIntervalSince(start)
            #expect(took < 0.25, "5,000 numbers took \(took) s: numbering waited for the card")
            #expect(store.problem?.contains("ahead of its reservation") == true)
            store.settle()
            #expect(store.problem == nil)
            #expect(log.lines.contains { $0.message.contains("while the disk held a reservation up to") })
            let reopened = try Self.open(dir, writer)  // a crash now
            #expect(reopened.next() > last)
            // The reservations grew: a few writes covered 5,000 numbers and more.
            #expect(card.writes < 12)
        }
    }

    /// A card that refuses writes: numbering goes on in memory, health says why, the log says it
    /// once, and the store tries again later rather than on every message.
    @Test func aCardThatRefusesWritesIsReportedNotWaitedFor() async throws {
        try await Blocking.run { try Self.refusingCard() }
    }

    static func refusingCard() throws {
        let dir = TemporaryDirectory.make("sensegate-seq")
        let card = SlowStateFiles(delayMilliseconds: 0)
        let writer = try StateFileWriter(files: card)
        defer { writer.close() }
        let log = LogRecorder()
        let store = try open(dir, writer, log)
        card.fail(with: EROFS)
        for _ in 0..<3000 {
            _ = store.next()
            store.settle()
        }
        #expect(store.problem?.contains("EROFS") == true)
        #expect(log.lines.filter { $0.message.contains("numbering continues in memory") }.count == 1)
        #expect(card.writes < 10, "\(card.writes) attempts for 3,000 numbers")
        card.fail(with: 0)
        for _ in 0..<3000 {
            _ = store.next()
            store.settle()
        }
        #expect(store.problem == nil)
        #expect(log.lines.contains { $0.message.contains("is written again") })
    }
}
