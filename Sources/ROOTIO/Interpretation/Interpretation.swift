/// How a branch's entry bytes become values. Decided from the branch record and the streamer
/// element it points to (fClassName, fClassVersion, fID), never from a hard-coded class layout.
public indirect enum Interpretation: CustomStringConvertible, Sendable {
    /// No data of its own (split objects, base-class nodes); read its sub-branches.
    case group
    /// `width` numbers of a basic type per entry.
    case numbers(BasicType, width: Int)
    /// A variable number of elements per entry, each read as `element`, after `header` bytes per
    /// entry: interpretations compose, as uproot's AsJagged(AsDtype) does. The element is a
    /// dtype, `.numbers` (`width` > 1: a jagged array of fixed-size arrays).
    case jagged(Interpretation, header: Int)
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
        case .numbers(let t, let w): return w == 1 ? t.name : "\(t.name)[\(w)]"
        case .jagged(let element, let h): return "\(element)[]" + (h > 0 ? " (header \(h))" : "")
        case .strings(let h): return h == 0 ? "TString" : "string"
        case .memberSTL(let t): return "\(t.typeName)[]"
        case .pointers: return "pointer[] (null tags)"
        case .object(let t): return t.typeName
        }
    }

    /// A jagged array of a basic type: AsJagged(AsDtype).
    static func jaggedNumbers(_ t: BasicType, width: Int, header: Int) -> Interpretation {
        .jagged(.numbers(t, width: width), header: header)
    }

    public struct Unsupported: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// The streamer element a TBranchElement stores.
    public static func element(of b: Branch, registry: StreamerRegistry) -> StreamerElement? {
        guard b.id >= 0, let info = registry.info(b.elementClass, version: b.classVersion),
            b.id < info.elements.count
        else { return nil }
        return info.elements[b.id]
    }

    public static func of(_ b: Branch, registry: StreamerRegistry) throws -> Interpretation {
        if !b.isElement {
            guard let leaf = b.leaves.first else { return .group }
            guard b.leaves.count == 1 else {
                throw Unsupported(
                    reason: "branch \(b.path) has \(b.leaves.count) leaves (leaf-list structs are not supported)")
            }
            if leaf.className == "TLeafC" { return .strings(header: 0) }
            guard let type = leafType(leaf) else {
                throw Unsupported(reason: "branch \(b.path): leaf class \(leaf.className) is not supported")
            }
            return leaf.countLeaf != nil
                ? .jaggedNumbers(type, width: 1, header: 0) : .numbers(type, width: leaf.length)
        }
        let member = b.branchType == 41 || b.branchType == 31
        switch b.branchType {
        case 1: return .group // base-class node
        case 3, 4: return b.leaves.isEmpty ? .group : .numbers(.int, width: 1) // collection node: element count
        case 2 where !b.children.isEmpty: return .group // split object member
        default: break
        }
        if b.streamerType == -1 {
            if !b.children.isEmpty { return .group }
            // A top-level branch of a whole object. A std::string branch (dst headerTree/detid) is
            // written without a byte count: just the length-prefixed bytes.
            let t = STLType.parse(b.elementClass)
            if t == .string { return .strings(header: 0) }
            if case .sequence(.basic(let type)) = t { return .jaggedNumbers(type, width: 1, header: 10) }
            return .object(t)
        }
        guard let el = element(of: b, registry: registry) else {
            throw Unsupported(
                reason: "branch \(b.path): no streamer element \(b.elementClass) v\(b.classVersion) #\(b.id)")
        }
        let st = b.streamerType
        switch st {
        case 1...19:
            let type = try basicType(st, b)
            return member ? .jaggedNumbers(type, width: 1, header: 0) : .numbers(type, width: 1)
        case 21...39:
            let n = max(1, el.arrayLength)
            let type = try basicType(st - StreamerType.offsetL, b)
            return member ? .jaggedNumbers(type, width: n, header: 0) : .numbers(type, width: n)
        case StreamerType.tString:
            return member ? .memberSTL(.string) : .strings(header: 0)
        case StreamerType.stl, StreamerType.stlString:
            let t = STLType.parse(el.typeName)
            if member { return .memberSTL(t) }
            switch t {
            case .sequence(.basic(let type)): return .jaggedNumbers(type, width: 1, header: 10)
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

    /// A streamer element's basic type; char* (7) has no fixed size and is not read.
    static func basicType(_ code: Int, _ b: Branch) throws -> BasicType {
        guard let t = BasicType(rawValue: code), t != .charStar else {
            throw Unsupported(reason: "branch \(b.path): basic type code \(code) is not supported")
        }
        return t
    }

    static func leafType(_ l: Leaf) -> BasicType? {
        switch l.className {
        case "TLeafB": return l.isUnsigned ? .uchar : .char
        case "TLeafS": return l.isUnsigned ? .ushort : .short
        case "TLeafI": return l.isUnsigned ? .uint : .int
        case "TLeafL": return l.isUnsigned ? .ulong64 : .long64
        case "TLeafF": return .float
        case "TLeafD": return .double
        case "TLeafO": return .bool
        default: return nil
        }
    }
}
