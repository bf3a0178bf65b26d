import Foundation
import SenseCore
import SenseOS
import SenseTesting
import Testing

@testable import SenseDaemon

/// State files read back at start (issue 17): refused or recovered with a reason, never read in
/// part and never a trap.
@Suite struct StateFileTests {
    @Test func anOversizedTotalsFileIsSetAsideWhole() throws {
        let dir = TemporaryDirectory.make("sensegate-state")
        let store = try PulseTotalsStore(stateDirectory: dir, sensor: "rain")
        try FileList.write(String(repeating: "total 1\n", count: 10_000), to: store.path)  // 80 KB
        let log = LogRecorder()
        let totals = try store.restore(logger: log.logger)
        #expect(totals.total == 0)
        #expect(FileManager.default.fileExists(atPath: store.path + ".corrupt"))
        #expect(log.lines.contains { $0.message.contains("unreadable, moved to") })
    }

    @Test func aFileAtTheLimitIsReadAndOneByteMoreIsRefused() throws {
        let dir = TemporaryDirectory.make("sensegate-state")
        let path = dir + "/f"
        try FileList.write(String(repeating: "x", count: DurableFile.sizeLimit), to: path)
        #expect(try DurableFile.read(path)?.utf8.count == DurableFile.sizeLimit)
        try FileList.write(String(repeating: "x", count: DurableFile.sizeLimit + 1), to: path)
        #expect(throws: DurableFile.Failure.self) { _ = try DurableFile.read(path) }
    }

    @Test(arguments: ["0", "9007199254740991", "18446744073709551615", "-1", "12x", ""])
    func aSeqFileOutsideItsRangeIsRefusedWithItsReason(text: String) throws {
        let dir = TemporaryDirectory.make("sensegate-state")
        try FileList.write(text + "\n", to: dir + "/seq")
        #expect(throws: SequenceStore.StoreError.corrupt(path: dir + "/seq")) {
            _ = try SequenceStore(directory: dir, writer: StateFileWriter(), logger: LogRecorder().logger)
        }
        #expect(SequenceStore.StoreError.corrupt(path: "p").description.contains("from 1 to 9007199254739991"))
    }
}
