import CYAML

#if canImport(Glibc)
    import Glibc
#endif

/// A position in a source file, 1-based as editors show it.
package struct SourceMark: Sendable, Hashable {
    package var line: Int
    package var column: Int
    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
}

/// A YAML document as a tree that remembers where every node stood. Mapping keys keep their
/// order and marks, so errors can point at the key itself.
package indirect enum YAMLNode: Sendable, Hashable {
    case scalar(String, plain: Bool, SourceMark)
    case mapping([(key: String, keyMark: SourceMark, value: YAMLNode)], SourceMark)
    case sequence([YAMLNode], SourceMark)

    package var mark: SourceMark {
        switch self {
        case let .scalar(_, _, m), let .mapping(_, m), let .sequence(_, m): m
        }
    }

    package var kindName: String {
        switch self {
        case .scalar: "a value"
        case .mapping: "a mapping"
        case .sequence: "a list"
        }
    }

    package static func == (a: YAMLNode, b: YAMLNode) -> Bool {
        switch (a, b) {
        case let (.scalar(x, p, m), .scalar(y, q, n)): x == y && p == q && m == n
        case let (.sequence(x, m), .sequence(y, n)): x == y && m == n
        case let (.mapping(x, m), .mapping(y, n)):
            m == n && x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: false
        }
    }

    package func hash(into h: inout Hasher) { h.combine(mark) }
}

/// A YAML syntax error or an unsupported construct, at a position.
package struct YAMLSyntaxError: Error, Sendable, Hashable {
    package var message: String
    package var mark: SourceMark
}

package enum YAMLParser {
    /// Deeper than any config needs (the deepest, a rule's nested conditions, uses about a
    /// dozen); also keeps the recursive decoders and the tree's release far from the stack's end.
    package static let maximumDepth = 64

    /// Parses one document. An empty document (or only comments) gives nil.
    package static func parse(_ text: [UInt8]) throws(YAMLSyntaxError) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else {
            throw YAMLSyntaxError(message: "cannot initialise the YAML parser", mark: SourceMark(line: 1, column: 1))
        }
        defer { yaml_parser_delete(&parser) }
        return try text.withUnsafeBufferPointer { buf throws(YAMLSyntaxError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buf.baseAddress, buf.count)
            var builder = TreeBuilder()
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) != 0 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
                    let context = parser.context.map { String(cString: $0) + ": " } ?? ""
                    throw YAMLSyntaxError(message: context + problem, mark: mark(parser.problem_mark))
                }
                defer { yaml_event_delete(&event) }
                let m = mark(event.start_mark)
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return builder.root
                case YAML_DOCUMENT_START_EVENT:
                    if builder.documents > 0 {
                        throw YAMLSyntaxError(message: "only one YAML document is allowed", mark: m)
                    }
                    builder.documents += 1
                case YAML_ALIAS_EVENT:
                    throw YAMLSyntaxError(message: "anchors and aliases are not supported: write the value out", mark: m)
                case YAML_SCALAR_EVENT:
                    let s = event.data.scalar
                    let value = String(decoding: UnsafeBufferPointer(start: s.value, count: s.length), as: UTF8.self)
                    try builder.add(.scalar(value, plain: s.style == YAML_PLAIN_SCALAR_STYLE, m))
                case YAML_MAPPING_START_EVENT:
                    try builder.openMapping(m)
                case YAML_SEQUENCE_START_EVENT:
                    try builder.openSequence(m)
                case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
                    try builder.close()
                default:
                    break
                }
            }
        }
    }

    private static func mark(_ m: yaml_mark_t) -> SourceMark {
        SourceMark(line: Int(m.line) + 1, column: Int(m.column) + 1)
    }
}

/// Assembles the tree from parser events: a stack of open collections, keys pending values.
/// Each collection grows in place (linear in the document's size) and is bounded in depth, so a
/// hostile file (`[` × 200000) is one error, not a stack overflow here or when the tree is freed.
private struct TreeBuilder {
    /// An open collection. Mutated through `stack[last]`, so appends happen in place.
    private struct Frame {
        let isMapping: Bool
        let mark: SourceMark
        var items: [YAMLNode] = []
        var entries: [(key: String, keyMark: SourceMark, value: YAMLNode)] = []
        var keys: Set<String> = []
        var pendingKey: (String, SourceMark)?
    }

    private var stack: [Frame] = []
    var root: YAMLNode?
    var documents = 0

    mutating func openSequence(_ mark: SourceMark) throws(YAMLSyntaxError) {
        try checkDepth(mark)
        stack.append(Frame(isMapping: false, mark: mark))
    }

    mutating func openMapping(_ mark: SourceMark) throws(YAMLSyntaxError) {
        try checkDepth(mark)
        stack.append(Frame(isMapping: true, mark: mark))
    }

    private func checkDepth(_ mark: SourceMark) throws(YAMLSyntaxError) {
        guard stack.count < YAMLParser.maximumDepth else {
            throw YAMLSyntaxError(message: "nested deeper than \(YAMLParser.maximumDepth) levels", mark: mark)
        }
    }

    mutating func close() throws(YAMLSyntaxError) {
        let f = stack.removeLast()
        try add(f.isMapping ? .mapping(f.entries, f.mark) : .sequence(f.items, f.mark))
    }

    mutating func add(_ node: YAMLNode) throws(YAMLSyntaxError) {
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        if let (key, keyMark) = stack[top].pendingKey {
            stack[top].entries.append((key, keyMark, node))
            stack[top].pendingKey = nil
            return
        }
        guard case let .scalar(key, _, keyMark) = node else {
            throw YAMLSyntaxError(message: "mapping keys must be plain words", mark: node.mark)
        }
        guard stack[top].keys.insert(key).inserted else {
            throw YAMLSyntaxError(message: "duplicate key '\(key)'", mark: keyMark)
        }
        stack[top].pendingKey = (key, keyMark)
    }
}
