import Alerts
import Foundation
import JSONIO
import Model
import Pictures
import Readers
import TestSupport
import Testing
import VOTableIO
import XMLIO

@Suite("UTC instants")
struct UTCInstantTests {
    @Test func readsAndWritesISO() throws {
        let t = try #require(UTCInstant(iso: "2024-09-01T01:16:47.0Z"))
        #expect(t.unixSeconds == 1_725_153_407)
        #expect(t.iso() == "2024-09-01T01:16:47.000000Z")
        #expect(UTCInstant(iso: "2024-09-01T03:16:47+02:00") == t)
        #expect(UTCInstant(iso: "2024-09-01 01:16:47") == t)
        #expect(UTCInstant(iso: "1969-12-31T23:59:59.5Z")?.unixSeconds == -0.5)
        #expect(UTCInstant(unixSeconds: -0.5).iso(digits: 1) == "1969-12-31T23:59:59.5Z")
        #expect(UTCInstant(iso: "2024-02-29T00:00:00Z") != nil)
        for bad in [
            "2023-02-29T00:00:00Z", "2024-13-01T00:00:00", "2024-01-01T24:00:00", "2024-01-01", "2024-01-01T00:00:00Q",
            "2024-01-01T00:00:00.",
        ] {
            #expect(UTCInstant(iso: bad) == nil, "\(bad)")
        }
        #expect(UTCInstant(iso: "2000-01-01T00:00:00Z")!.mjd == 51544)
    }
}

