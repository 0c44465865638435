import FITSIO
import FileOutput
import Foundation
import GADF
import Model
import Parallel
import Readers

/// `vodf release upgrade`: every HDU of a release read into the model and written again in the
/// target format, file for file (the same relative paths, so each file of the source has one
/// counterpart), with the index or grouping tables of the target, and a list of what could not be
/// carried over (`upgrade-report.txt`).
public struct ReleaseUpgrade: Sendable {
    public let source: UpgradeSource
    public let target: OutputProfile
    public let output: String
    public let creator: String
    public var jobs = 1
    /// Upgrade the observations whose files are all there, and list the others (an excerpt of a
    /// release, whose index still names every run).
    public var skipMissing = false
    public var onProgress: @Sendable (ReleaseBuilder.Progress) -> Void = { _ in }

    public init(source: UpgradeSource, target: OutputProfile, output: String, creator: String) {
        self.source = source
        self.target = target
        self.output = output
        self.creator = creator
    }

    public struct Summary: Sendable {
        public var files = 0
        public var observations = 0
        public var events = 0
        public var irfs = 0
        public var omissions: [Omission] = []
        public var copied: [String] = []
        public var written: [String] = []
    }

    public static let reportName = "upgrade-report.txt"

    public func run() throws -> Summary {
        guard source.absent.isEmpty || skipMissing else {
            throw ReleaseError(
                "\(source.directory): \(source.absent.count) file(s) named by the index are missing (first: \(source.absent[0])); nothing written (--skip-missing upgrades the observations that are complete)"
            )
        }
        guard !source.observations.isEmpty else {
            throw ReleaseError("\(source.directory): no observation with all its files; nothing written")
        }
        let out = (output as NSString).standardizingPath
        guard out != source.directory else {
            throw ReleaseError("\(output): the output directory is the release being upgraded")
        }
        let plan = try UpgradePlan(source: source, target: target)
        try AtomicOutput.makeDirectory(out)
        let start = Date()
        let progress = ProgressCount(total: plan.files.count)
        let results = Parallel.map(plan.files.count, workers: jobs) { i -> FileResult in
            let r = Result { try UpgradeFile(plan: plan, file: plan.files[i], output: out, creator: creator).run() }
            onProgress(progress.add(events: (try? r.get())?.events ?? 0, since: start))
            return try r.get()
        }
        var summary = Summary(
            omissions: source.omissions
                + source.absent.map {
                    Omission(
                        file: $0, what: "the file",
                        why: "the index names it but the release does not hold it; its observations are left out")
                }
                + (source.absentObservations.isEmpty
                    ? []
                    : [
                        Omission(
                            file: "", what: "\(source.absentObservations.count) observation(s)",
                            value: source.absentObservations.prefix(5).joined(separator: ", ")
                                + (source.absentObservations.count > 5 ? ", ..." : ""),
                            why: "a file they need is missing")
                    ]))
        var written: [String: FileResult] = [:]
        for (file, result) in zip(plan.files, results) {
            switch result {
            case .success(let r):
                written[file] = r
                summary.events += r.events
                summary.irfs += r.irfs.count
                summary.omissions += r.omissions
            case .failure(let e): throw ReleaseError("\(source.directory)/\(file): \(e)")
            }
        }
        summary.files = plan.files.count
        summary.observations = plan.observations.count
        summary.written =
            plan.files
            + (try UpgradeIndex(plan: plan, results: written, output: out, creator: creator).write(
                omissions: &summary.omissions))
        // A report of an earlier upgrade is not the source's own.
        for name in source.otherFiles where name != Self.reportName {
            let data = try Data(contentsOf: URL(fileURLWithPath: source.directory + "/" + name))
            try AtomicOutput.write(data, to: out + "/" + name)
            summary.copied.append(name)
        }
        try AtomicOutput.write(
            Data(Self.report(summary, source: source, target: target).utf8), to: out + "/" + Self.reportName)
        return summary
    }

