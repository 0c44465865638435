import Astrometry
import Foundation
import Model
import ROOTIO
import Readers

/// Which reconstruction's track becomes the event's direction and energy.
public enum Reconstruction: String, CaseIterable, Sendable {
    case jmuon, jshower, dusjshower, aashower, first

    /// The rec_stages range of each reconstruction family (km3io `definitions.reconstruction`:
    /// JMUON 0-99, JSHOWER 100-199, DUSJSHOWER 200-299, AASHOWER 300-399). `first` takes trks[0],
    /// as km3irf does.
    public var stageRange: ClosedRange<Int32>? {
        switch self {
        case .jmuon: return 0...99
        case .jshower: return 100...199
        case .dusjshower: return 200...299
        case .aashower: return 300...399
        case .first: return nil
        }
    }
}

/// The best track of each event, exactly as km3io's `best_track(tracks, minmax=range)` chooses it:
/// keep tracks whose rec_stages are non-empty and all inside the range; keep those with the longest
/// rec_stages; take the first with the largest `lik` (awkward's argmax: strictly greater wins, so
/// NaN never replaces an earlier value, and a leading NaN stays).
public enum BestTrack {
    /// `stages(k)` gives track k's rec_stages; tracks of the event are `tracks`.
    public static func select(
        tracks: Range<Int>, stages: (Int) -> ArraySlice<Int32>, lik: (Int) -> Double,
        reco: Reconstruction
    ) -> Int? {
        guard let range = reco.stageRange else { return tracks.isEmpty ? nil : tracks.lowerBound }
        var candidates: [Int] = []
        var longest = 0
        for k in tracks {
            let s = stages(k)
            guard !s.isEmpty, s.allSatisfy({ range.contains($0) }) else { continue }
            candidates.append(k)
            longest = max(longest, s.count)
        }
        var best: Int? = nil
        for k in candidates where stages(k).count == longest {
            if let b = best {
                if lik(k) > lik(b) { best = k }
            } else {
                best = k
            }
        }
        return best
    }
}

/// Reads KM3NeT offline (aanet/Jpp `E` tree) and dst (`E` plus friend `T`) files into an observation.
public enum OfflineEvents {
    public struct Options: Sendable {
        public var reco: Reconstruction = .jmuon
        /// Overrides the site found from det_id (from --detx or --site).
        public var location: DetectorLocation?
        public var convention: EquatorialConvention = .aanet
        public var obsID: String?
        public var creator = "vodfkit"
        public init() {}
    }

    struct Branches {
        let tree: Tree
        let reader: BranchReader
        func need(_ name: String) throws -> Branch {
            guard let b = tree.branch(name) else {
                throw InputError(
                    file: tree.file.path, column: name,
                    reason: "the E tree has no branch \(name); not an offline/dst file?")
            }
            return b
        }
        func optional(_ name: String) -> Branch? { tree.branch(name) }
        func read(_ b: Branch, _ r: Range<Int>) throws -> BranchData { try reader.read(b, entries: r) }
    }

    /// An observation read from an offline or dst file, with the cross-check of its coordinates
    /// against aanet's own where the file has them (dst `T/coords`), from the same open file.
    public struct Reading: Sendable {
        public var observation: Observation
        public var aanetCheck: AanetCheck?
    }

    /// Separation between our RA/DEC and aanet's, over the events both have.
    public struct AanetCheck: Sendable, Equatable {
        public var count: Int
        public var median: Double
        public var max: Double
    }

    public static func read(path: String, options: Options = Options()) throws -> Observation {
        try read(file: try ROOTFile(path: path), path: path, options: options)
    }

    /// `run_id` of the first event (nil for a file without events): what OBS_ID defaults to.
    public static func firstRunID(path: String) throws -> Int64? {
        let tree = try ROOTFile(path: path).tree("E")
        guard tree.entries > 0 else { return nil }
        let br = Branches(tree: tree, reader: BranchReader(tree: tree))
        return try br.read(try br.need("run_id"), 0..<1).int64s.first
    }

    /// The observation and its aanet cross-check, the file opened once.
    public static func reading(path: String, options: Options = Options()) throws -> Reading {
        let file = try ROOTFile(path: path)
        let obs = try read(file: file, path: path, options: options)
        return Reading(observation: obs, aanetCheck: try? crossCheckAanet(file: file, observation: obs))
    }

