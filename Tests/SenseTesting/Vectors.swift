import Foundation

/// The reference test vectors (copied from the project's shared reference, vectors.json).
package struct Vectors {
    package struct Vector: Decodable, Sendable {
        package var id: String
        package var model: String
        package var inputs: JSONValue
        package var expected: JSONValue
    }

    struct File: Decodable { var vectors: [Vector] }

    package static let all: [Vector] = {
        let url = Bundle.module.url(forResource: "vectors", withExtension: "json", subdirectory: "Vectors")!
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors
    }()

    package static func named(_ id: String) -> Vector { all.first { $0.id == id }! }

    /// Every vector whose id starts with `prefix`.
    package static func with(prefix: String) -> [Vector] { all.filter { $0.id.hasPrefix(prefix) } }
}

/// Just enough of JSON to read the vectors.
package enum JSONValue: Decodable, Sendable {
    case number(Double), string(String), bool(Bool), array([JSONValue]), object([String: JSONValue]), null

    package init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    package subscript(_ key: String) -> JSONValue {
        if case let .object(o) = self, let v = o[key] { return v }
        fatalError("no key \(key)")
    }

    package var double: Double {
        if case let .number(n) = self { return n }
        fatalError("not a number")
    }

    package var int: Int { Int(double) }

    package var string: String {
        if case let .string(s) = self { return s }
        fatalError("not a string")
    }

    /// Numbers and nulls of an array (nil for null).
    package var optionalDoubles: [Double?] {
        if case let .array(a) = self { return a.map { if case let .number(n) = $0 { n } else { nil } } }
        fatalError("not an array")
    }

    /// The value under `key`, if this is an object that has it.
    package func field(_ key: String) -> JSONValue? {
        if case let .object(o) = self { return o[key] }
        return nil
    }

    package var hexBytes: [UInt8] {
        if case let .array(a) = self {
            return a.map {
                if case let .string(s) = $0 { return UInt8(s.dropFirst(2), radix: 16)! }
                fatalError()
            }
        }
        fatalError("not an array")
    }
}
