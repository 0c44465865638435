import FITSIO
import Foundation
import Model
import Readers

/// A GADF or VODF file of any producer read whole into the model: its observation (EVENTS and GTI),
/// its IRFs with the producer's keywords and comments, and its primary header's keywords. `convert`
/// and `release upgrade` read an HDU through the same functions, so the same HDU comes out the same.
public enum GADFFile {
    /// Everything `path` holds. An HDU the model has no place for is an omission (named, not
    /// dropped silently); with `skippingDamaged`, so is an HDU that cannot be read. `name` is how
    /// provenance names the file (its file name by default).
    public static func read(path: String, name: String? = nil, skippingDamaged: Bool = false) throws -> Dataset {
        let label = name ?? (path as NSString).lastPathComponent
        let f: FITSFile
        do { f = try FITSFile.open(path: path, keepingCompleteHDUs: skippingDamaged) } catch {
            throw InputError(file: path, reason: GADFIRFReader.reason(error))
        }
        defer { try? f.close() }
        var dataset = Dataset()
        _ = try f.moveTo(hdu: 1)
        carryPrimary(try f.readHeader(), into: &dataset)
        if let damage = f.damage {
            dataset.skipped.append(
                Omission(file: label, what: "everything after HDU \(f.layout.extents.count - 1)", why: "\(damage)"))
        }
        var events: Table?
        var gti: Table?
        for i in try f.extensionNumbers {
            var part = "HDU \(i - 1)"
            do {
                guard try f.moveTo(hdu: i) == .binaryTable else {
                    dataset.omissions.append(Omission(file: label, what: part, why: "not a binary table"))
                    continue
                }
                let header = try f.readHeader()
                if let extname = header[key: "EXTNAME"]?.stringValue?.trimmedBlanks { part += " (\(extname))" }
                switch role(of: header) {
                case .irf(let kind):
                    dataset.responses.append(try response(try f.readTable(), kind: kind, hdu: i - 1, file: label))
                case .events where events == nil: events = try f.readTable()
                case .gti where gti == nil: gti = try f.readTable()
                case .events, .gti:
                    dataset.omissions.append(Omission(file: label, what: part, why: "a second table of its class"))
                case .other(let classes):
                    dataset.omissions.append(
                        Omission(file: label, what: part, value: classes, why: "no reader for this class"))
                }
            } catch {
                let reason = GADFIRFReader.reason(error)
                let named = reason.hasPrefix("HDU \(i - 1) ")
                guard skippingDamaged else { throw InputError(file: path, part: named ? nil : part, reason: reason) }
                dataset.skipped.append(Omission(file: label, what: named ? "HDU \(i - 1)" : part, why: reason))
            }
        }
        if let events { dataset.responses = try ProducerDialects.repaired(dataset.responses, events: events.header) }
        try addObservation(events: events, gti: gti, path: path, label: label, to: &dataset)
        return dataset
    }

    /// The observation of a GADF or VODF event file of any producer: its first event list and GTI
    /// (class keywords, never EXTNAME), without reading its IRFs. The alert maker, the ObsCore rows
    /// and the pictures of a release read event files through this.
    public static func observation(path: String) throws -> Observation {
        let f: FITSFile
        do { f = try FITSFile.open(path: path) } catch {
            throw InputError(file: path, reason: GADFIRFReader.reason(error))
        }
        defer { try? f.close() }
        var events: Table?
        var gti: Table?
        for i in try f.extensionNumbers where events == nil || gti == nil {
            guard try f.moveTo(hdu: i) == .binaryTable else { continue }
            switch role(of: try f.readHeader()) {
            case .events where events == nil: events = try f.readTable()
            case .gti where gti == nil: gti = try f.readTable()
            default: continue
            }
        }
        guard let events else {
            throw InputError(file: path, reason: "no EVENTS table (HDUCLAS1 = EVENTS) in the file")
        }
        guard let gti else { throw InputError(file: path, reason: "no GTI table (HDUCLAS1 = GTI) in the file") }
        return try GADFEventReader.read(events: events, gti: gti, path: path).observation
    }

    /// What an HDU is, from its class keywords (never its EXTNAME).
    public enum Role {
        case irf(any IRFComponent.Type)
        case events, gti
        /// The HDUCLASn values, for the message.
        case other(String)
    }

