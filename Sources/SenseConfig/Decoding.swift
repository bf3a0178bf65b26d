import SenseCore

/// Collects diagnostics while a document is decoded, so `check` reports every problem at once.
package final class DiagnosticSink {
    package let file: String
    package private(set) var diagnostics: [ConfigDiagnostic] = []
    /// `kind:name` of declarations that were refused (see `missing`).
    var refusedNames: Set<String> = []

    package init(file: String) { self.file = file }

    package func error(_ mark: SourceMark, _ path: String, _ message: String) {
        diagnostics.append(ConfigDiagnostic(file: file, mark: mark, path: path, message: message))
    }
}

/// A mapping being decoded: knows its key path, records which keys were read, and reports the
/// rest as unknown (strictness catches typos such as `intervall:` before they cost a site visit).
package struct MappingReader {
    package let path: String
    package let mark: SourceMark
    let entries: [(key: String, keyMark: SourceMark, value: YAMLNode)]
    let sink: DiagnosticSink
    /// Where each key stands in `entries`: a lookup costs the same in a mapping of ten thousand
    /// keys (a board's lines, a channel list) as in one of three.
    private let index: [String: Int]
    /// The keys asked for, in the order asked (for "allowed here"), and as a set.
    private var allowed: [String] = []
    private var asked: Set<String> = []

    /// nil (with a diagnostic) when `node` is not a mapping.
    package init?(_ node: YAMLNode, path: String, sink: DiagnosticSink) {
        guard case let .mapping(entries, mark) = node else {
            sink.error(node.mark, path, "expected a mapping of keys, got \(node.kindName)")
            return nil
        }
        self.entries = entries
        self.mark = mark
        self.path = path
        self.sink = sink
        var index: [String: Int] = [:]
        index.reserveCapacity(entries.count)
        for (i, e) in entries.enumerated() where index[e.key] == nil { index[e.key] = i }
        self.index = index
    }

    package func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Whether the mapping has `key`, without marking it as known.
    package func has(_ key: String) -> Bool { index[key] != nil }

    /// The node under `key`, marking the key as known.
    package mutating func node(_ key: String) -> YAMLNode? {
        if asked.insert(key).inserted { allowed.append(key) }
        return index[key].map { entries[$0].value }
    }

    package mutating func required(_ key: String) -> YAMLNode? {
        guard let n = node(key) else {
            sink.error(mark, child(key), "missing required key '\(key)'")
            return nil
        }
        return n
    }

    package func keyMark(_ key: String) -> SourceMark { index[key].map { entries[$0].keyMark } ?? mark }

    /// Reports every key that no accessor asked for.
    package func finish() {
        for e in entries where !asked.contains(e.key) {
            let suggestion =
                allowed.min { editDistance($0, e.key) < editDistance($1, e.key) }
                .flatMap { editDistance($0, e.key) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
            sink.error(
                e.keyMark, child(e.key),
                "unknown key '\(e.key)'\(suggestion); allowed here: \(allowed.joined(separator: ", "))")
        }
    }
}

/// Typed scalar readers: each returns nil after recording a diagnostic.
package struct ScalarReader {
    let sink: DiagnosticSink

    package init(_ sink: DiagnosticSink) { self.sink = sink }

    package func string(_ node: YAMLNode, _ path: String) -> String? {
        guard case let .scalar(s, _, _) = node else {
            sink.error(node.mark, path, "expected a text value, got \(node.kindName)")
            return nil
        }
        return s
    }

    /// A text that must not be empty.
    package func nonEmptyString(_ node: YAMLNode, _ path: String) -> String? {
        guard let v = string(node, path) else { return nil }
        guard !v.isEmpty else {
            sink.error(node.mark, path, "must not be empty")
            return nil
        }
        return v
    }

    /// A topic (or the prefix of one) to publish on: no wildcards, no empty levels.
    package func topic(_ node: YAMLNode, _ path: String, what: String = "topic") -> String? {
        guard let v = string(node, path) else { return nil }
        guard !v.isEmpty, !v.contains("+"), !v.contains("#"), !v.hasPrefix("/"), !v.hasSuffix("/"), !v.contains("//") else {
            sink.error(node.mark, path, "'\(v)' is not a valid \(what) (no wildcards, no empty levels, no leading or trailing '/')")
            return nil
        }
        return v
    }

    /// Unquoted decimal, or hexadecimal with 0x.
    package func integer(_ node: YAMLNode, _ path: String) -> Int? {
        guard case let .scalar(s, plain, m) = node else {
            sink.error(node.mark, path, "expected a whole number, got \(node.kindName)")
            return nil
        }
        guard let v = Self.parseInteger(s) else {
            let digits = !s.isEmpty && s.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
            sink.error(m, path, digits ? "\(s) is too large for a whole number here" : "expected a whole number (like 42 or 0x76), got '\(s)'")
            return nil
        }
        guard plain else {
            sink.error(m, path, Self.quoted(s, "a whole number"))
            return nil
        }
        return v
    }

    /// A whole number within `range`; `why` explains the limits where they are not obvious.
    package func integer(_ node: YAMLNode, _ path: String, in range: ClosedRange<Int>, why: String? = nil) -> Int? {
        guard let v = integer(node, path) else { return nil }
        guard range.contains(v) else {
            sink.error(node.mark, path, "\(why ?? "must be between \(range.lowerBound) and \(range.upperBound)"), got \(v)")
            return nil
        }
        return v
    }

    package func number(_ node: YAMLNode, _ path: String) -> Double? {
        guard case let .scalar(s, plain, m) = node else {
            sink.error(node.mark, path, "expected a number, got \(node.kindName)")
            return nil
        }
        guard let v = Self.parseNumber(s) else {
            let overflow = Double(s).map { !$0.isFinite } ?? false
            sink.error(m, path, overflow ? "\(s) is out of range: numbers in a config lie within ±1e15" : "expected a number, got '\(s)'")
            return nil
        }
        guard plain else {
            sink.error(m, path, Self.quoted(s, "a number"))
            return nil
        }
        guard v.magnitude <= Self.largestNumber else {
            sink.error(m, path, "\(s) is out of range: numbers in a config lie within ±1e15")
            return nil
        }
        return v
    }

    /// A number within `range`.
    package func number(_ node: YAMLNode, _ path: String, in range: ClosedRange<Double>, why: String? = nil) -> Double? {
        guard let v = number(node, path) else { return nil }
        guard range.contains(v) else {
            sink.error(
                node.mark, path,
                "\(why ?? "must be between \(Self.plain(range.lowerBound)) and \(Self.plain(range.upperBound))"), got \(Self.plain(v))")
            return nil
        }
        return v
    }

    /// No physical setting of a gateway comes near this; the bound keeps sums and products of
    /// settings finite.
    package static let largestNumber = 1e15

    package func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        guard case let .scalar(s, plain, m) = node, ["true", "false"].contains(s) else {
            sink.error(node.mark, path, "expected true or false")
            return nil
        }
        guard plain else {
            sink.error(m, path, Self.quoted(s, "true or false"))
            return nil
        }
        return s == "true"
    }

    /// `250ms`, `10s`, `5m`, `1h`, `2d`, or a plain number of seconds, within `range`: every
    /// duration setting has limits, and they are part of its documentation. `why` explains them
    /// where they are not obvious.
    package func duration(_ node: YAMLNode, _ path: String, in range: ClosedRange<Duration>, why: String? = nil) -> Duration? {
        guard case let .scalar(s, _, m) = node else {
            sink.error(node.mark, path, "expected a duration, got \(node.kindName)")
            return nil
        }
        switch DurationText.parse(s) {
        case let .failure(problem):
            sink.error(m, path, problem.description)
            return nil
        case let .success(d):
            guard range.contains(d) else {
                sink.error(m, path, "\(why ?? "must be " + range.limitText), got \(s)")
                return nil
            }
            return d
        }
    }

    package func choice<T: RawRepresentable>(_ node: YAMLNode, _ path: String, _ all: [T]) -> T? where T.RawValue == String {
        guard let s = string(node, path) else { return nil }
        guard let v = T(rawValue: s) else {
            sink.error(node.mark, path, "'\(s)' is not one of: \(all.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return v
    }

    package func list(_ node: YAMLNode, _ path: String) -> [YAMLNode]? {
        guard case let .sequence(items, _) = node else {
            sink.error(node.mark, path, "expected a list, got \(node.kindName)")
            return nil
        }
        return items
    }

    package static func parseInteger(_ s: String) -> Int? { NumberText.integer(s) }

    /// A decimal number (`NumberText.decimal`): not `inf`, `nan` or hexadecimal.
    package static func parseNumber(_ s: String) -> Double? { NumberText.decimal(s) }

    /// The message for a number (or boolean) written in quotes: YAML reads it as text.
    static func quoted(_ s: String, _ what: String) -> String {
        "expected \(what), got the text \"\(s)\": remove the quotes"
    }

    static func plain(_ v: Double) -> String {
        v == v.rounded() && v.magnitude < 1e15 ? String(Int64(v)) : String(v)
    }
}

/// Names for a message, at most `limit` of them: a config with ten thousand actuators must not
/// print ten thousand names in every error.
func listed(_ names: [String], limit: Int = 12) -> String {
    guard names.count > limit else { return names.joined(separator: ", ") }
    return names.prefix(limit).joined(separator: ", ") + " … (\(names.count - limit) more)"
}

/// Levenshtein distance, for "did you mean" on unknown keys.
func editDistance(_ a: String, _ b: String) -> Int {
    // Keys are short; a hostile one is not compared letter by letter (the cost is a product).
    guard a.utf8.count <= 64, b.utf8.count <= 64 else { return Int.max / 2 }
    let a = Array(a), b = Array(b)
    var row = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var prev = row[0]
        row[0] = i
        for j in stride(from: 1, through: b.count, by: 1) {
            let cur = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
            prev = cur
        }
    }
    return row[b.count]
}
