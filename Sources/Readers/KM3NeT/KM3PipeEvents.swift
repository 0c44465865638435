import Astrometry
import Foundation
import HDF5IO
import Model

/// Reads km3pipe HDF5 files (format 5.1): `/event_info` (one row per event) and the
/// reconstruction tables `/reco/tracks` and `/reco/rec_stages`, all linked by `group_id`
/// (a track's stages by `group_id` and `idx`). The best track is chosen as for ROOT files.
public enum KM3PipeEvents {
    public static func read(path: String, options: OfflineEvents.Options = .init()) throws -> Observation {
        let file: HDF5File
        do { file = try HDF5File(path: path) } catch let e as HDF5Error { throw InputError(file: path, reason: e.reason) }
        // Datasets this libhdf5 cannot decompress (the legacy Blosc files) get named up front.
        for name in file.datasets() {
            let missing = try file.dataset(name).unavailableFilters
            if !missing.isEmpty {
                throw InputError(file: path, column: name, reason: "unsupported filter \(missing.joined(separator: ", ")): this file needs an HDF5 plugin that vodfkit does not use; re-export it with gzip")
            }
        }
        let version = file.rootStringAttribute("format_version") ?? "?"
        guard version == "5.1" else {
            throw InputError(file: path, reason: "km3pipe format_version \(version) is not supported (5.1 is)")
        }
        guard file.exists("/event_info") else { throw InputError(file: path, reason: "no /event_info table (a header-only file): no events, nothing to convert") }
        guard file.exists("/reco/tracks"), file.exists("/reco/rec_stages") else {
            throw InputError(file: path, reason: "no reconstruction: /reco/tracks and /reco/rec_stages are absent, nothing to convert")
        }
        do {
            return try convert(file: file, path: path, options: options)
        } catch let e as HDF5Error {
            throw InputError(file: path, column: e.object, reason: e.reason)
        }
    }

    static func convert(file: HDF5File, path: String, options: OfflineEvents.Options) throws -> Observation {
        let info = try file.dataset("/event_info")
        let n = info.rowCount
        guard n > 0 else { throw InputError(file: path, reason: "/event_info has no events") }
        let group = try info.int64s("group_id"), eventIDs = try info.int64s("event_id")
        let runs = try info.int64s("run_id"), dets = try info.int64s("det_id")
        let stamp = try info.doubles("timestamp"), nanos = try info.doubles("nanoseconds")
        let weightFields = ["weight_w1", "weight_w2", "weight_w3"].filter { info.fields.contains($0) }
        let weights = try weightFields.map { try info.doubles($0) }

        let tracks = try file.dataset("/reco/tracks")
        let tg = try tracks.int64s("group_id"), tidx = try tracks.int64s("idx")
        let dx = try tracks.doubles("dir_x"), dy = try tracks.doubles("dir_y"), dz = try tracks.doubles("dir_z")
        let e = try tracks.doubles("E"), lik = try tracks.doubles("likelihood"), recType = try tracks.int64s("rec_type")
        let tt = try tracks.doubles("t")
        let beta0 = tracks.fields.contains("JGANDALF_BETA0_RAD") ? try tracks.doubles("JGANDALF_BETA0_RAD") : nil
        let nhit = tracks.fields.contains("JGANDALF_NUMBER_OF_HITS") ? try tracks.doubles("JGANDALF_NUMBER_OF_HITS") : nil

        // rec_stages rows in file order, keyed by (group_id, idx).
        let stagesTable = try file.dataset("/reco/rec_stages")
        let sg = try stagesTable.int64s("group_id"), sidx = try stagesTable.int64s("idx")
        let sv = try stagesTable.int64s("rec_stage")
        var stages: [Key: [Int32]] = [:]
        for i in 0..<sg.count { stages[Key(g: sg[i], i: sidx[i]), default: []].append(Int32(truncatingIfNeeded: sv[i])) }
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
            if rows.isEmpty { rejected["no reconstructed track", default: 0] += 1; continue }
            let empty: [Int32] = []
            guard let j = BestTrack.select(tracks: 0..<rows.count,
                                           stages: { stages[Key(g: group[ev], i: tidx[rows[$0]])]?[...] ?? empty[...] },
                                           lik: { lik[rows[$0]] }, reco: options.reco) else {
                rejected["no \(options.reco.rawValue) track (rec_stages in \(options.reco.stageRange.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "-"))", default: 0] += 1
                continue
            }
            let k = rows[j]
            let track = TrackRecord(dx: dx[k], dy: dy[k], dz: dz[k], energyGeV: e[k], lik: lik[k], recType: Int32(truncatingIfNeeded: recType[k]),
                                    beta0Rad: beta0?[k], nhit: nhit?[k], tNs: tt[k])
            if let reason = try out.append(eventID: eventIDs[ev], run: runs[ev], eventUnix: stamp[ev] + nanos[ev] * 1e-9, track: track,
                                           sky: sky, cache: &cache, ref: ref, reco: options.reco) {
                rejected[reason, default: 0] += 1
                continue
            }
            for (w, values) in weights.enumerated() { out.weights[w].append(values[ev]) }
        }
        guard !out.eventID_.isEmpty else {
            let why = rejected.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            throw InputError(file: path, reason: "no event has a usable \(options.reco.rawValue) track (\(why))")
        }
        let isMC = file.exists("/mc_tracks") || dets[0] < 0
        let tFirst = out.time.min()!, tLast = out.time.max()!
        var meta = ObservationMetadata(
            obsID: options.obsID ?? String(out.run[0]), timeRef: ref, tstart: tFirst, tstop: tLast,
            ontime: tLast - tFirst, livetime: tLast - tFirst, coverageSource: .eventSpan, site: location.site, mode: .driftZenith,
            telescope: "KM3NeT", instrument: location.site.name, origin: "KM3NeT", creator: options.creator,
            provenance: [(path as NSString).lastPathComponent + " (km3pipe HDF5 format 5.1)"], isSimulated: isMC,
            notes: [
                "Events: best \(options.reco.rawValue) track per event (km3io's best_track rule) from /reco/tracks and /reco/rec_stages.",
                "TIME: event_info timestamp + nanoseconds + track t (UTC), converted to TT with ERFA's leap seconds.",
                "Site: \(siteNote).",
                "No livetime in km3pipe tables: TSTART/TSTOP/ONTIME/LIVETIME are the event span.",
            ])
        meta.eventsIn = n
        meta.rejections = rejected.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let events = try out.eventList(isMC: isMC, bdtNames: [], hasWeights: weightFields.count == 3)
        return Observation(meta: meta, events: events, gti: try GTI(start: [meta.tstart], stop: [meta.tstop]))
    }

    struct Key: Hashable { let g: Int64; let i: Int64 }
}