@Suite("JSON")
struct JSONTests {
    @Test func parsesWithLines() throws {
        let doc = try JSONNode.parse(
            Data("{\n  \"a\": [1, 2.5e1, true, null],\n  \"b\": \"\\u00e9\\n\"\n}".utf8), file: "x.json")
        #expect(doc["a"]?.line == 2 && doc["b"]?.line == 3)
        #expect(doc["a"]?.array?.map(\.value) == [.number(1), .number(25), .bool(true), .null])
        #expect(doc["b"]?.string == "é\n")
        for (text, line) in [
            ("{\"a\": 1,\n}", 2), ("{\"a\": 01}", 1), ("{\"a\": 1, \"a\": 2}", 1), ("[1,\n\n2", 3), ("{\"a\": +1}", 1),
        ] {
            #expect(throws: JSONError.self) { try JSONNode.parse(Data(text.utf8), file: "x.json") }
            do { _ = try JSONNode.parse(Data(text.utf8), file: "x.json") } catch let e as JSONError {
                #expect(e.line == line, "\(text)")
            }
        }
        // Deep nesting is refused, not recursed into.
        #expect(throws: JSONError.self) {
            try JSONNode.parse(Data((String(repeating: "[", count: 10000)).utf8), file: "x.json")
        }
    }

    @Test func schemaAcrossFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("core"), withIntermediateDirectories: true)
        try Data(
            #"{"type": "object", "properties": {"ra": {"type": "number"}, "err": {"anyOf": [{"type": "number"}, {"type": "array", "items": {"type": "number"}, "maxItems": 3}]}}}"#
                .utf8
        )
        .write(to: dir.appendingPathComponent("core/Loc.json"))
        try Data(
            #"""
            {"allOf": [{"$ref": "core/Loc.json"}], "required": ["kind"],
             "properties": {"kind": {"enum": ["track", "shower"]}, "n": {"type": "integer"}, "ev": {"type": "array", "items": {"$ref": "#/$defs/ev"}},
                            "id": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]}, "$schema": true},
             "$defs": {"ev": {"type": "object", "additionalProperties": {"type": "number"}}}}
            """#.utf8
        ).write(to: dir.appendingPathComponent("main.json"))
        let schema = try JSONSchema(path: dir.appendingPathComponent("main.json").path)
        func check(_ text: String) throws -> [String] {
            schema.violations(of: try JSONNode.parse(Data(text.utf8), file: "t.json")).map {
                "\($0.pointer) \($0.message)"
            }
        }
        #expect(
            try check(
                #"{"kind": "track", "ra": 1, "err": [1, 2], "n": 3, "ev": [{"x": 1}], "id": ["a"], "$schema": "x"}"#)
                == [])
        #expect(try check(#"{"ra": 1}"#) == [" the required property \"kind\" is missing"])
        #expect(try check(#"{"kind": "cascade"}"#) == ["/kind \"cascade\" is not one of \"track\", \"shower\""])
        #expect(try check(#"{"kind": "track", "ra": "1"}"#) == ["/ra is a string, not a number"])
        #expect(try check(#"{"kind": "track", "n": 2.5}"#) == ["/n is a number, not an integer"])
        #expect(try check(#"{"kind": "track", "ev": [{"x": "a"}]}"#) == ["/ev/0/x is a string, not a number"])
        #expect(
            try check(#"{"kind": "track", "err": [1, 2, 3, 4]}"#).first?.hasPrefix(
                "/err matches none of the allowed forms") == true)
        #expect(try check(#"{"kind": "track", "id": 3}"#).first?.hasPrefix("/id matches none") == true)
    }
}

@Suite("XML")
struct XMLTests {
    @Test func serialisesEscapesAndReadsBack() throws {
        let root = XMLElement(
            "voe:Root", ["a": "x & <y> \"z\"", "none": nil],
            children: [
                XMLElement("Child", text: "1 < 2 & 3 > 2"), XMLElement("Empty"),
            ])
        var doc = XMLDocument(root: root)
        doc.root.name = "Root"
        doc.rootNamespace = .init(prefix: "voe", uri: "urn:test")
        let data = try doc.serialized()
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("<voe:Root xmlns:voe=\"urn:test\" a=\"x &amp; &lt;y&gt; &quot;z&quot;\">"))
        #expect(text.contains("<Child>1 &lt; 2 &amp; 3 &gt; 2</Child>"))
        let back = try XMLDocument.parse(data, file: "t.xml")
        #expect(back.rootNamespace?.uri == "urn:test" && back.root.attribute("a") == "x & <y> \"z\"")
        #expect(back.root.child("Child")?.text == "1 < 2 & 3 > 2" && back.root.child("Child")?.line == 3)
        #expect(back.root.attribute("none") == nil)
        #expect(throws: XMLError.self) { try XMLDocument.parse(Data("<a><b></a>".utf8), file: "bad.xml") }
    }

    @Test func schemaViolationsNameLineAndElement() throws {
        let xsd = FileManager.default.temporaryDirectory.appendingPathComponent("t-\(UUID().uuidString).xsd")
        try Data(
            """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
              <xs:element name="r"><xs:complexType><xs:sequence>
                <xs:element name="p"><xs:complexType><xs:sequence><xs:element name="v" type="xs:float"/><xs:element name="e" type="xs:float"/></xs:sequence></xs:complexType></xs:element>
              </xs:sequence></xs:complexType></xs:element>
            </xs:schema>
            """.utf8
        ).write(to: xsd)
        let schema = try XMLSchema(path: xsd.path)
        #expect(try schema.violations(of: Data("<r><p><v>1</v><e>2</e></p></r>".utf8), file: "ok.xml").isEmpty)
        let v = try schema.violations(of: Data("<r>\n<p>\n<v>x</v>\n</p></r>".utf8), file: "bad.xml")
        #expect(v.map(\.line) == [3, 2] && v.map(\.element) == ["v", "p"])
        #expect(v[1].message.contains("Missing child element"))
        #expect(throws: XMLError.self) { try XMLSchema(path: "/nonexistent.xsd") }
    }

    @Test func votableWrittenReadsBack() throws {
        let doc = VOTableDocument(
            resourceName: "r", description: "d",
            tables: [
                .init(
                    name: "t", description: "x",
                    columns: [
                        .init(name: "s", datatype: .char, description: "text"),
                        .init(name: "n", datatype: .long, description: "count"),
                        .init(name: "x", datatype: .double, unit: "deg", ucd: "pos.eq.ra", description: "angle"),
                    ], rows: [[.text("a<b"), .int(3), .double(1.5e-7)], [.null, .null, .double(.nan)]])
            ])
        let t = try VOTable.parse(try doc.serialized(), file: "t.vot")
        #expect(
            t.fields.map(\.name) == ["s", "n", "x"] && t.fields[2].unit == "deg"
                && t.fields[1].null == String(VOTableDocument.intNull))
        #expect(t.rows[0] == [.text("a<b"), .number(3), .number(1.5e-7)])
        #expect(t.rows[1] == [.null, .null, .null])
    }
}

@Suite("Alerts")
struct AlertTests {
    func alert() -> NeutrinoAlert {
        let e = AlertEvent(
            id: "km3.1.2", time: UTCInstant(iso: "2024-09-01T01:16:47.25Z")!, raDeg: 10.82, decDeg: -20.01,
            errorRadiusDeg: 0.9,
            errorContainment: 0.9, energyGeV: 120000, topology: .startingTrack, cosZenithDown: 0.3)
        return NeutrinoAlert(
            name: "KM3-240901A", id: "1", telescope: "KM3NeT", instrument: "ARCA021", pipeline: "online",
            issued: UTCInstant(iso: "2024-09-01T02:00:00Z")!, events: [e], farPerYear: 2.5,
            provenance: ["events: x.fits"])
    }

    @Test func voeventRoundTrip() throws {
        for version in VOEventVersion.allCases {
            let data = try VOEventWriter.document(alert(), version: version, authority: "ivo://km3net.org").serialized()
            let r = try VOEventReader.read(try XMLDocument.parse(data, file: "a.xml"), file: "a.xml")
            #expect(r.version == version && r.coordinateSystem == "UTC-ICRS-TOPO")
            let e = try #require(r.alert.events.first)
            #expect(e.raDeg == 10.82 && e.decDeg == -20.01 && e.errorRadiusDeg == 0.9 && e.energyGeV == 120000)
            #expect(e.time == alert().events[0].time && e.topology == .startingTrack && e.cosZenithDown == 0.3)
            #expect(
                r.alert.name == "KM3-240901A" && r.alert.farPerYear == 2.5 && r.alert.provenance == ["events: x.fits"])
        }
    }

    @Test func gcnNoticeConventions() throws {
        let data = try GCNNoticeWriter.encode(alert())
        let doc = try JSONNode.parse(data, file: "n.json")
        // 1 = up-going in notices: a down-going event (model +0.3) is -0.3 there.
        #expect(doc["event_details"]?.array?.first?["cos_zenith"]?.number == -0.3)
        #expect(doc["far"]?.number == 2.5 / (365.25 * 86400))
        #expect(
            doc["alert_topology"]?.string == "Track"
                && doc["event_details"]?.array?.first?["prob_evt_topology"]?.string == "starting track")
        let back = try GCNNoticeReader.read(doc, file: "n.json")
        #expect(back.events[0].cosZenithDown == 0.3 && back.events[0].time == alert().events[0].time)
        #expect(abs(back.farPerYear! - 2.5) < 1e-12)
    }
}

@Suite("Pictures")
struct PictureTests {
    @Test func hammerAitoffCornersAndCentre() {
        let c = HammerAitoff.project(lon: 0, lat: 0)
        #expect(abs(c.x) < 1e-15 && abs(c.y) < 1e-15)
        let east = HammerAitoff.project(lon: 180, lat: 0)
        let west = HammerAitoff.project(lon: -180, lat: 0)
        // East to the left: longitude 180 at x = -2√2, -180 at +2√2.
        #expect(abs(east.x + 2 * 2.0.squareRoot()) < 1e-12 && abs(west.x - 2 * 2.0.squareRoot()) < 1e-12)
        #expect(abs(HammerAitoff.project(lon: 37, lat: 90).y - 2.0.squareRoot()) < 1e-12)
        #expect(HammerAitoff.wrap(270) == -90 && HammerAitoff.wrap(-180) == 180 && HammerAitoff.wrap(360) == 0)
    }

    @Test func kingContainmentIsAnalytic() throws {
        let e = try Axis(name: "ENERG", edges: [1, 10], unit: .TeV, scale: .log, meaning: .trueEnergy)
        let t = try Axis(name: "THETA", edges: [0, 1], unit: .degree, scale: .linear, meaning: .fovOffset)
        let gamma = try IRFTable(axes: [e, t], values: [3], unit: .dimensionless)
        let sigma = try IRFTable(axes: [e, t], values: [0.1], unit: .degree)
        let psf = try PSFKing(parameters: [("GAMMA", gamma), ("SIGMA", sigma)])
        let r = try ContainmentRadius.radii(psf, fraction: 0.68, spatialBin: 0)[0]
        // C(r) = 1 - (1 + r²/(2γσ²))^(1-γ) at the radius found is the fraction asked.
        #expect(abs(1 - pow(1 + r * r / (2 * 3 * 0.01), -2) - 0.68) < 1e-12)
    }

    @Test func mapsAreMergedAndSkyCellsCounted() {
        let m = HeatMap(
            xEdges: Array(0...100).map(Double.init), yEdges: [0, 1], values: (0..<100).map { [Double($0)] }, label: "v")
        let merged = m.merged(limit: 48)
        #expect(
            merged.values.count == 34 && merged.merged == [3, 1] && merged.xEdges.count == 35
                && merged.xEdges.last == 100)
        #expect(merged.values[0][0] == 1 && merged.values[33][0] == 99)
        let sky = HeatMap.skyCounts(lon: [0, 1, 359, -1], lat: [0, 0, 89.9, -90], step: 2, label: "n")
        #expect(sky.values[0][45] == 2 && sky.values[179][89] == 1 && sky.values[179][0] == 1)
    }

    @Test func figureRendersAsSVG() throws {
        let figure = Figure(
            title: "t & <u>",
            panels: [
                Panel(
                    kind: .curves, title: "p", x: PlotAxis("E", unit: "TeV", log: true),
                    y: PlotAxis("A", unit: "m2", log: true),
                    curves: [Curve(label: "c", x: [1, 10, 100], y: [1, 0, 100])])
            ])
        let svg = try PLplotRenderer.render(figure, as: .svg)
        let doc = try XMLDocument.parse(svg, file: "f.svg")
        #expect(doc.root.name == "svg")
        #expect(try PLplotRenderer.render(figure, as: .svg) == svg)
        #expect(throws: PLplotRenderer.Failure.self) {
            try PLplotRenderer.render(Figure(title: "", panels: []), as: .svg)
        }
    }
}
