import SenseAnalysis

/// Something a config declares under a unique `name:`.
protocol NamedDeclaration { var name: String { get } }

extension SensorConfig: NamedDeclaration {}
extension DerivedDefinition: NamedDeclaration {}
extension WindowDefinition: NamedDeclaration {}
extension AlarmDefinition: NamedDeclaration {}

/// Declarations in file order, found by name with one hash lookup: references resolve in
/// constant time, so checking a config stays linear in its size however many channels it has.
struct Named<Element: NamedDeclaration>: Sequence {
    private(set) var all: [Element] = []
    private var index: [String: Int] = [:]

    init(_ items: [Element] = []) {
        for item in items { append(item) }
    }

    /// Adds `item` unless its name is taken (the first declaration wins); false when taken.
    @discardableResult
    mutating func append(_ item: Element) -> Bool {
        guard index[item.name] == nil else { return false }
        index[item.name] = all.count
        all.append(item)
        return true
    }

    subscript(name: String) -> Element? { index[name].map { all[$0] } }
    func contains(name: String) -> Bool { index[name] != nil }
    var names: [String] { all.map(\.name) }

    func makeIterator() -> IndexingIterator<[Element]> { all.makeIterator() }
}

/// What a reference names, for "no such …" messages and for refused declarations.
enum DeclarationKind: String {
    case sensor
    case derived = "derived channel"
    case window
    case alarm
    case rule
    case actuator
}

extension DiagnosticSink {
    /// Records the names `list` declares that did not decode (`decoded` lacks them): their own
    /// errors are reported already, so references to them are not reported again.
    func noteRefused(_ kind: DeclarationKind, declared list: [YAMLNode], decoded: Set<String>) {
        for name in AnalysisDecoding.declaredNames(list) where !decoded.contains(name) {
            refusedNames.insert("\(kind.rawValue):\(name)")
        }
    }

    /// "no sensor named 'x'" — unless `x` was declared and refused, which was said already.
    func missing(_ kind: DeclarationKind, _ name: String, _ mark: SourceMark, _ path: String, hint: String = "") {
        guard !refusedNames.contains("\(kind.rawValue):\(name)") else { return }
        error(mark, path, "no \(kind.rawValue) named '\(name)'\(hint)")
    }
}
