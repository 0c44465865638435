import Foundation

/// A problem with a JSON document: the file, the line, the JSON pointer when known, and why.
public struct JSONError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let line: Int?
    public let reason: String
    public init(file: String, line: Int?, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
    public var description: String { file + (line.map { ":\($0)" } ?? "") + ": " + reason }
}

/// A JSON value with the line it starts on, so that checks can name where a notice goes wrong.
/// Objects keep their keys in document order.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONNode])
    case object([(key: String, value: JSONNode)])

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.array(let x), .array(let y)): return x.map(\.value) == y.map(\.value)
        case (.object(let x), .object(let y)):
            return x.count == y.count
                && x.allSatisfy { kv in y.first { $0.key == kv.key }?.value.value == kv.value.value }
        default: return false
        }
    }

    /// The JSON Schema type name (integers are numbers with no fractional part).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number(let d): return d == d.rounded() && abs(d) < 9e15 ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A value and the line it starts on.
public struct JSONNode: Sendable, Equatable {
    public var value: JSONValue
    public var line: Int
    public init(_ value: JSONValue, line: Int = 0) {
        self.value = value
        self.line = line
    }

    public subscript(key: String) -> JSONNode? {
        if case .object(let members) = value { return members.first { $0.key == key }?.value }
        return nil
    }

    public var string: String? { if case .string(let s) = value { s } else { nil } }
    public var number: Double? { if case .number(let d) = value { d } else { nil } }
    public var bool: Bool? { if case .bool(let b) = value { b } else { nil } }
    public var array: [JSONNode]? { if case .array(let a) = value { a } else { nil } }
    public var members: [(key: String, value: JSONNode)]? { if case .object(let m) = value { m } else { nil } }

    /// Parses a whole document (RFC 8259; no comments, no trailing commas).
    public static func parse(_ data: Data, file: String) throws -> JSONNode {
        var p = JSONParser(bytes: [UInt8](data), file: file)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.at == p.bytes.count else { throw p.error("unexpected text after the JSON value") }
        return v
    }

    public static func read(path: String) throws -> JSONNode {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw JSONError(
                file: path, line: nil,
                reason: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file")
        }
        return try parse(data, file: path)
    }
}

struct JSONParser {
    let bytes: [UInt8]
    let file: String
    var at = 0
    var line = 1
    /// Deeper nesting is refused rather than recursed into (a hostile file must not overflow the stack).
    static let maxDepth = 256

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    func error(_ reason: String) -> JSONError { JSONError(file: file, line: line, reason: "not valid JSON: " + reason) }

    mutating func skipSpace() {
        while at < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[at]) {
            if bytes[at] == 0x0a { line += 1 }
            at += 1
        }
    }

    mutating func value(depth: Int) throws -> JSONNode {
        guard depth < Self.maxDepth else { throw error("nested more than \(Self.maxDepth) levels") }
        guard at < bytes.count else { throw error("the document ends where a value should be") }
        let start = line
        switch bytes[at] {
        case UInt8(ascii: "{"): return JSONNode(try object(depth: depth), line: start)
        case UInt8(ascii: "["): return JSONNode(try array(depth: depth), line: start)
        case UInt8(ascii: "\""): return JSONNode(.string(try string()), line: start)
        case UInt8(ascii: "t"):
            try literal("true")
            return JSONNode(.bool(true), line: start)
        case UInt8(ascii: "f"):
            try literal("false")
            return JSONNode(.bool(false), line: start)
        case UInt8(ascii: "n"):
            try literal("null")
            return JSONNode(.null, line: start)
        default: return JSONNode(.number(try number()), line: start)
        }
    }

    mutating func literal(_ word: String) throws {
        let w = Array(word.utf8)
        guard at + w.count <= bytes.count, Array(bytes[at..<at + w.count]) == w else { throw error("unknown literal") }
        at += w.count
    }

    mutating func object(depth: Int) throws -> JSONValue {
        at += 1
        var members: [(key: String, value: JSONNode)] = []
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "}") {
            at += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else {
                throw error("an object key must be a string")
            }
            let key = try string()
            skipSpace()
            guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else {
                throw error("missing ':' after key \"\(key)\"")
            }
            at += 1
            skipSpace()
            let v = try value(depth: depth + 1)
            if members.contains(where: { $0.key == key }) { throw error("key \"\(key)\" appears twice in one object") }
            members.append((key, v))
            skipSpace()
            guard at < bytes.count else { throw error("the document ends inside an object") }
            if bytes[at] == UInt8(ascii: ",") {
                at += 1
                continue
            }
            if bytes[at] == UInt8(ascii: "}") {
                at += 1
                return .object(members)
            }
            throw error("expected ',' or '}' in an object")
        }
    }

    mutating func array(depth: Int) throws -> JSONValue {
        at += 1
        var items: [JSONNode] = []
        skipSpace()
        if at < bytes.count, bytes[at] == UInt8(ascii: "]") {
            at += 1
            return .array(items)
        }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard at < bytes.count else { throw error("the document ends inside an array") }
            if bytes[at] == UInt8(ascii: ",") {
                at += 1
                continue
            }
            if bytes[at] == UInt8(ascii: "]") {
                at += 1
                return .array(items)
            }
            throw error("expected ',' or ']' in an array")
        }
    }

    mutating func string() throws -> String {
        at += 1
        var out: [UInt8] = []
        while at < bytes.count {
            let b = bytes[at]
            at += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { throw error("the document ends inside a string") }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0c)
                case UInt8(ascii: "n"): out.append(0x0a)
                case UInt8(ascii: "r"): out.append(0x0d)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"),
                        bytes[at + 1] == UInt8(ascii: "u")
                    {
                        at += 2
                        let low = try hex4()
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    out += Array(String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
                default: throw error("unknown escape \\\(Character(Unicode.Scalar(e)))")
                }
            case 0x00..<0x20: throw error("a control character inside a string")
            default: out.append(b)
            }
        }
        throw error("the document ends inside a string")
    }

    mutating func hex4() throws -> UInt32 {
        guard at + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[at..<at + 4], as: UTF8.self), radix: 16)
        else {
            throw error("bad \\u escape")
        }
        at += 4
        return v
    }

    mutating func number() throws -> Double {
        let start = at
        while at < bytes.count, "+-0123456789.eE".utf8.contains(bytes[at]) { at += 1 }
        let text = String(decoding: bytes[start..<at], as: UTF8.self)
        // JSON's grammar: no leading '+', no leading zeros, digits on both sides of '.'.
        let grammar = #"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$"#
        guard !text.isEmpty, text.range(of: grammar, options: .regularExpression) != nil, let d = Double(text),
            d.isFinite
        else {
            throw error(text.isEmpty ? "unexpected character" : "bad number \(text)")
        }
        return d
    }
}
