import FITSIO
import Foundation
import Model
import Readers

/// Reads an event list and its GTI from a GADF file of any producer (or a VODF-draft file) into
/// the model. Format keywords become model fields, which a writer spells again in its own format;
/// every other keyword is carried as an instrument keyword; what the model cannot hold is listed.
public enum GADFEventReader {
    /// An observation read, and what of its HDUs could not be carried over.
    public struct Reading: Sendable {
        public var observation: Observation
        /// What of the two HDUs the model does not hold.
        public var notCarried: [Omission]
    }

    /// The observation of an EVENTS (or VODF event-list) table and its GTI table. `path` names the
    /// file in errors.
    public static func read(events: Table, gti: Table, path: String) throws -> Reading {
        var notCarried: [Omission] = []
        let h = events.header
        var meta = try metadata(h, path: path, notCarried: &notCarried)
        let descriptions = columnDescriptions(h, columns: Set(events.columns.map(\.name)))
        meta.notes += h.filter { $0.name == "COMMENT" && !descriptions.comments.contains($0.comment) }.map(\.comment)
            .filter { !$0.trimmedBlanks.isEmpty && !ownComments.contains($0) && !meta.notes.contains($0) }
        let histories = h.filter { $0.name == "HISTORY" }.map(\.comment)
        meta.provenance = histories.compactMap { $0.hasPrefix("input: ") ? String($0.dropFirst(7)) : nil }
        meta.notes += histories.filter { !$0.hasPrefix("input: ") }.map { "HISTORY " + $0 }
        var list = try EventList()
        for (spec, data) in zip(events.columns, events.data) {
            let name = canonicalColumn(spec.name)
            guard let values = eventValues(data, spec: spec) else {
                notCarried.append(
                    Omission(
                        file: path, what: "\(events.name) column \(spec.name)", value: spec.tform,
                        why:
                            "an event list holds scalar numbers and strings, not \(spec.valuesPerRow > 1 ? "vectors" : "this type")"
                    ))
                continue
            }
            let unit = try spec.unit.flatMap { u -> Model.Unit? in
                u.trimmedBlanks.isEmpty ? nil : try Model.Unit.parse(u)
            }
            let d = descriptions.byColumn[spec.name] ?? (description: "", truth: false)
            try list.add(
                EventColumn(
                    name: name, values: values, unit: unit, level: level(name), description: d.description,
                    isTruth: d.truth, isEnergyProxy: h[key: "EPROXY"]?.stringValue.map(canonicalColumn) == name))
        }
        if let proxy = h[key: "EPROXY"]?.stringValue.map(canonicalColumn), proxy != "ENERGY",
            let energy = list["ENERGY"], energy.values.doubles?.allSatisfy(\.isNaN) == true
        {
            // vodfkit's own NaN ENERGY beside a proxy: the writer adds it back.
            list = try EventList(columns: list.columns.filter { $0.name != "ENERGY" })
        }
        let start = try doubles(gti, "START", path: path)
        let stop = try doubles(gti, "STOP", path: path)
        let intervals: GTI
        do { intervals = try GTI(start: start, stop: stop) } catch {
            throw InputError(file: path, part: gti.name, reason: "\(error)")
        }
        notCarried += gti.header.compactMap { c in
            guard let v = c.value, !FormatKeywords.isFormat(c.name) || gtiRewritten.contains(c.name) else { return nil }
            return Omission(
                file: path, what: "\(gti.name) keyword \(c.name)", value: v.description,
                why: "a GTI table keeps its intervals and the observation's time reference")
        }
        // The GTI's own COMMENTs: those the event list does not say too cannot be carried.
        notCarried += gti.header.filter { $0.name == "COMMENT" && !$0.comment.trimmedBlanks.isEmpty }
            .filter { c in
                !meta.notes.contains(c.comment) && !h.contains { $0.name == "COMMENT" && $0.comment == c.comment }
            }
            .map {
                Omission(
                    file: path, what: "\(gti.name) COMMENT", value: $0.comment, why: "a GTI table keeps no comments")
            }
        return Reading(observation: Observation(meta: meta, events: list, gti: intervals), notCarried: notCarried)
    }

