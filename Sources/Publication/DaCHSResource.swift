import FileOutput
import Foundation
import GADF
import Model
import Release
import VOTableIO
import XMLIO

/// A DaCHS resource directory for a release (`vodf release obscore --dachs DIR`): `q.rd`, the
/// resource descriptor, with the `obscore` and `obscore_hea` tables (their columns from
/// `ObsCoreColumns`) and an `events` table of every event, cone-searchable (q3c index, SCS service)
/// as the ANTARES service is; and `data/*.vot`, the rows DaCHS imports. Link it into DaCHS's
/// inputs directory and run `dachs imp NAME/q`.
public enum DaCHSResource {
    public struct Written: Sendable {
        public var files: [String]
        public var events: Int
    }

    /// The schema (PostgreSQL) name: lower-case letters, digits and underscores, not starting with a digit.
    public static func schemaName(_ collection: String) -> String {
        var s = collection.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        if s.first?.isNumber != false { s = "r_" + s }
        return String(s.prefix(60))
    }

    public static func write(_ release: ObsCoreRelease, root: String, to dir: String, creator: String) throws -> Written
    {
        let data = dir + "/data"
        try AtomicOutput.makeDirectory(data)
        let doc = release.votable(creator: creator)
        var obscore = doc
        var hea = doc
        obscore.tables = [doc.tables[0]]
        hea.tables = [doc.tables[1]]
        try AtomicOutput.write(try obscore.serialized(), to: data + "/obscore.vot")
        try AtomicOutput.write(try hea.serialized(), to: data + "/obscore_hea.vot")
        let events = try eventsTable(release, root: root)
        try AtomicOutput.write(
            try VOTableDocument(
                resourceName: release.collection, description: "every event of \(release.collection)", tables: [events]
            ).serialized(),
            to: data + "/events.vot")
        try AtomicOutput.write(try descriptor(release).serialized(), to: dir + "/q.rd")
        return Written(
            files: ["q.rd", "data/obscore.vot", "data/obscore_hea.vot", "data/events.vot"], events: events.rows.count)
    }

    static let eventColumns: [VOTableDocument.Column] = [
        .init(
            name: "event_key", datatype: .char, ucd: "meta.id;meta.main",
            description: "OBS_ID.EVENT_ID: the event's identifier in the release"),
        .init(name: "obs_id", datatype: .char, ucd: "meta.id;obs", description: "observation (OBS_ID)"),
        .init(
            name: "event_id", datatype: .long, ucd: "meta.id", description: "EVENT_ID of the event in its observation"),
        .init(
            name: "raj2000", datatype: .double, unit: "deg", ucd: "pos.eq.ra;meta.main",
            description: "right ascension of the event (ICRS)"),
        .init(
            name: "dej2000", datatype: .double, unit: "deg", ucd: "pos.eq.dec;meta.main",
            description: "declination of the event (ICRS)"),
        .init(name: "mjd", datatype: .double, unit: "d", ucd: "time.epoch", description: "event time, MJD (UTC)"),
        .init(
            name: "energy", datatype: .double, unit: "TeV", ucd: "phys.energy",
            description: "reconstructed energy (NULL where the release has only an energy proxy)"),
        .init(
            name: "event_type", datatype: .char, ucd: "meta.code.qual;phys.particle",
            description: "channel of the event (track, shower)"),
        .init(name: "access_url", datatype: .char, ucd: "meta.ref.url", description: "the event list the event is in"),
    ]

    /// One row per event of every event list the ObsCore rows describe; an event stored in several
    /// formats (GADF and VODF) is listed once, from its first file.
    static func eventsTable(_ release: ObsCoreRelease, root: String) throws -> VOTableDocument.TableData {
        var rows: [[VOTableDocument.Cell]] = []
        var seen = Set<String>()
        for (rel, row) in zip(
            release.eventFiles, release.obscore.filter { $0["dataproduct_type"] == .text("hea-event-list") })
        {
            let obs = try GADFFile.observation(path: root + "/" + rel)
            let ev = obs.events
            let channel =
                release.hea.first { $0["obs_publisher_did"] == row["obs_publisher_did"] }?["event_type"] ?? .null
            let ids = ev["EVENT_ID"]?.values.doubles ?? []
            let ra = ev["RA"]?.values.doubles ?? []
            let dec = ev["DEC"]?.values.doubles ?? []
            let time = ev["TIME"]?.values.doubles ?? []
            let scale = (ev["ENERGY"]?.unit ?? Unit.TeV).scale / Unit.TeV.scale
            let energy = ev["ENERGY"]?.values.doubles
            let types = ev["EVT_TYPE"]?.values.doubles
            for i in 0..<ev.count {
                // An event stored in several formats (a GADF channel store and the VODF tree) once.
                let key = "\(obs.meta.obsID).\(Int64(ids[i]))"
                guard seen.insert(key).inserted else { continue }
                let mjd = ObsCoreRelease.mjdUTC(obs.meta.timeRef, time[i])
                var type = channel
                if let types, let c = obs.meta.channels.first(where: { Double($0.number) == types[i] }) {
                    type = .text(c.name)
                }
                rows.append([
                    .text(key), .text(obs.meta.obsID), .int(Int64(ids[i])), .double(ra[i]), .double(dec[i]),
                    mjd.map { .double($0) } ?? .null,
                    energy.map { $0[i].isFinite ? .double($0[i] * scale) : .null } ?? .null, type,
                    row["access_url"] ?? .null,
                ])
            }
        }
        return .init(name: "events", description: "the events of the release", columns: eventColumns, rows: rows)
    }

