/// Numbers of one ROOT basic type, kept in that type so values stay bit-exact.
public enum NumberArray: Equatable {
    case i8([Int8])
    case i16([Int16])
    case i32([Int32])
    case i64([Int64])
    case u8([UInt8])
    case u16([UInt16])
    case u32([UInt32])
    case u64([UInt64])
    case f32([Float])
    case f64([Double])
    case bool([Bool])

    public var count: Int {
        switch self {
        case .i8(let v): return v.count
        case .i16(let v): return v.count
        case .i32(let v): return v.count
        case .i64(let v): return v.count
        case .u8(let v): return v.count
        case .u16(let v): return v.count
        case .u32(let v): return v.count
        case .u64(let v): return v.count
        case .f32(let v): return v.count
        case .f64(let v): return v.count
        case .bool(let v): return v.count
        }
    }

    /// The C++ type name, for listings.
    public var typeName: String {
        switch self {
        case .i8: return "int8"
        case .i16: return "int16"
        case .i32: return "int32"
        case .i64: return "int64"
        case .u8: return "uint8"
        case .u16: return "uint16"
        case .u32: return "uint32"
        case .u64: return "uint64"
        case .f32: return "float32"
        case .f64: return "float64"
        case .bool: return "bool"
        }
    }

    /// Values widened to Double (exact for every type but 64-bit integers beyond 2^53).
    public var doubles: [Double] {
        switch self {
        case .i8(let v): return v.map(Double.init)
        case .i16(let v): return v.map(Double.init)
        case .i32(let v): return v.map(Double.init)
        case .i64(let v): return v.map(Double.init)
        case .u8(let v): return v.map(Double.init)
        case .u16(let v): return v.map(Double.init)
        case .u32(let v): return v.map(Double.init)
        case .u64(let v): return v.map(Double.init)
        case .f32(let v): return v.map(Double.init)
        case .f64(let v): return v
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        }
    }

    public var int64s: [Int64] {
        switch self {
        case .i8(let v): return v.map(Int64.init)
        case .i16(let v): return v.map(Int64.init)
        case .i32(let v): return v.map(Int64.init)
        case .i64(let v): return v
        case .u8(let v): return v.map(Int64.init)
        case .u16(let v): return v.map(Int64.init)
        case .u32(let v): return v.map(Int64.init)
        case .u64(let v): return v.map { Int64(bitPattern: $0) }
        case .f32(let v): return v.map { Int64($0) }
        case .f64(let v): return v.map { Int64($0) }
        case .bool(let v): return v.map { $0 ? 1 : 0 }
        }
    }

    static func empty(_ type: BasicType) -> NumberArray { decode(type, [], []) }

    /// Decodes big-endian values of a basic type from all `ranges` of `bytes` in one pass into
    /// one preallocated array (appending per entry would copy the array each time).
    static func decode(_ type: BasicType, _ bytes: [UInt8], _ ranges: [Range<Int>]) -> NumberArray {
        let size = type.size
        let total = ranges.reduce(0) { $0 + $1.count } / size
        func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
            [T](unsafeUninitializedCapacity: total) { out, count in
                bytes.withUnsafeBytes { raw in
                    var k = 0
                    for r in ranges {
                        var p = r.lowerBound
                        while p + size <= r.upperBound {
                            out[k] = T(bigEndian: raw.loadUnaligned(fromByteOffset: p, as: T.self))
                            k += 1
                            p += size
                        }
                    }
                    count = k
                }
            }
        }
        switch type {
        case .char, .legacyChar: return .i8(load(UInt8.self).map { Int8(bitPattern: $0) })
        case .short: return .i16(load(Int16.self))
        case .int, .counter: return .i32(load(Int32.self))
        case .long, .long64: return .i64(load(Int64.self))
        case .float, .double32, .float16: return .f32(load(UInt32.self).map(Float.init(bitPattern:)))
        case .double: return .f64(load(UInt64.self).map(Double.init(bitPattern:)))
        case .uchar: return .u8(load(UInt8.self))
        case .ushort: return .u16(load(UInt16.self))
        case .uint, .bits: return .u32(load(UInt32.self))
        case .ulong, .ulong64, .charStar: return .u64(load(UInt64.self))
        case .bool: return .bool(load(UInt8.self).map { $0 != 0 })
        }
    }

    /// Joins arrays of one type, allocating once.
    static func concat(_ parts: [NumberArray]) -> NumberArray {
        guard let first = parts.first else { return .f64([]) }
        func join<T>(_ pick: (NumberArray) -> [T]) -> [T] {
            var out: [T] = []
            out.reserveCapacity(parts.reduce(0) { $0 + $1.count })
            for p in parts { out += pick(p) }
            return out
        }
        switch first {
        case .i8:
            return .i8(
                join {
                    if case .i8(let v) = $0 { return v }
                    return []
                })
        case .i16:
            return .i16(
                join {
                    if case .i16(let v) = $0 { return v }
                    return []
                })
        case .i32:
            return .i32(
                join {
                    if case .i32(let v) = $0 { return v }
                    return []
                })
        case .i64:
            return .i64(
                join {
                    if case .i64(let v) = $0 { return v }
                    return []
                })
        case .u8:
            return .u8(
                join {
                    if case .u8(let v) = $0 { return v }
                    return []
                })
        case .u16:
            return .u16(
                join {
                    if case .u16(let v) = $0 { return v }
                    return []
                })
        case .u32:
            return .u32(
                join {
                    if case .u32(let v) = $0 { return v }
                    return []
                })
        case .u64:
            return .u64(
                join {
                    if case .u64(let v) = $0 { return v }
                    return []
                })
        case .f32:
            return .f32(
                join {
                    if case .f32(let v) = $0 { return v }
                    return []
                })
        case .f64:
            return .f64(
                join {
                    if case .f64(let v) = $0 { return v }
                    return []
                })
        case .bool:
            return .bool(
                join {
                    if case .bool(let v) = $0 { return v }
                    return []
                })
        }
    }

    func slice(_ r: Range<Int>) -> NumberArray {
        switch self {
        case .i8(let v): return .i8(Array(v[r]))
        case .i16(let v): return .i16(Array(v[r]))
        case .i32(let v): return .i32(Array(v[r]))
        case .i64(let v): return .i64(Array(v[r]))
        case .u8(let v): return .u8(Array(v[r]))
        case .u16(let v): return .u16(Array(v[r]))
        case .u32(let v): return .u32(Array(v[r]))
        case .u64(let v): return .u64(Array(v[r]))
        case .f32(let v): return .f32(Array(v[r]))
        case .f64(let v): return .f64(Array(v[r]))
        case .bool(let v): return .bool(Array(v[r]))
        }
    }
}