    /// Metadata from an EVENTS header: the format fields, then every other keyword as it is.
    static func metadata(_ h: [HeaderCard], path: String, notCarried: inout [Omission]) throws -> ObservationMetadata {
        func number(_ k: String) throws -> Double {
            guard let v = h[key: k]?.doubleValue else {
                throw InputError(file: path, part: "EVENTS", reason: "keyword \(k) is missing or not a number")
            }
            return v
        }
        guard let obsID = h[key: "OBS_ID"].map({ $0.stringValue?.trimmedBlanks ?? $0.description }) else {
            throw InputError(file: path, part: "EVENTS", reason: "keyword OBS_ID is missing")
        }
        let system = TimeSystem(rawValue: (h[key: "TIMESYS"]?.stringValue ?? "TT").trimmedBlanks.uppercased()) ?? .tt
        let mjd = try mjdReference(h, path: path)
        let ontime = try number("ONTIME")
        let livetime = try h[key: "LIVETIME"]?.doubleValue ?? number("ONTIME")
        let modeText = (h[key: "OBS_MODE"]?.stringValue ?? "POINTING").trimmedBlanks.uppercased()
        let mode: ObservingMode =
            modeText == "DRIFT"
            ? .drift(altDeg: try number("ALT_PNT"), azDeg: try number("AZ_PNT"))
            : .pointing(raDeg: try number("RA_PNT"), decDeg: try number("DEC_PNT"))
        var meta = ObservationMetadata(
            obsID: obsID, timeRef: TimeReference(mjdInt: mjd.int, mjdFrac: mjd.frac, system: system),
            tstart: try number("TSTART"), tstop: try number("TSTOP"), ontime: ontime, livetime: livetime,
            coverageSource: .measured, site: site(h), mode: mode, object: h[key: "OBJECT"]?.stringValue,
            telescope: h[key: "TELESCOP"]?.stringValue ?? "unknown",
            instrument: h[key: "INSTRUME"]?.stringValue ?? "unknown",
            origin: h[key: "ORIGIN"]?.stringValue ?? "unknown", creator: "vodfkit",
            isSimulated: h[key: "SIMULATD"] == .bool(true))
        if modeText != "DRIFT", modeText != "POINTING" { meta.observingModeName = modeText }
        if let frame = (h[key: "RADECSYS"] ?? h[key: "RADESYS"])?.stringValue?.trimmedBlanks, !frame.isEmpty {
            meta.celestialFrame = frame
        }
        if let deadc = h[key: "DEADC"]?.doubleValue, ontime > 0, deadc != livetime / ontime { meta.statedDeadc = deadc }
        if let creator = h[key: "CREATOR"]?.stringValue, !creator.hasPrefix("vodfkit") {
            meta.notes.append("Written first by \(creator).")
        }
        meta.channels = channels(h)
        meta.period = h[key: "PERIOD"]?.stringValue
        if let n = h[key: "NEVT_IN"]?.intValue { meta.eventsIn = Int(n) }
        // Keywords the pointing does not use (ALT_PNT/AZ_PNT of a pointed run) stay as they were:
        // a writer spells only the pointing the model holds (a drift run's RA/DEC_PNT it computes).
        let unused: Set<String> = mode.isDrift ? [] : ["ALT_PNT", "AZ_PNT"]
        for c in h where !FormatKeywords.isFormat(c.name) || unused.contains(c.name) {
            guard let v = c.value else { continue }
            if FormatKeywords.isColumnDisplay(c.name) {
                // Column numbers change when a writer adds or reorders columns.
                notCarried.append(
                    Omission(
                        file: path, what: "EVENTS keyword \(c.name)", value: v.description,
                        why: "per-column display keywords are not carried (column numbers change)"))
                continue
            }
            meta.instrumentKeywords.append(CarriedKeyword(name: c.name, value: v, comment: c.comment))
        }
        return meta
    }

    /// MJDREFI + MJDREFF, or MJDREF split (GADF allows either).
    static func mjdReference(_ h: [HeaderCard], path: String) throws -> (int: Int, frac: Double) {
        if let i = h[key: "MJDREFI"]?.doubleValue {
            return (Int(i), h[key: "MJDREFF"]?.doubleValue ?? 0)
        }
        guard let m = h[key: "MJDREF"]?.doubleValue else {
            throw InputError(file: path, part: "EVENTS", reason: "no MJDREFI/MJDREFF or MJDREF")
        }
        return (Int(m.rounded(.down)), m - m.rounded(.down))
    }