    /// Now, or SOURCE_DATE_EPOCH for a reproducible descriptor.
    static func creationDate() -> String {
        let epoch =
            ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init)
            ?? Date().timeIntervalSince1970
        return String(UTCInstant(unixSeconds: epoch.rounded(.down)).iso(digits: 0).dropLast())
    }

    // Integer columns name the value that stands for NULL, as the VOTables write it.
    static func nullValue(_ c: VOTableDocument.Column.DataType) -> [XMLElement] {
        c.nullLiteral.map { [XMLElement("values", ["nullLiteral": $0])] } ?? []
    }
    static func column(_ c: ObsCoreColumn) -> XMLElement {
        XMLElement(
            "column",
            [
                "name": c.name, "type": c.type.dachs, "unit": c.unit, "ucd": c.ucd, "utype": c.utype,
                "description": c.description, "required": "False",
            ], children: nullValue(c.type.votable))
    }
    static func eventColumn(_ c: VOTableDocument.Column) -> XMLElement {
        let type =
            ["char": "text", "long": "bigint", "int": "integer", "double": "double precision"][c.datatype.rawValue]
            ?? "text"
        let key = ["event_key", "raj2000", "dej2000", "obs_id", "event_id"].contains(c.name)
        return XMLElement(
            "column",
            [
                "name": c.name, "type": type, "unit": c.unit, "ucd": c.ucd, "description": c.description,
                "verbLevel": key ? "1" : "10", "required": key ? "True" : "False",
            ], children: key ? [] : nullValue(c.datatype))
    }
    static func importing(_ id: String, _ table: String, _ file: String) -> XMLElement {
        XMLElement(
            "data", ["id": id],
            children: [
                XMLElement("sources", text: "data/\(file)"),
                XMLElement("voTableGrammar"),
                XMLElement("make", ["table": table]),
            ])
    }

    /// The resource descriptor: metadata, the three tables, their imports, and a cone search.
    static func descriptor(_ release: ObsCoreRelease) -> XMLDocument {
        let schema = schemaName(release.collection)
        func meta(_ name: String, _ text: String) -> XMLElement { XMLElement("meta", ["name": name], text: text) }
        // resdir ".": the data are found beside the descriptor, wherever it is linked in.
        let root = XMLElement(
            "resource", ["schema": schema, "resdir": "."],
            children: [
                meta("title", "\(release.collection): observations, responses and events"),
                meta(
                    "description",
                    "The ObsCore rows (with the high-energy extension) and the events of \(release.collection), written by vodfkit."
                ),
                meta("creationDate", creationDate()),
                meta("subject", "neutrino-astronomy"),
                meta("creator.name", "vodfkit"),
                meta("contentLevel", "Research"),
                meta("type", "Catalog"),
                XMLElement(
                    "table", ["id": "obscore", "onDisk": "True", "adql": "True", "primary": "obs_publisher_did"],
                    children: [meta("description", "ObsCore 1.1 rows of the release")]
                        + ObsCoreColumns.obscore.map(column)),
                XMLElement(
                    "table", ["id": "obscore_hea", "onDisk": "True", "adql": "True", "primary": "obs_publisher_did"],
                    children: [meta("description", "High-energy ObsCore extension rows, joined on obs_publisher_did")]
                        + ObsCoreColumns.hea.map(column)),
                XMLElement(
                    "table", ["id": "events", "onDisk": "True", "adql": "True", "mixin": "//scs#q3cindex"],
                    children: [meta("description", "Every event of the release")] + eventColumns.map(eventColumn)),
                importing("import_obscore", "obscore", "obscore.vot"),
                importing("import_obscore_hea", "obscore_hea", "obscore_hea.vot"),
                importing("import_events", "events", "events.vot"),
                XMLElement(
                    "service", ["id": "cone", "allowed": "scs.xml,form"],
                    children: [
                        meta("title", "\(release.collection) events cone search"),
                        meta("shortName", String("\(schema) cone".prefix(16))),
                        meta("testQuery.ra", "0"), meta("testQuery.dec", "0"), meta("testQuery.sr", "10"),
                        XMLElement(
                            "scsCore", ["queriedTable": "events"],
                            children: [
                                XMLElement("FEED", ["source": "//scs#coreDescs"])
                            ]),
                    ]),
            ])
        return XMLDocument(
            root: root,
            leadingComments: [
                " DaCHS resource descriptor written by vodfkit for \(release.collection); import with: dachs imp \(schema)/q "
            ])
    }
}
