/// How a branch's entry bytes become values. Decided from the branch record and the streamer
/// element it points to (fClassName, fClassVersion, fID), never from a hard-coded class layout.
public indirect enum Interpretation: CustomStringConvertible, Sendable {
    /// No data of its own (split objects, base-class nodes); read its sub-branches.
    case group
    /// `width` numbers of basic type `code` per entry.
    case numbers(code: Int, width: Int)
    /// A variable number of elements per entry, each `width` numbers, after `header` bytes.
    case jaggedNumbers(code: Int, width: Int, header: Int)
    /// One string per entry after `header` bytes (TString: 0, std::string: 6).
    case strings(header: Int)
    /// A member of a split `vector<Class>` that is itself a container or string: per entry a
    /// 6-byte header, then one such value per collection element.
    case memberSTL(STLType)
    /// Object pointers of a split collection member: one 4-byte tag per element (always null here).
    case pointers
    /// One streamed object or container per entry (with its own header).
    case object(STLType)

    public var description: String {
        switch self {
        case .group: return "(group)"
        case .numbers(let c, let w): return w == 1 ? Self.name(c) : "\(Self.name(c))[\(w)]"
        case .jaggedNumbers(let c, let w, let h):
            return (w == 1 ? "\(Self.name(c))[]" : "\(Self.name(c))[\(w)][]") + (h > 0 ? " (header \(h))" : "")
        case .strings(let h): return h == 0 ? "TString" : "string"
        case .memberSTL(let t): return "\(t.typeName)[]"
        case .pointers: return "pointer[] (null tags)"
        case .object(let t): return t.typeName
        }
    }

    static func name(_ code: Int) -> String {
        switch code {
        case 1: return "int8"
        case 2: return "int16"
        case 3, 6: return "int32"
        case 4, 16: return "int64"
        case 5: return "float32"
        case 8: return "float64"
        case 9: return "float32 (Double32)"
        case 11: return "uint8"
        case 12: return "uint16"
        case 13, 15: return "uint32"
        case 14, 17: return "uint64"
        case 18: return "bool"
        default: return "type\(code)"
        }
    }

    public struct Unsupported: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// The streamer element a TBranchElement stores.
    public static func element(of b: Branch, registry: StreamerRegistry) -> StreamerElement? {
        guard b.id >= 0, let info = registry.info(b.elementClass, version: b.classVersion),
              b.id < info.elements.count else { return nil }
        return info.elements[b.id]
    }

    public static func of(_ b: Branch, registry: StreamerRegistry) throws -> Interpretation {
        if !b.isElement {
            guard let leaf = b.leaves.first else { return .group }
            guard b.leaves.count == 1 else {
                throw Unsupported(reason: "branch \(b.path) has \(b.leaves.count) leaves (leaf-list structs are not supported)")
            }
            if leaf.className == "TLeafC" { return .strings(header: 0) }
            guard let code = leafCode(leaf) else { throw Unsupported(reason: "branch \(b.path): leaf class \(leaf.className) is not supported") }
            return leaf.countLeaf != nil ? .jaggedNumbers(code: code, width: 1, header: 0) : .numbers(code: code, width: leaf.length)
        }
        let member = b.branchType == 41 || b.branchType == 31
        switch b.branchType {
        case 1: return .group                                   // base-class node
        case 3, 4: return b.leaves.isEmpty ? .group : .numbers(code: 3, width: 1)   // collection node: element count
        case 2 where !b.children.isEmpty: return .group         // split object member
        default: break
        }
        if b.streamerType == -1 {
            if !b.children.isEmpty { return .group }
            // A top-level branch of a whole object. A std::string branch (dst headerTree/detid) is
            // written without a byte count: just the length-prefixed bytes.
            let t = STLType.parse(b.elementClass)
            if t == .string { return .strings(header: 0) }
            if case .sequence(.basic(let code)) = t { return .jaggedNumbers(code: code, width: 1, header: 10) }
            return .object(t)
        }
        guard let el = element(of: b, registry: registry) else {
            throw Unsupported(reason: "branch \(b.path): no streamer element \(b.elementClass) v\(b.classVersion) #\(b.id)")
        }
        let st = b.streamerType
        switch st {
        case 1...19:
            return member ? .jaggedNumbers(code: st, width: 1, header: 0) : .numbers(code: st, width: 1)
        case 21...39:
            let n = max(1, el.arrayLength)
            return member ? .jaggedNumbers(code: st - 20, width: n, header: 0) : .numbers(code: st - 20, width: n)
        case StreamerType.tString:
            return member ? .memberSTL(.string) : .strings(header: 0)
        case StreamerType.stl, StreamerType.stlString:
            let t = STLType.parse(el.typeName)
            if member { return .memberSTL(t) }
            switch t {
            case .sequence(.basic(let code)): return .jaggedNumbers(code: code, width: 1, header: 10)
            case .string: return .strings(header: 6)
            default: return .object(t)
            }
        case StreamerType.object, StreamerType.any:
            if !b.children.isEmpty { return .group }
            return member ? .memberSTL(.object(el.typeName)) : .object(.object(el.typeName))
        case StreamerType.objectp, StreamerType.objectP, StreamerType.anyp, StreamerType.anyP:
            return member ? .pointers : .object(.object(el.typeName))
        default:
            throw Unsupported(reason: "branch \(b.path): streamer type \(st) is not supported")
        }
    }

    static func leafCode(_ l: Leaf) -> Int? {
        switch l.className {
        case "TLeafB": return l.isUnsigned ? 11 : 1
        case "TLeafS": return l.isUnsigned ? 12 : 2
        case "TLeafI": return l.isUnsigned ? 13 : 3
        case "TLeafL": return l.isUnsigned ? 17 : 16
        case "TLeafF": return 5
        case "TLeafD": return 8
        case "TLeafO": return 18
        default: return nil
        }
    }
}
