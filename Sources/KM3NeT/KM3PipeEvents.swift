import Astrometry
import Foundation
import HDF5IO
import Model
import Readers

/// Reads km3pipe HDF5 files (format 5.1): `/event_info` (one row per event) and the
/// reconstruction tables `/reco/tracks` and `/reco/rec_stages`, all linked by `group_id`
/// (a track's stages by `group_id` and `idx`). The best track is chosen as for ROOT files.
public enum KM3PipeEvents {
    public static func read(path: String, options: OfflineEvents.Options = .init()) throws -> Observation {
        do {
            return try readIsolated(path: path, options: options)
        } catch let e as HDF5Error {
            throw InputError(file: path, column: e.object == "file" ? nil : e.object, reason: e.reason)
        }
    }

    /// `run_id` of the first event in /event_info (nil when there is none).
    public static func firstRunID(path: String) throws -> Int64? {
        do {
            let (_, columns) = try IsolatedHDF5.read(path: path, attributes: []) { catalog in
                guard catalog.datasets["/event_info"]?.fields.contains("run_id") == true else { return [] }
                return [IsolatedHDF5.Request("/event_info", "run_id", .int64)]
            }
            return columns.first?.int64s.first
        } catch let e as HDF5Error {
            throw InputError(file: path, column: e.object == "file" ? nil : e.object, reason: e.reason)
        }
    }

    /// libhdf5 runs in a child process (see `IsolatedHDF5`), which lists the file and reads the
    /// columns that `requests(in:path:)` picks.
    static func readIsolated(path: String, options: OfflineEvents.Options) throws -> Observation {
        let (catalog, read) = try IsolatedHDF5.read(path: path, attributes: ["format_version"]) {
            try requests(in: $0, path: path)
        }
        let chosen = try requests(in: catalog, path: path)
        // requests(in:) has checked that the three tables are there.
        let info = catalog.datasets["/event_info"]!
        let tracks = catalog.datasets["/reco/tracks"]!
        let stagesTable = catalog.datasets["/reco/rec_stages"]!
        let weightFields = ["weight_w1", "weight_w2", "weight_w3"].filter { info.fields.contains($0) }
        let optional = ["JGANDALF_BETA0_RAD", "JGANDALF_NUMBER_OF_HITS"].filter { tracks.fields.contains($0) }
        var columns: [String: IsolatedHDF5.Column] = [:]
        for (r, c) in zip(chosen, read) { columns[r.dataset + "/" + r.field] = c }
        func ints(_ d: String, _ f: String) -> [Int64] { columns[d + "/" + f]!.int64s }
        func reals(_ d: String, _ f: String) -> [Double] { columns[d + "/" + f]!.doubles }
        for (name, d) in [("/event_info", info), ("/reco/tracks", tracks), ("/reco/rec_stages", stagesTable)] {
            let got = chosen.filter { $0.dataset == name }.map { columns[name + "/" + $0.field]!.count }
            guard got.allSatisfy({ $0 == d.rows }) else {
                throw InputError(file: path, column: name, reason: "columns of unequal length: damaged")
            }
        }
        let table = Tables(
            group: ints("/event_info", "group_id"), eventIDs: ints("/event_info", "event_id"),
            runs: ints("/event_info", "run_id"),
            dets: ints("/event_info", "det_id"), stamp: reals("/event_info", "timestamp"),
            nanos: reals("/event_info", "nanoseconds"),
            weights: weightFields.map { reals("/event_info", $0) },
            tg: ints("/reco/tracks", "group_id"), tidx: ints("/reco/tracks", "idx"), dx: reals("/reco/tracks", "dir_x"),
            dy: reals("/reco/tracks", "dir_y"), dz: reals("/reco/tracks", "dir_z"), e: reals("/reco/tracks", "E"),
            lik: reals("/reco/tracks", "likelihood"), recType: ints("/reco/tracks", "rec_type"),
            tt: reals("/reco/tracks", "t"),
            beta0: optional.contains("JGANDALF_BETA0_RAD") ? reals("/reco/tracks", "JGANDALF_BETA0_RAD") : nil,
            nhit: optional.contains("JGANDALF_NUMBER_OF_HITS") ? reals("/reco/tracks", "JGANDALF_NUMBER_OF_HITS") : nil,
            sg: ints("/reco/rec_stages", "group_id"), sidx: ints("/reco/rec_stages", "idx"),
            sv: ints("/reco/rec_stages", "rec_stage"),
            isMC: catalog.datasets["/mc_tracks"] != nil)
        return try convert(table, path: path, options: options, weightFields: weightFields)
    }