    static func read(file: ROOTFile, path: String, options: Options) throws -> Observation {
        let tree = try file.tree("E")
        let br = Branches(tree: tree, reader: BranchReader(tree: tree))
        let n = tree.entries
        guard n > 0 else { throw InputError(file: path, reason: "the E tree has no events") }
        let trksNode = try br.need("trks")
        let fields = [
            "trks.dir.x", "trks.dir.y", "trks.dir.z", "trks.E", "trks.t", "trks.lik", "trks.rec_type",
            "trks.rec_stages", "trks.fitinf", "t.fSec", "t.fNanoSec", "id", "run_id", "det_id",
        ]
        let b = try Dictionary(uniqueKeysWithValues: fields.map { ($0, try br.need($0)) })
        let mcNode = br.optional("mc_trks")
        let weights = br.optional("w")

        // Reconstructed tracks at all? (counted once, before any event work)
        let trackCounts = try br.read(trksNode, 0..<n).int64s
        if trackCounts.allSatisfy({ $0 == 0 }) {
            throw InputError(
                file: path, column: "trks",
                reason: "no reconstructed tracks in any of the \(n) events: nothing to convert")
        }

        // dst friend tree T: quality variables (bdt*) and aanet's own coordinates (cross-check only).
        let friend = try? file.tree("T")
        let bdtBranches = try qualityBranches(friend, entries: n, path: path)

        let detIDs = try br.read(b["det_id"]!, 0..<n).int64s
        let (location, siteNote) = try DetectorSites.resolve(detectorID: detIDs[0], given: options.location, file: path)
        let sky = SkyTransform(location: location, convention: options.convention)
        var cache = PrecessionCache()
        let ref = TimeReference.j2000TT

        var out = Columns()
        var rejected: [String: Int] = [:]
        let isMC =
            (mcNode.map { (try? br.read($0, 0..<n).int64s.contains { $0 > 0 }) ?? false } ?? false) || detIDs[0] < 0
        let ranges = tree.clusterRanges(for: Array(b.values), minEntries: 20_000)
        for r in ranges {
            let c = try ClusterColumns(br, b, r, weights: weights, bdt: bdtBranches, friend: friend)
            let mc = try mcTruth(br, r)
            for e in 0..<r.count {
                let track: TrackRecord
                switch Self.track(c, event: e, reco: options.reco) {
                case .success(let t): track = t
                case .failure(let why):
                    rejected[why.reason, default: 0] += 1
                    continue
                }
                if let reason = try out.append(
                    eventID: c.ids[e], run: c.runs[e], eventUnix: c.sec[e] + c.ns[e] * 1e-9, track: track,
                    sky: sky, cache: &cache, ref: ref, reco: options.reco)
                {
                    rejected[reason, default: 0] += 1
                    continue
                }
                out.appendExtras(
                    weights: c.w?[e], truth: mc.map { $0[e] }, bdt: c.bdt.map { $0.1[e] }, sky: sky, cache: &cache)
            }
        }
        guard !out.eventID_.isEmpty else { throw noUsableTrack(path, options.reco, rejected) }

        var meta = try metadata(
            out, file: file, path: path, options: options, site: (location, siteNote), ref: ref, isMC: isMC)
        meta.eventsIn = n
        meta.rejections = rejected.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }

