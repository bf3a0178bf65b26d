import SenseCore

/// One problem in a config or board file, pointing at file, line, column and key path:
/// `demo.yaml:12:14: sensors[0].address: 0x99 is not a 7-bit I2C address (0x03–0x77)`.
public struct ConfigDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var mark: SourceMark
    public var path: String
    public var message: String

    public init(file: String, mark: SourceMark, path: String, message: String) {
        self.file = file
        self.mark = mark
        self.path = path
        self.message = message
    }

    public var description: String {
        "\(file):\(mark.line):\(mark.column): \(path.isEmpty ? "" : path + ": ")\(message)"
    }
}

/// Every problem found in one check; a config is accepted only when there are none.
public struct ConfigErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]
    public init(_ diagnostics: [ConfigDiagnostic]) { self.diagnostics = diagnostics }
    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
