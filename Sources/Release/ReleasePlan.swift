import Astrometry
import Conversion
import Foundation
import GADF
import KM3NeT
import Model
import Readers

/// A manifest made concrete: every run file with its OBS_ID and detector period, every channel
/// with its reconstruction and cuts, and one IRF set per channel and period. Errors here are
/// manifest errors (file, line, key); nothing has been written yet.
public struct ReleasePlan: Sendable {
    public struct Run: Sendable {
        public var obsID: Int
        public var input: String
        /// The input format of the run file, detected once from its content.
        public var format: any InputFormat
        public var period: String
        public var site: DetectorLocation?
        public var line: Int
        public var id: String { "run-\(obsID)" }
    }

    public struct Channel: Sendable {
        public var channel: EventChannel
        public var reco: Reconstruction
        public var cuts: [Manifest.Cut]
    }

    /// The IRFs of one channel in one detector period, from the manifest's sources.
    public struct IRFSet: Sendable {
        public var channel: EventChannel
        public var period: String
        public var kind: Manifest.IRFSourceKind
        public var files: [String]
        public var id: String { "irf-\(channel.name)-\(period)" }
    }

    public var manifest: Manifest
    public var formats: [OutputProfile]
    public var runs: [Run]
    public var channels: [Channel]
    public var irfSets: [IRFSet]
    public var periods: [String]

    /// The work of a build, in a fixed order (IRF sets, then runs by OBS_ID), so that a shard is
    /// the same subset on every machine.
    public enum Item: Sendable {
        case irf(IRFSet)
        case run(Run)
        public var id: String {
            switch self {
            case .irf(let s): s.id
            case .run(let r): r.id
            }
        }
    }

    public var items: [Item] { irfSets.map(Item.irf) + runs.map(Item.run) }

    /// Items of shard `index` (1-based) of `count`: every count-th item.
    public func items(shard: (index: Int, count: Int)?) -> [Item] {
        guard let shard else { return items }
        return items.enumerated().filter { $0.offset % shard.count == shard.index - 1 }.map(\.element)
    }
}

