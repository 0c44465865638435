import Foundation

/// A parsed C++ type name of an STL container member, e.g. `vector<int>` or `map<string,string>`.
public indirect enum STLType: Equatable, Sendable {
    case string
    case basic(Int)                // ROOT basic type code
    case sequence(STLType)         // vector, list, deque, set
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
        case .basic(let c): return Self.basicNames.first { $0.value == c }?.key ?? "int"
        case .sequence(let e): return "vector<\(e.typeName)>"
        case .map(let k, let v): return "map<\(k.typeName),\(v.typeName)>"
        case .object(let n): return n
        }
    }

    static let basicNames: [String: Int] = [
        "char": 1, "Char_t": 1, "int8_t": 1, "short": 2, "Short_t": 2, "int16_t": 2,
        "int": 3, "Int_t": 3, "int32_t": 3, "long": 4, "Long_t": 4, "float": 5, "Float_t": 5,
        "double": 8, "Double_t": 8, "Double32_t": 9, "unsigned char": 11, "UChar_t": 11, "uint8_t": 11,
        "unsigned short": 12, "UShort_t": 12, "uint16_t": 12, "unsigned int": 13, "unsigned": 13, "UInt_t": 13,
        "uint32_t": 13, "unsigned long": 14, "ULong_t": 14, "long long": 16, "Long64_t": 16, "int64_t": 16,
        "unsigned long long": 17, "ULong64_t": 17, "uint64_t": 17, "bool": 18, "Bool_t": 18, "Float16_t": 19,
    ]

    public static func parse(_ raw: String) -> STLType {
        var s = raw.replacingOccurrences(of: "std::", with: "").trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("const ") { s.removeFirst(6) }
        if s == "string" || s == "basic_string<char>" { return .string }
        if let code = basicNames[s] { return .basic(code) }
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
