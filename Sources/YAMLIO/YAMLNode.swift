import CLibYAML

/// A YAML document as plain values, built straight from libyaml's parse events (the one YAML
/// parser of the project: Debian's libyaml, the CLibYAML target). Spec files are read on every
/// `vodf validate` run, and a tagged, marked node tree with a resolver took about ten times as long
/// as libyaml's own parsing; specs and release manifests need only text, lists and mappings.
/// Scalars stay text (no implicit typing); `resolved` gives a plain one's meaning. Mapping keys and
/// list items keep their line, so that a reader's errors can name it.
public indirect enum YAMLNode: Sendable {
    /// A plain scalar (`0.3`, `true`, `GADF`): what it means (text, number, boolean, null) is
    /// for the reader to resolve (`resolved`).
    case scalar(String)
    /// A quoted scalar (`'0.3'`, `"x"`): always text.
    case quoted(String)
    case sequence([Item])
    /// Pairs in document order.
    case mapping([Pair])

    /// A list item and the line (1-based) it starts on.
    public struct Item: Sendable {
        public let node: YAMLNode
        public let line: Int
    }

    /// A mapping entry and the line (1-based) of its key.
    public struct Pair: Sendable {
        public let key: YAMLNode
        public let value: YAMLNode
        public let line: Int
    }

    public var text: String? {
        switch self {
        case .scalar(let s), .quoted(let s): return s
        default: return nil
        }
    }
    public var items: [YAMLNode]? {
        if case .sequence(let v) = self { return v.map(\.node) }
        return nil
    }
    public var lineItems: [Item]? {
        if case .sequence(let v) = self { return v }
        return nil
    }
    public var pairs: [(YAMLNode, YAMLNode)]? {
        if case .mapping(let v) = self { return v.map { ($0.key, $0.value) } }
        return nil
    }
    public var entries: [Pair]? {
        if case .mapping(let v) = self { return v }
        return nil
    }

    /// The value of the first entry whose key is `key`.
    public func value(for key: String) -> YAMLNode? { entries?.first { $0.key.text == key }?.value }

    /// A mapping with text keys as a dictionary (the last of repeated keys wins, as in YAML readers).
    public var stringKeyed: [String: YAMLNode]? {
        guard let entries else { return nil }
        var out: [String: YAMLNode] = [:]
        for e in entries { out[e.key.text ?? ""] = e.value }
        return out
    }

    public struct SyntaxError: Error, CustomStringConvertible {
        public let description: String
        /// 1-based; nil when libyaml gave no position.
        public let line: Int?
        init(description: String, line: Int? = nil) {
            self.description = description
            self.line = line
        }
    }

    /// The first document of `text`; nil when the stream holds no document.
    public static func parse(_ text: String) throws -> YAMLNode? {
        var utf8 = Array(text.utf8)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw SyntaxError(description: "cannot start the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        return try utf8.withUnsafeMutableBufferPointer { bytes in
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            var builder = Builder()
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
                    throw SyntaxError(
                        description:
                            "line \(parser.problem_mark.line + 1), column \(parser.problem_mark.column + 1): \(problem)",
                        line: parser.problem_mark.line + 1)
                }
                defer { yaml_event_delete(&event) }
                switch event.type {
                case YAML_STREAM_END_EVENT, YAML_DOCUMENT_END_EVENT:
                    return builder.root
                default:
                    try builder.take(event)
                }
            }
        }
    }

    /// Open collections as a stack; a finished node goes into the collection below it.
    private struct Builder {
        enum Open {
            case sequence([Item], anchor: String?, line: Int), mapping(
                [Pair], pendingKey: (YAMLNode, Int)?, anchor: String?, line: Int)
        }
        var stack: [Open] = []
        var anchors: [String: YAMLNode] = [:]
        var root: YAMLNode?

        static func string(_ p: UnsafeMutablePointer<UInt8>?, _ length: Int) -> String {
            guard let p else { return "" }
            return String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)
        }
        static func anchor(_ p: UnsafeMutablePointer<UInt8>?) -> String? { p.map { String(cString: $0) } }

        mutating func take(_ e: yaml_event_t) throws {
            let line = e.start_mark.line + 1
            switch e.type {
            case YAML_SCALAR_EVENT:
                let s = e.data.scalar
                let text = Self.string(s.value, s.length)
                let node: YAMLNode = s.style == YAML_PLAIN_SCALAR_STYLE ? .scalar(text) : .quoted(text)
                if let a = Self.anchor(s.anchor) { anchors[a] = node }
                add(node, line: line)
            case YAML_ALIAS_EVENT:
                let name = Self.anchor(e.data.alias.anchor) ?? ""
                guard let node = anchors[name] else {
                    throw SyntaxError(description: "line \(line): unknown alias *\(name)", line: line)
                }
                add(node, line: line)
            case YAML_SEQUENCE_START_EVENT:
                stack.append(.sequence([], anchor: Self.anchor(e.data.sequence_start.anchor), line: line))
            case YAML_MAPPING_START_EVENT:
                stack.append(
                    .mapping([], pendingKey: nil, anchor: Self.anchor(e.data.mapping_start.anchor), line: line))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let node: YAMLNode
                let anchor: String?
                let start: Int
                switch stack.removeLast() {
                case .sequence(let items, let a, let l): (node, anchor, start) = (.sequence(items), a, l)
                case .mapping(let pairs, _, let a, let l): (node, anchor, start) = (.mapping(pairs), a, l)
                }
                if let anchor { anchors[anchor] = node }
                add(node, line: start)
            default:
                break // stream and document starts
            }
        }

        mutating func add(_ node: YAMLNode, line: Int) {
            guard let top = stack.popLast() else {
                if root == nil { root = node }
                return
            }
            switch top {
            case .sequence(var items, let a, let l):
                items.append(Item(node: node, line: line))
                stack.append(.sequence(items, anchor: a, line: l))
            case .mapping(var pairs, let key, let a, let l):
                if let key {
                    pairs.append(Pair(key: key.0, value: node, line: key.1))
                    stack.append(.mapping(pairs, pendingKey: nil, anchor: a, line: l))
                } else {
                    stack.append(.mapping(pairs, pendingKey: (node, line), anchor: a, line: l))
                }
            }
        }
    }
}

extension YAMLNode {
    /// What a plain scalar means under the YAML core schema (as YAML 1.1 readers also take
    /// yes/no/on/off): null, a boolean, an integer, a float, or text. Quoted scalars are text.
    public enum Resolved: Equatable, Sendable {
        case null
        case bool(Bool)
        case int(Int)
        case double(Double)
        case string(String)
    }

    public var resolved: Resolved? {
        switch self {
        case .quoted(let s): return .string(s)
        case .scalar(let s):
            if ["", "~", "null", "Null", "NULL"].contains(s) { return .null }
            if ["true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"].contains(s) { return .bool(true) }
            if ["false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"].contains(s) { return .bool(false) }
            if let i = Int(s) { return .int(i) }
            if s.hasPrefix("0x"), let i = Int(s.dropFirst(2), radix: 16) { return .int(i) }
            if s.hasPrefix("0o"), let i = Int(s.dropFirst(2), radix: 8) { return .int(i) }
            let lower = s.lowercased()
            if [".inf", "+.inf"].contains(lower) { return .double(.infinity) }
            if lower == "-.inf" { return .double(-.infinity) }
            if lower == ".nan" { return .double(.nan) }
            if s.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true, let d = Double(s) {
                return .double(d)
            }
            return .string(s)
        default: return nil
        }
    }
}
