import Foundation
import TestSupport
import Testing

@testable import VOTableIO

@Suite("VOTable")
struct VOTableTests {
    func document(_ fields: String, _ data: String) -> Data {
        Data(
            """
            <?xml version="1.0"?>
            <VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3"><RESOURCE><TABLE>
            \(fields)
            <DATA>\(data)</DATA></TABLE></RESOURCE></VOTABLE>
            """.utf8)
    }

    let fields = """
        <FIELD name="a" datatype="double"/><FIELD name="b" datatype="int"><VALUES null="-1"/></FIELD>
        <FIELD name="c" datatype="char" arraysize="*"/><FIELD name="d" datatype="short"/>
        """

    /// Big-endian bytes of two rows: (1.5, 7, "xy", -2) and (-0.25, -1 (null), "", 300).
    var rowBytes: [UInt8] {
        func be<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.bigEndian, Array.init) }
        return be((1.5).bitPattern) + be(Int32(7)) + be(UInt32(2)) + Array("xy".utf8) + be(Int16(-2))
            + be((-0.25).bitPattern) + be(Int32(-1)) + be(UInt32(0)) + be(Int16(300))
    }

    @Test func binaryStream() throws {
        let stream = Data(rowBytes).base64EncodedString()
        let t = try VOTable.parse(
            document(fields, "<BINARY><STREAM encoding=\"base64\">\(stream)</STREAM></BINARY>"), file: "t.vot")
        #expect(t.fields.map(\.name) == ["a", "b", "c", "d"])
        #expect(
            t.rows == [
                [.number(1.5), .number(7), .text("xy"), .number(-2)], [.number(-0.25), .null, .text(""), .number(300)],
            ])
    }

    /// BINARY2: each row starts with null flags (one bit per field, first field in the top bit).
    @Test func binary2NullFlags() throws {
        var bytes = rowBytes
        bytes.insert(0b0001_0000, at: 0) // row 1: d is null
        bytes.insert(0b1000_0000, at: 8 + 4 + 4 + 2 + 2 + 1) // row 2: a is null
        let t = try VOTable.parse(
            document(
                fields, "<BINARY2><STREAM encoding=\"base64\">\(Data(bytes).base64EncodedString())</STREAM></BINARY2>"),
            file: "t.vot")
        #expect(t.rows[0] == [.number(1.5), .number(7), .text("xy"), .null])
        #expect(t.rows[1][0] == .null && t.rows[1][3] == .number(300))
    }

    @Test func tableDataAndErrors() throws {
        let t = try VOTable.parse(
            document(fields, "<TABLEDATA><TR><TD>1e3</TD><TD>4</TD><TD>ab</TD><TD/></TR></TABLEDATA>"), file: "t.vot")
        #expect(t.rows[0][0].double == 1000 && t.rows[0][3] == .null && t.rows[0][2].string == "ab")
        let short = #expect(throws: VOTableError.self) {
            try VOTable.parse(document(fields, "<TABLEDATA><TR><TD>1</TD></TR></TABLEDATA>"), file: "t.vot")
        }
        #expect(short?.description == "t.vot: row 1: 1 TD cells for 4 FIELDs")
        let cut = #expect(throws: VOTableError.self) {
            try VOTable.parse(
                document(
                    fields,
                    "<BINARY><STREAM encoding=\"base64\">\(Data(rowBytes.dropLast(3)).base64EncodedString())</STREAM></BINARY>"
                ), file: "t.vot")
        }
        #expect(
            cut?.description.contains("row 2, field") == true
                && cut?.description.contains("ends inside a value") == true)
        let broken = #expect(throws: VOTableError.self) {
            try VOTable.parse(Data("<VOTABLE><TABLE>".utf8), file: "t.vot")
        }
        #expect(
            broken?.description.hasPrefix("t.vot: not well-formed XML (line 1") == true, "\(String(describing: broken))"
        )
        let other = #expect(throws: VOTableError.self) { try VOTable.parse(Data("<html/>".utf8), file: "t.vot") }
        #expect(other?.reason.contains("not a VOTable") == true)
    }

    /// External entities are not expanded and nothing is fetched (XML_PARSE_NONET, no NOENT).
    @Test func noEntityExpansion() throws {
        let xxe = """
            <?xml version="1.0"?><!DOCTYPE v [<!ENTITY x SYSTEM "file:///etc/hostname">]>
            <VOTABLE><RESOURCE><TABLE><FIELD name="a" datatype="char" arraysize="*"/><DATA><TABLEDATA><TR><TD>&x;</TD></TR></TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>
            """
        let host =
            (try? String(contentsOfFile: "/etc/hostname", encoding: .utf8))?.trimmingCharacters(
                in: .whitespacesAndNewlines) ?? "unlikely-host-name"
        if let t = try? VOTable.parse(Data(xxe.utf8), file: "x.vot") {
            #expect(t.rows.first?.first?.string != host)
        }
    }
}
