import Foundation
import TestSupport
import Testing

@testable import ANTARES
@testable import FITSIO
@testable import GADF
@testable import KM3NeT
@testable import Model
@testable import Readers

@Suite("GADF/VODF writers")
struct WriterTests {
    let td = Paths.testData

    func sampleObservation(obsID: String = "1") throws -> Observation {
        try ANTARESEventList.read(
            path: td + "/antares/sample_public.dat", kind: .antaresPublicList,
            options: .init(obsID: obsID, creator: "test"))
    }

    func writeAndRead(_ tables: [Table]) throws -> [Table] {
        let path = try Paths.scratch() + "/out.fits"
        try FITSOutput.write(
            tables, primary: FITSOutput.primaryCards(creator: "test", origin: nil, telescope: nil), to: path)
        let f = try FITSFile.open(path: path)
        return try (2...(try f.hduCount)).map { i in
            try f.moveTo(hdu: i)
            let s = try f.verifyChecksum()
            #expect(s.hdu == .valid && s.data == .valid)
            return try f.readTable()
        }
    }

    /// Files are built in memory and written in one piece: a file of several HDUs well past the
    /// first buffer (so cfitsio grows it) has exactly its HDUs and values, and valid checksums.
    @Test func inMemoryOutputGrowsAndKeepsEveryHDU() throws {
        let path = try Paths.scratch() + "/big.fits"
        let rows = 60_000 // 480 KB a table, three tables
        let tables = (0..<3).map { k in
            Table(
                name: "T\(k)", header: [], columns: [ColumnSpec("X", .float64)],
                data: [.float64((0..<rows).map { Double($0 * (k + 1)) })])
        }
        try FITSOutput.write(
            tables, primary: FITSOutput.primaryCards(creator: "test", origin: nil, telescope: nil), to: path)
        let f = try FITSFile.open(path: path)
        #expect(try f.hduCount == 4)
        for k in 0..<3 {
            try f.moveTo(hdu: k + 2)
            let col = try #require(try f.columns().first)
            #expect(try f.read(column: col, rows: rows).doubles == (0..<rows).map { Double($0 * (k + 1)) })
            #expect(try f.verifyChecksum().data != .invalid)
        }
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let end = try f.byteRange().dataEnd // of the last HDU, where the file must end
        #expect(size % 2880 == 0 && size == end)
    }

    /// The primary DATE card's timestamp, made from gmtime, reads as Foundation's ISO 8601 UTC form.
    @Test func creationDateIsUTCInFITSForm() {
        #expect(Reproducible.utcTimestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00")
        #expect(Reproducible.utcTimestamp(Date(timeIntervalSince1970: 1_000_000_000.9)) == "2001-09-09T01:46:40")
        let iso = ISO8601DateFormatter()
        for t in stride(from: 946_684_799.0, to: 2_000_000_000, by: 86_399_987.3) {
            let d = Date(timeIntervalSince1970: t)
            #expect(Reproducible.utcTimestamp(d) == String(iso.string(from: d).prefix(19)), "\(t)")
        }
    }

