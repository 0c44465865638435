/// Reads streamed objects. Core classes whose streaming is hand-written in ROOT (TObject, TNamed,
/// TList, TObjArray, TArray*, the TStreamer* records) are read here by hand; every other class is
/// read member by member from the file's own TStreamerInfo, so schema changes across versions
/// (Evt v9..v16) need no code.
public struct ObjectReader {
    let registry: StreamerRegistry?
    private enum Ref {
        case cls(String)
        case obj(RValue)
    }
    private var refs: [Int: Ref] = [:]
    private static let kByteCountMask: UInt32 = 0x4000_0000
    private static let kClassMask: UInt32 = 0x8000_0000
    private static let kNewClassTag: UInt32 = 0xFFFF_FFFF
    private static let kMapOffset = 2
    static let kStreamedMemberWise = 0x4000
    /// Nesting guard, so a corrupt self-referencing stream cannot recurse without end.
    private var depth = 0

    public init(registry: StreamerRegistry?) { self.registry = registry }

    // MARK: - ReadObjectAny

    /// TBufferFile::ReadObjectAny: a pointer to an object, a back-reference, or null.
    public mutating func readObjectAny(_ c: inout Cursor) throws -> RValue {
        let beg = c.displacement
        let begPos = c.pos
        var bcnt = try c.u32()
        var vers = 0
        var start = 0
        var tag: UInt32
        if bcnt & Self.kByteCountMask == 0 || bcnt == Self.kNewClassTag {
            tag = bcnt
            bcnt = 0
        } else {
            vers = 1
            start = c.displacement
            tag = try c.u32()
        }
        let end: Int? = vers > 0 ? begPos + 4 + Int(bcnt & ~Self.kByteCountMask) : nil
        if let end, end > c.limit { throw c.error("object byte count runs past its buffer", at: begPos) }
        if tag & Self.kClassMask == 0 {
            // A reference to an object read before (0 = null). Unresolved: skip, as ROOT does.
            if tag == 0 { return .null }
            if case .obj(let v)? = refs[Int(tag)] { return v }
            if let end { try c.seek(to: end) }
            return .null
        }
        let className: String
        if tag == Self.kNewClassTag {
            className = try c.cString()
            refs[vers > 0 ? start + Self.kMapOffset : refs.count + 1] = .cls(className)
        } else {
            let ref = Int(tag & ~Self.kClassMask)
            guard case .cls(let name)? = refs[ref] else { throw c.error("invalid class reference \(ref)") }
            className = name
        }
        let value: RValue
        if !canRead(className) {
            // Classes with hand-written streamers we do not model (e.g. TBasket): skip by byte count.
            guard let end else { throw c.error("cannot skip object of class \(className) without a byte count") }
            try c.seek(to: end)
            value = .object(RObject(className: className, version: -1))
        } else {
            value = try readClass(className, &c)
        }
        refs[vers > 0 ? beg + Self.kMapOffset : refs.count + 1] = .obj(value)
        return value
    }

    func canRead(_ name: String) -> Bool {
        Self.coreClasses.contains(name) || name.hasPrefix("TStreamer") || name.hasPrefix("TArray")
            || registry?.info(name) != nil
    }

    static let coreClasses: Set<String> = [
        "TObject", "TNamed", "TList", "THashList", "TObjArray", "TObjString", "TStreamerInfo",
    ]

    // MARK: - Dispatch

    /// Reads an object of `name` that starts at the cursor (with its own byte count and version).
    public mutating func readClass(_ name: String, _ c: inout Cursor) throws -> RValue {
        depth += 1
        defer { depth -= 1 }
        guard depth < 64 else { throw c.error("objects nested more than 64 deep (corrupt stream?)") }
        switch name {
        case "TObject":
            let o = RObject(className: name, version: 1)
            try readTObject(&c, into: o)
            return .object(o)
        case "TNamed": return .object(try readTNamed(&c))
        case "TObjString":
            let (end, v) = try c.byteCountAndVersion()
            let o = RObject(className: name, version: v)
            try readTObject(&c, into: o)
            o.set("fString", .string(try c.string()))
            try c.finish(end)
            return .object(o)
        case "TList", "THashList": return .array(try readTList(&c))
        case "TObjArray": return .array(try readTObjArray(&c))
        case "TStreamerInfo": return .object(try readStreamerInfo(&c))
        default:
            if name.hasPrefix("TStreamer") { return .object(try readStreamerElementObject(name, &c)) }
            if name.hasPrefix("TArray") { return try readTArray(name, &c) }
            return .object(try readWithStreamer(name, &c))
        }
    }

    // MARK: - Core classes

    mutating func readTObject(_ c: inout Cursor, into o: RObject) throws {
        _ = try c.byteCountAndVersion()
        o.set("fUniqueID", .uint(UInt64(try c.u32())))
        let bits = try c.u32()
        o.set("fBits", .uint(UInt64(bits)))
        if bits & (1 << 4) != 0 { _ = try c.u16() } // kIsReferenced: a process id follows
    }