extension ReleasePlan {
    public init(manifest m: Manifest) throws {
        manifest = m
        func fail(_ line: Int?, _ key: String?, _ reason: String) -> ManifestError {
            ManifestError(file: m.path, line: line, key: key, reason: reason)
        }
        formats = try m.formats.map { name in
            guard let f = OutputProfile(rawValue: name), OutputProfile.releaseFormats.contains(f) else {
                throw fail(
                    nil, "formats",
                    "unknown release format '\(name)' (known: \(OutputProfile.releaseFormats.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            return f
        }
        let defaultSite = try m.site.map { name -> DetectorLocation in
            guard let s = DetectorSites.named(name) else {
                throw fail(nil, "site", "unknown site '\(name)' (known: orca, arca, antares)")
            }
            return s
        }
        channels = try m.channels.enumerated().map { i, c in
            guard let reco = Reconstruction(rawValue: c.reco) else {
                throw fail(
                    c.line, "reco",
                    "unknown reconstruction '\(c.reco)' (known: \(Reconstruction.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            return Channel(channel: EventChannel(name: c.name, number: i + 1), reco: reco, cuts: c.cuts)
        }
        let declared = Set(m.channels.flatMap { $0.irfs.compactMap(\.period) }).sorted()
        runs = try Self.runs(m, declaredPeriods: declared, defaultSite: defaultSite)
        periods = Array(Set(runs.map(\.period))).sorted()
        irfSets = try Self.irfSets(m, channels: channels, periods: periods)
    }

    static func runs(_ m: Manifest, declaredPeriods: [String], defaultSite: DetectorLocation?) throws -> [Run] {
        var runs: [Run] = []
        var byObsID: [Int: Run] = [:]
        for entry in m.runs {
            let key = entry.isGlob ? "files" : "file"
            let files = entry.isGlob ? Glob.expand(m.resolve(entry.pattern)) : [m.resolve(entry.pattern)]
            guard !files.isEmpty else {
                throw ManifestError(
                    file: m.path, line: entry.line, key: key, reason: "no file matches '\(entry.pattern)'")
            }
            let period: String
            if let p = entry.period {
                period = p
            } else if declaredPeriods.count <= 1 {
                period = declaredPeriods.first ?? "all"
            } else {
                throw ManifestError(
                    file: m.path, line: entry.line, key: "period",
                    reason:
                        "the IRFs name several periods (\(declaredPeriods.joined(separator: ", "))): say which one this run belongs to"
                )
            }
            let site =
                try entry.site.map { name -> DetectorLocation in
                    guard let s = DetectorSites.named(name) else {
                        throw ManifestError(
                            file: m.path, line: entry.line, key: "site",
                            reason: "unknown site '\(name)' (known: orca, arca, antares)")
                    }
                    return s
                } ?? defaultSite
            for f in files {
                guard FileManager.default.isReadableFile(atPath: f) else {
                    throw ManifestError(
                        file: m.path, line: entry.line, key: key,
                        reason: "run file \(f) does not exist or cannot be read")
                }
                let format: any InputFormat
                do { format = try InputFormats.detect(path: f) } catch {
                    throw ManifestError(file: m.path, line: entry.line, key: key, reason: "\(error)")
                }
                guard format.holds(.events) else {
                    throw ManifestError(
                        file: m.path, line: entry.line, key: key, reason: "\(f) is a \(format.name), not an event file")
                }
                var obsID = entry.obsID
                if obsID == nil {
                    do { obsID = try format.runNumber(f) } catch {
                        throw ManifestError(file: m.path, line: entry.line, key: key, reason: "\(error)")
                    }
                }
                guard let obsID else {
                    throw ManifestError(
                        file: m.path, line: entry.line, key: key, reason: "\(f) carries no run number: give obs_id")
                }
                guard obsID >= 0 else {
                    throw ManifestError(
                        file: m.path, line: entry.obsIDLine, key: "obs_id", reason: "OBS_ID \(obsID) is negative")
                }
                if let other = byObsID[obsID] {
                    throw ManifestError(
                        file: m.path, line: entry.obsID != nil ? entry.obsIDLine : entry.line,
                        key: entry.obsID != nil ? "obs_id" : key,
                        reason:
                            "OBS_ID \(obsID) of \(f) is also the OBS_ID of \(other.input) (line \(other.line)): give each run its own obs_id"
                    )
                }
                let run = Run(obsID: obsID, input: f, format: format, period: period, site: site, line: entry.line)
                byObsID[obsID] = run
                runs.append(run)
            }
        }
        return runs.sorted { $0.obsID < $1.obsID }
    }

    static func irfSets(_ m: Manifest, channels: [Channel], periods: [String]) throws -> [IRFSet] {
        var sets: [IRFSet] = []
        for (c, plan) in zip(m.channels, channels) {
            for p in periods {
                let sources = c.irfs.filter { $0.period == nil || $0.period == p }
                guard let first = sources.first else {
                    throw ManifestError(
                        file: m.path, line: c.line, key: "irfs",
                        reason: "channel '\(c.name)' has no IRFs for period '\(p)'")
                }
                guard sources.allSatisfy({ $0.kind == first.kind }) else {
                    throw ManifestError(
                        file: m.path, line: sources[1].line, key: sources[1].kind.rawValue,
                        reason: "channel '\(c.name)', period '\(p)': one kind of IRF source per period")
                }
                var files: [String] = []
                for s in sources {
                    let found = Glob.expand(m.resolve(s.pattern))
                    guard !found.isEmpty else {
                        throw ManifestError(
                            file: m.path, line: s.line, key: s.kind.rawValue, reason: "no file matches '\(s.pattern)'")
                    }
                    files += found
                }
                sets.append(IRFSet(channel: plan.channel, period: p, kind: first.kind, files: files))
            }
        }
        return sets
    }
}

/// Shell-style file patterns (`data/*.root`), expanded in sorted order; a path without a
/// wildcard stands for itself when it exists.
enum Glob {
    static func expand(_ pattern: String) -> [String] {
        var g = glob_t()
        defer { globfree(&g) }
        guard glob(pattern, 0, nil, &g) == 0 else { return [] }
        return (0..<Int(g.gl_pathc)).compactMap { g.gl_pathv[$0].map { String(cString: $0) } }.sorted()
    }
}
