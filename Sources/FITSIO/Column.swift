/// The BINTABLE column element types this layer supports (TFORM letters).
public enum ColumnType: Equatable, Sendable {
    case int64 // K
    case int32 // J
    case int16 // I
    case uint8 // B
    case float32 // E
    case float64 // D
    case logical // L
    case string // A: `repeat` is the string width
    case bits // X: `repeat` is the number of bits

    public var tformLetter: String {
        switch self {
        case .int64: return "K"
        case .int32: return "J"
        case .int16: return "I"
        case .uint8: return "B"
        case .float32: return "E"
        case .float64: return "D"
        case .logical: return "L"
        case .string: return "A"
        case .bits: return "X"
        }
    }

    init?(tformLetter: Character) {
        switch tformLetter {
        case "K": self = .int64
        case "J": self = .int32
        case "I": self = .int16
        case "B": self = .uint8
        case "E": self = .float32
        case "D": self = .float64
        case "L": self = .logical
        case "A": self = .string
        case "X": self = .bits
        default: return nil
        }
    }
}

/// A column declaration: name, element type, elements per row, unit and optional TDIM.
public struct ColumnSpec: Equatable, Sendable {
    public var name: String
    public var type: ColumnType
    /// Elements per row (string width for `.string`, bit count for `.bits`).
    public var repeatCount: Int
    public var unit: String?
    /// TDIM, fastest-varying axis first (FITS order). nil for scalar and 1-D columns.
    public var dims: [Int]?

    public init(_ name: String, _ type: ColumnType, repeatCount: Int = 1, unit: String? = nil, dims: [Int]? = nil) {
        self.name = name
        self.type = type
        self.repeatCount = repeatCount
        self.unit = unit
        self.dims = dims
    }

    /// Bytes per row in a binary table (FITS 4.0 Table 18).
    public var byteWidth: Int {
        switch type {
        case .int64, .float64: return 8 * repeatCount
        case .int32, .float32: return 4 * repeatCount
        case .int16: return 2 * repeatCount
        case .uint8, .logical, .string: return repeatCount
        case .bits: return (repeatCount + 7) / 8
        }
    }

    public var tform: String {
        "\(repeatCount)\(type.tformLetter)"
    }

    /// Values per row in a `ColumnData` buffer (one string per row for `.string`, one byte per 8 bits for `.bits`).
    public var valuesPerRow: Int {
        switch type {
        case .string: return 1
        case .bits: return (repeatCount + 7) / 8
        default: return repeatCount
        }
    }
}

/// Column values, flattened row by row (all elements of row 1, then row 2, ...).
public enum ColumnData: Equatable, Sendable {
    case int64([Int64])
    case int32([Int32])
    case int16([Int16])
    case uint8([UInt8])
    case float32([Float])
    case float64([Double])
    case logical([Bool])
    case string([String])
    /// Packed bits, `(bits + 7) / 8` bytes per row, most significant bit first.
    case bits([UInt8])

    public var count: Int {
        switch self {
        case .int64(let v): return v.count
        case .int32(let v): return v.count
        case .int16(let v): return v.count
        case .uint8(let v): return v.count
        case .float32(let v): return v.count
        case .float64(let v): return v.count
        case .logical(let v): return v.count
        case .string(let v): return v.count
        case .bits(let v): return v.count
        }
    }

    /// Numeric values widened to Double (nil for strings, logicals and bits).
    public var doubles: [Double]? {
        switch self {
        case .int64(let v): return v.map(Double.init)
        case .int32(let v): return v.map(Double.init)
        case .int16(let v): return v.map(Double.init)
        case .uint8(let v): return v.map(Double.init)
        case .float32(let v):
            // A plain loop into uninitialised storage: the generic map was not specialised across
            // modules and cost more than reading the column (IRF tables of ~10^5 floats).
            return [Double](unsafeUninitializedCapacity: v.count) { out, n in
                v.withUnsafeBufferPointer { src in for i in 0..<src.count { out[i] = Double(src[i]) } }
                n = v.count
            }
        case .float64(let v): return v
        default: return nil
        }
    }

    /// The values of rows `range` (row indices are 0-based here), given `perRow` values per row.
    func rows(_ range: Range<Int>, perRow: Int) -> ColumnData {
        let r = (range.lowerBound * perRow)..<(range.upperBound * perRow)
        switch self {
        case .int64(let v): return .int64(Array(v[r]))
        case .int32(let v): return .int32(Array(v[r]))
        case .int16(let v): return .int16(Array(v[r]))
        case .uint8(let v): return .uint8(Array(v[r]))
        case .float32(let v): return .float32(Array(v[r]))
        case .float64(let v): return .float64(Array(v[r]))
        case .logical(let v): return .logical(Array(v[r]))
        case .string(let v): return .string(Array(v[r]))
        case .bits(let v): return .bits(Array(v[r]))
        }
    }

    /// The values of `rows` (0-based, in that order), `perRow` values per row.
    public func selecting(rows: [Int], perRow n: Int) -> ColumnData {
        func pick<T>(_ v: [T]) -> [T] { rows.flatMap { v[($0 * n)..<(($0 + 1) * n)] } }
        switch self {
        case .int64(let v): return .int64(pick(v))
        case .int32(let v): return .int32(pick(v))
        case .int16(let v): return .int16(pick(v))
        case .uint8(let v): return .uint8(pick(v))
        case .float32(let v): return .float32(pick(v))
        case .float64(let v): return .float64(pick(v))
        case .logical(let v): return .logical(pick(v))
        case .string(let v): return .string(pick(v))
        case .bits(let v): return .bits(pick(v))
        }
    }

    func matches(_ type: ColumnType) -> Bool {
        switch (self, type) {
        case (.int64, .int64), (.int32, .int32), (.int16, .int16), (.uint8, .uint8),
            (.float32, .float32), (.float64, .float64), (.logical, .logical),
            (.string, .string), (.bits, .bits):
            return true
        default:
            return false
        }
    }
}

/// What a reader learns about an existing column.
public struct ColumnInfo: Equatable, Sendable {
    public var spec: ColumnSpec
    /// 1-based column number.
    public var number: Int
}
