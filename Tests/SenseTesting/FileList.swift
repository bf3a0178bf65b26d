import Foundation

/// Small file chores for tests (Foundation stays out of Sources/).
package enum FileList {
    package static func names(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    package static func read(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    package static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    package static func size(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    }

    package static func copy(_ from: String, to: String) throws {
        if FileManager.default.fileExists(atPath: to) { try FileManager.default.removeItem(atPath: to) }
        try FileManager.default.copyItem(atPath: from, toPath: to)
    }

    /// Cuts a file to its first `length` bytes (a write torn by a power cut).
    package static func truncate(_ path: String, to length: Int) {
        Foundation.truncate(path, off_t(length))
    }
}

extension FileList {
    package static func append(_ text: String, to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { do { try handle.close() } catch {} }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(text.utf8))
    }
}