    /// The site from GEOLON/GEOLAT/ALTITUDE (GADF) or OBSGEO-L/B/H (VODF).
    static func site(_ h: [HeaderCard]) -> Site? {
        // Either profile's keywords (GEOALT: an older spelling of ALTITUDE).
        let names = OutputProfile.SiteKeywords.allCases.map(\.names)
        let lon = names.lazy.compactMap { h[key: $0.longitude]?.doubleValue }.first
        let lat = names.lazy.compactMap { h[key: $0.latitude]?.doubleValue }.first
        guard let lon, let lat else { return nil }
        let height = (h[key: "ALTITUDE"] ?? h[key: "GEOALT"] ?? h[key: "OBSGEO-H"])?.doubleValue ?? 0
        return Site(
            name: h[key: "TELESCOP"]?.stringValue ?? "site", longitudeDeg: lon, latitudeDeg: lat, heightM: height,
            reference: "as stated by the file")
    }

    /// The event channels vodfkit's release files declare (CHANNEL or EVTTYPn).
    static func channels(_ h: [HeaderCard]) -> [EventChannel] {
        ChannelCards.single(of: h).map { [$0] } ?? ChannelCards.types(of: h)
    }

    /// The canonical (GADF) name of an event column: VODF's `_RECO` names back to GADF's.
    static func canonicalColumn(_ name: String) -> String {
        // The names the VODF profile writes, read back (RA_RECO -> RA).
        let n = name.trimmedBlanks.uppercased()
        return OutputProfile.vodf.eventColumnNames.first { $0.value == n }?.key ?? name.trimmedBlanks
    }

    static func level(_ name: String) -> ColumnLevel {
        ["EVENT_ID", "TIME", "RA", "DEC", "ENERGY"].contains(name) ? .required : .optional
    }

    /// Scalar numeric and string columns as event values; vectors, logicals and bits are not held.
    static func eventValues(_ d: ColumnData, spec: ColumnSpec) -> EventValues? {
        guard spec.type == .string || spec.valuesPerRow == 1 else { return nil }
        switch d {
        case .float64(let v): return .double(v)
        case .float32(let v): return .float(v)
        case .int64(let v): return .int64(v)
        case .int32(let v): return .int32(v)
        case .int16(let v): return .int32(v.map(Int32.init))
        case .uint8(let v): return .int32(v.map(Int32.init))
        case .string(let v): return .string(v)
        case .logical, .bits: return nil
        }
    }

    /// vodfkit's column comments ("NAME: description", " [MC truth]" for truth) turned back into
    /// descriptions, and the comment texts used up that way.
    static func columnDescriptions(_ h: [HeaderCard], columns: Set<String>) -> (
        byColumn: [String: (description: String, truth: Bool)], comments: Set<String>
    ) {
        var by: [String: (description: String, truth: Bool)] = [:]
        var used: Set<String> = []
        for c in h where c.name == "COMMENT" {
            guard let colon = c.comment.firstIndex(of: ":") else { continue }
            let name = String(c.comment[..<colon])
            guard columns.contains(name), by[name] == nil else { continue }
            var text = String(c.comment[colon...].dropFirst()).trimmedBlanks
            let truth = text.hasSuffix(" [MC truth]")
            if truth { text = String(text.dropLast(11)) }
            by[name] = (text, truth)
            used.insert(c.comment)
        }
        return (by, used)
    }

    /// COMMENT cards the event writer makes itself (and would otherwise double on a round trip).
    static var ownComments: Set<String> { ObservationWriter.ownComments }

    /// GTI keywords that the GTI's intervals and the observation's time reference stand for.
    static let gtiRewritten: Set<String> = ["TSTART", "TSTOP", "TIMEZERO"]

    static func doubles(_ t: Table, _ name: String, path: String) throws -> [Double] {
        guard let v = t.column(name)?.doubles else {
            throw InputError(file: path, part: t.name, reason: "no numeric column \(name)")
        }
        return v
    }
}

extension CarriedKeyword {
    /// A header card's keyword, value and comment, carried.
    public init(name: String, value: HeaderValue, comment: String) {
        let v: Value =
            switch value {
            case .double(let d): .double(d)
            case .int(let i): .int(i)
            case .string(let s): .string(s)
            case .bool(let b): .bool(b)
            }
        self.init(name, v, comment: comment)
    }
}

