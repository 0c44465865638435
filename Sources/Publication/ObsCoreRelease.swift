import Astrometry
import Diagnostics
import FITSIO
import Foundation
import GADF
import Model
import Release
import VOTableIO

/// What the ObsCore rows of a release need that its files do not say.
public struct ObsCoreOptions: Sendable {
    /// obs_collection; nil: the release's name and version (release.json), else the directory's name.
    public var collection: String?
    /// The publisher's IVOA authority: obs_publisher_did is AUTHORITY/COLLECTION?PATH.
    public var authority = "ivo://km3net.org"
    /// access_url is BASE_URL/PATH; nil: file:// URLs of the files where they are.
    public var baseURL: String?
    /// analysis_mode of every product (the HEA draft's KM3NeT use case says pointsource).
    public var analysisMode: String? = "pointsource"
    public init() {}
}

/// A release described for the VO: one ObsCore row per observation (its event list) and one per
/// response-function HDU, each with its `obscore_hea` row. Any release the upgrade reader knows
/// is described: vodfkit's (every GADF channel store and the VODF tree) or another producer's
/// GADF data store (H.E.S.S. DR1).
public struct ObsCoreRelease: Sendable {
    public var collection: String
    public var obscore: [[String: VOTableDocument.Cell]] = []
    public var hea: [[String: VOTableDocument.Cell]] = []
    /// Event files described (relative to the release), for the DaCHS events table.
    public var eventFiles: [String] = []

    public var eventListCount: Int { obscore.filter { $0["dataproduct_type"] == .text("hea-event-list") }.count }

    /// `observed` is given each event list read, with its path relative to the release, so that a
    /// caller that needs the events (the report) does not read the files again. Observations left out
    /// (their files absent) are warnings in `diagnostics`.
    public static func describe(
        _ directory: String, options: ObsCoreOptions, diagnostics: DiagnosticLog = .discard,
        progress: (String) -> Void = { _ in },
        observed: (String, Observation) -> Void = { _, _ in }
    ) throws -> ObsCoreRelease {
        let root = (directory as NSString).standardizingPath
        let release = try? ReleaseDocuments.load(root)
        let collection =
            options.collection ?? release.map { "\($0.release.name)-\($0.release.version)" }
            ?? (root as NSString).lastPathComponent
        var out = ObsCoreRelease(collection: collection)
        let stores = Self.stores(root)
        guard !stores.isEmpty else {
            throw ReleaseError(
                "\(directory): no hdu-index.fits[.gz] (GADF) or obs-grouping.fits (VODF) here or one or two levels down"
            )
        }
        for store in stores {
            let source = try UpgradeSource.load(root + (store.isEmpty ? "" : "/" + store))
            let prefix = store.isEmpty ? "" : store + "/"
            let format = source.layout == .vodf ? "application/x-fits-vodf" : "application/x-fits-gadf"
            for file in source.absent {
                diagnostics.warn("\(prefix)\(file): named by the index but absent; its observations are not described")
            }
            for obs in source.observations {
                guard let events = obs.events else { continue }
                let rel = Self.relative(prefix + events.file, in: source, root: root)
                progress(rel)
                // A pointed observation's field of view is what its effective area covers.
                let aeff = obs.members.first { $0.role == .irf(type: "aeff") }?.ref
                let fov = try aeff.flatMap {
                    Self.maxOffset(
                        try Self.hdu(
                            Self.relative(prefix + $0.file, in: source, root: root), extname: $0.name, root: root))
                }
                observed(rel, try out.addEventList(rel, root: root, format: format, options: options, maxOffset: fov))
            }
            var irfs = Set<UpgradeSource.HDURef>()
            for obs in source.observations { irfs.formUnion(obs.irfs) }
            for ref in irfs.sorted() {
                try out.addResponse(
                    Self.relative(prefix + ref.file, in: source, root: root), extname: ref.name, root: root,
                    format: format, options: options)
            }
        }
        return out
    }

