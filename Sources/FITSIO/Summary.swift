import Foundation

/// What `vodf inspect` shows of a FITS file: every HDU's type, name, classes, keywords, checksum
/// state and column summaries. Codable, so that the JSON form is this type and nothing else.
public struct FITSSummary: Codable, Sendable {
    public struct Keyword: Codable, Sendable {
        public var name: String
        public var value: HeaderValue?
        public var comment: String?
    }

    public struct Column: Codable, Sendable {
        public var name: String
        public var tform: String
        public var unit: String?
        public var tdim: [Int]?
        /// Over all finite values of a numeric column.
        public var min: Double?
        public var max: Double?
    }

    public struct HDU: Codable, Sendable {
        /// 0 for the primary HDU.
        public var index: Int
        /// PRIMARY, BINTABLE, TABLE or IMAGE.
        public var type: String
        public var extname: String
        /// HDUCLASS, HDUCLAS1..4 as present.
        public var classes: [String]
        public var keywordCount: Int
        public var keywords: [Keyword]
        public var checksum: String
        public var datasum: String
        public var rows: Int?
        public var columns: [Column]?

        enum CodingKeys: String, CodingKey {
            case index, type, extname, classes, keywords, checksum, datasum, rows, columns
            case keywordCount = "keyword_count"
        }

        /// The value of a keyword of this HDU, if it has one.
        public func value(of keyword: String) -> HeaderValue? {
            keywords.first { $0.name == keyword.uppercased() && $0.value != nil }?.value
        }
    }

    public var file: String
    public var hdus: [HDU]

    /// Reads every HDU; numeric columns get min/max over all values (NaN ignored).
    public init(path: String) throws {
        let f = try FITSFile.open(path: path)
        var hdus: [HDU] = []
        for i in 1...(try f.hduCount) {
            let type = try f.moveTo(hdu: i)
            let header = try f.readHeader()
            let sums = try f.verifyChecksum()
            var h = HDU(
                index: i - 1,
                type: i == 1
                    ? "PRIMARY" : (type == .binaryTable ? "BINTABLE" : (type == .asciiTable ? "TABLE" : "IMAGE")),
                extname: header[key: "EXTNAME"]?.stringValue ?? "",
                classes: ["HDUCLASS", "HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4"].compactMap {
                    header[key: $0]?.stringValue
                },
                keywordCount: header.count,
                keywords: header.map {
                    Keyword(name: $0.name, value: $0.value, comment: $0.comment.isEmpty ? nil : $0.comment)
                },
                checksum: "\(sums.hdu)", datasum: "\(sums.data)")
            if type == .binaryTable { (h.rows, h.columns) = try Self.columns(f) }
            hdus.append(h)
        }
        try f.close()
        self.file = path
        self.hdus = hdus
    }

    private static func columns(_ f: FITSFile) throws -> (Int, [Column]) {
        let rows = try f.rowCount
        var out: [Column] = []
        for c in try f.columns() {
            var d = Column(name: c.spec.name, tform: c.spec.tform, unit: c.spec.unit, tdim: c.spec.dims)
            if rows > 0, let values = try f.read(column: c, rows: rows).doubles {
                let finite = values.filter { $0.isFinite }
                d.min = finite.min()
                d.max = finite.max()
            }
            out.append(d)
        }
        return (rows, out)
    }

    /// The summary as JSON (keys sorted, so that reports diff cleanly).
    public func json() throws -> String {
        String(decoding: try Self.reportEncoder().encode(self), as: UTF8.self)
    }

    /// How every JSON document vodf writes spells NaN and the infinities, which JSON lacks: as the
    /// strings JavaScript's `Number()` and Python's `float()` both read back.
    public enum NonFinite {
        public static let nan = "NaN"
        public static let positiveInfinity = "Infinity"
        public static let negativeInfinity = "-Infinity"
    }

    /// The JSON encoder of vodf's reports (`inspect --json`, `peek --data json`): keys sorted,
    /// pretty-printed, and NaN and infinities as `NonFinite` spells them.
    public static func reportEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: NonFinite.positiveInfinity, negativeInfinity: NonFinite.negativeInfinity,
            nan: NonFinite.nan)
        return encoder
    }
}

/// A keyword value in JSON as the scalar it is (a string, an integer, a number or a boolean).
extension HeaderValue: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? c.decode(Int64.self) {
            self = .int(i)
        } else if let d = try? c.decode(Double.self) {
            self = .double(d)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .int(let i): try c.encode(i)
        case .double(let d): try c.encode(d)
        case .bool(let b): try c.encode(b)
        }
    }
}
