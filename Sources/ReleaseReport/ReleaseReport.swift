import Foundation
import GADF
import Model
import Pictures
import Publication
import Release
import Validation
import XMLIO

/// `vodf release report`: one self-contained HTML page of a release, needing no network: its
/// metadata, the validation summary by rule, a sortable table of the observations, each
/// observation's pictures (inline SVG), the IRF pictures of each channel, and the whole-release
/// sky map and exposure over time.
public struct ReleaseReport {
    public var validator: Validator
    public var frame: EventPictures.Frame = .equatorial
    public init(validator: Validator) { self.validator = validator }

    public struct Page: Sendable {
        public var html: Data
        public var observations: Int
        public var irfFiles: Int
        public var findings: [Finding]
    }

    public enum Step: Sendable {
        case checking
        case observation(Int, of: Int, String)
        case irfs(String)
    }

    public func page(_ directory: String, progress: (Step) -> Void = { _ in }) throws -> Page {
        let root = (directory as NSString).standardizingPath
        // The event lists as describe reads them, each file read once.
        var read: [String: Observation] = [:]
        let described = try ObsCoreRelease.describe(root, options: ObsCoreOptions(), observed: { read[$0] = $1 })
        progress(.checking)
        let check = ReleaseCheck(validator: validator).run(directory: root)
        let observations = Self.observations(described)
        let shownFiles = Set(observations.map(\.file))
        read = read.filter { shownFiles.contains($0.key) }
        var figures: [XMLElement] = []
        var all: [Observation] = []
        for (k, o) in observations.enumerated() {
            progress(.observation(k + 1, of: observations.count, o.obsID))
            let obs = try read[o.file] ?? GADFFile.observation(path: root + "/" + o.file)
            all.append(obs)
            let figure = Figure(
                title: "OBS_ID \(o.obsID) - \(obs.meta.telescope) \(obs.meta.instrument) - \(o.file)",
                panels: try EventPictures.panels(obs, frame: frame))
            figures.append(
                try Self.figure(
                    figure, id: "obs-\(o.obsID)", className: "observation", caption: "Observation \(o.obsID): \(o.file)"
                ))
        }
        var irfFigures: [XMLElement] = []
        let irfFiles = Self.irfFiles(described)
        let shown = Self.spread(irfFiles, limit: Self.irfLimit)
        if shown.count < irfFiles.count {
            irfFigures.append(
                XMLElement(
                    "p", ["class": "note"],
                    text:
                        "\(irfFiles.count) IRF files (one per observation, as in this release): the pictures of \(shown.count) spread over them are shown: \(shown.joined(separator: ", "))."
                ))
        }
        for file in shown {
            progress(.irfs(file))
            let f = try Peek.figure(path: root + "/" + file)
            irfFigures.append(
                try Self.figure(
                    f, id: "irf-\(Self.anchor(file))", className: "irf",
                    caption: "IRFs: \(file)"
                        + (f.skipped.isEmpty ? "" : " (skipped: \(f.skipped.joined(separator: "; ")))")))
        }
        let release = try Self.releaseFigure(all, rows: described, frame: frame)
        let html = try Self.document(
            root: root, described: described, check: check, profile: validator.profile, observations: observations,
            figures: figures,
            irfFigures: irfFigures, release: release
        ).serializedHTML()
        return Page(html: html, observations: figures.count, irfFiles: shown.count, findings: check.findings)
    }

    /// One row of the observation table: an observation, shown from its first event list (the
    /// VODF tree's when there is one, which holds every channel).
    struct ObservationRow {
        var obsID: String
        var file: String
        var formats: [String]
        var channels: [String]
        var tMin: Double?, tMax: Double?, livetime: Double?
        var events: Int64?
        var energy: (Double, Double)?
    }

    static func observations(_ d: ObsCoreRelease) -> [ObservationRow] {
        var rows: [String: ObservationRow] = [:]
        var order: [String] = []
        for (core, hea) in zip(d.obscore, d.hea) where core["dataproduct_type"] == .text("hea-event-list") {
            guard case .text(let id)? = core["obs_id"], case .text(let did)? = core["obs_publisher_did"] else {
                continue
            }
            let file =
                (did.split(separator: "?", maxSplits: 1).last.map(String.init) ?? "").removingPercentEncoding ?? ""
            let format = core["access_format"] == .text("application/x-fits-vodf") ? "VODF" : "GADF"
            var row = rows[id] ?? ObservationRow(obsID: id, file: file, formats: [], channels: [])
            if rows[id] == nil { order.append(id) }
            if format == "VODF" && !row.formats.contains("VODF") { row.file = file }
            row.formats.append(format)
            if case .text(let c)? = hea["event_type"] { row.channels += c.split(separator: ",").map(String.init) }
            if case .double(let v)? = core["t_min"] { row.tMin = v }
            if case .double(let v)? = core["t_max"] { row.tMax = v }
            if case .double(let v)? = core["t_exptime"] { row.livetime = v }
            if case .int(let n)? = hea["ev_xel"], format == "VODF" || row.events == nil { row.events = n }
            if case .double(let a)? = hea["energy_min"], case .double(let b)? = hea["energy_max"] {
                row.energy = (a, b)
            }
            rows[id] = row
        }
        return order.map { rows[$0]! }
    }

    /// The IRF files the release's observations use, each once, relative to the release.
    static func irfFiles(_ d: ObsCoreRelease) -> [String] {
        var out: [String] = []
        for core in d.obscore where core["dataproduct_type"] == .text("response-function") {
            guard case .text(let did)? = core["obs_publisher_did"] else { continue }
            let path =
                String(did.split(separator: "?", maxSplits: 1).last ?? "").split(separator: "#").first.map(String.init)?
                .removingPercentEncoding ?? ""
            if !out.contains(path) { out.append(path) }
        }
        return out
    }

    /// IRF files drawn at most: a release with per-run IRFs (H.E.S.S. DR1: 105) would make a page
    /// of 180 MB; a few spread over the release show how the responses change.
    static let irfLimit = 6

    /// `limit` items spread evenly over `items` (first and last included), all when they are fewer.
    static func spread<T>(_ items: [T], limit: Int) -> [T] {
        guard items.count > limit, limit > 1 else { return items }
        return (0..<limit).map { items[$0 * (items.count - 1) / (limit - 1)] }
    }

    static func anchor(_ s: String) -> String { s.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined() }

    /// The whole release: every observation's events on one sky map, and the exposure accumulated
    /// over time (LIVETIME at each observation's start, MJD).
    static func releaseFigure(_ all: [Observation], rows: ObsCoreRelease, frame: EventPictures.Frame) throws -> Figure {
        let merged = EventList.concatenating(all.map(\.events))
        var sky = EventPictures.sky(merged, frame: frame)
        sky.title = "all \(merged.count) events of \(all.count) observations, \(frame.rawValue)"
        let starts = all.compactMap { o in
            ObsCoreRelease.mjdUTC(o.meta.timeRef, o.meta.tstart).map { ($0, o.meta.livetime) }
        }.sorted { $0.0 < $1.0 }
        var total = 0.0
        let cumulative = starts.map {
            total += $0.1
            return total / 3600
        }
        let exposure = Panel(
            kind: .curves, title: "exposure over time", x: PlotAxis("observation start (MJD, UTC)", unit: "d"),
            y: PlotAxis("accumulated livetime", unit: "h"),
            curves: [Curve(label: "", x: starts.map { $0.0 }, y: cumulative, style: starts.count > 1 ? .line : .points)]
        )
        return Figure(title: "\(rows.collection): the whole release", panels: [sky, exposure])
    }
}
