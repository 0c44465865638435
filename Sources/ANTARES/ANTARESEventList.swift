import Astrometry
import Diagnostics
import Foundation
import Model
import Readers
import VOTableIO

/// Reads the ANTARES 2007-2017 public neutrino candidates, in either published layout:
/// - `PublicData_0717.dat`: tab-separated `Decl[deg] RA[deg] Nhit Beta[deg] MJD[days]`, after a title line;
/// - the VO-table `ant20_01.main` CSV export: `id, ra, dec, mjd, nhit, beta` (plus e.g. `dist_arcsec`);
/// - as the VO service serves it: the DaCHS cone-search CSV (`_r, MJD, Beta, Nhit, RA, Decl, ID`) and
///   the VOTable (TABLEDATA, BINARY or BINARY2) with the same fields.
/// ANTARES gives no energy: `nhit` is kept as the declared energy proxy. `beta` is the angular error estimate.
public enum ANTARESEventList {
    public struct Options: Sendable {
        public var obsID: String
        public var creator: String
        public init(obsID: String = "1", creator: String = "vodfkit") {
            self.obsID = obsID
            self.creator = creator
        }
    }

    /// The rows of each layout, and its event-id column (the public list has none).
    static func rows(path: String, kind: InputKind) throws -> (DelimitedText, Int?) {
        switch kind {
        case .antaresPublicList:
            // As published and as people re-save it: with or without the title line, tab- or
            // space-separated, with or without units in the header, LF or CRLF line ends.
            return (try DelimitedText(path: path, separator: nil) { _, line in isPublicListHeader(line) }, nil)
        case .antaresVOTableCSV, .antaresConeSearchCSV:
            let table = try DelimitedText(path: path, separator: ",")
            return (table, try table.column("id") { $0 == "id" })
        case .antaresVOTable:
            let table = try votableRows(path: path)
            return (table, try table.column("id") { $0 == "id" })
        default:
            throw InputError(file: path, reason: "not an ANTARES event list (\(kind.rawValue))")
        }
    }

    /// Whether a line is the public list's header (`Decl[deg] RA[deg] Nhit Beta[deg] MJD[days]`, units optional).
    public static func isPublicListHeader<S: StringProtocol>(_ line: S) -> Bool {
        let fields = line.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        return fields.count >= 5 && fields[0].hasPrefix("dec") && fields.contains { $0.hasPrefix("mjd") }
            && fields.contains { $0.hasPrefix("nhit") } && fields.contains { $0 == "ra" || $0.hasPrefix("ra[") }
    }

    /// The columns of the sample as read, row by row (checked: RA, Dec, hit count and angular error
    /// in range, the MJD a valid UTC date).
    struct Rows {
        var ra: [Double] = []
        var dec: [Double] = []
        var time: [Double] = []
        var beta: [Double] = []
        var nhit: [Int32] = []
        var ids: [Int64] = []
        var names: [String] = []
        /// Rows whose RA was 360.0 (the list rounds RA to 0.1 deg), read as 0.0.
        var wrappedRA = 0
    }

    public static func read(
        path: String, kind: InputKind, options: Options = Options(), diagnostics: DiagnosticLog = .discard
    ) throws -> Observation {
        let (table, idCol) = try rows(path: path, kind: kind)
        let r = try values(table, idCol: idCol, path: path)
        if r.wrappedRA > 0 {
            diagnostics.warn(
                "\(path): RA 360.0 read as 0.0 in \(r.wrappedRA) row(s) (the list rounds RA to 0.1 deg; 360 is 0)")
        }
        var columns: [EventColumn] = [
            EventColumn(
                name: "EVENT_ID", values: .int64(r.ids), level: .required,
                description: idCol == nil
                    ? "row number in the input file (1-based)" : "event number from the catalogue id"),
            EventColumn(
                name: "TIME", values: .double(r.time), unit: .second, level: .required,
                description: "event time, seconds since MJDREF (TT), from the MJD (UTC) of the input"),
            EventColumn(
                name: "RA", values: .double(r.ra), unit: .degree, level: .required,
                description: "reconstructed right ascension (ICRS)"),
            EventColumn(
                name: "DEC", values: .double(r.dec), unit: .degree, level: .required,
                description: "reconstructed declination (ICRS)"),
            EventColumn(
                name: "NHIT", values: .int32(r.nhit), level: .instrument,
                description: "number of hits used in the track fit; the energy proxy of this release",
                isEnergyProxy: true),
            EventColumn(
                name: "DIR_ERR", values: .double(r.beta), unit: .degree, level: .optional,
                description: "angular error estimate (beta) of the track fit"),
        ]
        if !r.names.isEmpty {
            columns.append(
                EventColumn(
                    name: "SRC_NAME", values: .string(r.names), level: .instrument, description: "catalogue identifier")
            )
        }
        let events = try EventList(columns: columns)
        // The public list carries no run or livetime information: the event span stands in.
        let tstart = r.time.min()!
        let tstop = r.time.max()!
        let gti = try GTI(start: [tstart], stop: [tstop])
        let meta = ObservationMetadata(
            obsID: options.obsID, timeRef: .j2000TT, tstart: tstart, tstop: tstop,
            ontime: tstop - tstart, livetime: tstop - tstart, coverageSource: .eventSpan,
            site: DetectorSites.antares.site, mode: .driftZenith, telescope: "ANTARES", instrument: "ANTARES",
            origin: "ANTARES", creator: options.creator,
            provenance: ["\(kind.rawValue): \((path as NSString).lastPathComponent)"],
            notes: [
                "ANTARES public event list: no livetime or run information in the input.",
                "TSTART/TSTOP, ONTIME, LIVETIME and the GTI are the span of the event times.",
                "No energy estimate: NHIT is the declared energy proxy (EPROXY).",
            ])
        return Observation(meta: meta, events: events, gti: gti)
    }

