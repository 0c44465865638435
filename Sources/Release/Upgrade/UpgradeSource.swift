import FITSIO
import Foundation
import GADF
import Model
import Readers

/// A release as `vodf release upgrade` finds it: which HDUs make up each observation, from a GADF
/// data store's HDU index or from a VODF release's grouping tables, and the per-observation table
/// beside them (GADF's obs-index; the extra columns of VODF's release grouping table).
public struct UpgradeSource: Sendable {
    public enum Layout: String, Sendable { case gadf, vodf }

    /// One HDU: its file, relative to the release directory, and its EXTNAME in capitals (FITS
    /// compares EXTNAMEs without case; H.E.S.S.'s index says `aeff` for EXTNAME `AEFF`).
    public struct HDURef: Hashable, Sendable, Comparable {
        public var file: String
        public var name: String
        public init(file: String, name: String) {
            self.file = file
            self.name = name.trimmedBlanks.uppercased()
        }
        public static func < (a: HDURef, b: HDURef) -> Bool { (a.file, a.name) < (b.file, b.name) }
    }

    /// What an HDU is to its observation; an IRF with its HDU_TYPE (aeff, psf, ...).
    public enum Role: Hashable, Sendable {
        case events, gti
        case irf(type: String)
        public var isIRF: Bool { if case .irf = self { true } else { false } }
    }

    public struct Observation: Sendable {
        public var obsID: String
        public var members: [(ref: HDURef, role: Role)]
        public var events: HDURef? { members.first { $0.role == .events }?.ref }
        public var gti: HDURef? { members.first { $0.role == .gti }?.ref }
        public var irfs: [HDURef] { members.filter { $0.role.isIRF }.map(\.ref) }
    }

    public var layout: Layout
    public var directory: String
    public var observations: [Observation] = []
    /// One row per observation, with an OBS_ID column; nil when the release has none.
    public var observationTable: Table?
    /// That table's own keywords (time reference, site, comments), carried as they are.
    public var observationHeader: [HeaderCard] = []
    /// The HDU index's own keywords (comments), carried as they are.
    public var indexHeader: [HeaderCard] = []
    /// What the indexes held that a written index does not (a SIZE column, HDU types the model lacks).
    public var omissions: [Omission] = []
    /// Files named by the index that are not there; the observations that use one are not in
    /// `observations` (an observation is carried whole or not at all).
    public var absent: [String] = []
    /// The OBS_IDs left out for an absent file.
    public var absentObservations: [String] = []
    /// Files beside the index that are not FITS (README, licence), copied as they are.
    public var otherFiles: [String] = []

    /// The release in `directory`: a GADF data store (hdu-index.fits[.gz]) or a VODF release
    /// (obs-grouping.fits, or vodf/obs-grouping.fits of a vodfkit release).
    public static func load(_ directory: String) throws -> UpgradeSource {
        let fm = FileManager.default
        let dir = (directory as NSString).standardizingPath
        for name in ReleaseLayout.hduIndexNames where fm.fileExists(atPath: dir + "/" + name) {
            return try gadf(dir, index: name)
        }
        for sub in ["", "vodf/"] where fm.fileExists(atPath: dir + "/" + sub + ReleaseLayout.groupingName) {
            return try vodf(dir + (sub.isEmpty ? "" : "/vodf"))
        }
        throw ReleaseError("\(directory): no hdu-index.fits[.gz] (GADF) or obs-grouping.fits (VODF) found")
    }

    /// The first BINTABLE of an index file, read whole.
    static func table(_ path: String) throws -> Table {
        let f = try FITSFile.open(path: path)
        defer { try? f.close() }
        guard try f.hduCount >= 2, try f.moveTo(hdu: 2) == .binaryTable else {
            throw ReleaseError("\(path): no table in HDU 1")
        }
        return try f.readTable()
    }

    /// `base/relative`, normalised and relative to the release directory; nil when it leads out.
    static func inside(_ relative: String, base: String) -> String? {
        guard !relative.hasPrefix("/") else { return nil }
        let parts = (base.isEmpty ? relative : base + "/" + relative).split(separator: "/").reduce(into: [Substring]())
        { out, p in
            if p == "." || p.isEmpty { return }
            if p == ".." { if out.popLast() == nil { out.append("..") } } else { out.append(p) }
        }
        return parts.first == ".." || parts.isEmpty ? nil : parts.joined(separator: "/")
    }

