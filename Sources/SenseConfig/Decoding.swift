import SenseCore

/// Collects diagnostics while a document is decoded, so `check` reports every problem at once.
public final class DiagnosticSink {
    public let file: String
    public private(set) var diagnostics: [ConfigDiagnostic] = []

    public init(file: String) { self.file = file }

    public func error(_ mark: SourceMark, _ path: String, _ message: String) {
        diagnostics.append(ConfigDiagnostic(file: file, mark: mark, path: path, message: message))
    }
}

/// A mapping being decoded: knows its key path, records which keys were read, and reports the
/// rest as unknown (strictness catches typos such as `intervall:` before they cost a site visit).
public struct MappingReader {
    public let path: String
    public let mark: SourceMark
    let entries: [(key: String, keyMark: SourceMark, value: YAMLNode)]
    let sink: DiagnosticSink
    private var allowed: [String] = []

    /// nil (with a diagnostic) when `node` is not a mapping.
    public init?(_ node: YAMLNode, path: String, sink: DiagnosticSink) {
        guard case let .mapping(entries, mark) = node else {
            sink.error(node.mark, path, "expected a mapping of keys, got \(node.kindName)")
            return nil
        }
        self.entries = entries
        self.mark = mark
        self.path = path
        self.sink = sink
    }

    public func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The node under `key`, marking the key as known.
    public mutating func node(_ key: String) -> YAMLNode? {
        allowed.append(key)
        return entries.first { $0.key == key }?.value
    }

    public mutating func required(_ key: String) -> YAMLNode? {
        guard let n = node(key) else {
            sink.error(mark, child(key), "missing required key '\(key)'")
            return nil
        }
        return n
    }

    public func keyMark(_ key: String) -> SourceMark { entries.first { $0.key == key }?.keyMark ?? mark }

    /// Reports every key that no accessor asked for.
    public func finish() {
        for e in entries where !allowed.contains(e.key) {
            let suggestion = allowed.min { editDistance($0, e.key) < editDistance($1, e.key) }
                .flatMap { editDistance($0, e.key) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
            sink.error(e.keyMark, child(e.key),
                       "unknown key '\(e.key)'\(suggestion); allowed here: \(allowed.joined(separator: ", "))")
        }
    }
}

/// Typed scalar readers: each returns nil after recording a diagnostic.
public struct ScalarReader {
    let sink: DiagnosticSink

    public init(_ sink: DiagnosticSink) { self.sink = sink }

    public func string(_ node: YAMLNode, _ path: String) -> String? {
        guard case let .scalar(s, _, _) = node else {
            sink.error(node.mark, path, "expected a text value, got \(node.kindName)")
            return nil
        }
        return s
    }

    /// A text that must not be empty.
    public func nonEmptyString(_ node: YAMLNode, _ path: String) -> String? {
        guard let v = string(node, path) else { return nil }
        guard !v.isEmpty else { sink.error(node.mark, path, "must not be empty"); return nil }
        return v
    }

    /// A topic (or the prefix of one) to publish on: no wildcards, no empty levels.
    public func topic(_ node: YAMLNode, _ path: String, what: String = "topic") -> String? {
        guard let v = string(node, path) else { return nil }
        guard !v.isEmpty, !v.contains("+"), !v.contains("#"), !v.hasPrefix("/"), !v.hasSuffix("/"), !v.contains("//") else {
            sink.error(node.mark, path, "'\(v)' is not a valid \(what) (no wildcards, no empty levels, no leading or trailing '/')")
            return nil
        }
        return v
    }

    /// Unquoted decimal, or hexadecimal with 0x.
    public func integer(_ node: YAMLNode, _ path: String) -> Int? {
        guard case let .scalar(s, plain, m) = node else {
            sink.error(node.mark, path, "expected a whole number, got \(node.kindName)")
            return nil
        }
        guard plain, let v = Self.parseInteger(s) else {
            sink.error(m, path, "expected a whole number (like 42 or 0x76), got '\(s)'")
            return nil
        }
        return v
    }

    public func number(_ node: YAMLNode, _ path: String) -> Double? {
        guard case let .scalar(s, plain, m) = node else {
            sink.error(node.mark, path, "expected a number, got \(node.kindName)")
            return nil
        }
        guard plain, let v = Double(s), v.isFinite else {
            sink.error(m, path, "expected a number, got '\(s)'")
            return nil
        }
        return v
    }

    public func bool(_ node: YAMLNode, _ path: String) -> Bool? {
        guard case let .scalar(s, true, _) = node, ["true", "false"].contains(s) else {
            sink.error(node.mark, path, "expected true or false")
            return nil
        }
        return s == "true"
    }

    /// `250ms`, `10s`, `5m`, `1h`, or a plain number of seconds.
    public func duration(_ node: YAMLNode, _ path: String) -> Duration? {
        guard case let .scalar(s, _, m) = node else {
            sink.error(node.mark, path, "expected a duration, got \(node.kindName)")
            return nil
        }
        guard let d = Self.parseDuration(s) else {
            sink.error(m, path, "expected a duration such as 500ms, 10s, 5m or 1h, got '\(s)'")
            return nil
        }
        return d
    }

    public func choice<T: RawRepresentable>(_ node: YAMLNode, _ path: String, _ all: [T]) -> T? where T.RawValue == String {
        guard let s = string(node, path) else { return nil }
        guard let v = T(rawValue: s) else {
            sink.error(node.mark, path, "'\(s)' is not one of: \(all.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return v
    }

    public func list(_ node: YAMLNode, _ path: String) -> [YAMLNode]? {
        guard case let .sequence(items, _) = node else {
            sink.error(node.mark, path, "expected a list, got \(node.kindName)")
            return nil
        }
        return items
    }

    public static func parseInteger(_ s: String) -> Int? {
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return Int(s.dropFirst(2), radix: 16) }
        return Int(s)
    }

    public static func parseDuration(_ s: String) -> Duration? {
        let units: [(String, Double)] = [("ms", 1e-3), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where s.hasSuffix(suffix) {
            let digits = s.dropLast(suffix.count)
            if suffix == "s", digits.hasSuffix("m") { continue }   // "ms" handled above
            guard let v = Double(digits), v.isFinite, v >= 0 else { return nil }
            return .nanoseconds(Int64((v * scale * 1e9).rounded()))
        }
        guard let v = Double(s), v.isFinite, v >= 0 else { return nil }
        return .nanoseconds(Int64((v * 1e9).rounded()))
    }
}

/// Levenshtein distance, for "did you mean" on unknown keys.
func editDistance(_ a: String, _ b: String) -> Int {
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