    /// Every row of the table, checked, as columns.
    static func values(_ table: DelimitedText, idCol: Int?, path: String) throws -> Rows {
        let raCol = try table.column("ra") { $0 == "ra" || $0.hasPrefix("ra[") }
        let decCol = try table.column("dec") {
            $0 == "dec" || $0 == "decl" || $0.hasPrefix("decl[") || $0.hasPrefix("dec[")
        }
        let nhitCol = try table.column("nhit") { $0.hasPrefix("nhit") }
        let betaCol = try table.column("beta") { $0.hasPrefix("beta") }
        let mjdCol = try table.column("mjd") { $0.hasPrefix("mjd") }
        var out = Rows()
        var k = -1
        let rowCount = try table.forEachRow { row in
            k += 1
            let d = try table.double(row, decCol)
            var r = try table.double(row, raCol)
            // The published list rounds RA to 0.1 deg, so 359.96 and up print as 360.0: the same direction as 0.
            if r == 360 {
                r = 0
                out.wrappedRA += 1
            }
            guard (0..<360).contains(r) else { throw table.error(row, raCol, "RA \(r) outside [0, 360)") }
            guard (-90...90).contains(d) else { throw table.error(row, decCol, "declination \(d) outside [-90, 90]") }
            let mjd = try table.double(row, mjdCol)
            do {
                out.time.append(try TimeScales.seconds(sinceReference: .j2000TT, utcMJD: mjd))
            } catch {
                throw table.error(row, mjdCol, "\(error)")
            }
            let n = try table.int(row, nhitCol)
            guard n >= 0, n <= Int64(Int32.max) else { throw table.error(row, nhitCol, "hit count \(n) out of range") }
            let b = try table.double(row, betaCol)
            guard b >= 0 else { throw table.error(row, betaCol, "negative angular error \(b)") }
            out.ra.append(r)
            out.dec.append(d)
            out.nhit.append(Int32(n))
            out.beta.append(b)
            if let idCol {
                let name = row.cells[idCol]
                // "ANT4536" -> 4536: the catalogue number is the event's identity in the release.
                guard let num = Int64(String(name.drop { !$0.isNumber })) else {
                    throw table.error(row, idCol, "\(MessageText.quoted(name)) has no event number")
                }
                out.ids.append(num)
                out.names.append(name)
            } else {
                // The .dat layout has no identifier: use the 1-based position in the file.
                out.ids.append(Int64(k + 1))
            }
        }
        guard rowCount > 0 else { throw InputError(file: path, reason: "no events after the header") }
        return out
    }

    /// The VOTable's rows as cells of text, so that one path reads every layout. Numbers print in
    /// Swift's shortest round-trip form, so no digit is lost on the way.
    static func votableRows(path: String) throws -> DelimitedText {
        let t: VOTable
        do { t = try VOTable.read(path: path) } catch let e as VOTableError {
            throw InputError(file: path, part: e.location, reason: e.reason)
        }
        let rows = t.rows.map { row in row.map { $0.string ?? "" } }
        return DelimitedText(file: path, header: t.fields.map(\.name), rows: rows)
    }
}