    /// Directories (relative to the release) that hold a GADF HDU index or a VODF grouping table.
    static func stores(_ root: String) -> [String] {
        let fm = FileManager.default
        func isStore(_ d: String) -> Bool {
            (ReleaseLayout.hduIndexNames + [ReleaseLayout.groupingName]).contains {
                fm.fileExists(atPath: root + (d.isEmpty ? "" : "/" + d) + "/" + $0)
            }
        }
        if isStore("") { return [""] }
        var out: [String] = []
        for a in ((try? fm.contentsOfDirectory(atPath: root)) ?? []).sorted() where !a.hasPrefix(".") {
            if isStore(a) {
                out.append(a)
                continue
            }
            for b in ((try? fm.contentsOfDirectory(atPath: root + "/" + a)) ?? []).sorted()
            where !b.hasPrefix(".") && isStore(a + "/" + b) {
                out.append(a + "/" + b)
            }
        }
        return out
    }

    /// A path relative to the release root (the VODF source lives in vodf/, its files relative to it).
    static func relative(_ path: String, in source: UpgradeSource, root: String) -> String {
        let full = (root + "/" + path) as NSString
        if FileManager.default.fileExists(atPath: full.standardizingPath) { return path }
        let viaSource = (source.directory + "/" + ((path as NSString).lastPathComponent)) as NSString
        return String(viaSource.standardizingPath.dropFirst(root.count + 1))
    }
}

extension ObsCoreRelease {
    typealias Cell = VOTableDocument.Cell

