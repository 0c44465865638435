import Foundation
import XMLIO

/// A VOTable 1.4 document to write: one RESOURCE of TABLEs serialised as TABLEDATA, built as an
/// XML tree and serialised by libxml2 (which escapes every value). Numbers are written in Swift's
/// shortest round-trip form; a null is an empty cell, and integer columns that can hold nulls
/// declare the VALUES null value VOTable asks for.
public struct VOTableDocument: Sendable {
    public struct Column: Sendable, Equatable {
        public enum DataType: String, Sendable {
            case char, int, long, double, boolean

            /// The value that stands for NULL in an integer column (VALUES null); nil for the
            /// types whose empty cell is NULL.
            public var nullLiteral: String? {
                switch self {
                case .int: return String(Int32.min)
                case .long: return String(VOTableDocument.intNull)
                default: return nil
                }
            }
        }
        public var name: String
        public var datatype: DataType
        public var unit: String?
        public var ucd: String?
        public var utype: String?
        public var xtype: String?
        public var description: String
        public init(
            name: String, datatype: DataType, unit: String? = nil, ucd: String? = nil, utype: String? = nil,
            xtype: String? = nil, description: String
        ) {
            self.name = name
            self.datatype = datatype
            self.unit = unit
            self.ucd = ucd
            self.utype = utype
            self.xtype = xtype
            self.description = description
        }
    }

    public enum Cell: Sendable, Equatable {
        case text(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
        case null
    }

    public struct TableData: Sendable {
        public var name: String
        public var description: String
        public var columns: [Column]
        public var rows: [[Cell]]
        public init(name: String, description: String, columns: [Column], rows: [[Cell]]) {
            self.name = name
            self.description = description
            self.columns = columns
            self.rows = rows
        }
    }

    public var resourceName: String
    public var description: String
    /// INFO elements of the resource (name, value), e.g. the tool and the release it describes.
    public var infos: [(name: String, value: String)]
    public var tables: [TableData]

    public init(
        resourceName: String, description: String, infos: [(name: String, value: String)] = [], tables: [TableData]
    ) {
        self.resourceName = resourceName
        self.description = description
        self.infos = infos
        self.tables = tables
    }

    static let namespace = "http://www.ivoa.net/xml/VOTable/v1.3"
    /// The value that stands for a missing integer.
    public static let intNull: Int64 = -9_223_372_036_854_775_808

    public func document() throws -> XMLDocument {
        var resource = XMLElement("RESOURCE", ["name": resourceName, "type": "results"])
        resource.children.append(XMLElement("DESCRIPTION", text: description))
        resource.children += infos.map { XMLElement("INFO", ["name": $0.name, "value": $0.value]) }
        for t in tables { resource.children.append(try table(t)) }
        let root = XMLElement("VOTABLE", ["version": "1.4"], children: [resource])
        return XMLDocument(root: root, rootNamespace: .init(prefix: nil, uri: Self.namespace))
    }

    public func serialized() throws -> Data { try document().serialized() }

    func table(_ t: TableData) throws -> XMLElement {
        var table = XMLElement("TABLE", ["name": t.name, "nrows": String(t.rows.count)])
        table.children.append(XMLElement("DESCRIPTION", text: t.description))
        for (k, c) in t.columns.enumerated() {
            // No ID: readers (astropy) name columns by ID when there is one.
            var field = XMLElement(
                "FIELD",
                [
                    "name": c.name, "datatype": c.datatype.rawValue,
                    "arraysize": c.datatype == .char ? "*" : nil, "unit": c.unit, "ucd": c.ucd,
                    "utype": c.utype, "xtype": c.xtype,
                ])
            field.children.append(XMLElement("DESCRIPTION", text: c.description))
            if let null = c.datatype.nullLiteral, t.rows.contains(where: { $0[k] == .null }) {
                field.children.append(XMLElement("VALUES", ["null": null]))
            }
            table.children.append(field)
        }
        var data = XMLElement("TABLEDATA")
        for (r, row) in t.rows.enumerated() {
            guard row.count == t.columns.count else {
                throw XMLError(
                    file: t.name, reason: "row \(r + 1) has \(row.count) cells for \(t.columns.count) columns")
            }
            data.children.append(
                XMLElement(
                    "TR",
                    children: zip(row, t.columns).map { cell, column in
                        XMLElement("TD", text: text(cell, column))
                    }))
        }
        table.children.append(XMLElement("DATA", children: [data]))
        return table
    }

    func text(_ cell: Cell, _ c: Column) -> String? {
        switch cell {
        case .text(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return d.isFinite ? (c.datatype == .double ? "\(d)" : String(Int64(d))) : nil
        case .bool(let b): return b ? "T" : "F"
        case .null: return c.datatype.nullLiteral
        }
    }
}
