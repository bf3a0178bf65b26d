import SenseCore

/// One problem in a config or board file, pointing at file, line, column and key path:
/// `demo.yaml:12:14: sensors[0].address: 0x99 is not a 7-bit I2C address (0x03–0x77)`.
package struct ConfigDiagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    package var file: String
    package var mark: SourceMark
    package var path: String
    package var message: String

    package init(file: String, mark: SourceMark, path: String, message: String) {
        self.file = file
        self.mark = mark
        self.path = path
        self.message = message
    }

    package var description: String {
        "\(file):\(mark.line):\(mark.column): \(path.isEmpty ? "" : path + ": ")\(message)"
    }
}

/// Every problem found in one check; a config is accepted only when there are none.
package struct ConfigErrors: Error, Sendable, Hashable, CustomStringConvertible {
    package var diagnostics: [ConfigDiagnostic]
    package init(_ diagnostics: [ConfigDiagnostic]) { self.diagnostics = diagnostics }
    package var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