        let events = try out.eventList(isMC: isMC, bdtNames: bdtBranches.map(\.0), hasWeights: weights != nil)
        let gti = try GTI(start: [meta.tstart], stop: [meta.tstop])
        return Observation(meta: meta, events: events, gti: gti)
    }

    struct Rejection: Error {
        let reason: String
    }

    /// The track of event `e` that `reco` selects, or why the event has none.
    static func track(_ c: ClusterColumns, event e: Int, reco: Reconstruction) -> Result<TrackRecord, Rejection> {
        let tracks = c.trackOffsets[e]..<c.trackOffsets[e + 1]
        if tracks.isEmpty { return .failure(Rejection(reason: "no reconstructed track")) }
        guard
            let k = BestTrack.select(
                tracks: tracks, stages: { c.stageValues[c.stageOffsets[$0]..<c.stageOffsets[$0 + 1]] },
                lik: { c.lik[$0] }, reco: reco)
        else { return .failure(Rejection(reason: Self.noTrackReason(reco))) }
        let fit = c.fitValues[c.fitOffsets[k]..<c.fitOffsets[k + 1]]
        // fitinf[0] = JGANDALF_BETA0_RAD (angular error), fitinf[3] = JGANDALF_NUMBER_OF_HITS.
        return .success(
            TrackRecord(
                dx: c.dx[k], dy: c.dy[k], dz: c.dz[k], energyGeV: c.energy[k], lik: c.lik[k],
                recType: Int32(c.recType[k]), beta0Rad: fit.count > 0 ? fit[fit.startIndex] : nil,
                nhit: fit.count > 3 ? fit[fit.startIndex + 3] : nil, tNs: c.tt[k]))
    }

    /// Why an event is left out when it has no track of `reco`.
    static func noTrackReason(_ reco: Reconstruction) -> String {
        let stages = reco.stageRange.map { "\($0.lowerBound)-\($0.upperBound)" } ?? "-"
        return "no \(reco.rawValue) track (rec_stages in \(stages))"
    }

    /// The error of a file none of whose events has a track of the reconstruction asked for.
    static func noUsableTrack(_ path: String, _ reco: Reconstruction, _ rejected: [String: Int]) -> InputError {
        let why = rejected.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        var e = InputError(file: path, reason: "no event has a usable \(reco.rawValue) track (\(why))")
        e.noUsableTrack = true
        return e
    }

    /// The branches of one cluster of entries, read once for its events.
    struct ClusterColumns {
        let dx, dy, dz, energy, tt, lik, recType, sec, ns: [Double]
        let trackOffsets, stageOffsets, fitOffsets: [Int]
        let stageValues: [Int32]
        let fitValues: [Double]
        let ids, runs: [Int64]
        let w: [[Double]]?
        let bdt: [(String, [[Double]])]

        init(
            _ br: Branches, _ b: [String: Branch], _ r: Range<Int>, weights: Branch?,
            bdt bdtBranches: [(String, Branch)],
            friend: Tree?
        ) throws {
            dx = try br.read(b["trks.dir.x"]!, r).flat
            dy = try br.read(b["trks.dir.y"]!, r).flat
            dz = try br.read(b["trks.dir.z"]!, r).flat
            energy = try br.read(b["trks.E"]!, r).flat
            tt = try br.read(b["trks.t"]!, r).flat
            lik = try br.read(b["trks.lik"]!, r).flat
            recType = try br.read(b["trks.rec_type"]!, r).flat
            (trackOffsets, stageOffsets, stageValues) = try br.read(b["trks.rec_stages"]!, r).doublyJaggedInt32()
            (_, fitOffsets, fitValues) = try br.read(b["trks.fitinf"]!, r).doublyJaggedDouble()
            sec = try br.read(b["t.fSec"]!, r).flat
            ns = try br.read(b["t.fNanoSec"]!, r).flat
            ids = try br.read(b["id"]!, r).int64s
            runs = try br.read(b["run_id"]!, r).int64s
            w = try weights.map { try br.read($0, r).jaggedDoubles() }
            bdt = try bdtBranches.map { ($0.0, try friend!.readFixed($0.1, r)) }
        }
    }

    /// The dst friend tree's quality variables (bdt*), which the event list carries as columns.
    static func qualityBranches(_ friend: Tree?, entries n: Int, path: String) throws -> [(String, Branch)] {
        guard let friend else { return [] }
        guard friend.entries == n else {
            throw InputError(file: path, reason: "friend tree T has \(friend.entries) entries, E has \(n)")
        }
        return friend.branches.filter { $0.name.lowercased().hasPrefix("bdt") }.map { ($0.name.uppercased(), $0) }
    }

    /// The observation's metadata: the notes on how events were chosen and placed, and the time
    /// coverage (headerTree on dst files > Head DAQ livetime > the span of the events).
    static func metadata(
        _ out: Columns, file: ROOTFile, path: String, options: Options,
        site: (location: DetectorLocation, note: String),
        ref: TimeReference, isMC: Bool
    ) throws -> ObservationMetadata {
        let runIDs = Set(out.run)
        let obsID = options.obsID ?? String(out.run[0])
        var notes: [String] = [
            "Events: best \(options.reco.rawValue) track per event, chosen as km3io.tools.best_track does.",
            "TIME: Evt.t (UTC) + track t; converted to TT with ERFA's leap-second table.",
            "RA/DEC: \(options.convention == .aanet ? "KM3NeT/aanet convention (GMST, mean equator of date precessed to J2000; FK5 J2000 up to annual aberration)" : "full ERFA astrometry to ICRS (aberration, nutation; no refraction)"); UT1 = UTC.",
            "Site: \(site.note).",
        ]
        if runIDs.count > 1 {
            notes.append(
                "Input holds runs \(runIDs.sorted().map(String.init).joined(separator: ", ")); OBS_ID is the first.")
        }

        // Time coverage: headerTree (dst) > Head DAQ livetime > event span.
        let tFirst = out.time.min()!
        let tLast = out.time.max()!
        var meta = ObservationMetadata(
            obsID: obsID, timeRef: ref, tstart: tFirst, tstop: tLast, ontime: tLast - tFirst, livetime: tLast - tFirst,
            coverageSource: .eventSpan, site: site.location.site, mode: .driftZenith,
            telescope: "KM3NeT", instrument: site.location.site.name, origin: "KM3NeT", creator: options.creator,
            provenance: [(path as NSString).lastPathComponent], isSimulated: isMC, notes: notes)
        try applyRunInfo(file: file, path: path, ref: ref, meta: &meta)
        return meta

    }

    /// TSTART/TSTOP/LIVETIME from the dst headerTree (UTCMin_s, UTCMax_s, livetime_s), or the
    /// DAQ livetime from Head. Without either, the event span stays, and the header says so.
    static func applyRunInfo(file: ROOTFile, path: String, ref: TimeReference, meta: inout ObservationMetadata) throws {
        if let ht = try? file.tree("headerTree"), ht.entries > 0 {
            let r = BranchReader(tree: ht)
            func value(_ name: String) -> Double? {
                guard let b = ht.branch(name), let d = try? r.read(b, entries: 0..<1) else { return nil }
                return d.flat.first
            }
            if let lo = value("UTCMin_s"), let hi = value("UTCMax_s"), hi > lo, lo > 0 {
                meta.tstart = try TimeScales.seconds(sinceReference: ref, unixSeconds: lo)
                meta.tstop = try TimeScales.seconds(sinceReference: ref, unixSeconds: hi)
                meta.ontime = meta.tstop - meta.tstart
                meta.livetime = min(value("livetime_s") ?? meta.ontime, meta.ontime)
                meta.coverageSource = .measured
                meta.notes.append("TSTART/TSTOP/LIVETIME from headerTree (UTCMin_s, UTCMax_s, livetime_s).")
                return
            }
            if let live = value("livetime_s") {
                meta.instrumentKeywords.append(
                    CarriedKeyword(
                        "LIVE_SIM", .double(live), comment: "[s] headerTree livetime_s (simulated livetime for MC)"))
            }
        }
        if case .object(let head)? = try? file.object("Head"),
            case .map(let pairs)? = head["map<string,string>"],
            let daq = pairs.first(where: { $0.0.string == "DAQ" })?.1.string,
            let live = Double(daq.split(separator: " ").first ?? "")
        {
            meta.instrumentKeywords.append(
                CarriedKeyword("DAQLIVE", .double(live), comment: "[s] DAQ livetime from the file's Head"))
            meta.notes.append("Head DAQ livetime \(live) s is in DAQLIVE; TSTART/TSTOP are the event span.")
        } else {
            meta.notes.append("No headerTree or Head livetime: TSTART/TSTOP/ONTIME/LIVETIME are the event span.")
        }
    }

    struct MCTrack {
        var energy: Double
        var dir: (Double, Double, Double)
        var type: Int32
    }

    /// The primary (mc_trks[0]) of each event, when the file has MC tracks.
    static func mcTruth(_ br: Branches, _ r: Range<Int>) throws -> [MCTrack?]? {
        guard let e = br.optional("mc_trks.E"), let x = br.optional("mc_trks.dir.x"),
            let y = br.optional("mc_trks.dir.y"),
            let z = br.optional("mc_trks.dir.z"), let t = br.optional("mc_trks.type")
        else { return nil }
        let ed = try br.read(e, r)
        guard case .jagged(let offs, _) = ed, offs.last ?? 0 > 0 else { return nil }
        let ev = ed.flat
        let xv = try br.read(x, r).flat
        let yv = try br.read(y, r).flat
        let zv = try br.read(z, r).flat
        let tv = try br.read(t, r).flat
        return (0..<r.count).map { i in
            guard offs[i + 1] > offs[i] else { return nil }
            let k = offs[i]
            return MCTrack(energy: ev[k], dir: (xv[k], yv[k], zv[k]), type: Int32(tv[k]))
        }
    }

}