extension ObservingMode {
    var isDrift: Bool { if case .drift = self { return true } else { return false } }
}

/// The keywords the formats define for event lists and GTIs (GADF 0.2/0.3 and the VODF draft),
/// with FITS's structural ones: a reader takes their meaning into the model and a writer spells
/// them again in its format. Any other keyword is the producer's, carried as it is.
public enum FormatKeywords {
    public static let names: Set<String> = [
        "SIMPLE", "XTENSION", "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "PCOUNT", "GCOUNT", "TFIELDS", "EXTEND",
        "EXTNAME", "EXTVER", "EXTLEVEL", "DATE", "CHECKSUM", "DATASUM", "LONGSTRN", "COMMENT", "HISTORY",
        "HDUCLASS", "HDUDOC", "HDUVERS", "HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4",
        "OBS_ID", "TSTART", "TSTOP", "ONTIME", "LIVETIME", "DEADC", "TIMECOVR", "OBS_MODE",
        "RA_PNT", "DEC_PNT", "ALT_PNT", "AZ_PNT", "EQUINOX", "RADECSYS", "RADESYS", "OBJECT",
        "ORIGIN", "TELESCOP", "INSTRUME", "CREATOR",
        "MJDREFI", "MJDREFF", "MJDREF", "TIMEUNIT", "TIMESYS", "TIMEREF", "TREFPOS",
        "DATE-OBS", "TIME-OBS", "DATE-END", "TIME-END", "DATE-BEG",
        "GEOLON", "GEOLAT", "ALTITUDE", "GEOALT", "OBSGEO-B", "OBSGEO-L", "OBSGEO-H",
        "EPROXY", "SIMULATD", "CHANNEL", "EVTTYPE", "NUFLAVOR", "NUINTER", "PERIOD", "NEVT_IN", "NEVT_OUT", "NREJECT",
    ]
    /// Per-column keywords (TTYPEn, TFORMn, ...) and the event-type list (EVTTYPn).
    static let prefixes = ["TTYPE", "TFORM", "TUNIT", "TDIM", "TNULL", "TSCAL", "TZERO", "CREF", "EVTTYP"]
    /// Per-column keywords a writer does not make again (limits, display, UCDs).
    static let displayPrefixes = ["TDISP", "TUCD", "TCTYP", "TCUNI", "TLMIN", "TLMAX"]

    public static func isFormat(_ name: String) -> Bool { names.contains(name) || numbered(name, prefixes) }

    /// FITS's own keywords: the table's structure and its per-column keywords, which a writer
    /// makes again for the columns it writes.
    public static func isStructural(_ name: String) -> Bool {
        structural.contains(name) || numbered(name, prefixes + displayPrefixes)
    }

    /// Keywords an IRF writer makes from the model (class, axes, provenance, channel, value census);
    /// any other keyword of an IRF HDU is the producer's.
    public static func isIRFFormat(_ name: String) -> Bool {
        irfNames.contains(name) || isStructural(name) || numbered(name, ["AXIS"])
    }

    static let irfNames: Set<String> = [
        "EXTNAME", "EXTVER", "DATE", "CHECKSUM", "DATASUM", "LONGSTRN", "COMMENT", "HISTORY",
        "HDUCLASS", "HDUDOC", "HDUVERS", "HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4",
        "ORIGIN", "TELESCOP", "INSTRUME", "CREATOR", "NEGBINS", "NANBINS", "CHANNEL", "EVTTYPE", "NUFLAVOR", "NUINTER",
        "PERIOD",
    ]

    static let structural: Set<String> = [
        "SIMPLE", "XTENSION", "BITPIX", "NAXIS", "NAXIS1", "NAXIS2", "PCOUNT", "GCOUNT", "TFIELDS", "EXTEND",
    ]

    static func isColumnDisplay(_ name: String) -> Bool { numbered(name, displayPrefixes) }

    static func numbered(_ name: String, _ prefixes: [String]) -> Bool {
        prefixes.contains {
            name.count > $0.count && name.hasPrefix($0) && name.dropFirst($0.count).allSatisfy(\.isNumber)
        }
    }
}
