internal import CLibXML2
import Foundation

/// A problem reading a VOTable: the file, where in it (a row, a field), and why.
public struct VOTableError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let location: String?
    public let reason: String
    public var description: String { "\(file): " + (location.map { "\($0): " } ?? "") + reason }
}

/// The first table of a VOTable document (IVOA VOTable 1.1-1.5), read through libxml2: its FIELDs
/// and its rows, serialised as TABLEDATA, BINARY or BINARY2 (base64 streams inside the document).
/// Knows no astronomy: readers map fields to quantities by name, unit and UCD.
public struct VOTable: Sendable {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var datatype: String
        public var arraysize: String?
        public var unit: String?
        public var ucd: String?
        /// The VALUES null value of integer fields, if declared.
        public var null: String?
    }

    /// One cell: numbers from BINARY streams, text from TABLEDATA (parsed by `double`), or empty.
    public enum Value: Sendable, Equatable {
        case number(Double)
        case text(String)
        case null

        /// The numeric value, or nil for text that is no number and for nulls.
        public var double: Double? {
            switch self {
            case .number(let d): return d
            case .text(let s):
                let t = s.trimmingCharacters(in: .whitespaces)
                return t.isEmpty ? nil : Double(t)
            case .null: return nil
            }
        }

        /// The text of a cell as it would print (numbers without a trailing ".0" when integral).
        public var string: String? {
            switch self {
            case .text(let s): return s.trimmingCharacters(in: .whitespaces)
            case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
            case .null: return nil
            }
        }
    }

    public var fields: [Field]
    /// rows[r][f]
    public var rows: [[Value]]

    /// The index of the first field whose name matches (case-insensitively) one of `names`.
    public func field(named names: [String]) -> Int? {
        let wanted = Set(names.map { $0.lowercased() })
        return fields.firstIndex { wanted.contains($0.name.lowercased()) }
    }

    /// Reads the first TABLE of the document at `path`. Network access and external entities are
    /// off: a VOTable from an upload must not make this process fetch anything.
    public static func read(path: String) throws -> VOTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VOTableError(
                file: path, location: nil,
                reason: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file")
        }
        return try parse(data, file: path)
    }

    public static func parse(_ data: Data, file: String) throws -> VOTable {
        let options = Int32(
            XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                | XML_PARSE_NOBLANKS.rawValue)
        let doc: xmlDocPtr? = data.withUnsafeBytes { raw in
            xmlReadMemory(
                raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count), "votable.xml", nil, options)
        }
        guard let doc else {
            throw VOTableError(file: file, location: nil, reason: "not well-formed XML (\(lastXMLError()))")
        }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc), name(root) == "VOTABLE" else {
            throw VOTableError(
                file: file, location: nil, reason: "the XML document is not a VOTable (no VOTABLE root element)")
        }
        guard let table = first(root, "TABLE") else {
            throw VOTableError(file: file, location: nil, reason: "the VOTable holds no TABLE")
        }
        var fields: [Field] = []
        for f in children(table) where name(f) == "FIELD" {
            let values = children(f).first { name($0) == "VALUES" }
            fields.append(
                Field(
                    name: attribute(f, "name") ?? attribute(f, "ID") ?? "col\(fields.count + 1)",
                    datatype: attribute(f, "datatype") ?? "char", arraysize: attribute(f, "arraysize"),
                    unit: attribute(f, "unit"), ucd: attribute(f, "ucd"), null: values.flatMap { attribute($0, "null") }
                ))
        }
        guard !fields.isEmpty else { throw VOTableError(file: file, location: "TABLE", reason: "no FIELD elements") }
        guard let dataNode = children(table).first(where: { name($0) == "DATA" }) else {
            return VOTable(fields: fields, rows: [])
        }
        guard
            let body = children(dataNode).first(where: {
                ["TABLEDATA", "BINARY", "BINARY2", "FITS"].contains(name($0))
            })
        else {
            return VOTable(fields: fields, rows: [])
        }
        switch name(body) {
        case "TABLEDATA":
            return VOTable(fields: fields, rows: try tableData(body, fields: fields, file: file))
        case "BINARY", "BINARY2":
            guard let stream = children(body).first(where: { name($0) == "STREAM" }) else {
                throw VOTableError(file: file, location: name(body), reason: "no STREAM element")
            }
            if let href = attribute(stream, "href") {
                throw VOTableError(
                    file: file, location: "STREAM",
                    reason: "the rows are in an external stream (\(href)); only inline streams are read")
            }
            let encoding = attribute(stream, "encoding") ?? "base64"
            guard encoding == "base64" else {
                throw VOTableError(
                    file: file, location: "STREAM", reason: "stream encoding '\(encoding)' is not supported (base64 is)"
                )
            }
            guard let bytes = Data(base64Encoded: content(stream), options: .ignoreUnknownCharacters) else {
                throw VOTableError(file: file, location: "STREAM", reason: "the base64 stream does not decode")
            }
            var decoder = BinaryRows(
                bytes: [UInt8](bytes), fields: fields, nullFlags: name(body) == "BINARY2", file: file)
            return VOTable(fields: fields, rows: try decoder.rows())
        default:
            throw VOTableError(
                file: file, location: "DATA",
                reason: "FITS-serialised VOTable data is not supported (TABLEDATA, BINARY and BINARY2 are)")
        }
    }

    static func tableData(_ body: xmlNodePtr, fields: [Field], file: String) throws -> [[Value]] {
        var rows: [[Value]] = []
        for (r, tr) in children(body).filter({ name($0) == "TR" }).enumerated() {
            let tds = children(tr).filter { name($0) == "TD" }
            let cells = zip(tds, fields).map { td, field -> Value in
                let s = content(td).trimmingCharacters(in: .whitespacesAndNewlines)
                if s.isEmpty { return .null }
                // A scalar number is read as its declared type holds it (a float is a float32, as
                // astropy reads it); anything else stays text for the reader to judge.
                guard field.arraysize == nil, let kind = numericKinds[field.datatype], let d = Double(s) else {
                    return .text(s)
                }
                if let null = field.null, s == null { return .null }
                return .number(kind == .single ? Double(Float(d)) : d)
            }
            guard tds.count == fields.count else {
                throw VOTableError(
                    file: file, location: "row \(r + 1)", reason: "\(tds.count) TD cells for \(fields.count) FIELDs")
            }
            rows.append(cells)
        }
        return rows
    }

    enum NumericKind { case single, other }
    static let numericKinds: [String: NumericKind] = [
        "float": .single, "double": .other, "short": .other, "int": .other,
        "long": .other, "unsignedByte": .other,
    ]

    // MARK: - libxml2 tree helpers

    static func name(_ node: xmlNodePtr) -> String { node.pointee.name.map { String(cString: $0) } ?? "" }

    static func children(_ node: xmlNodePtr) -> [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var c = node.pointee.children
        while let n = c {
            if n.pointee.type == XML_ELEMENT_NODE { out.append(n) }
            c = n.pointee.next
        }
        return out
    }

    /// The first element called `tag` below `node`, depth first (RESOURCE may nest).
    static func first(_ node: xmlNodePtr, _ tag: String) -> xmlNodePtr? {
        for c in children(node) {
            if name(c) == tag { return c }
            if let found = first(c, tag) { return found }
        }
        return nil
    }

    static func attribute(_ node: xmlNodePtr, _ key: String) -> String? {
        guard let v = xmlGetProp(node, key) else { return nil }
        defer { vodf_xml_free(v) }
        return String(cString: v)
    }

    static func content(_ node: xmlNodePtr) -> String {
        guard let v = xmlNodeGetContent(node) else { return "" }
        defer { vodf_xml_free(v) }
        return String(cString: v)
    }

    static func lastXMLError() -> String {
        guard let e = xmlGetLastError(), let m = e.pointee.message else { return "unknown parser error" }
        let text = String(cString: m).trimmingCharacters(in: .whitespacesAndNewlines)
        return "line \(e.pointee.line): \(text)"
    }
}