extension OfflineEvents {
    /// Separation between our RA/DEC and aanet's own (dst `T/coords/trackfit_ra,dec`, radians,
    /// -999 when missing), matched by event id. Only a cross-check: our coordinates never use them.
    static func crossCheckAanet(file: ROOTFile, observation obs: Observation) throws -> AanetCheck? {
        guard let t = try? file.tree("T"), let rb = t.branch("coords.trackfit_ra") ?? t.branch("trackfit_ra"),
            let db = t.branch("coords.trackfit_dec") ?? t.branch("trackfit_dec")
        else { return nil }
        let e = try file.tree("E")
        let r = BranchReader(tree: t)
        let ra = try r.read(rb).flat
        let dec = try r.read(db).flat
        let ids = try BranchReader(tree: e).read(e.branch("id")!).int64s
        var byID: [Int64: Int] = [:]
        for (i, id) in ids.enumerated() where byID[id] == nil { byID[id] = i }
        guard case .int64(let ourIDs)? = obs.events["EVENT_ID"]?.values,
            case .double(let ourRA)? = obs.events["RA"]?.values,
            case .double(let ourDec)? = obs.events["DEC"]?.values
        else { return nil }
        var seps: [Double] = []
        for (k, id) in ourIDs.enumerated() {
            guard let i = byID[id], ra[i] > -900, dec[i] > -900 else { continue }
            let d1 = ourDec[k] * .pi / 180
            let d2 = dec[i]
            let dr = ourRA[k] * .pi / 180 - ra[i]
            let c = sin(d1) * sin(d2) + cos(d1) * cos(d2) * cos(dr)
            seps.append(acos(Swift.max(-1, Swift.min(1, c))) * 180 / .pi)
        }
        guard !seps.isEmpty else { return nil }
        seps.sort()
        return AanetCheck(count: seps.count, median: seps[seps.count / 2], max: seps.last!)
    }
}

