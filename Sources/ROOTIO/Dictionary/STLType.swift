import Foundation

/// A parsed C++ type name of an STL container member, e.g. `vector<int>` or `map<string,string>`.
public indirect enum STLType: Equatable, Sendable {
    case string
    case basic(BasicType)
    case sequence(STLType) // vector, list, deque, set
    case map(STLType, STLType)
    case object(String)

    /// Containers and strings written as class members carry a byte count + version.
    var needsHeader: Bool {
        switch self {
        case .basic: return false
        default: return true
        }
    }

    var typeName: String {
        switch self {
        case .string: return "string"
        case .basic(let t): return t.cppName
        case .sequence(let e): return "vector<\(e.typeName)>"
        case .map(let k, let v): return "map<\(k.typeName),\(v.typeName)>"
        case .object(let n): return n
        }
    }

    public static func parse(_ raw: String) -> STLType {
        var s = raw.replacingOccurrences(of: "std::", with: "").trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("const ") { s.removeFirst(6) }
        if s == "string" || s == "basic_string<char>" { return .string }
        if let t = BasicType(cppName: s) { return .basic(t) }
        guard let lt = s.firstIndex(of: "<"), s.hasSuffix(">") else { return .object(s) }
        let outer = String(s[..<lt]).trimmingCharacters(in: .whitespaces)
        let inner = String(s[s.index(after: lt)..<s.index(before: s.endIndex)])
        let args = splitTemplateArgs(inner)
        switch outer {
        case "vector", "list", "deque", "set", "multiset", "unordered_set":
            return .sequence(parse(args.first ?? "int"))
        case "map", "multimap", "unordered_map":
            return .map(parse(args.first ?? "int"), parse(args.count > 1 ? args[1] : "int"))
        default:
            return .object(s)
        }
    }

    /// Splits template arguments at top-level commas.
    static func splitTemplateArgs(_ s: String) -> [String] {
        var out: [String] = []
        var depth = 0
        var cur = ""
        for ch in s {
            if ch == "<" { depth += 1 }
            if ch == ">" { depth -= 1 }
            if ch == ",", depth == 0 {
                out.append(cur.trimmingCharacters(in: .whitespaces))
                cur = ""
            } else {
                cur.append(ch)
            }
        }
        if !cur.isEmpty { out.append(cur.trimmingCharacters(in: .whitespaces)) }
        return out
    }
}
