import Glibc
import Testing

@testable import SenseOS

@Suite struct ExposedFileTests {
    static func temporaryDirectory() -> String {
        var template = Array("/tmp/sensegate-exposed-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    static func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o7777 : 0
    }

    @Test func replacedWholeReadableByAllAndNothingLeftBeside() throws {
        let dir = Self.temporaryDirectory()
        let path = dir + "/sensegate.prom"
        try ExposedFile.replace(path, with: "a 1\n")
        try ExposedFile.replace(path, with: "a 2\n")
        #expect(try DurableFile.read(path) == "a 2\n")
        #expect(Self.mode(path) == 0o644)
        #expect(access(path + ".tmp", F_OK) != 0)
    }

    @Test func aMissingDirectoryIsATypedFailure() {
        #expect(throws: DurableFile.Failure(path: "/nonexistent-sensegate/x.prom.tmp", operation: "write", errno: ENOENT)) {
            try ExposedFile.replace("/nonexistent-sensegate/x.prom", with: "a 1\n")
        }
    }

    @Test func aLinkWhereTheTemporaryFileGoesIsNotWrittenThrough() throws {
        let dir = Self.temporaryDirectory()
        let target = dir + "/elsewhere"
        #expect(symlink(target, dir + "/sensegate.prom.tmp") == 0)
        #expect(throws: DurableFile.Failure(path: dir + "/sensegate.prom.tmp", operation: "write", errno: ELOOP)) {
            try ExposedFile.replace(dir + "/sensegate.prom", with: "a 1\n")
        }
        #expect(access(target, F_OK) != 0, "nothing was written through the link")
    }
}
