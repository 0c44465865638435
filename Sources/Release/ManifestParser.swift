import Foundation
import YAMLIO

extension Manifest {
    /// Reads and checks a manifest. Every error names the file, the line and the key.
    public static func load(path: String) throws -> Manifest {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ManifestError(file: path, line: nil, key: nil, reason: "cannot read the manifest")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ManifestError(file: path, line: nil, key: nil, reason: "not UTF-8 text")
        }
        let root: YAMLNode?
        do { root = try YAMLNode.parse(text) } catch let e as YAMLNode.SyntaxError {
            throw ManifestError(file: path, line: e.line, key: nil, reason: "not YAML: \(e.description)")
        }
        guard let root else { throw ManifestError(file: path, line: nil, key: nil, reason: "empty manifest") }
        let top = try Fields(
            root, file: path, at: "top level", line: 1,
            known: ["release", "formats", "site", "runs", "channels"])
        let meta = try top.fields(
            "release",
            known: ["name", "version", "creator", "contact", "licence", "doi", "references", "description", "notes"])
        let release = Metadata(
            name: try meta.string("name"), version: try meta.string("version"), creator: try meta.string("creator"),
            contact: try meta.optionalString("contact"), licence: try meta.string("licence"),
            doi: try meta.optionalString("doi"), references: try meta.strings("references"),
            description: try meta.optionalString("description"), notes: try meta.strings("notes"))
        let formats = try top.strings("formats")
        guard !formats.isEmpty else {
            throw top.error("formats", "list at least one output format (gadf-0.3, gadf-0.2, vodf)")
        }
        let runs = try top.list("runs").map { try runEntry($0, file: path) }
        guard !runs.isEmpty else { throw top.error("runs", "list at least one run") }
        let channels = try top.list("channels").map { try channel($0, file: path) }
        guard !channels.isEmpty else { throw top.error("channels", "declare at least one channel (name, reco, irfs)") }
        var names: [String: Int] = [:]
        for c in channels {
            if let first = names[c.name] {
                throw ManifestError(
                    file: path, line: c.line, key: "name",
                    reason: "channel '\(c.name)' is declared twice (first on line \(first))")
            }
            names[c.name] = c.line
        }
        return Manifest(
            path: path, release: release, formats: formats, site: try top.optionalString("site"), runs: runs,
            channels: channels)
    }

    static func runEntry(_ item: YAMLNode.Item, file: String) throws -> RunEntry {
        let f = try Fields(
            item.node, file: file, at: "run", line: item.line, known: ["file", "files", "obs_id", "period", "site"])
        let single = try f.optionalString("file")
        let glob = try f.optionalString("files")
        guard (single == nil) != (glob == nil) else {
            throw f.error(nil, "a run gives either file: (one file) or files: (a glob)")
        }
        let obsID = try f.optionalInt("obs_id")
        if obsID != nil && glob != nil {
            throw f.error("obs_id", "obs_id needs file: (one file); a glob's files keep their own run numbers")
        }
        return RunEntry(
            pattern: single ?? glob!, isGlob: glob != nil, obsID: obsID, period: try f.period(),
            site: try f.optionalString("site"), line: f.line(single != nil ? "file" : "files"),
            obsIDLine: f.line("obs_id"))
    }

    static func channel(_ item: YAMLNode.Item, file: String) throws -> Channel {
        let f = try Fields(
            item.node, file: file, at: "channel", line: item.line, known: ["name", "reco", "cuts", "irfs"])
        let name = try f.string("name")
        guard name.range(of: "^[a-z][a-z0-9]{0,15}$", options: .regularExpression) != nil else {
            throw f.error(
                "name",
                "'\(name)' is not a channel name: a lower-case word of at most 16 letters and digits (track, shower)")
        }
        var cuts: [Cut] = []
        if let c = f.node("cuts") {
            let m = try Fields(c, file: file, at: "cuts", line: f.line("cuts"), known: nil)
            for (column, _) in m.pairs {
                let b = try m.fields(column, known: ["min", "max"])
                let cut = Cut(column: column, min: try b.optionalDouble("min"), max: try b.optionalDouble("max"))
                guard cut.min != nil || cut.max != nil else { throw b.error(nil, "a cut gives min:, max: or both") }
                cuts.append(cut)
            }
        }
        let irfs = try f.list("irfs").map { item -> IRFSource in
            let s = try Fields(
                item.node, file: file, at: "irfs entry", line: item.line, known: ["period", "tables", "gadf", "mc"])
            let given = IRFSourceKind.allCases.filter { s.node($0.rawValue) != nil }
            guard given.count == 1, let kind = given.first else {
                throw s.error(
                    nil,
                    "an IRF source gives exactly one of tables: (KM3NeT IRF tables), gadf: (a GADF or VODF IRF file), mc: (Monte Carlo dst files)"
                )
            }
            return IRFSource(
                period: try s.period(), kind: kind, pattern: try s.string(kind.rawValue), line: s.line(kind.rawValue))
        }
        guard !irfs.isEmpty else {
            throw f.error("irfs", "channel '\(name)' has no IRFs: give irfs: with tables:, gadf: or mc:")
        }
        return Channel(
            name: name, reco: try f.optionalString("reco") ?? "jmuon", cuts: cuts, irfs: irfs, line: item.line)
    }
}

