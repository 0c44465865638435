/// Numbers of one ROOT basic type, kept in that type so values stay bit-exact.
public enum NumberArray: Equatable {
    case i8([Int8]), i16([Int16]), i32([Int32]), i64([Int64])
    case u8([UInt8]), u16([UInt16]), u32([UInt32]), u64([UInt64])
    case f32([Float]), f64([Double]), bool([Bool])

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

    static func empty(_ code: Int) -> NumberArray {
        switch code {
        case 1: return .i8([])
        case 2: return .i16([])
        case 3, 6: return .i32([])
        case 4, 16: return .i64([])
        case 5, 9, 19: return .f32([])
        case 8: return .f64([])
        case 11: return .u8([])
        case 12: return .u16([])
        case 13, 15: return .u32([])
        case 14, 17: return .u64([])
        default: return .bool([])
        }
    }

    static func itemSize(_ code: Int) -> Int {
        switch code {
        case 1, 11, 18: return 1
        case 2, 12: return 2
        case 3, 5, 6, 9, 13, 15, 19: return 4
        default: return 8
        }
    }

    /// Big-endian values of type `code` from bytes[range], appended.
    mutating func append(bigEndian bytes: [UInt8], _ range: Range<Int>, code: Int) {
        func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
            let n = range.count / MemoryLayout<T>.size
            return bytes.withUnsafeBytes { raw in
                (0..<n).map { T(bigEndian: raw.loadUnaligned(fromByteOffset: range.lowerBound + $0 * MemoryLayout<T>.size, as: T.self)) }
            }
        }
        switch self {
        case .i8(var v): v += load(UInt8.self).map { Int8(bitPattern: $0) }; self = .i8(v)
        case .i16(var v): v += load(Int16.self); self = .i16(v)
        case .i32(var v): v += load(Int32.self); self = .i32(v)
        case .i64(var v): v += load(Int64.self); self = .i64(v)
        case .u8(var v): v += bytes[range]; self = .u8(v)
        case .u16(var v): v += load(UInt16.self); self = .u16(v)
        case .u32(var v): v += load(UInt32.self); self = .u32(v)
        case .u64(var v): v += load(UInt64.self); self = .u64(v)
        case .f32(var v): v += load(UInt32.self).map(Float.init(bitPattern:)); self = .f32(v)
        case .f64(var v): v += load(UInt64.self).map(Double.init(bitPattern:)); self = .f64(v)
        case .bool(var v): v += bytes[range].map { $0 != 0 }; self = .bool(v)
        }
    }

    mutating func append(_ other: NumberArray) {
        switch (self, other) {
        case (.i8(var a), .i8(let b)): a += b; self = .i8(a)
        case (.i16(var a), .i16(let b)): a += b; self = .i16(a)
        case (.i32(var a), .i32(let b)): a += b; self = .i32(a)
        case (.i64(var a), .i64(let b)): a += b; self = .i64(a)
        case (.u8(var a), .u8(let b)): a += b; self = .u8(a)
        case (.u16(var a), .u16(let b)): a += b; self = .u16(a)
        case (.u32(var a), .u32(let b)): a += b; self = .u32(a)
        case (.u64(var a), .u64(let b)): a += b; self = .u64(a)
        case (.f32(var a), .f32(let b)): a += b; self = .f32(a)
        case (.f64(var a), .f64(let b)): a += b; self = .f64(a)
        case (.bool(var a), .bool(let b)): a += b; self = .bool(a)
        default: break
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

    /// Appends `other` (same shape), rebasing offsets.
    mutating func append(_ other: BranchData) {
        switch (self, other) {
        case (.numbers(var a), .numbers(let b)): a.append(b); self = .numbers(a)
        case (.fixed(var a, let w), .fixed(let b, _)): a.append(b); self = .fixed(a, width: w)
        case (.jagged(var oa, var ia), .jagged(let ob, let ib)):
            let base = oa.last ?? 0
            oa += ob.dropFirst().map { $0 - (ob.first ?? 0) + base }
            ia.append(ib)
            self = .jagged(oa, ia)
        case (.strings(var a), .strings(let b)): a += b; self = .strings(a)
        case (.values(var a), .values(let b)): a += b; self = .values(a)
        default: break
        }
    }

    /// Top-level elements [r.lowerBound, r.upperBound).
    func slice(_ r: Range<Int>) -> BranchData {
        switch self {
        case .numbers(let n): return .numbers(n.slice(r))
        case .fixed(let n, let w): return .fixed(n.slice((r.lowerBound * w)..<(r.upperBound * w)), width: w)
        case .jagged(let o, let inner):
            let lo = o[r.lowerBound], hi = o[r.upperBound]
            return .jagged(o[r.lowerBound...r.upperBound].map { $0 - lo }, inner.slice(lo..<hi))
        case .strings(let s): return .strings(Array(s[r]))
        case .values(let v): return .values(Array(v[r]))
        }
    }
}