/// Rows of a BINARY or BINARY2 stream (VOTable 1.4, sections 5.4-5.5): big-endian values field by
/// field; variable-length arrays prefixed by a 4-byte count; BINARY2 rows start with null flags.
struct BinaryRows {
    let bytes: [UInt8]
    let fields: [VOTable.Field]
    let nullFlags: Bool
    let file: String
    var offset = 0

    init(bytes: [UInt8], fields: [VOTable.Field], nullFlags: Bool, file: String) {
        self.bytes = bytes
        self.fields = fields
        self.nullFlags = nullFlags
        self.file = file
    }

    mutating func rows() throws -> [[VOTable.Value]] {
        var out: [[VOTable.Value]] = []
        while offset < bytes.count {
            let row = out.count + 1
            var flags: [UInt8] = []
            if nullFlags { flags = try take((fields.count + 7) / 8, row: row, field: "null flags") }
            var cells: [VOTable.Value] = []
            for (k, f) in fields.enumerated() {
                let value = try cell(f, row: row)
                let isNull = nullFlags && flags[k / 8] & (0x80 >> UInt8(k % 8)) != 0
                cells.append(isNull ? .null : value)
            }
            out.append(cells)
        }
        return out
    }

    mutating func take(_ n: Int, row: Int, field: String) throws -> [UInt8] {
        guard n >= 0, offset + n <= bytes.count else {
            throw VOTableError(
                file: file, location: "row \(row), field \(field)",
                reason: "the binary stream ends inside a value (byte \(offset) of \(bytes.count))")
        }
        defer { offset += n }
        return Array(bytes[offset..<offset + n])
    }

