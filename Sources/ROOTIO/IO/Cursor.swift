/// A bounds-checked big-endian reader over a byte buffer. Every read that would run past the end
/// throws a `ROOTError` naming the object and the offset, so corrupt input can never crash or hang.
public struct Cursor {
    public let bytes: [UInt8]
    public var pos: Int
    /// Reads stop here (an entry's end inside a shared basket buffer); defaults to the buffer end.
    public let limit: Int
    /// Added to `pos` in error messages: the file offset of `bytes[0]` (or 0 inside a decompressed object).
    public let base: Int
    public let inObject: Bool
    /// For back-references (ReadObjectAny): displacement = pos + originShift (ROOT counts from the key start).
    public let originShift: Int
    public let file: String
    public var object: String

    public init(
        bytes: [UInt8], pos: Int = 0, limit: Int? = nil, base: Int = 0, inObject: Bool = false, originShift: Int = 0,
        file: String, object: String
    ) {
        self.bytes = bytes
        self.pos = pos
        self.limit = min(limit ?? bytes.count, bytes.count)
        self.base = base
        self.inObject = inObject
        self.originShift = originShift
        self.file = file
        self.object = object
    }

    public var remaining: Int { limit - pos }
    public var displacement: Int { pos + originShift }

    public func error(_ reason: String, at p: Int? = nil) -> ROOTError {
        ROOTError(file: file, object: object, offset: base + (p ?? pos), inObject: inObject, reason: reason)
    }

    @inline(__always)
    public func need(_ n: Int) throws {
        guard n >= 0, pos >= 0, n <= limit - pos else {
            throw error("need \(n) bytes but only \(max(0, limit - pos)) remain (truncated or corrupt data)")
        }
    }

    public mutating func seek(to p: Int) throws {
        guard p >= 0, p <= limit else { throw error("seek to \(p) outside a \(limit)-byte buffer") }
        pos = p
    }

    public mutating func skip(_ n: Int) throws {
        try need(n)
        pos += n
    }

    @inline(__always)
    mutating func load<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let n = MemoryLayout<T>.size
        try need(n)
        let v = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: pos, as: T.self) }
        pos += n
        return T(bigEndian: v)
    }

    public mutating func u8() throws -> UInt8 { try load(UInt8.self) }
    public mutating func i8() throws -> Int8 { Int8(bitPattern: try load(UInt8.self)) }
    public mutating func u16() throws -> UInt16 { try load(UInt16.self) }
    public mutating func i16() throws -> Int16 { try load(Int16.self) }
    public mutating func u32() throws -> UInt32 { try load(UInt32.self) }
    public mutating func i32() throws -> Int32 { try load(Int32.self) }
    public mutating func u64() throws -> UInt64 { try load(UInt64.self) }
    public mutating func i64() throws -> Int64 { try load(Int64.self) }
    public mutating func f32() throws -> Float { Float(bitPattern: try load(UInt32.self)) }
    public mutating func f64() throws -> Double { Double(bitPattern: try load(UInt64.self)) }

    public mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        try need(n)
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }

    /// ROOT's TString / std::string body: a 1-byte length, or 255 followed by a 4-byte length.
    public mutating func string() throws -> String {
        var n = Int(try u8())
        if n == 255 { n = Int(try u32()) }
        return String(decoding: try take(n), as: UTF8.self)
    }

    /// A NUL-terminated string (class names after kNewClassTag).
    public mutating func cString() throws -> String {
        guard pos < limit, let end = bytes[pos..<limit].firstIndex(of: 0) else {
            throw error("unterminated class name")
        }
        let s = String(decoding: bytes[pos..<end], as: UTF8.self)
        pos = end + 1
        return s
    }

    /// Byte count and version at the start of a streamed object. When the top bit pattern of the
    /// first word marks a byte count, returns the object's end position; otherwise `end` is nil.
    public mutating func byteCountAndVersion() throws -> (end: Int?, version: Int) {
        let start = pos
        let bc = try u32()
        if bc & 0x4000_0000 != 0 {
            let count = Int(bc & ~UInt32(0x4000_0000))
            let end = start + 4 + count
            guard end <= limit, count >= 2 else {
                throw error("byte count \(count) runs past the end of a \(limit)-byte buffer", at: start)
            }
            return (end, Int(try u16()))
        }
        pos = start
        return (nil, Int(try u16()))
    }

    /// Jumps to an object's end as given by its byte count (skipping members we do not model).
    /// Having read past that end means the layout was misread: an error, not a silent rewind.
    public mutating func finish(_ end: Int?) throws {
        guard let end else { return }
        if pos > end { throw error("read \(pos - end) bytes past the object's byte count (layout misread or corrupt)") }
        try seek(to: end)
    }
}
