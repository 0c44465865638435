import Diagnostics
import FileOutput
import Foundation
import GADF
import Model

/// The release's machine-readable description (`release.json`) and its README, both from the
/// manifest and the plan alone (no dates, no machine paths), so every shard writes the same.
public struct ReleaseDocuments {
    let plan: ReleasePlan
    let creator: String

    /// What `release.json` holds; `release check` and the tests read it back.
    public struct Description: Codable, Equatable, Sendable {
        public struct Channel: Codable, Equatable, Sendable {
            public var name: String
            public var evtType: Int
            public var reconstruction: String
            public var cuts: [Manifest.Cut]
            /// HDU types of the IRFs each format carries for the channel (`aeff`, `psf`, ...).
            public var irfs: [String: [String]]
        }
        public struct Run: Codable, Equatable, Sendable {
            public var obsID: Int
            public var input: String
            public var period: String
            // "obs_id" both ways (the snake-case strategies would read it back as obsId).
            enum CodingKeys: String, CodingKey {
                case obsID = "obsId"
                case input, period
            }
        }
        public var release: Manifest.Metadata
        public var builtWith: String
        public var formats: [String]
        public var periods: [String]
        public var channels: [Channel]
        public var runs: [Run]
    }

    func description() throws -> Description {
        let channels = try plan.channels.map { c -> Description.Channel in
            var irfs: [String: [String]] = [:]
            for f in plan.formats {
                var types: [String] = []
                for set in plan.irfSets where set.channel == c.channel {
                    for t in try IRFTables.shared.tables(set, f, creator: creator, diagnostics: .discard) {
                        if let k = GADFIRFReader.kind(of: t.header), !types.contains(k.layout.hduIndexType) {
                            types.append(k.layout.hduIndexType)
                        }
                    }
                }
                irfs[f.rawValue] = types
            }
            return .init(
                name: c.channel.name, evtType: c.channel.number, reconstruction: c.reco.rawValue, cuts: c.cuts,
                irfs: irfs)
        }
        return Description(
            release: plan.manifest.release, builtWith: creator, formats: plan.formats.map(\.rawValue),
            periods: plan.periods,
            channels: channels,
            runs: plan.runs.map {
                .init(obsID: $0.obsID, input: ($0.input as NSString).lastPathComponent, period: $0.period)
            })
    }

    func write(to directory: String) throws {
        let d = try description()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try AtomicOutput.write(try encoder.encode(d) + Data("\n".utf8), to: directory + "/" + ReleaseLayout.metadata)
        try AtomicOutput.write(Data(readme(d).utf8), to: directory + "/" + ReleaseLayout.readme)
    }

    public static func load(_ directory: String) throws -> Description {
        let path = directory + "/" + ReleaseLayout.metadata
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReleaseError("\(path): missing: not a release directory built by vodf release build")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do { return try decoder.decode(Description.self, from: data) } catch {
            throw ReleaseError("\(path): unreadable: \(error)")
        }
    }

    func readme(_ d: Description) -> String {
        let r = d.release
        var lines = ["# \(r.name) \(r.version)", ""]
        if let text = r.description { lines += [text, ""] }
        lines += ["- Creator: \(r.creator)", "- Licence: \(r.licence)"]
        if let c = r.contact { lines.append("- Contact: \(c)") }
        if let doi = r.doi { lines.append("- DOI: \(doi)") }
        lines += r.references.map { "- Reference: \($0)" }
        lines += [
            "- Built with: \(d.builtWith)",
            "- Runs: \(d.runs.count); detector periods: \(d.periods.joined(separator: ", "))", "",
        ]
        if !r.notes.isEmpty { lines += ["## Notes", ""] + r.notes.map { "- \($0)" } + [""] }
        lines += ["## Channels", "", "| channel | EVT_TYPE | reconstruction | cuts | IRFs |", "|---|---|---|---|---|"]
        for c in d.channels {
            let cuts = c.cuts.map { "\($0.min.map { "\($0) ≤ " } ?? "")\($0.column)\($0.max.map { " ≤ \($0)" } ?? "")" }
                .joined(separator: ", ")
            let irfs = d.formats.map { "\($0): \((c.irfs[$0] ?? []).joined(separator: ", "))" }.joined(separator: "; ")
            lines.append(
                "| \(c.name) | \(c.evtType) | \(c.reconstruction) | \(cuts.isEmpty ? "none" : cuts) | \(irfs) |")
        }
        lines += ["", "An event belongs to the first channel, in this order, that selects it.", "", "## Layout", ""]
        for f in d.formats {
            if f == "vodf" {
                lines.append(
                    "- `vodf/`: `events/obs_NNNNNNNN.fits` (event-list with EVT_TYPE, GTI, GROUPING linking the IRFs of each event type), `irfs/CHANNEL_PERIOD.fits`, and `obs-grouping.fits` listing every observation."
                )
            } else {
                lines.append(
                    "- `\(f)/CHANNEL/`: `hdu-index.fits.gz`, `obs-index.fits.gz`, `events/obs_NNNNNNNN.fits` (EVENTS, GTI) and `irfs/PERIOD.fits`, shared by the runs of that period. GADF has no event types, so each channel is its own data store."
                )
            }
        }
        if let gadf = d.formats.first(where: { $0 != "vodf" }), let c = d.channels.first {
            let irfs = (c.irfs[gadf] ?? []).map { "\"\($0)\"" }.joined(separator: ", ")
            lines += [
                "", "## Opening it with gammapy", "", "```python", "from gammapy.data import DataStore",
                "store = DataStore.from_dir(\"\(gadf)/\(c.name)\")",
                "observations = store.get_observations(required_irf=[\(irfs)])", "```",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