    /// The element count of a field: fixed from arraysize, or read from the stream for '*'.
    mutating func count(_ f: VOTable.Field, row: Int) throws -> Int {
        guard let size = f.arraysize?.trimmingCharacters(in: .whitespaces), !size.isEmpty else { return 1 }
        if size.hasSuffix("*") {
            let b = try take(4, row: row, field: f.name)
            return Int(UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3]))
        }
        return size.split(separator: "x").reduce(1) { $0 * (Int($1) ?? 1) }
    }

    mutating func cell(_ f: VOTable.Field, row: Int) throws -> VOTable.Value {
        let n = try count(f, row: row)
        let width: Int
        switch f.datatype {
        case "boolean", "unsignedByte", "char": width = 1
        case "short", "unicodeChar": width = 2
        case "int", "float": width = 4
        case "long", "double", "floatComplex": width = 8
        case "doubleComplex": width = 16
        case "bit": return .text(try take((n + 7) / 8, row: row, field: f.name).map { String($0, radix: 2) }.joined())
        default: throw VOTableError(file: file, location: "field \(f.name)", reason: "unknown datatype '\(f.datatype)'")
        }
        let b = try take(n * width, row: row, field: f.name)
        switch f.datatype {
        case "char":
            return .text(String(decoding: b.prefix { $0 != 0 }, as: UTF8.self))
        case "unicodeChar":
            let units = stride(from: 0, to: b.count, by: 2).map { UInt16(b[$0]) << 8 | UInt16(b[$0 + 1]) }
            return .text(String(decoding: units.prefix { $0 != 0 }, as: UTF16.self))
        case "boolean":
            return .text(
                b.map { [0x54, 0x74, 0x31].contains($0) ? "T" : ([0x46, 0x66, 0x30].contains($0) ? "F" : "?") }.joined(
                    separator: " "))
        default:
            let values = stride(from: 0, to: b.count, by: width).map { number(Array(b[$0..<$0 + width]), f.datatype) }
            if let null = f.null.flatMap(Double.init), values.count == 1, values[0] == null { return .null }
            if values.count == 1 { return values[0].isNaN ? .null : .number(values[0]) }
            return .text(values.map { String($0) }.joined(separator: " "))
        }
    }

    func number(_ b: [UInt8], _ type: String) -> Double {
        let u = b.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        switch type {
        case "unsignedByte": return Double(b[0])
        case "short": return Double(Int16(bitPattern: UInt16(u)))
        case "int": return Double(Int32(bitPattern: UInt32(u)))
        case "long": return Double(Int64(bitPattern: u))
        case "float": return Double(Float(bitPattern: UInt32(u)))
        case "double": return Double(bitPattern: u)
        default: return .nan // complex values have no single number
        }
    }
}