    /// An HDU-index row's file relative to the release: FILE_DIR/FILE_NAME, under BASE_DIR when the index
    /// gives one (as gammapy reads it). An absolute path (gammapy's `DataStore.from_events_files` writes
    /// them; lstchain an absolute BASE_DIR) is taken when it lies inside the release; nil when it leaves it.
    static func rowFile(_ fileDir: String, _ fileName: String, baseDir: String?, release dir: String) -> String? {
        var path = fileDir.isEmpty ? fileName : fileDir + "/" + fileName
        if !path.hasPrefix("/"), let base = baseDir, !base.isEmpty { path = base + "/" + path }
        guard path.hasPrefix("/") else { return inside(path, base: "") }
        let root = resolved(dir)
        let parent = resolved((path as NSString).deletingLastPathComponent)
        let full = parent + "/" + (path as NSString).lastPathComponent
        guard full.hasPrefix(root + "/") else { return nil }
        return inside(String(full.dropFirst(root.count + 1)), base: "")
    }

    /// A directory with its symlinks resolved and `.`/`..` removed (as it is, when it does not exist).
    static func resolved(_ path: String) -> String {
        guard let p = realpath(path, nil) else { return (path as NSString).standardizingPath }
        defer { free(p) }
        return String(cString: p)
    }

    static func strings(_ t: Table, _ name: String, path: String) throws -> [String] {
        guard case .string(let v)? = t.column(name) else {
            throw ReleaseError("\(path): no text column \(name) in \(t.name)")
        }
        return v.map(\.trimmedBlanks)
    }

    /// The keywords of an index table that are its own (not its structure, class or checksums),
    /// as they are: H.E.S.S.'s obs-index states its site as strings, and keeps them so.
    static func ownKeywords(_ header: [HeaderCard]) -> [HeaderCard] {
        header.filter { !FormatKeywords.isStructural($0.name) && !indexRewritten.contains($0.name) }
    }

    static let indexRewritten: Set<String> = [
        "EXTNAME", "EXTVER", "HDUCLASS", "HDUDOC", "HDUVERS", "HDUCLAS1", "HDUCLAS2",
        "HDUCLAS3", "HDUCLAS4", "CREATOR", "DATE", "CHECKSUM", "DATASUM", "LONGSTRN",
    ]

    /// Files beside the index that a release carries as they are.
    static func others(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { name in
            var isDir: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDir)
            return exists && !isDir.boolValue && !name.hasPrefix(".") && !name.contains(".fits")
        }.sorted()
    }
}

extension UpgradeSource {
    /// A GADF data store: HDU-index rows grouped by OBS_ID (in the index's order), the obs-index as it is.
    static func gadf(_ dir: String, index: String) throws -> UpgradeSource {
        var s = UpgradeSource(layout: .gadf, directory: dir)
        let path = dir + "/" + index
        let t = try table(path)
        guard let ids = t.column("OBS_ID")?.doubles?.map({ Int64($0) }) else {
            throw ReleaseError("\(path): \(t.name) has no integer OBS_ID column")
        }
        let types = try strings(t, "HDU_TYPE", path: path)
        let dirs = try strings(t, "FILE_DIR", path: path)
        let names = try strings(t, "FILE_NAME", path: path)
        let hdus = try strings(t, "HDU_NAME", path: path)
        s.indexHeader = ownKeywords(t.header).filter { $0.name != "BASE_DIR" }
        let baseDir = t.header[key: "BASE_DIR"]?.stringValue?.trimmedBlanks
        if let base = t.header[key: "BASE_DIR"]?.stringValue {
            // The rows of the written index are relative to it; a carried BASE_DIR (lstchain writes the
            // absolute directory it ran in) would send gammapy back to the source's files.
            s.omissions.append(
                Omission(
                    file: index, what: "\(t.name) keyword BASE_DIR", value: base,
                    why: "the written index names its files relative to itself"))
        }
        let known: Set<String> = ["OBS_ID", "HDU_TYPE", "HDU_CLASS", "FILE_DIR", "FILE_NAME", "HDU_NAME"]
        for c in t.columns where !known.contains(c.name.uppercased()) {
            s.omissions.append(
                Omission(
                    file: index, what: "\(t.name) column \(c.name)",
                    why: "the HDU index is written again from the upgraded files"))
        }
        var order: [String] = []
        var byID: [String: Observation] = [:]
        let fm = FileManager.default
        for r in ids.indices {
            let id = String(ids[r])
            guard let file = rowFile(dirs[r], names[r], baseDir: baseDir, release: dir) else {
                s.omissions.append(
                    Omission(
                        file: index, what: "row \(r + 1) (OBS_ID \(id), \(types[r]))", value: dirs[r] + "/" + names[r],
                        why: "the file is outside the release directory"))
                continue
            }
            let role: Role
            switch types[r].lowercased() {
            case "events": role = .events
            case "gti": role = .gti
            case let type where IRFKinds.all.contains(where: { $0.layout.hduIndexType == type }):
                role = .irf(type: type)
            default:
                s.omissions.append(
                    Omission(
                        file: file, what: "HDU \(hdus[r]) (HDU_TYPE \(types[r]), OBS_ID \(id))",
                        why: "the model holds no such HDU"))
                continue
            }
            if byID[id] == nil {
                order.append(id)
                byID[id] = Observation(obsID: id, members: [])
            }
            guard fm.fileExists(atPath: dir + "/" + file) else {
                if !s.absent.contains(file) { s.absent.append(file) }
                if !s.absentObservations.contains(id) { s.absentObservations.append(id) }
                continue
            }
            byID[id]!.members.append((HDURef(file: file, name: hdus[r]), role))
        }
        s.observations = order.filter { !s.absentObservations.contains($0) }.map { byID[$0]! }
        for name in ReleaseLayout.obsIndexNames where fm.fileExists(atPath: dir + "/" + name) {
            let obs = try table(dir + "/" + name)
            s.observationTable = obs
            s.observationHeader = ownKeywords(obs.header)
            break
        }
        s.otherFiles = others(dir)
        return s
    }

