import FITSIO
import Foundation
import GADF
import Model
import Parallel

/// The index tables of a release, made from the files present (so `release index` after
/// sharded builds gives what one build gives): per GADF format and channel, `hdu-index.fits.gz`
/// and `obs-index.fits.gz`; for VODF, `vodf/obs-grouping.fits`. Each run's IRFs are found by
/// the PERIOD its events declare, among the IRF files of its channel.
public struct ReleaseIndex: Sendable {
    public let formats: [OutputProfile]
    public let channels: [String]
    public let directory: String
    public var creator = "vodfkit"

    public init(formats: [OutputProfile], channels: [String], directory: String, creator: String) {
        self.formats = formats
        self.channels = channels
        self.directory = directory
        self.creator = creator
    }

    init(plan: ReleasePlan, directory: String, creator: String) {
        self.init(
            formats: plan.formats, channels: plan.channels.map(\.channel.name), directory: directory, creator: creator)
    }

    /// The indexes of a built release directory, its formats and channels read from its release.json.
    public static func rebuild(_ directory: String, creator: String) throws -> [String] {
        let d = try ReleaseDocuments.load(directory)
        return try ReleaseIndex(
            formats: d.formats.compactMap(OutputProfile.init(rawValue:)), channels: d.channels.map(\.name),
            directory: directory, creator: creator
        ).write()
    }

    /// Writes every index; returns the files written, relative to the release directory.
    public func write() throws -> [String] {
        var written: [String] = []
        for f in formats where f.releaseLayout == .dataStore {
            for c in channels {
                let dir = ReleaseLayout.channelDirectory(f, c)
                let events = Self.fitsFiles(directory + "/" + dir + "/events")
                guard !events.isEmpty else { continue }
                try writeGADF(f, dir: dir, events: events)
                written += [dir + "/" + ReleaseLayout.hduIndex, dir + "/" + ReleaseLayout.obsIndex]
            }
        }
        if formats.contains(.vodf) {
            let events = Self.fitsFiles(directory + "/vodf/events")
            if !events.isEmpty {
                let ids = try Parallel.map(events.count) { i in
                    try Self.header(directory + "/vodf/events/" + events[i], hdu: 2)
                }
                .map { r in
                    let h = try r.get()
                    return h[key: "OBS_ID"]?.stringValue ?? h[key: "OBS_ID"]?.description ?? ""
                }
                let table = IndexWriter(flavor: .vodf).releaseGrouping(
                    locations: events.map { "events/" + $0 }, obsIDs: ids, creator: creator)
                try FITSOutput.write(
                    [table], primary: FITSOutput.primaryCards(creator: creator, origin: nil, telescope: nil),
                    to: directory + "/" + ReleaseLayout.vodfGrouping)
                written.append(ReleaseLayout.vodfGrouping)
            }
        }
        return written
    }

    /// An IRF HDU of a channel's IRF files.
    struct IRFEntry {
        var period: String
        var type: String
        var hduClass: String
        var file: String
        var extname: String
    }

    func writeGADF(_ f: OutputProfile, dir: String, events: [String]) throws {
        var irfs: [IRFEntry] = []
        for name in Self.fitsFiles(directory + "/" + dir + "/irfs") {
            let path = directory + "/" + dir + "/irfs/" + name
            for h in try Self.headers(path).dropFirst() {
                guard let kind = GADFIRFReader.kind(of: h), let ext = h[key: "EXTNAME"]?.stringValue
                else { continue }
                irfs.append(
                    IRFEntry(
                        period: h[key: "PERIOD"]?.stringValue ?? "", type: kind.layout.hduIndexType,
                        hduClass: kind.layout.hduIndexClass, file: name, extname: ext))
            }
        }
        var rows: [IndexWriter.HDURow] = []
        var obs = ObsColumns()
        // The headers of every run's file, read on all cores (opening hundreds of files is most of the work).
        let read = Parallel.map(events.count) { i in try Self.headers(directory + "/" + dir + "/events/" + events[i]) }
        for (name, result) in zip(events, read) {
            let path = directory + "/" + dir + "/events/" + name
            let all = try result.get()
            guard all.count >= 3, let id = all[1][key: "OBS_ID"]?.intValue else {
                throw ReleaseError("\(path): not an events file of this release (EVENTS with OBS_ID, then GTI)")
            }
            let period = all[1][key: "PERIOD"]?.stringValue ?? ""
            rows.append(
                .init(
                    obsID: id, type: "events", hduClass: "events", fileDir: "events", fileName: name,
                    hduName: all[1][key: "EXTNAME"]?.stringValue ?? "EVENTS"))
            rows.append(
                .init(
                    obsID: id, type: "gti", hduClass: "gti", fileDir: "events", fileName: name,
                    hduName: all[2][key: "EXTNAME"]?.stringValue ?? "GTI"))
            let mine = irfs.filter { $0.period == period }
            guard !mine.isEmpty else {
                throw ReleaseError("\(path): no IRF file in \(dir)/irfs declares PERIOD '\(period)'")
            }
            rows += mine.map {
                .init(
                    obsID: id, type: $0.type, hduClass: $0.hduClass, fileDir: "irfs", fileName: $0.file,
                    hduName: $0.extname)
            }
            obs.add(all[1], obsID: id)
        }
        let writer = IndexWriter(flavor: f)
        try FITSOutput.write(
            [writer.hduIndex(rows, creator: creator)],
            primary: FITSOutput.primaryCards(creator: creator, origin: nil, telescope: nil),
            to: directory + "/" + dir + "/" + ReleaseLayout.hduIndex)
        try FITSOutput.write(
            [writer.obsIndex(obs.columns(), header: obs.header, creator: creator)],
            primary: FITSOutput.primaryCards(creator: creator, origin: nil, telescope: nil),
            to: directory + "/" + dir + "/" + ReleaseLayout.obsIndex)
    }