    /// The columns to read, or why the file cannot make events; a pure function of the catalog.
    static func requests(in catalog: IsolatedHDF5.Catalog, path: String) throws -> [IsolatedHDF5.Request] {
        // Datasets this libhdf5 cannot decompress (the legacy Blosc files) get named up front.
        for (name, d) in catalog.datasets.sorted(by: { $0.key < $1.key }) where !d.unavailableFilters.isEmpty {
            throw InputError(
                file: path, column: name,
                reason:
                    "unsupported filter \(d.unavailableFilters.joined(separator: ", ")): this file needs an HDF5 plugin that vodfkit does not use; re-export it with gzip"
            )
        }
        let version = catalog.stringAttributes["format_version"] ?? "?"
        guard version == "5.1" else {
            throw InputError(
                file: path,
                reason: "km3pipe format_version \(MessageText.escaped(version, limit: 20)) is not supported (5.1 is)")
        }
        guard let info = catalog.datasets["/event_info"] else {
            throw InputError(
                file: path, reason: "no /event_info table (a header-only file): no events, nothing to convert")
        }
        guard let tracks = catalog.datasets["/reco/tracks"], catalog.datasets["/reco/rec_stages"] != nil else {
            throw InputError(
                file: path,
                reason: "no reconstruction: /reco/tracks and /reco/rec_stages are absent, nothing to convert")
        }
        guard info.rows > 0 else { throw InputError(file: path, reason: "/event_info has no events") }
        let weightFields = ["weight_w1", "weight_w2", "weight_w3"].filter { info.fields.contains($0) }
        let optional = ["JGANDALF_BETA0_RAD", "JGANDALF_NUMBER_OF_HITS"].filter { tracks.fields.contains($0) }
        typealias R = IsolatedHDF5.Request
        var requests: [R] = [
            R("/event_info", "group_id", .int64), R("/event_info", "event_id", .int64),
            R("/event_info", "run_id", .int64),
            R("/event_info", "det_id", .int64), R("/event_info", "timestamp", .double),
            R("/event_info", "nanoseconds", .double),
        ]
        requests += weightFields.map { R("/event_info", $0, .double) }
        requests += [
            R("/reco/tracks", "group_id", .int64), R("/reco/tracks", "idx", .int64),
            R("/reco/tracks", "dir_x", .double),
            R("/reco/tracks", "dir_y", .double), R("/reco/tracks", "dir_z", .double), R("/reco/tracks", "E", .double),
            R("/reco/tracks", "likelihood", .double), R("/reco/tracks", "rec_type", .int64),
            R("/reco/tracks", "t", .double),
        ]
        requests += optional.map { R("/reco/tracks", $0, .double) }
        requests += [
            R("/reco/rec_stages", "group_id", .int64), R("/reco/rec_stages", "idx", .int64),
            R("/reco/rec_stages", "rec_stage", .int64),
        ]
        for r in requests {
            let fields = catalog.datasets[r.dataset]?.fields ?? []
            guard fields.contains(r.field) else {
                throw InputError(
                    file: path, column: r.dataset,
                    reason: "no field '\(r.field)' (fields: \(fields.joined(separator: ", ")))")
            }
        }
        return requests
    }

    /// The columns of the three km3pipe tables that make events.
    struct Tables {
        let group, eventIDs, runs, dets: [Int64]
        let stamp, nanos: [Double]
        let weights: [[Double]]
        let tg, tidx: [Int64]
        let dx, dy, dz, e, lik: [Double]
        let recType: [Int64]
        let tt: [Double]
        let beta0, nhit: [Double]?
        let sg, sidx, sv: [Int64]
        let isMC: Bool
    }

