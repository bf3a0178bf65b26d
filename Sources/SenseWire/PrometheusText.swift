/// Prometheus's text exposition format (version 0.0.4), as node_exporter's textfile collector
/// reads it: each family's `# HELP` and `# TYPE` once, then its samples. Label values are
/// escaped (backslash, double quote, line feed); a value that is not finite is written as
/// Prometheus spells it (`NaN`, `+Inf`, `-Inf`).
package struct PrometheusText {
    package enum Kind: String { case counter, gauge }

    package private(set) var text = ""
    private var families: Set<String> = []

    package init() {}

    /// Starts a family. Names are the program's own, so a bad one is a programmer error.
    package mutating func family(_ name: String, _ kind: Kind, _ help: String) {
        precondition(Self.isMetricName(name), "not a Prometheus metric name: \(name)")
        precondition(families.insert(name).inserted, "metric family \(name) declared twice")
        text += "# HELP \(name) \(Self.escapeHelp(help))\n# TYPE \(name) \(kind.rawValue)\n"
    }

    /// One sample of the family started last (`name` is that family's, or `_bucket`-style
    /// children a histogram would add; none here).
    package mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            var first = true
            for (key, labelValue) in labels {
                precondition(Self.isLabelName(key), "not a Prometheus label name: \(key)")
                if !first { text += "," }
                first = false
                text += "\(key)=\"\(Self.escapeLabel(labelValue))\""
            }
            text += "}"
        }
        text += " \(Self.format(value))\n"
    }

    package mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Int) {
        sample(name, labels, Double(value))
    }

    package mutating func sample(_ name: String, _ labels: KeyValuePairs<String, String>, _ value: Bool) {
        sample(name, labels, value ? 1.0 : 0.0)
    }

    package mutating func sample(_ name: String, _ value: Double) { sample(name, [:], value) }
    package mutating func sample(_ name: String, _ value: Int) { sample(name, [:], Double(value)) }
    package mutating func sample(_ name: String, _ value: Bool) { sample(name, [:], value ? 1.0 : 0.0) }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    static func escapeLabel(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func escapeHelp(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
    static func isMetricName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCIILetterOrUnderscore || first == ":" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCIILetterOrUnderscore || $0 == ":" || ("0"..."9").contains($0) }
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*`, and not reserved (`__…`).
    static func isLabelName(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, first.isASCIILetterOrUnderscore, !s.hasPrefix("__") else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCIILetterOrUnderscore || ("0"..."9").contains($0) }
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetterOrUnderscore: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" }
}