/// One mapping of the manifest, read with its keys checked: an unknown key, a missing one or a
/// value of the wrong kind is an error naming the file, the line and the key.
struct Fields {
    let file: String
    let at: String
    let startLine: Int
    let entries: [YAMLNode.Pair]

    init(_ node: YAMLNode, file: String, at: String, line: Int, known: [String]?) throws {
        self.file = file
        self.at = at
        self.startLine = line
        guard let e = node.entries else {
            throw ManifestError(file: file, line: line, key: nil, reason: "\(at) must be a mapping (key: value lines)")
        }
        entries = e
        var seen: [String: Int] = [:]
        for p in e {
            let k = p.key.text ?? ""
            if let first = seen[k] {
                throw ManifestError(
                    file: file, line: p.line, key: k, reason: "given twice in \(at) (first on line \(first))")
            }
            seen[k] = p.line
            if let known, !known.contains(k) {
                throw ManifestError(
                    file: file, line: p.line, key: k,
                    reason: "unknown key in \(at) (known: \(known.joined(separator: ", ")))")
            }
        }
    }

    var pairs: [(String, YAMLNode)] { entries.map { ($0.key.text ?? "", $0.value) } }
    func node(_ key: String) -> YAMLNode? { entries.first { $0.key.text == key }?.value }
    func line(_ key: String) -> Int { entries.first { $0.key.text == key }?.line ?? startLine }
    func error(_ key: String?, _ reason: String) -> ManifestError {
        ManifestError(file: file, line: key.map(line) ?? startLine, key: key, reason: reason)
    }

    func optionalString(_ key: String) throws -> String? {
        guard let n = node(key) else { return nil }
        guard let t = n.text else { throw error(key, "must be text, not a list or mapping") }
        if case .scalar = n, n.resolved == .null { return nil }
        return t
    }
    func string(_ key: String) throws -> String {
        guard let s = try optionalString(key), !s.isEmpty else { throw error(key, "is required in \(at)") }
        return s
    }
    /// A detector period's name, which becomes part of file names.
    func period() throws -> String? {
        guard let p = try optionalString("period") else { return nil }
        guard p.range(of: "^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$", options: .regularExpression) != nil else {
            throw error(
                "period",
                "'\(p)' is not a period name: letters, digits, '_', '.' and '-', at most 40 (it names the IRF files)")
        }
        return p
    }

    func optionalInt(_ key: String) throws -> Int? {
        guard let n = node(key) else { return nil }
        guard case .int(let i)? = n.resolved else {
            throw error(key, "must be a whole number, not '\(n.text ?? "a list")'")
        }
        return i
    }
    func optionalDouble(_ key: String) throws -> Double? {
        guard let n = node(key) else { return nil }
        switch n.resolved {
        case .int(let i)?: return Double(i)
        case .double(let d)? where d.isFinite: return d
        default: throw error(key, "must be a finite number, not '\(n.text ?? "a list")'")
        }
    }
    func strings(_ key: String) throws -> [String] {
        guard let n = node(key) else { return [] }
        if let t = n.text { return [t] }
        guard let items = n.items else { throw error(key, "must be a list") }
        return try items.map { i in
            guard let t = i.text else { throw error(key, "must be a list of text") }
            return t
        }
    }
    func list(_ key: String) throws -> [YAMLNode.Item] {
        guard let n = node(key) else { throw error(key, "is required in \(at)") }
        guard let items = n.lineItems else { throw error(key, "must be a list (lines starting with '- ')") }
        return items
    }
    func fields(_ key: String, known: [String]?) throws -> Fields {
        guard let n = node(key) else { throw error(key, "is required in \(at)") }
        return try Fields(n, file: file, at: key, line: line(key), known: known)
    }
}