    /// What a file's conversion gives the index: its observations' events headers and event
    /// counts, and each IRF's HDU_TYPE and HDU_CLASS (from its kind's layout).
    struct FileResult: Sendable {
        var events = 0
        var eventHeaders: [String: [HeaderCard]] = [:]
        /// HDU_TYPE, HDU_CLASS (from the kind's layout) and EXTNAME of each IRF written.
        var irfs: [UpgradeSource.HDURef: (type: String, hduClass: String, name: String)] = [:]
        var omissions: [Omission] = []
    }

    /// The report: what was carried, then each kind of omission once, with how many files it
    /// concerns and an example, then every omission.
    static func report(_ s: Summary, source: UpgradeSource, target: OutputProfile) -> String {
        var lines = [
            "vodf release upgrade: \(source.directory) (\(source.layout.rawValue)) -> \(target.rawValue)",
            "\(s.observations) observations, \(s.events) events, \(s.irfs) IRF HDUs in \(s.files) files; copied as they are: \(s.copied.isEmpty ? "none" : s.copied.joined(separator: ", "))",
            "", "Not carried over (\(s.omissions.count)):",
        ]
        lines += grouped(s.omissions)
        lines +=
            ["", "Every omission:"]
            + s.omissions.map { "  \($0.file): \($0.what)\($0.value.isEmpty ? "" : " = \($0.value)"): \($0.why)" }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ReleaseUpgrade {
    /// Each kind of omission once, in the order first met, with how many files it concerns and
    /// an example value ("  nothing" when there is none).
    public static func grouped(_ omissions: [Omission]) -> [String] {
        var groups: [String: [Omission]] = [:]
        var order: [String] = []
        for o in omissions {
            let key = o.what + " — " + o.why
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(o)
        }
        let lines = order.map { key -> String in
            let g = groups[key]!
            let files = Set(g.map(\.file)).count
            return "  \(key) (\(files) file\(files == 1 ? "" : "s")\(g[0].value.isEmpty ? "" : "; e.g. \(g[0].value)"))"
        }
        return lines.isEmpty ? ["  nothing"] : lines
    }
}

/// Which files to write and which HDUs of them each observation uses.
struct UpgradePlan: Sendable {
    let source: UpgradeSource
    let target: OutputProfile
    /// Every file the observations use, sorted.
    let files: [String]
    let observations: [UpgradeSource.Observation]
    /// The HDUs used in each file.
    let used: [String: Set<UpgradeSource.HDURef>]

    init(source: UpgradeSource, target: OutputProfile) throws {
        self.source = source
        self.target = target
        observations = source.observations
        var used: [String: Set<UpgradeSource.HDURef>] = [:]
        var eventsIn: [String: String] = [:]
        for o in observations {
            guard let events = o.events, o.gti != nil else {
                throw ReleaseError(
                    "\(source.directory): observation \(o.obsID) has no \(o.events == nil ? "events" : "GTI") HDU in the index"
                )
            }
            if let other = eventsIn[events.file] {
                throw ReleaseError(
                    "\(source.directory)/\(events.file): holds the events of observations \(other) and \(o.obsID); each observation needs its own file"
                )
            }
            eventsIn[events.file] = o.obsID
            for m in o.members { used[m.ref.file, default: []].insert(m.ref) }
            // GADF has no event types: gammapy takes one HDU of each type per observation.
            if target.releaseLayout == .dataStore {
                var seen: Set<String> = []
                for case .irf(let type) in o.members.map(\.role) where !seen.insert(type).inserted {
                    throw ReleaseError(
                        "\(source.directory): observation \(o.obsID) uses two \(type) HDUs, as a release with event types does; GADF holds one per observation (vodf release build writes one GADF data store per channel); nothing written"
                    )
                }
            }
        }
        self.used = used
        files = used.keys.sorted()
    }

    /// The EXTNAME an HDU has in the target: the format's for events and GTIs, the source's for IRFs.
    func name(_ ref: UpgradeSource.HDURef, _ role: UpgradeSource.Role) -> String {
        switch role {
        case .events: return target.eventsExtname
        case .gti: return "GTI"
        case .irf: return ref.name
        }
    }
}
