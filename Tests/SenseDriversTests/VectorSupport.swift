import Foundation

/// The reference test vectors (copied from the project's shared reference, vectors.json).
struct Vectors {
    struct Vector: Decodable {
        var id: String
        var model: String
        var inputs: JSONValue
        var expected: JSONValue
    }

    struct File: Decodable { var vectors: [Vector] }

    static let all: [Vector] = {
        let url = Bundle.module.url(forResource: "vectors", withExtension: "json", subdirectory: "Vectors")!
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors
    }()

    static func named(_ id: String) -> Vector { all.first { $0.id == id }! }
}

/// Just enough of JSON to read the vectors.
enum JSONValue: Decodable {
    case number(Double), string(String), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Double.self) { self = .number(n) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    subscript(_ key: String) -> JSONValue {
        if case let .object(o) = self, let v = o[key] { return v }
        fatalError("no key \(key)")
    }

    var double: Double {
        if case let .number(n) = self { return n }
        fatalError("not a number")
    }

    var int: Int { Int(double) }

    var hexBytes: [UInt8] {
        if case let .array(a) = self {
            return a.map { if case let .string(s) = $0 { return UInt8(s.dropFirst(2), radix: 16)! }; fatalError() }
        }
        fatalError("not an array")
    }
}