    static func convert(_ t: Tables, path: String, options: OfflineEvents.Options, weightFields: [String]) throws
        -> Observation
    {
        let n = t.group.count
        let (group, eventIDs, runs, dets, stamp, nanos, weights) = (
            t.group, t.eventIDs, t.runs, t.dets, t.stamp, t.nanos, t.weights
        )
        let (tg, tidx, dx, dy, dz, e, lik, recType, tt, beta0, nhit) = (
            t.tg, t.tidx, t.dx, t.dy, t.dz, t.e, t.lik, t.recType, t.tt, t.beta0, t.nhit
        )
        let (sg, sidx, sv) = (t.sg, t.sidx, t.sv)
        // rec_stages rows in file order, keyed by (group_id, idx).
        var stages: [Key: [Int32]] = [:]
        for i in 0..<sg.count {
            stages[Key(g: sg[i], i: sidx[i]), default: []].append(Int32(truncatingIfNeeded: sv[i]))
        }
        var tracksOf: [Int64: [Int]] = [:]
        for k in 0..<tg.count { tracksOf[tg[k], default: []].append(k) }

        let (location, siteNote) = try DetectorSites.resolve(detectorID: dets[0], given: options.location, file: path)
        let sky = SkyTransform(location: location, convention: options.convention)
        var cache = PrecessionCache()
        let ref = TimeReference.j2000TT
        var out = Columns()
        var rejected: [String: Int] = [:]
        for ev in 0..<n {
            let rows = tracksOf[group[ev]] ?? []
            if rows.isEmpty {
                rejected["no reconstructed track", default: 0] += 1
                continue
            }
            let empty: [Int32] = []
            guard
                let j = BestTrack.select(
                    tracks: 0..<rows.count,
                    stages: { stages[Key(g: group[ev], i: tidx[rows[$0]])]?[...] ?? empty[...] },
                    lik: { lik[rows[$0]] }, reco: options.reco)
            else {
                rejected[OfflineEvents.noTrackReason(options.reco), default: 0] += 1
                continue
            }
            let k = rows[j]
            let track = TrackRecord(
                dx: dx[k], dy: dy[k], dz: dz[k], energyGeV: e[k], lik: lik[k],
                recType: Int32(truncatingIfNeeded: recType[k]),
                beta0Rad: beta0?[k], nhit: nhit?[k], tNs: tt[k])
            if let reason = try out.append(
                eventID: eventIDs[ev], run: runs[ev], eventUnix: stamp[ev] + nanos[ev] * 1e-9, track: track,
                sky: sky, cache: &cache, ref: ref, reco: options.reco)
            {
                rejected[reason, default: 0] += 1
                continue
            }
            for (w, values) in weights.enumerated() { out.weights[w].append(values[ev]) }
        }
        guard !out.eventID_.isEmpty else { throw OfflineEvents.noUsableTrack(path, options.reco, rejected) }
        let isMC = t.isMC || dets[0] < 0
        var meta = metadata(out, path: path, options: options, site: (location, siteNote), ref: ref, isMC: isMC)
        meta.eventsIn = n
        meta.rejections = rejected.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let events = try out.eventList(isMC: isMC, bdtNames: [], hasWeights: weightFields.count == 3)
        return Observation(meta: meta, events: events, gti: try GTI(start: [meta.tstart], stop: [meta.tstop]))
    }

    /// The observation's metadata: the event span (km3pipe tables have no livetime) and where it came from.
    static func metadata(
        _ out: Columns, path: String, options: OfflineEvents.Options, site: (DetectorLocation, String),
        ref: TimeReference, isMC: Bool
    ) -> ObservationMetadata {
        let (location, siteNote) = site
        let tFirst = out.time.min()!
        let tLast = out.time.max()!
        return ObservationMetadata(
            obsID: options.obsID ?? String(out.run[0]), timeRef: ref, tstart: tFirst, tstop: tLast,
            ontime: tLast - tFirst, livetime: tLast - tFirst, coverageSource: .eventSpan, site: location.site,
            mode: .driftZenith,
            telescope: "KM3NeT", instrument: location.site.name, origin: "KM3NeT", creator: options.creator,
            provenance: [(path as NSString).lastPathComponent + " (km3pipe HDF5 format 5.1)"], isSimulated: isMC,
            notes: [
                "Events: best \(options.reco.rawValue) track per event (km3io's best_track rule) from /reco/tracks and /reco/rec_stages.",
                "TIME: event_info timestamp + nanoseconds + track t (UTC), converted to TT with ERFA's leap seconds.",
                "Site: \(siteNote).",
                "No livetime in km3pipe tables: TSTART/TSTOP/ONTIME/LIVETIME are the event span.",
            ])
    }

    struct Key: Hashable {
        let g: Int64
        let i: Int64
    }
}
