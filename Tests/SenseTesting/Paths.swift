import Foundation

package enum RepositoryPaths {
    /// The repository root (two levels above this file).
    package static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    package static var boards: String { root + "/boards" }
    package static var examples: String { root + "/examples" }
}