    mutating func readTNamed(_ c: inout Cursor) throws -> RObject {
        let (end, v) = try c.byteCountAndVersion()
        let o = RObject(className: "TNamed", version: v)
        try readTObject(&c, into: o)
        o.set("fName", .string(try c.string()))
        o.set("fTitle", .string(try c.string()))
        try c.finish(end)
        return o
    }

    mutating func readTList(_ c: inout Cursor) throws -> [RValue] {
        let (end, _) = try c.byteCountAndVersion()
        try readTObject(&c, into: RObject(className: "TObject", version: 1))
        _ = try c.string()
        let n = Int(try c.i32())
        guard n >= 0, n <= c.remaining else { throw c.error("implausible TList size \(n)") }
        var out: [RValue] = []
        for _ in 0..<n {
            out.append(try readObjectAny(&c))
            _ = try c.string() // per-entry option string
        }
        try c.finish(end)
        return out
    }

    /// For the bootstrap streamer list, which is read before any streamer is known.
    mutating func readCoreTList(_ c: inout Cursor) throws -> [RValue]? { try readTList(&c) }

    mutating func readTObjArray(_ c: inout Cursor) throws -> [RValue] {
        let (end, v) = try c.byteCountAndVersion()
        if v > 2 { try readTObject(&c, into: RObject(className: "TObject", version: 1)) }
        if v > 1 { _ = try c.string() }
        let n = Int(try c.i32())
        _ = try c.i32() // lower bound
        guard n >= 0, n <= c.remaining else { throw c.error("implausible TObjArray size \(n)") }
        var out: [RValue] = []
        out.reserveCapacity(n)
        for _ in 0..<n { out.append(try readObjectAny(&c)) }
        try c.finish(end)
        return out
    }

    /// TArrayX: a count then the values, with no byte count or version.
    mutating func readTArray(_ name: String, _ c: inout Cursor) throws -> RValue {
        let n = Int(try c.i32())
        guard n >= 0, n <= c.remaining else { throw c.error("implausible \(name) size \(n)") }
        switch name {
        case "TArrayD": return .doubles(try (0..<n).map { _ in try c.f64() })
        case "TArrayF": return .doubles(try (0..<n).map { _ in Double(try c.f32()) })
        case "TArrayI": return .ints(try (0..<n).map { _ in Int64(try c.i32()) })
        case "TArrayS": return .ints(try (0..<n).map { _ in Int64(try c.i16()) })
        case "TArrayC": return .ints(try (0..<n).map { _ in Int64(try c.i8()) })
        case "TArrayL", "TArrayL64": return .ints(try (0..<n).map { _ in try c.i64() })
        default: throw c.error("unsupported array class \(name)")
        }
    }

    // MARK: - Streamer records (bootstrap)

    mutating func readStreamerInfo(_ c: inout Cursor) throws -> RObject {
        let (end, v) = try c.byteCountAndVersion()
        let named = try readTNamed(&c)
        let checksum = try c.u32()
        let classVersion = Int(try c.i32())
        let elements = try readObjectAny(&c)
        try c.finish(end)
        let o = RObject(className: "TStreamerInfo", version: v)
        let elems = (elements.array ?? []).compactMap { $0.object?.streamerElement }
        o.streamerInfo = StreamerInfo(
            className: named["fName"]?.string ?? "", classVersion: classVersion,
            checksum: checksum, elements: elems)
        return o
    }

    mutating func readStreamerElementObject(_ name: String, _ c: inout Cursor) throws -> RObject {
        let (end, v) = try c.byteCountAndVersion()
        var el: StreamerElement
        if name == "TStreamerSTLstring" {
            // Wraps a TStreamerSTL, which wraps the element.
            guard let inner = try readStreamerElementObject("TStreamerSTL", &c).streamerElement else {
                throw c.error("malformed TStreamerSTLstring")
            }
            el = inner
            el.kind = .stlString
        } else {
            el = try readStreamerElementBase(&c)
            switch name {
            case "TStreamerBase":
                el.kind = .base
                if v > 2 { el.baseVersion = Int(try c.i32()) }
            case "TStreamerBasicType": el.kind = .basicType
            case "TStreamerBasicPointer", "TStreamerLoop":
                el.kind = name == "TStreamerLoop" ? .loop : .basicPointer
                _ = try c.i32()
                el.countName = try c.string()
                _ = try c.string()
            case "TStreamerSTL":
                el.kind = .stl
                el.stlType = Int(try c.i32())
                el.ctype = Int(try c.i32())
            case "TStreamerObject": el.kind = .object
            case "TStreamerObjectAny": el.kind = .objectAny
            case "TStreamerObjectPointer": el.kind = .objectPointer
            case "TStreamerObjectAnyPointer": el.kind = .objectAnyPointer
            case "TStreamerString": el.kind = .tString
            case "TStreamerArtificial": el.kind = .artificial
            default: el.kind = .other(name)
            }
        }
        try c.finish(end)
        let o = RObject(className: name, version: v)
        o.streamerElement = el
        return o
    }

