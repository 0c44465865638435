import CLibYAML

/// A YAML document as plain values, built straight from libyaml's parse events (the one YAML
/// parser of the project: Debian's libyaml, the CLibYAML target). Spec files are read on every
/// `vodf validate` run, and a tagged, marked node tree with a resolver took about ten times as long
/// as libyaml's own parsing; the specs need only text, lists and mappings. Scalars stay text (no
/// implicit typing), as the spec decoder reads them; the meta-schema check resolves plain ones.
indirect enum YAMLNode {
    /// A plain scalar (`0.3`, `true`, `GADF`): what it means (text, number, boolean, null) is
    /// for the reader to resolve (`resolved`).
    case scalar(String)
    /// A quoted scalar (`'0.3'`, `"x"`): always text.
    case quoted(String)
    case sequence([YAMLNode])
    /// Pairs in document order.
    case mapping([(YAMLNode, YAMLNode)])

    var text: String? {
        switch self {
        case .scalar(let s), .quoted(let s): return s
        default: return nil
        }
    }
    var items: [YAMLNode]? { if case .sequence(let v) = self { return v }; return nil }
    var pairs: [(YAMLNode, YAMLNode)]? { if case .mapping(let v) = self { return v }; return nil }

    struct SyntaxError: Error, CustomStringConvertible {
        let description: String
    }

    /// The first document of `text`; nil when the stream holds no document.
    static func parse(_ text: String) throws -> YAMLNode? {
        var utf8 = Array(text.utf8)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw SyntaxError(description: "cannot start the YAML parser") }
        defer { yaml_parser_delete(&parser) }
        return try utf8.withUnsafeMutableBufferPointer { bytes in
            yaml_parser_set_input_string(&parser, bytes.baseAddress, bytes.count)
            var builder = Builder()
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "syntax error"
                    throw SyntaxError(description: "line \(parser.problem_mark.line + 1), column \(parser.problem_mark.column + 1): \(problem)")
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
        enum Open { case sequence([YAMLNode], anchor: String?), mapping([(YAMLNode, YAMLNode)], pendingKey: YAMLNode?, anchor: String?) }
        var stack: [Open] = []
        var anchors: [String: YAMLNode] = [:]
        var root: YAMLNode?

        static func string(_ p: UnsafeMutablePointer<UInt8>?, _ length: Int) -> String {
            guard let p else { return "" }
            return String(decoding: UnsafeBufferPointer(start: p, count: length), as: UTF8.self)
        }
        static func anchor(_ p: UnsafeMutablePointer<UInt8>?) -> String? { p.map { String(cString: $0) } }

        mutating func take(_ e: yaml_event_t) throws {
            switch e.type {
            case YAML_SCALAR_EVENT:
                let s = e.data.scalar
                let text = Self.string(s.value, s.length)
                let node: YAMLNode = s.style == YAML_PLAIN_SCALAR_STYLE ? .scalar(text) : .quoted(text)
                if let a = Self.anchor(s.anchor) { anchors[a] = node }
                add(node)
            case YAML_ALIAS_EVENT:
                let name = Self.anchor(e.data.alias.anchor) ?? ""
                guard let node = anchors[name] else {
                    throw SyntaxError(description: "line \(e.start_mark.line + 1): unknown alias *\(name)")
                }
                add(node)
            case YAML_SEQUENCE_START_EVENT:
                stack.append(.sequence([], anchor: Self.anchor(e.data.sequence_start.anchor)))
            case YAML_MAPPING_START_EVENT:
                stack.append(.mapping([], pendingKey: nil, anchor: Self.anchor(e.data.mapping_start.anchor)))
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let node: YAMLNode, anchor: String?
                switch stack.removeLast() {
                case .sequence(let items, let a): (node, anchor) = (.sequence(items), a)
                case .mapping(let pairs, _, let a): (node, anchor) = (.mapping(pairs), a)
                }
                if let anchor { anchors[anchor] = node }
                add(node)
            default:
                break          // stream and document starts
            }
        }

        mutating func add(_ node: YAMLNode) {
            guard let top = stack.popLast() else {
                if root == nil { root = node }
                return
            }
            switch top {
            case .sequence(var items, let a):
                items.append(node)
                stack.append(.sequence(items, anchor: a))
            case .mapping(var pairs, let key, let a):
                if let key {
                    pairs.append((key, node))
                    stack.append(.mapping(pairs, pendingKey: nil, anchor: a))
                } else {
                    stack.append(.mapping(pairs, pendingKey: node, anchor: a))
                }
            }
        }
    }
}

extension YAMLNode {
    /// What a plain scalar means under the YAML core schema (as YAML 1.1 readers also take
    /// yes/no/on/off): null, a boolean, an integer, a float, or text. Quoted scalars are text.
    enum Resolved: Equatable { case null, bool(Bool), int(Int), double(Double), string(String) }

    var resolved: Resolved? {
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
            if s.first.map({ $0.isNumber || $0 == "-" || $0 == "+" || $0 == "." }) == true, let d = Double(s) { return .double(d) }
            return .string(s)
        default: return nil
        }
    }
}