    /// A VODF release: the release grouping table's rows, each an observation's grouping table,
    /// whose members (in that file, or at a MEMBER_LOCATION relative to it) are its HDUs.
    static func vodf(_ dir: String) throws -> UpgradeSource {
        var s = UpgradeSource(layout: .vodf, directory: dir)
        let path = dir + "/obs-grouping.fits"
        let t = try table(path)
        let locations = try strings(t, "MEMBER_LOCATION", path: path)
        let ids = try strings(t, "OBS_ID", path: path)
        let own: Set<String> = [
            "MEMBER_NAME", "MEMBER_VERSION", "MEMBER_LOCATION", "MEMBER_URI_TYPE", "MEMBER_POSITION", "OBS_ID",
        ]
        let extra = t.columns.indices.filter { !own.contains(t.columns[$0].name.uppercased()) }
        if !extra.isEmpty {
            let numeric = ids.allSatisfy { Int64($0) != nil }
            let idColumn: (ColumnSpec, ColumnData) =
                numeric
                ? (ColumnSpec("OBS_ID", .int64), .int64(ids.map { Int64($0)! }))
                : (ColumnSpec("OBS_ID", .string, repeatCount: max(1, ids.map(\.utf8.count).max() ?? 1)), .string(ids))
            s.observationTable = Table(
                name: "OBS_INDEX", header: [], columns: [idColumn.0] + extra.map { t.columns[$0] },
                data: [idColumn.1] + extra.map { t.data[$0] })
        }
        s.observationHeader = ownKeywords(t.header).filter {
            !($0.name == "COMMENT" && $0.comment.hasPrefix("The observations of this release"))
        }
        var headers: [String: [String: [HeaderCard]]] = [:]
        for (location, id) in zip(locations, ids) {
            guard let file = inside(location, base: "") else {
                s.omissions.append(
                    Omission(
                        file: ReleaseLayout.groupingName, what: "OBS_ID \(id)", value: location,
                        why: "the file is outside the release directory"))
                continue
            }
            guard FileManager.default.fileExists(atPath: dir + "/" + file) else {
                s.absent.append(file)
                s.absentObservations.append(id)
                continue
            }
            s.observations.append(try members(of: file, obsID: id, dir: dir, headers: &headers))
        }
        s.otherFiles = others(dir)
        return s
    }

    /// An observation's HDUs, from the GROUPING table of its file, each classed by its own keywords.
    /// `headers` keeps each file's headers by EXTNAME, so a file (an IRF file many observations
    /// link to, or the observation's own) is opened once for them all.
    static func members(of file: String, obsID: String, dir: String, headers: inout [String: [String: [HeaderCard]]])
        throws -> Observation
    {
        let grouping = try UpgradeFile.read(HDURef(file: file, name: "GROUPING"), in: dir)
        let names = try strings(grouping, "MEMBER_NAME", path: file)
        let locations = try strings(grouping, "MEMBER_LOCATION", path: file)
        let base = (file as NSString).deletingLastPathComponent
        var obs = Observation(obsID: obsID, members: [])
        for (name, location) in zip(names, locations) {
            guard let target = location.isEmpty ? file : inside(location, base: base) else {
                throw ReleaseError(
                    "\(dir)/\(file): grouping member \(name) at \(location) is outside the release directory")
            }
            if headers[target] == nil {
                headers[target] = Dictionary(
                    try ReleaseIndex.headers(dir + "/" + target).dropFirst().map {
                        (($0[key: "EXTNAME"]?.stringValue ?? "").trimmedBlanks.uppercased(), $0)
                    }, uniquingKeysWith: { first, _ in first })
            }
            let ref = HDURef(file: target, name: name)
            guard let header = headers[target]?[ref.name] else {
                throw ReleaseError("\(dir)/\(target): no HDU named \(name)")
            }
            switch GADFFile.role(of: header) {
            case .events: obs.members.append((ref, .events))
            case .gti: obs.members.append((ref, .gti))
            case .irf(let kind): obs.members.append((ref, .irf(type: kind.layout.hduIndexType)))
            case .other: break
            }
        }
        return obs
    }
}