    mutating func readStreamerElementBase(_ c: inout Cursor) throws -> StreamerElement {
        let (end, v) = try c.byteCountAndVersion()
        let named = try readTNamed(&c)
        var type = Int(try c.i32())
        let size = Int(try c.i32())
        let arrayLength = Int(try c.i32())
        let arrayDim = Int(try c.i32())
        var maxIndex: [Int]
        if v == 1 {
            let n = Int(try c.i32())
            guard n >= 0, n <= 16 else { throw c.error("implausible fMaxIndex length \(n)") }
            maxIndex = try (0..<n).map { _ in Int(try c.i32()) }
        } else {
            maxIndex = try (0..<5).map { _ in Int(try c.i32()) }
        }
        let typeName = try c.string()
        if type == 11, typeName == "Bool_t" || typeName == "bool" { type = 18 }
        try c.finish(end)
        _ = arrayDim
        return StreamerElement(
            name: named["fName"]?.string ?? "", type: type, size: size, arrayLength: arrayLength,
            maxIndex: maxIndex, typeName: typeName, kind: .basicType)
    }

    // MARK: - Streamer-driven classes

    public mutating func readWithStreamer(_ name: String, _ c: inout Cursor) throws -> RObject {
        let (end, v) = try c.byteCountAndVersion()
        let o = RObject(className: name, version: v)
        guard let info = registry?.info(name, version: v) else {
            guard let end else { throw c.error("no streamer for class \(name) and no byte count to skip it") }
            try c.seek(to: end)
            return o
        }
        try readMembers(info, into: o, &c)
        try c.finish(end)
        return o
    }

    /// Reads the members of `info` into `o` (base-class members are flattened into `o`).
    public mutating func readMembers(_ info: StreamerInfo, into o: RObject, _ c: inout Cursor) throws {
        for el in info.elements {
            var t = el.type
            // STL members can carry fType 500 (kStreamer) when ROOT gave them a custom streamer;
            // the element's class (TStreamerSTL) says how they are laid out.
            if case .stl = el.kind { t = StreamerType.stl }
            if case .stlString = el.kind { t = StreamerType.stlString }
            switch t {
            case StreamerType.base:
                if el.name == "TObject" {
                    try readTObject(&c, into: o)
                } else if case .object(let base) = try readClass(el.name, &c) {
                    for (k, v) in base.members { o.set(k, v) }
                }
            case 1...19:
                o.set(el.name, try readBasic(t, &c))
            case 21...39:
                let n = el.arrayLength
                o.set(el.name, try readBasicArray(t - StreamerType.offsetL, n, &c))
            case 41...59:
                // A pointer to an array sized by another member; a 1-byte flag says whether it is set.
                let present = try c.u8()
                if present == 0 {
                    o.set(el.name, .null)
                    continue
                }
                guard let n = o[el.countName]?.int, n >= 0 else {
                    throw c.error("array \(el.name) counted by \(el.countName), which is missing or negative")
                }
                o.set(el.name, try readBasicArray(t - StreamerType.offsetP, n, &c))
            case StreamerType.object, StreamerType.any:
                o.set(el.name, try readClass(el.typeName, &c))
            case StreamerType.objectp, StreamerType.objectP, StreamerType.anyp, StreamerType.anyP:
                o.set(el.name, try readObjectAny(&c))
            case StreamerType.tString:
                o.set(el.name, .string(try c.string()))
            case StreamerType.tObject:
                try readTObject(&c, into: o)
            case StreamerType.tNamed:
                let n = try readTNamed(&c)
                for (k, v) in n.members { o.set(k, v) }
            case StreamerType.stl, StreamerType.stlString:
                o.set(el.name, try readSTL(el.typeName, header: true, &c))
            case StreamerType.streamLoop, StreamerType.streamer:
                // Custom-streamed members carry a byte count; without a model, skip them.
                let (end, _) = try c.byteCountAndVersion()
                guard let end else { throw c.error("custom-streamed member \(el.name) without a byte count") }
                try c.seek(to: end)
                o.set(el.name, .null)
            default:
                throw c.error("member \(info.className).\(el.name) has unsupported streamer type \(t)")
            }
        }
    }
}

extension RValue {
    var doubleValue: Double {
        switch self {
        case .double(let d): return d
        case .int(let i): return Double(i)
        case .uint(let u): return Double(u)
        default: return .nan
        }
    }
    var int64Value: Int64 {
        switch self {
        case .int(let i): return i
        case .uint(let u): return Int64(bitPattern: u)
        case .bool(let b): return b ? 1 : 0
        default: return 0
        }
    }
}