    /// The role of an HDU from its header: HDUCLAS1 EVENTS or GTI (or the OGIP pair with HDUCLAS2),
    /// an IRF kind by `IRFKinds`, else other.
    public static func role(of header: [HeaderCard]) -> Role {
        if let kind = GADFIRFReader.kind(of: header) { return .irf(kind) }
        let c1 = header[key: "HDUCLAS1"]?.stringValue?.trimmedBlanks.uppercased()
        let c2 = header[key: "HDUCLAS2"]?.stringValue?.trimmedBlanks.uppercased()
        if c1 == "EVENTS" || (c1 == "OGIP" && c2 == "EVENTS") { return .events }
        if c1 == "GTI" || (c1 == "OGIP" && c2 == "GTI") { return .gti }
        let classes = GADFIRFReader.classKeywords(header)
        if classes.isEmpty {
            // No class keywords (gammapy 2.x writes its GTI so; magic-cta-pipe its EVENTS): gammapy reads
            // these by EXTNAME, and so does this.
            let name = header[key: "EXTNAME"]?.stringValue?.trimmedBlanks.uppercased()
            let columns = GADFIRFReader.columnNames(header)
            if name == "EVENTS", columns.isSuperset(of: ["TIME", "RA", "DEC"]) { return .events }
            if name == "GTI", columns.isSuperset(of: ["START", "STOP"]) { return .gti }
        }
        return .other(classes.isEmpty ? "no HDUCLASn" : classes.joined(separator: "/"))
    }

    /// One IRF table (read whole) of `kind` as a response: the producer's keywords and COMMENTs
    /// carried, its HISTORY kept as provenance, and its EXTNAME kept (an index names it).
    public static func response(_ t: Table, kind: any IRFComponent.Type, hdu: Int, file: String) throws -> Response {
        let entry = try GADFIRFReader.entry(kind, t, hdu: hdu)
        var component = entry.component
        var have = Set(component.carried.map(\.name))
        for c in t.header where !FormatKeywords.isIRFFormat(c.name) && !have.contains(c.name) {
            guard let v = c.value else { continue }
            component.carried.append(CarriedKeyword(name: c.name, value: v, comment: c.comment))
            have.insert(c.name)
        }
        for c in t.header
        where c.name == "COMMENT" && !c.comment.trimmedBlanks.isEmpty && !component.notes.contains(c.comment) {
            component = try component.with(table: component.table, note: c.comment)
        }
        let history = t.header.filter { $0.name == "HISTORY" }.map {
            $0.comment.hasPrefix("input: ") ? String($0.comment.dropFirst(7)) : $0.comment
        }
        let name = t.name.trimmedBlanks
        return Response(
            component: component, name: name, telescope: entry.telescope, instrument: entry.instrument,
            origin: t.header[key: "ORIGIN"]?.stringValue ?? entry.telescope, channel: entry.channel,
            period: entry.period, source: "HDU \(hdu) (\(name))", provenance: history + ["\(file) HDU \(hdu) (\(name))"]
        )
    }

    /// The primary header's own keywords (not FITS's structure), COMMENTs and HISTORY, carried.
    public static func carryPrimary(_ header: [HeaderCard], into dataset: inout Dataset) {
        for c in header where !FormatKeywords.isStructural(c.name) {
            switch c.name {
            case "COMMENT": dataset.fileComments.append(c.comment)
            case "HISTORY": dataset.fileHistory.append(c.comment)
            default:
                guard let v = c.value else { continue }
                dataset.fileKeywords.append(CarriedKeyword(name: c.name, value: v, comment: c.comment))
            }
        }
    }

    /// The observation of the file's EVENTS and GTI tables; EVENTS without a GTI is an omission.
    static func addObservation(events: Table?, gti: Table?, path: String, label: String, to dataset: inout Dataset)
        throws
    {
        guard let events else {
            if let gti {
                dataset.omissions.append(Omission(file: label, what: gti.name, why: "a GTI without an event list"))
            }
            return
        }
        guard let gti else {
            dataset.omissions.append(
                Omission(file: label, what: events.name, why: "an event list without a GTI table in the file"))
            return
        }
        let reading = try GADFEventReader.read(events: events, gti: gti, path: path)
        var observation = reading.observation
        observation.meta.provenance.append(label)
        dataset.observations.append(observation)
        dataset.omissions += reading.notCarried.map {
            var o = $0
            o.file = label
            return o
        }
    }
}
