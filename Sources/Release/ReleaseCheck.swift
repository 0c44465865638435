import FITSIO
import Foundation
import Validation

/// `vodf release check`: every FITS file of a release validated (index links, events inside
/// their GTIs and the rest of each spec), then what only the release as a whole can say: each
/// observation of each data store has its events, its GTI and every IRF its release.json
/// declares for the channel, and the VODF release grouping lists every observation.
public struct ReleaseCheck {
    public var validator: Validator

    public init(validator: Validator) { self.validator = validator }

    public struct Outcome {
        public var files: [String]
        public var findings: [Finding]
        public var unreadable: Bool
    }

    public func run(directory: String) -> Outcome {
        var findings: [Finding] = []
        var description: ReleaseDocuments.Description?
        // A release that vodf did not build (a published or an upgraded one) has no release.json:
        // its files and index links are checked, the release-level declarations cannot be.
        if FileManager.default.fileExists(atPath: directory + "/" + ReleaseLayout.metadata) {
            do { description = try ReleaseDocuments.load(directory) } catch {
                findings.append(finding(directory + "/" + ReleaseLayout.metadata, "release:metadata", "\(error)"))
            }
        }
        let files = Self.fitsFiles(under: directory)
        var unreadable = false
        var v = validator
        v.confinement = Confinement(roots: [directory])
        for (p, r) in zip(files, v.validate(paths: files)) {
            switch r {
            case .success(let f): findings += f
            case .failure(let e):
                unreadable = true
                findings.append(.unreadable(p, e))
            }
        }
        if let description { findings += releaseFindings(directory, description) }
        return Outcome(files: files, findings: findings, unreadable: unreadable)
    }

    func finding(_ file: String, _ rule: String, _ message: String, hdu: Int? = nil) -> Finding {
        Finding(
            severity: .error, rule: rule, file: file, hdu: hdu, hduName: nil, target: nil, message: message,
            reference: "docs/release-manifest.md")
    }

    /// The checks of the release as a whole.
    func releaseFindings(_ directory: String, _ d: ReleaseDocuments.Description) -> [Finding] {
        var out: [Finding] = []
        for f in d.formats where f != "vodf" {
            for c in d.channels {
                let dir = directory + "/" + f + "/" + c.name
                let index = dir + "/" + ReleaseLayout.hduIndex
                guard FileManager.default.fileExists(atPath: dir + "/events") else { continue }
                guard let rows = try? Self.hduRows(index) else {
                    out.append(
                        finding(
                            index, "release:index-missing",
                            "channel \(c.name) has events but no readable HDU index: run 'vodf release index'"))
                    continue
                }
                let need = ["events", "gti"] + (c.irfs[f] ?? [])
                for (obs, types) in rows.sorted(by: { $0.key < $1.key }) {
                    let missing = need.filter { !types.contains($0) }
                    if !missing.isEmpty {
                        out.append(
                            finding(
                                index, "release:irf-missing",
                                "OBS_ID \(obs) has no \(missing.joined(separator: ", ")) row (channel \(c.name) declares \(need.joined(separator: ", ")))",
                                hdu: 1))
                    }
                }
            }
        }
        if d.formats.contains("vodf") {
            let grouping = directory + "/" + ReleaseLayout.vodfGrouping
            let events = Set(
                ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/vodf/events")) ?? []).filter {
                    $0.hasSuffix(".fits") && !$0.hasPrefix(".")
                })
            if !events.isEmpty {
                let listed = Set(
                    ((try? Self.table(grouping)).map { Self.column($0, "MEMBER_LOCATION") } ?? []).map {
                        ($0 as NSString).lastPathComponent
                    })
                for e in events.subtracting(listed).sorted() {
                    out.append(
                        finding(
                            grouping, "release:grouping-missing",
                            "vodf/events/\(e) is not listed in the release grouping table: run 'vodf release index'"))
                }
            }
        }
        return out
    }

    /// OBS_ID -> the HDU types an HDU index lists for it.
    static func hduRows(_ path: String) throws -> [Int64: Set<String>] {
        let t = try table(path)
        let ids = intColumn(t, "OBS_ID")
        let types = column(t, "HDU_TYPE")
        var out: [Int64: Set<String>] = [:]
        for (i, t) in zip(ids, types) {
            out[i, default: []].insert(t.trimmingCharacters(in: .whitespaces).lowercased())
        }
        return out
    }

    static func table(_ path: String) throws -> Table {
        let f = try FITSFile.open(path: path)
        defer { try? f.close() }
        _ = try f.moveTo(hdu: 2)
        return try f.readTable()
    }

    static func column(_ t: Table, _ name: String) -> [String] {
        guard case .string(let v)? = t.column(name) else { return [] }
        return v
    }

    static func intColumn(_ t: Table, _ name: String) -> [Int64] {
        switch t.column(name) {
        case .int64(let v)?: return v
        case .int32(let v)?: return v.map(Int64.init)
        case .int16(let v)?: return v.map(Int64.init)
        default: return []
        }
    }

    /// Every FITS file under the release directory, the state directory left out.
    static func fitsFiles(under directory: String) -> [String] {
        guard let walk = FileManager.default.enumerator(atPath: directory) else { return [] }
        return walk.compactMap { $0 as? String }
            .filter { !$0.hasPrefix(".vodf-state") && !($0 as NSString).lastPathComponent.hasPrefix(".") }
            .filter { FITSFile.isFITSName($0) }
            .sorted().map { directory + "/" + $0 }
    }
}