    @Test(arguments: OutputProfile.releaseFormats)
    func eventsKeywordsPerFlavor(_ flavor: OutputProfile) throws {
        let tables = try writeAndRead(try ObservationWriter(flavor: flavor).tables(for: try sampleObservation()))
        let ev = tables[0]
        let gti = tables[1]
        let h = ev.header
        // vodf_schema names the event list 'event-list' and links the HDUs with a grouping table.
        #expect(ev.name == (flavor == .vodf ? "event-list" : "EVENTS"))
        #expect(tables.count == (flavor == .vodf ? 3 : 2))
        if flavor == .vodf {
            #expect(tables[2].name == "GROUPING" && h[key: "EXTLEVEL"] == .int(1) && h[key: "DATE-OBS"] != nil)
        }
        #expect(h[key: "HDUCLASS"] == .string(flavor.hduClass))
        #expect(h[key: "HDUVERS"] == .string(flavor.hduVersion))
        for k in [
            "TSTART", "TSTOP", "ONTIME", "LIVETIME", "DEADC", "MJDREFI", "MJDREFF", "TIMESYS", "TIMEUNIT",
            "ALT_PNT", "AZ_PNT", "OBS_MODE", "EQUINOX", "RADECSYS", "ORIGIN", "TELESCOP", "INSTRUME", "CREATOR",
        ] {
            #expect(h[key: k] != nil, "missing \(k) in \(flavor)")
        }
        #expect(h[key: "OBS_MODE"] == .string("DRIFT"))
        #expect(h[key: "TIMESYS"] == .string("TT"))
        #expect(h[key: "EPROXY"] == .string("NHIT"))
        switch flavor {
        case .vodf:
            #expect(h[key: "OBS_ID"] == .string("1"))
            #expect(h[key: "OBSGEO-B"] == .double(42.8) && h[key: "GEOLAT"] == nil)
            #expect(h[key: "TREFPOS"] == .string("TOPOCENTER") && h[key: "TIMEREF"] == nil)
            #expect(h[key: "DATE-BEG"] != nil && h[key: "DATE-END"] != nil)
            #expect(ev.spec("RA_RECO") != nil && ev.spec("DEC_RECO") != nil && ev.spec("ENERGY_RECO") != nil)
            #expect(ev.spec("RA") == nil)
        case .gadf03:
            #expect(h[key: "OBS_ID"] == .int(1))
            #expect(h[key: "GEOLAT"] == .double(42.8) && h[key: "ALTITUDE"] == .double(-2475))
            #expect(h[key: "TIMEREF"] == .string("TOPOCENTER"))
            #expect(h[key: "DATE-BEG"] != nil)
        case .gadf02:
            #expect(h[key: "TIMEREF"] == .string("LOCAL"))
            #expect(h[key: "DATE-OBS"] != nil && h[key: "TIME-OBS"] != nil && h[key: "DATE-BEG"] == nil)
        default:
            Issue.record("\(flavor) is not a release format; the mock layout has its own test (mockLayoutEvents)")
        }
        let ra = ev.column(flavor.eventColumn("RA"))
        #expect(ra == .float64([266.4, 10.25, 359.875, 0.0, 180.5]))
        #expect(ev.spec("TIME")?.type == .float64 && ev.spec("TIME")?.unit == "s")
        #expect(ev.spec("EVENT_ID")?.type == .int64)
        // No energy measured: ENERGY is all NaN and EPROXY names the proxy.
        guard case .float64(let energy)? = ev.column(flavor.eventColumn("ENERGY")) else {
            Issue.record("no ENERGY")
            return
        }
        #expect(energy.allSatisfy { $0.isNaN })
        #expect(gti.column("START") == .float64([h[key: "TSTART"]!.doubleValue!]))
        #expect(gti.column("STOP") == .float64([h[key: "TSTOP"]!.doubleValue!]))
    }