    func common(_ rel: String, root: String, format: String, options: ObsCoreOptions, fragment: String?) -> [String:
        Cell]
    {
        let path = root + "/" + rel
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).flatMap { $0 } ?? 0
        // Identifiers and URLs carry the path percent-encoded (EXTNAMEs and file names may hold spaces).
        let encoded = rel.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? rel
        let url =
            options.baseURL.map { $0.hasSuffix("/") ? $0 + encoded : $0 + "/" + encoded }
            ?? URL(fileURLWithPath: path).absoluteString
        let did =
            options.authority.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + "/" + collection + "?" + encoded
            + (fragment.map { "#" + ($0.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? $0) } ?? "")
        return [
            "calib_level": .int(2), "obs_collection": .text(collection), "obs_publisher_did": .text(did),
            "access_url": .text(url),
            "access_format": .text(format), "access_estsize": .int(Int64((size + 1023) / 1024)),
            // Event lists and response functions have no pixel axes: ObsCore's lengths are -1.
            "s_xel1": .int(-1), "s_xel2": .int(-1), "t_xel": .int(-1), "em_xel": .int(-1), "pol_xel": .int(-1),
        ]
    }

    @discardableResult
    mutating func addEventList(_ rel: String, root: String, format: String, options: ObsCoreOptions, maxOffset: Double?)
        throws -> Observation
    {
        let obs = try GADFFile.observation(path: root + "/" + rel)
        let m = obs.meta
        var row = common(rel, root: root, format: format, options: options, fragment: nil)
        row["dataproduct_type"] = .text("hea-event-list")
        row["obs_id"] = .text(m.obsID)
        row["target_name"] =
            m.object.map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : Cell.text($0) }
            ?? .null
        row.merge(Self.sky(obs.meta.mode, frame: m.celestialFrame, maxOffset: maxOffset), uniquingKeysWith: { $1 })
        row["t_min"] = Self.mjdUTC(m.timeRef, m.tstart).map(Cell.double) ?? .null
        row["t_max"] = Self.mjdUTC(m.timeRef, m.tstop).map(Cell.double) ?? .null
        row["t_exptime"] = .double(m.livetime)
        let energies = Self.energiesEV(obs.events)
        row.merge(Self.spectral(energies), uniquingKeysWith: { $1 })
        row["o_ucd"] = .text("phys.energy")
        row["facility_name"] = .text(m.telescope)
        row["instrument_name"] = .text(m.instrument)
        obscore.append(row)
        let channels = m.channels.map(\.name)
        var h = heaCommon(row, telescope: m.telescope, channels: channels, options: options)
        h["ev_xel"] = .int(Int64(obs.events.count))
        h["energy_min"] = energies.map { .double($0.min) } ?? .null
        h["energy_max"] = energies.map { .double($0.max) } ?? .null
        if case .drift = m.mode {
            h["obs_mode"] = .text(m.observingModeName ?? "DRIFT")
        } else {
            h["obs_mode"] = .text(m.observingModeName ?? "POINTING")
        }
        hea.append(h)
        eventFiles.append(rel)
        return obs
    }

    /// The table of the HDU called `extname` (in capitals) of a release file.
    static func hdu(_ rel: String, extname: String, root: String) throws -> Table {
        let f = try FITSFile.open(path: root + "/" + rel)
        defer { try? f.close() }
        if let table = try f.readTable(named: extname) { return table }
        throw ReleaseError("\(rel): no HDU named \(extname), which the index lists")
    }

    /// The largest field-of-view offset of a response's offset axis (GADF THETA, VODF OFFSET), in degrees.
    static func maxOffset(_ t: Table) -> Double? {
        let r = AxisColumns.row(.fovOffset)
        for name in [r.gadf, r.vodf].compactMap({ $0 }) {
            guard let hi = t.column(name + "_HI")?.doubles?.filter(\.isFinite).max() else { continue }
            let unit = (try? Unit.parse(t.spec(name + "_HI")?.unit ?? "deg")) ?? Unit.degree
            return hi * unit.scale / Unit.degree.scale
        }
        return nil
    }

    mutating func addResponse(_ rel: String, extname: String, root: String, format: String, options: ObsCoreOptions)
        throws
    {
        let table = try Self.hdu(rel, extname: extname, root: root)
        let h = table.header
        let c2 = h[key: "HDUCLAS2"]?.stringValue ?? ""
        let subtype = GADFIRFReader.kind(of: h)?.layout.obsCoreSubtype ?? c2.lowercased()
        var row = common(rel, root: root, format: format, options: options, fragment: extname)
        row["dataproduct_type"] = .text("response-function")
        row["dataproduct_subtype"] = .text(subtype)
        let stem = ((rel as NSString).lastPathComponent as NSString).deletingPathExtension.replacingOccurrences(
            of: ".fits", with: "")
        row["obs_id"] = .text(
            h[key: "OBS_ID"]?.description.trimmingCharacters(in: CharacterSet(charactersIn: "' "))
                ?? (h[key: "PERIOD"]?.stringValue ?? stem) + "/" + extname)
        let telescope = h[key: "TELESCOP"]?.stringValue?.trimmedBlanks ?? ""
        row["facility_name"] = telescope.isEmpty ? .null : .text(telescope)
        row["instrument_name"] = h[key: "INSTRUME"]?.stringValue.map { .text($0.trimmedBlanks) } ?? .null
        let energies = Self.axisEV(table)
        row.merge(Self.spectral(energies), uniquingKeysWith: { $1 })
        obscore.append(row)
        let channel = h[key: "CHANNEL"]?.stringValue?.trimmedBlanks
        var x = heaCommon(row, telescope: telescope, channels: channel.map { [$0] } ?? [], options: options)
        x["energy_min"] = energies.map { .double($0.min) } ?? .null
        x["energy_max"] = energies.map { .double($0.max) } ?? .null
        hea.append(x)
    }

    func heaCommon(_ row: [String: Cell], telescope: String, channels: [String], options: ObsCoreOptions) -> [String:
        Cell]
    {
        let neutrino = ["KM3NET", "ANTARES", "ICECUBE", "ARCA", "ORCA", "BAIKAL"].contains {
            telescope.uppercased().hasPrefix($0)
        }
        var h: [String: Cell] = ["obs_publisher_did": row["obs_publisher_did"]!]
        h["messenger_name"] = .text(neutrino ? "neutrino" : "photon")
        // PDG ids with their sign, as the draft asks: a track channel selects mostly muon neutrinos
        // (14), a shower channel electron neutrinos (12); the sign is + since the detector does
        // not tell neutrinos from antineutrinos.
        let pdg =
            neutrino
            ? (channels.contains { EventTopology(channelName: $0) == .track } || channels.isEmpty ? "+14" : "+12")
            : "+22"
        h["messenger_pdgid"] = .text(pdg)
        h["event_type"] = channels.isEmpty ? .null : .text(channels.joined(separator: ","))
        h["analysis_mode"] = options.analysisMode.map(Cell.text) ?? .null
        return h
    }

    /// Where on the sky: a pointed observation's pointing and the field its effective area covers
    /// (events reconstructed far outside it exist, and say nothing of the field); a drift
    /// (neutrino) observation sees the whole sky.
    /// The region names the frame of the file's RA/DEC (H.E.S.S. DR1 states FK5).
    static func sky(_ mode: ObservingMode, frame: String, maxOffset: Double?) -> [String: Cell] {
        switch mode {
        case .drift:
            return ["s_ra": .null, "s_dec": .null, "s_fov": .double(360), "s_region": .null, "s_resolution": .null]
        case .pointing(let ra, let dec):
            let region: Cell =
                maxOffset.map {
                    .text("CIRCLE \(frame.trimmingCharacters(in: .whitespaces).uppercased()) \(ra) \(dec) \($0)")
                } ?? .null
            return [
                "s_ra": .double(ra), "s_dec": .double(dec), "s_fov": maxOffset.map { .double(2 * $0) } ?? .null,
                "s_region": region, "s_resolution": .null,
            ]
        }
    }

    /// em_min from the highest energy, em_max from the lowest (λ = hc / E).
    static func spectral(_ e: (min: Double, max: Double)?) -> [String: Cell] {
        guard let e else { return ["em_min": .null, "em_max": .null, "em_res_power": .null] }
        return [
            "em_min": .double(ObsCoreColumns.hc / e.max), "em_max": .double(ObsCoreColumns.hc / e.min),
            "em_res_power": .null,
        ]
    }

    /// The range of the finite, positive reconstructed energies, in eV.
    static func energiesEV(_ events: EventList) -> (min: Double, max: Double)? {
        guard let c = events["ENERGY"], let v = c.values.doubles else { return nil }
        let scale = (c.unit ?? Unit.TeV).scale / Unit.eV.scale
        let finite = v.filter { $0.isFinite && $0 > 0 }
        guard let lo = finite.min(), let hi = finite.max() else { return nil }
        return (lo * scale, hi * scale)
    }

    /// The energy axis of a response, in eV: its true energy (GADF ENERG, VODF ENERGY_TRUE, legacy
    /// ETRUE), else its reconstructed energy (a background's), by the axis names IRFLayout declares.
    static func axisEV(_ t: Table) -> (min: Double, max: Double)? {
        let names = [AxisMeaning.trueEnergy, .recoEnergy].flatMap { m -> [String] in
            let r = AxisColumns.row(m)
            return [r.gadf, r.vodf].compactMap { $0 } + r.alsoRead
        }
        for (lo, hi) in names.map({ ($0 + "_LO", $0 + "_HI") }) {
            guard let l = t.column(lo)?.doubles, let h = t.column(hi)?.doubles else { continue }
            let unit = (try? Unit.parse(t.spec(lo)?.unit ?? "TeV")) ?? Unit.TeV
            let scale = unit.scale / Unit.eV.scale
            let all = (l + h).filter { $0.isFinite && $0 > 0 }
            guard let a = all.min(), let b = all.max() else { continue }
            return (a * scale, b * scale)
        }
        return nil
    }

    /// MJD (UTC) of a time after the observation's reference; nil for a scale that does not convert.
    public static func mjdUTC(_ ref: TimeReference, _ seconds: Double) -> Double? {
        switch ref.system {
        case .utc: return Double(ref.mjdInt) + ref.mjdFrac + seconds / 86400
        case .tt:
            return (try? TimeScales.unixSeconds(reference: ref, seconds: seconds)).map {
                UTCInstant(unixSeconds: $0).mjd
            }
        case .tai:
            return
                (try? TimeScales.unixSeconds(
                    reference: TimeReference(mjdInt: ref.mjdInt, mjdFrac: ref.mjdFrac, system: .tt),
                    seconds: seconds - 32.184)).map { UTCInstant(unixSeconds: $0).mjd }
        }
    }

    /// The two tables as a VOTable 1.4 document.
    public func votable(creator: String) -> VOTableDocument {
        func rows(_ rows: [[String: Cell]], _ columns: [ObsCoreColumn]) -> [[Cell]] {
            rows.map { r in columns.map { r[$0.name] ?? .null } }
        }
        return VOTableDocument(
            resourceName: collection,
            description:
                "ObsCore 1.1 rows (ivoa.obscore) and their high-energy extension (ivoa.obscore_hea, joined on obs_publisher_did) for \(collection)",
            infos: [("creator", creator), ("standard", "ivo://ivoa.net/std/ObsCore#core-1.1")],
            tables: [
                .init(
                    name: "obscore", description: "ObsCore 1.1: one row per event list and per response-function HDU",
                    columns: ObsCoreColumns.obscore.map(\.votableColumn), rows: rows(obscore, ObsCoreColumns.obscore)),
                .init(
                    name: "obscore_hea", description: "High-energy ObsCore extension (IVOA HEIG draft)",
                    columns: ObsCoreColumns.hea.map(\.votableColumn), rows: rows(hea, ObsCoreColumns.hea)),
            ])
    }
}