    static func fitsFiles(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter {
            $0.hasSuffix(".fits") && !$0.hasPrefix(".")
        }.sorted()
    }

    static func headers(_ path: String) throws -> [[HeaderCard]] {
        let f = try FITSFile.open(path: path)
        defer { try? f.close() }
        return try (1...(try f.hduCount)).map { i in
            _ = try f.moveTo(hdu: i)
            return try f.readHeader()
        }
    }

    static func header(_ path: String, hdu: Int) throws -> [HeaderCard] {
        let f = try FITSFile.open(path: path)
        defer { try? f.close() }
        _ = try f.moveTo(hdu: hdu)
        return try f.readHeader()
    }
}

/// The OBS_INDEX columns, gathered from each run's EVENTS header.
struct ObsColumns {
    var ids: [Int64] = []
    var modes: [String] = []
    var reals: [String: [Double]] = [:]
    var counts: [Int64] = []
    var header: [HeaderCard] = []
    private var sites: Set<String> = []
    static let realKeys = ["RA_PNT", "DEC_PNT", "ALT_PNT", "AZ_PNT", "TSTART", "TSTOP", "ONTIME", "LIVETIME", "DEADC"]
    static let units = [
        "RA_PNT": "deg", "DEC_PNT": "deg", "ALT_PNT": "deg", "AZ_PNT": "deg", "ZEN_PNT": "deg",
        "TSTART": "s", "TSTOP": "s", "ONTIME": "s", "LIVETIME": "s",
    ]

    mutating func add(_ h: [HeaderCard], obsID: Int64) {
        if ids.isEmpty {
            // The time keywords are the same in every file of a release (MJDREF J2000 TT).
            header = ["MJDREFI", "MJDREFF", "TIMEUNIT", "TIMESYS", "TIMEREF", "GEOLON", "GEOLAT", "ALTITUDE"].compactMap
            { k in
                h[key: k].map { HeaderCard(k, $0) }
            }
        }
        sites.insert(["GEOLON", "GEOLAT", "ALTITUDE"].map { h[key: $0]?.description ?? "" }.joined(separator: "|"))
        if sites.count > 1 { header.removeAll { ["GEOLON", "GEOLAT", "ALTITUDE"].contains($0.name) } }
        ids.append(obsID)
        modes.append(h[key: "OBS_MODE"]?.stringValue ?? "")
        for k in Self.realKeys { reals[k, default: []].append(h[key: k]?.doubleValue ?? .nan) }
        counts.append(h[key: "NAXIS2"]?.intValue ?? 0)
    }

    func columns() -> [(spec: ColumnSpec, data: ColumnData)] {
        var out: [(spec: ColumnSpec, data: ColumnData)] = [
            (ColumnSpec("OBS_ID", .int64), .int64(ids)),
            (ColumnSpec("OBS_MODE", .string, repeatCount: max(1, modes.map(\.utf8.count).max() ?? 1)), .string(modes)),
        ]
        for k in Self.realKeys {
            let v = reals[k] ?? []
            // RA/DEC_PNT only where the events have them (GADF 0.2 requires them; a drifting detector's are its mid-time zenith).
            if (k == "RA_PNT" || k == "DEC_PNT") && v.contains(where: \.isNaN) { continue }
            out.append((ColumnSpec(k, .float64, unit: Self.units[k]), .float64(v)))
            if k == "AZ_PNT", let alt = reals["ALT_PNT"], !alt.contains(where: \.isNaN) {
                out.append((ColumnSpec("ZEN_PNT", .float64, unit: "deg"), .float64(alt.map { 90 - $0 })))
            }
        }
        out.append((ColumnSpec("EVENT_COUNT", .int64), .int64(counts)))
        return out
    }
}