/// A branch's values over a range of entries.
public indirect enum BranchData {
    /// One number per entry.
    case numbers(NumberArray)
    /// `width` numbers per element (fixed arrays such as `float[2]` or `int[3]`).
    case fixed(NumberArray, width: Int)
    /// Variable-length: element i spans inner[offsets[i] ..< offsets[i+1]].
    case jagged([Int], BranchData)
    case strings([String])
    /// Generic objects, read through their streamers.
    case values([RValue])

    /// Number of top-level elements (entries, for a whole branch).
    public var count: Int {
        switch self {
        case .numbers(let n): return n.count
        case .fixed(let n, let w): return w > 0 ? n.count / w : 0
        case .jagged(let o, _): return o.count - 1
        case .strings(let s): return s.count
        case .values(let v): return v.count
        }
    }

    static func emptyLike(_ d: BranchData) -> BranchData {
        switch d {
        case .numbers(let n): return .numbers(n.slice(0..<0))
        case .fixed(let n, let w): return .fixed(n.slice(0..<0), width: w)
        case .jagged(_, let inner): return .jagged([0], emptyLike(inner))
        case .strings: return .strings([])
        case .values: return .values([])
        }
    }

    /// Joins basket chunks of the same shape, rebasing offsets, allocating each array once.
    static func concat(_ parts: [BranchData]) -> BranchData {
        guard let first = parts.first else { return .values([]) }
        if parts.count == 1 { return first }
        switch first {
        case .numbers:
            return .numbers(
                NumberArray.concat(
                    parts.map {
                        if case .numbers(let n) = $0 { return n }
                        return .f64([])
                    }))
        case .fixed(_, let w):
            return .fixed(
                NumberArray.concat(
                    parts.map {
                        if case .fixed(let n, _) = $0 { return n }
                        return .f64([])
                    }), width: w)
        case .jagged:
            var offsets = [0]
            offsets.reserveCapacity(parts.reduce(1) { $0 + $1.count })
            var inners: [BranchData] = []
            for case .jagged(let o, let inner) in parts {
                let base = offsets.last!
                let first = o.first ?? 0
                for x in o.dropFirst() { offsets.append(x - first + base) }
                inners.append(inner)
            }
            return .jagged(offsets, concat(inners))
        case .strings:
            return .strings(
                parts.flatMap {
                    if case .strings(let s) = $0 { return s }
                    return []
                })
        case .values:
            return .values(
                parts.flatMap {
                    if case .values(let v) = $0 { return v }
                    return []
                })
        }
    }

    /// Top-level elements [r.lowerBound, r.upperBound).
    func slice(_ r: Range<Int>) -> BranchData {
        switch self {
        case .numbers(let n): return .numbers(n.slice(r))
        case .fixed(let n, let w): return .fixed(n.slice((r.lowerBound * w)..<(r.upperBound * w)), width: w)
        case .jagged(let o, let inner):
            let lo = o[r.lowerBound]
            let hi = o[r.upperBound]
            return .jagged(o[r.lowerBound...r.upperBound].map { $0 - lo }, inner.slice(lo..<hi))
        case .strings(let s): return .strings(Array(s[r]))
        case .values(let v): return .values(Array(v[r]))
        }
    }
}
