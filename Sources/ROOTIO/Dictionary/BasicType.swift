/// ROOT's basic data types, by the code streamer elements and leaves store (TDataType's EDataType:
/// kChar_t = 1 ... kFloat16_t = 19). Each owns its size on disk, its name and how it decodes, so
/// that the readers switch on a type and never on a bare number.
public enum BasicType: Int, Sendable, CaseIterable {
    case char = 1
    case short = 2
    case int = 3
    case long = 4
    case float = 5
    case counter = 6
    case charStar = 7
    case double = 8
    case double32 = 9
    case legacyChar = 10
    case uchar = 11
    case ushort = 12
    case uint = 13
    case ulong = 14
    case bits = 15
    case long64 = 16
    case ulong64 = 17
    case bool = 18
    case float16 = 19

    /// Bytes per value on disk. Double32_t and Float16_t without a range are written as floats.
    public var size: Int {
        switch self {
        case .char, .legacyChar, .uchar, .bool: 1
        case .short, .ushort: 2
        case .int, .counter, .float, .double32, .uint, .bits, .float16: 4
        case .long, .double, .ulong, .long64, .ulong64, .charStar: 8
        }
    }

    /// The value type it is read as ("int32", "float32 (Double32)").
    public var name: String {
        switch self {
        case .char, .legacyChar: "int8"
        case .short: "int16"
        case .int, .counter: "int32"
        case .long, .long64: "int64"
        case .float: "float32"
        case .double: "float64"
        case .double32: "float32 (Double32)"
        case .float16: "float32 (Float16)"
        case .uchar: "uint8"
        case .ushort: "uint16"
        case .uint, .bits: "uint32"
        case .ulong, .ulong64: "uint64"
        case .bool: "bool"
        case .charStar: "char*"
        }
    }

    /// Values of this type are floating point (read as Double).
    public var isFloatingPoint: Bool { [.float, .double, .double32, .float16].contains(self) }

    /// The C++ spelling in STL member types (`vector<int>`), one per type.
    public var cppName: String {
        switch self {
        case .char, .legacyChar: "char"
        case .short: "short"
        case .int, .counter: "int"
        case .long: "long"
        case .float: "float"
        case .double: "double"
        case .double32: "Double32_t"
        case .float16: "Float16_t"
        case .uchar: "unsigned char"
        case .ushort: "unsigned short"
        case .uint, .bits: "unsigned int"
        case .ulong: "unsigned long"
        case .long64: "Long64_t"
        case .ulong64: "ULong64_t"
        case .bool: "bool"
        case .charStar: "char*"
        }
    }

    /// The type a C++ (or ROOT typedef) name stands for.
    public init?(cppName: String) {
        guard let t = Self.byCppName[cppName] else { return nil }
        self = t
    }

    private static let byCppName: [String: BasicType] = [
        "char": .char, "Char_t": .char, "int8_t": .char, "short": .short, "Short_t": .short, "int16_t": .short,
        "int": .int, "Int_t": .int, "int32_t": .int, "long": .long, "Long_t": .long, "float": .float, "Float_t": .float,
        "double": .double, "Double_t": .double, "Double32_t": .double32, "unsigned char": .uchar, "UChar_t": .uchar,
        "uint8_t": .uchar,
        "unsigned short": .ushort, "UShort_t": .ushort, "uint16_t": .ushort, "unsigned int": .uint, "unsigned": .uint,
        "UInt_t": .uint,
        "uint32_t": .uint, "unsigned long": .ulong, "ULong_t": .ulong, "long long": .long64, "Long64_t": .long64,
        "int64_t": .long64,
        "unsigned long long": .ulong64, "ULong64_t": .ulong64, "uint64_t": .ulong64, "bool": .bool, "Bool_t": .bool,
        "Float16_t": .float16,
    ]

    /// One value read from a streamed object.
    func read(_ c: inout Cursor) throws -> RValue {
        switch self {
        case .char, .legacyChar: .int(Int64(try c.i8()))
        case .short: .int(Int64(try c.i16()))
        case .int, .counter: .int(Int64(try c.i32()))
        case .long, .long64: .int(try c.i64())
        case .float, .double32, .float16: .double(Double(try c.f32()))
        case .double: .double(try c.f64())
        case .uchar: .uint(UInt64(try c.u8()))
        case .ushort: .uint(UInt64(try c.u16()))
        case .uint, .bits: .uint(UInt64(try c.u32()))
        case .ulong, .ulong64: .uint(try c.u64())
        case .bool: .bool(try c.u8() != 0)
        case .charStar: throw c.error("char* members are not supported")
        }
    }
}
