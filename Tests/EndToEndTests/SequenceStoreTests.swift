import Foundation
import SenseDaemon
import SenseTesting
import Testing

@Suite struct SequenceStoreTests {
    @Test func neverRepeatsAcrossCrashesAndIsGaplessAcrossCleanStops() throws {
        let dir = TemporaryDirectory.make("sensegate-seq")
        var store = try SequenceStore(directory: dir)
        #expect((1...5).map { _ in store.next().value } == [1, 2, 3, 4, 5])
        try store.close()
        store = try SequenceStore(directory: dir)            // clean restart: no gap
        #expect(store.next().value == 6)
        store = try SequenceStore(directory: dir)            // "crash": the block is skipped
        #expect(store.next().value == 1006)
        for _ in 0..<(Int(SequenceStore.block) + 10) { _ = store.next() }
        store = try SequenceStore(directory: dir)            // crash after crossing a block
        #expect(store.next().value > 2016)
    }

    @Test func numberingMovesAboveWhatTheOutboxHolds() throws {
        let dir = TemporaryDirectory.make("sensegate-seq")
        let store = try SequenceStore(directory: dir)   // the seq file was lost; the outbox kept 1…4200
        #expect(try store.ensureAbove(4200))
        #expect(store.next().value == 4201)
        #expect(try !store.ensureAbove(100))
        try store.close()
        #expect(try SequenceStore(directory: dir).next().value == 4202)
    }

    @Test func corruptOrUnwritableStateIsAClearError() throws {
        let dir = TemporaryDirectory.make("sensegate-seq")
        try "garbage\n".write(toFile: dir + "/seq", atomically: true, encoding: .utf8)
        #expect(throws: SequenceStore.StoreError.corrupt(path: dir + "/seq")) { _ = try SequenceStore(directory: dir) }
        do {
            _ = try SequenceStore(directory: "/proc/sensegate-cannot-exist")
            Issue.record("created a state directory under /proc")
        } catch {
            #expect(error.description.hasPrefix("/proc/sensegate-cannot-exist: cannot create directory"))
        }
    }
}
