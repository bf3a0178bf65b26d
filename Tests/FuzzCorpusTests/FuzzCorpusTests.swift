import Foundation
import SenseFuzzing
import SenseTesting
import Testing

/// Every committed fuzz input (the seeds and what libFuzzer found, crashes kept as regressions)
/// replayed through the same harness `Fuzz/fuzz.sh` fuzzes: a plain build catches a trap here
/// even where no sanitizer runs.
@Suite struct FuzzCorpusTests {
    static let corpus = RepositoryPaths.root + "/Fuzz/Corpus"

    @Test(arguments: FuzzTargets.all.map(\.name))
    func everyCommittedInputIsTaken(target: String) throws {
        setenv("SENSEGATE_BOARDS", RepositoryPaths.boards, 1)
        let t = try #require(FuzzTargets.named(target))
        let files = try FileList.names(in: Self.corpus + "/" + target)
        #expect(!files.isEmpty, "no corpus for \(target)")
        for file in files { t.run(try FileList.read(Self.corpus + "/" + target + "/" + file)) }
    }

    @Test func everyTargetHasADictionaryAndSeeds() throws {
        for t in FuzzTargets.all {
            #expect(FileManager.default.fileExists(atPath: RepositoryPaths.root + "/Fuzz/Dictionaries/\(t.name).dict"), "\(t.name)")
            #expect(try FileList.names(in: Self.corpus + "/" + t.name).contains { $0.hasPrefix("seed-") }, "\(t.name)")
        }
    }
}
