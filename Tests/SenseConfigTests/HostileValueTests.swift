import SenseConfig
import SenseParts
import SenseTesting
import Testing

/// Every value of every example, replaced in turn by absurd ones: `check` must answer each with
/// a config or with errors, never trap or hang (issue 17: `interval: 99999999999999999999s` crashed
/// `sensegate check` and, on SIGHUP, the daemon).
/// Serialized: thousands of checks, on one core, leave the other to the end-to-end tests' daemons.
@Suite(.serialized) struct HostileValueTests {
    static let absurd = ["99999999999999999999", "-1e308", "1e-320", "-1", "99999999999999999999s", "0x7fffffffffffffff", "\"12\""]

    @Test(arguments: ["demo.yaml", "raspberry-pi.yaml", "air-station.yaml", "river-gauge.yaml", "crossroads.yaml"])
    func everyValueOfAnExample(file: String) throws {
        let path = RepositoryPaths.examples + "/" + file
        let text = try #require(String(validating: try FileList.read(path), as: UTF8.self))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let root = try #require(try YAMLParser.parse(Array(text.utf8)))
        var places: [(line: Int, column: Int, length: Int)] = []
        Self.plainScalars(root, into: &places)
        #expect(places.count > 20)
        var refused = 0
        for place in places {
            for value in Self.absurd {
                var mutated = lines
                let line = Array(mutated[place.line - 1].unicodeScalars)
                let start = place.column - 1
                guard start + place.length <= line.count else { continue }
                mutated[place.line - 1] =
                    String(String.UnicodeScalarView(line[..<start])) + value
                    + String(String.UnicodeScalarView(line[(start + place.length)...]))
                do {
                    _ = try ConfigLoader.check(Array(mutated.joined(separator: "\n").utf8), file: path, parts: .standard)
                } catch {
                    refused += 1
                    for d in error.diagnostics { #expect(d.file == path && d.mark.line >= 1) }
                }
            }
        }
        // Most absurd values are refused; some are fine where they stand (a description, -1 as a low limit).
        #expect(refused > places.count * Self.absurd.count / 2)
    }

    /// Where each plain (unquoted, one-line) scalar value stands in the text.
    static func plainScalars(_ node: YAMLNode, into places: inout [(line: Int, column: Int, length: Int)]) {
        switch node {
        case let .scalar(text, plain, mark):
            if plain, !text.isEmpty, !text.contains("\n") { places.append((mark.line, mark.column, text.unicodeScalars.count)) }
        case let .sequence(items, _):
            for item in items { plainScalars(item, into: &places) }
        case let .mapping(entries, _):
            for e in entries { plainScalars(e.value, into: &places) }
        }
    }
}