    /// The VODF mock data's layout: GROUPING first, EVENTS with a text ID, the GTI in MJD without a unit.
    @Test func mockLayoutEvents() throws {
        let obs = try sampleObservation()
        let tables = try writeAndRead(try ObservationWriter(flavor: .vodfMock01).tables(for: obs))
        #expect(tables.map(\.name) == ["GROUPING", "EVENTS", "GTI"])
        let group = tables[0]
        let ev = tables[1]
        let gti = tables[2]
        #expect(group.column("MEMBER_XTENSION") == .string(["BINTABLE", "BINTABLE"]))
        #expect(group.column("MEMBER_NAME") == .string(["EVENTS", "GTI"]))
        #expect(
            ev.header[key: "HDUVERS"] == .string("0.1")
                && ev.header[key: "HDUDOC"] == .string("https://vodf.readthedocs.io/en/latest/"))
        #expect(
            ev.header[key: "OBS_ID"] == .string("1") && ev.header[key: "AUTHOR"] != nil
                && ev.header[key: "HDUCLAS1"] == .string("EVENTS"))
        #expect(ev.spec("ID")?.type == .string && ev.spec("RA") != nil && ev.spec("RA_RECO") == nil)
        guard case .string(let ids)? = ev.column("ID") else {
            Issue.record("no ID")
            return
        }
        #expect(ids == (1...ids.count).map(String.init))
        #expect(gti.spec("START")?.unit == nil)
        let t0 = obs.meta.timeRef
        let start = obs.gti.start[0]
        guard case .float64(let mjd)? = gti.column("START") else {
            Issue.record("no START")
            return
        }
        #expect(abs(mjd[0] - (Double(t0.mjdInt) + t0.mjdFrac + start / 86400)) < 1e-9)
    }

    @Test func mockLayoutHasNoIRFs() throws {
        let aeff = try KM3NeTIRFTables.readEffectiveArea(path: Paths.testData + "/km3net/aeff_coszen_sample.csv")
        let ctx = IRFContext(telescope: "KM3NeT", instrument: "TEST", origin: "KM3NeT", creator: "test")
        #expect(throws: WriterError.self) { try IRFWriter(flavor: .vodfMock01).table(for: aeff, context: ctx) }
    }

    @Test func gadfNeedsIntegerObsID() throws {
        let e = #expect(throws: WriterError.self) {
            try ObservationWriter(flavor: .gadf03).tables(for: try sampleObservation(obsID: "run-7"))
        }
        #expect(e?.description.contains("integer OBS_ID") == true)
        // VODF takes string ids.
        _ = try ObservationWriter(flavor: .vodf).tables(for: try sampleObservation(obsID: "run-7"))
    }

    /// GADF: THETA holds the zenith angle (declared by AXIS2), energy in TeV, TDIM (nE, nθ).
    @Test func aeffGADFLayout() throws {
        let aeff = try KM3NeTIRFTables.readEffectiveArea(path: td + "/km3net/aeff_coszen_sample.csv")
        let ctx = IRFContext(telescope: "KM3NeT", instrument: "TEST", origin: "KM3NeT", creator: "test")
        let t = try writeAndRead([try IRFWriter(flavor: .gadf03).table(for: aeff, context: ctx)])[0]
        #expect(t.name == "EFFECTIVE AREA")
        #expect(t.header[key: "HDUCLAS4"] == .string("AEFF_2D"))
        #expect(t.header[key: "HDUCLAS3"] == .string("FULL-ENCLOSURE"))
        #expect(t.header[key: "CREF5"] == .string("(ENERG_LO:ENERG_HI,THETA_LO:THETA_HI)"))
        #expect(t.header[key: "AXIS2"] == .string("ZENITH"))
        #expect(t.spec("EFFAREA")?.dims == [3, 4])
        #expect(t.spec("EFFAREA")?.unit == "m2")
        #expect(t.spec("ENERG_LO")?.unit == "TeV" && t.spec("THETA_LO")?.unit == "deg")
        #expect(t.column("ENERG_LO") == .float64([0.1, 1, 10]))
        guard case .float64(let lo)? = t.column("THETA_LO"), case .float64(let hi)? = t.column("THETA_HI"),
            case .float64(let v)? = t.column("EFFAREA")
        else {
            Issue.record("columns missing")
            return
        }
        #expect(lo[0] == 0 && hi[3] == 180 && abs(hi[0] - 60) < 1e-12 && abs(hi[1] - 90) < 1e-12)
        // θ bin k is cos bin 3-k.
        for i in 0..<3 {
            for k in 0..<4 {
                #expect(v[i + 3 * k] == aeff.table.value(at: [i, 3 - k]))
            }
        }
    }

    /// VODF keeps the cos-zenith axis as it is and declares it.
    @Test func aeffVODFLayout() throws {
        let aeff = try KM3NeTIRFTables.readEffectiveArea(path: td + "/km3net/aeff_coszen_sample.csv")
        let ctx = IRFContext(telescope: "KM3NeT", instrument: "TEST", origin: "KM3NeT", creator: "test")
        let t = try writeAndRead([try IRFWriter(flavor: .vodf).table(for: aeff, context: ctx)])[0]
        #expect(t.header[key: "HDUCLASS"] == .string("VODF"))
        #expect(t.header[key: "AXIS2"] == .string("COS_ZENITH"))
        #expect(t.column("COSZEN_LO") == .float64([-1, -0.5, 0, 0.5]))
        #expect(t.column("EFFAREA") == .float64(aeff.table.values))
    }

    /// A failure while writing leaves nothing at the target: neither a partial file nor the temporary one,
    /// and an existing file there is left untouched.
    @Test func outputIsAllOrNothing() throws {
        let dir = try Paths.scratch()
        let target = dir + "/out.fits"
        try Data("previous content".utf8).write(to: URL(fileURLWithPath: target))
        let broken = Table(
            name: "BROKEN", columns: [ColumnSpec("A", .float64), ColumnSpec("B", .float64)],
            data: [.float64([1, 2]), .float64([1])])
        let good = Table(name: "GOOD", columns: [ColumnSpec("A", .float64)], data: [.float64([1])])
        let broke = #expect(throws: FITSOutput.OutputError.self) {
            try FITSOutput.write([good, broken], primary: [], to: target)
        }
        #expect(broke?.description == "\(target): table BROKEN: column B has 1 values, expected 2")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "previous content")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["out.fits"])

        let e = #expect(throws: FITSOutput.OutputError.self) {
            try FITSOutput.write([good], primary: [], to: dir + "/missing-dir/out.fits")
        }
        #expect(e?.description.contains("does not exist") == true)
        try FITSOutput.write([good], primary: [], to: target)
        #expect(try FITSFile.open(path: target).hduCount == 2)
    }
}
