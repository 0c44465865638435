import Foundation

/// Basic values and STL containers as members of streamed objects (object-wise and member-wise).
extension ObjectReader {
    // MARK: - Basic types

    /// Reads one value of ROOT basic type code `t` (1 char .. 19 Float16).
    func readBasic(_ t: Int, _ c: inout Cursor) throws -> RValue {
        guard let type = BasicType(rawValue: t) else { throw c.error("unsupported basic type code \(t)") }
        return try type.read(&c)
    }

    func readBasicArray(_ t: Int, _ n: Int, _ c: inout Cursor) throws -> RValue {
        guard let type = BasicType(rawValue: t) else { throw c.error("unsupported basic type code \(t)") }
        return try readBasicArray(type, n, &c)
    }

    func readBasicArray(_ type: BasicType, _ n: Int, _ c: inout Cursor) throws -> RValue {
        guard n >= 0, n <= c.remaining else {
            throw c.error("array of \(n) values does not fit the remaining \(c.remaining) bytes")
        }
        if type.isFloatingPoint { return .doubles(try (0..<n).map { _ in try type.read(&c).doubleValue }) }
        return .ints(try (0..<n).map { _ in try type.read(&c).int64Value })
    }

    // MARK: - STL containers

    /// Reads an STL container member. `header` is the byte count + version that a container
    /// written as a class member carries; nested containers have none.
    public mutating func readSTL(_ typeName: String, header: Bool, _ c: inout Cursor) throws -> RValue {
        let type = STLType.parse(typeName)
        var end: Int? = nil
        var memberwise = false
        if header, type.needsHeader {
            let h = try c.byteCountAndVersion()
            end = h.end
            memberwise = h.version & Self.kStreamedMemberWise != 0
        }
        let elementVersion = memberwise ? try readVersionForMemberWise(&c) : nil
        let value = try readSTLContent(type, memberwise: memberwise, elementVersion: elementVersion, &c)
        try c.finish(end)
        return value
    }

    /// A container's content after its header (and, member-wise, after the element class version,
    /// which is written once even when several containers share the header).
    public mutating func readSTLContent(_ type: STLType, memberwise: Bool, elementVersion: Int?, _ c: inout Cursor)
        throws -> RValue
    {
        switch type {
        case .string:
            return .string(try c.string())
        case .basic(let type):
            return try type.read(&c)
        case .sequence(let elem):
            let n = try count(&c)
            if memberwise, case .object(let name) = elem {
                return try readMemberwise(name, version: elementVersion ?? 0, n, &c)
            }
            return try readElements(elem, n, &c)
        case .map(let k, let v):
            let n = try count(&c)
            if memberwise {
                // All keys, then all values, each block with its own byte count + version.
                // An empty map writes no blocks at all (usr-sample.root's Header).
                if n == 0 { return .map([]) }
                let keys = try readElementsBlock(k, n, &c)
                let vals = try readElementsBlock(v, n, &c)
                return .map(Array(zip(keys, vals)))
            }
            var pairs: [(RValue, RValue)] = []
            for _ in 0..<n {
                pairs.append(
                    (try readElements(k, 1, &c).array?.first ?? .null, try readElements(v, 1, &c).array?.first ?? .null)
                )
            }
            return .map(pairs)
        case .object(let name):
            return try readClass(name, &c)
        }
    }

    func count(_ c: inout Cursor) throws -> Int {
        let n = Int(try c.i32())
        guard n >= 0, n <= c.remaining else { throw c.error("implausible container size \(n)") }
        return n
    }

    mutating func readElementsBlock(_ elem: STLType, _ n: Int, _ c: inout Cursor) throws -> [RValue] {
        // Each member-wise block of strings or objects starts with its own byte count + version.
        if elem.needsHeader {
            let (end, _) = try c.byteCountAndVersion()
            let out = try readElements(elem, n, &c).array ?? []
            try c.finish(end)
            return out
        }
        return try readElements(elem, n, &c).array ?? []
    }

    mutating func readElements(_ elem: STLType, _ n: Int, _ c: inout Cursor) throws -> RValue {
        switch elem {
        case .basic(let type):
            return try readBasicArray(type, n, &c)
        case .string:
            return .array(try (0..<n).map { _ in .string(try c.string()) })
        case .sequence, .map:
            return .array(try (0..<n).map { _ in try readSTL(elem.typeName, header: false, &c) })
        case .object(let name):
            return .array(try (0..<n).map { _ in try readClass(name, &c) })
        }
    }

    /// TBufferFile::ReadVersionForMemberWise: the element class version, then a checksum
    /// only when that version is <= 0 (classes known by checksum, such as pair<string,string>).
    mutating func readVersionForMemberWise(_ c: inout Cursor) throws -> Int {
        let version = Int(try c.i16())
        if version <= 0 { _ = try c.u32() }
        return version
    }

    /// n objects of `name` stored member-wise: each member's n values in turn.
    mutating func readMemberwise(_ name: String, version: Int, _ n: Int, _ c: inout Cursor) throws -> RValue {
        guard let info = registry?.info(name, version: version > 0 ? version : nil) else {
            throw c.error("member-wise \(name) v\(version) has no streamer info")
        }
        let objects = (0..<n).map { _ in RObject(className: name, version: version) }
        for el in info.elements {
            if case .stl = el.kind {
                // An STL member of member-wise objects: one header for the member across all
                // n objects, then each object's container content.
                let type = STLType.parse(el.typeName)
                let (end, v) = try c.byteCountAndVersion()
                let mw = v & Self.kStreamedMemberWise != 0
                let ev = mw ? try readVersionForMemberWise(&c) : nil
                for o in objects { o.set(el.name, try readSTLContent(type, memberwise: mw, elementVersion: ev, &c)) }
                try c.finish(end)
                continue
            }
            let one = StreamerInfo(className: name, classVersion: version, checksum: 0, elements: [el])
            for o in objects { try readMembers(one, into: o, &c) }
        }
        return .array(objects.map { .object($0) })
    }
}
