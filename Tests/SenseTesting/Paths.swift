import Foundation

public enum RepositoryPaths {
    /// The repository root (two levels above this file).
    public static var root: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    public static var boards: String { root + "/boards" }
    public static var examples: String { root + "/examples" }
}