extension Columns {
    /// What else the event just appended carries: its weights (w[0..2], NaN where absent), its
    /// Monte Carlo truth (`truth` nil: the file has none) and its quality variables (bdt*).
    mutating func appendExtras(
        weights ws: [Double]?, truth: OfflineEvents.MCTrack??, bdt: [[Double]], sky: SkyTransform,
        cache: inout PrecessionCache
    ) {
        if let ws {
            for j in 0..<3 { weights[j].append(j < ws.count ? ws[j] : .nan) }
        }
        if let truth { appendTruth(truth, sky: sky, cache: &cache) }
        for (j, values) in bdt.enumerated() {
            if self.bdt.count <= j { self.bdt.append([]) }
            self.bdt[j].append(contentsOf: values)
        }
    }

    /// The Monte Carlo truth of the event just appended: energy (GeV -> TeV), the true source
    /// direction on the sky at the event's time, and the particle type; NaN and 0 without one.
    mutating func appendTruth(_ m: OfflineEvents.MCTrack?, sky: SkyTransform, cache: inout PrecessionCache) {
        mcEnergy.append(m.map { $0.energy / 1000 } ?? .nan)
        if let m, m.dir.0.isFinite {
            let h = sky.sourceHorizontal(dx: m.dir.0, dy: m.dir.1, dz: m.dir.2)
            let (mra, mdec) = sky.equatorial(alt: h.alt, az: h.az, unixSeconds: unix.last!, cache: &cache)
            mcRA.append(mra * 180 / .pi)
            mcDec.append(mdec * 180 / .pi)
        } else {
            mcRA.append(.nan)
            mcDec.append(.nan)
        }
        mcType.append(m?.type ?? 0)
    }
}
