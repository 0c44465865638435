import Diagnostics
import FITSIO
import FileOutput
import Foundation
import GADF
import Model
import Parallel

/// `vodf release build`: every item of the plan (IRF sets, then runs) on `jobs` workers, each
/// skipped when its state says it is current; then the index tables and the release's README
/// and metadata. A failed item is reported and the others go on; no index is written then, so
/// a release is never indexed with runs missing.
public struct ReleaseBuilder: Sendable {
    public let plan: ReleasePlan
    public let output: String
    public let creator: String
    public var jobs = 1
    /// Shard i of n (1-based): every n-th item; the index is then left to `release index`.
    public var shard: (index: Int, count: Int)?
    /// Where warnings go; each distinct one once, however many workers meet it.
    public var diagnostics = DiagnosticLog.discard
    public var onProgress: @Sendable (Progress) -> Void = { _ in }

    var manifestPath: String { plan.manifest.path }

    public init(plan: ReleasePlan, output: String, creator: String) {
        self.plan = plan
        self.output = output
        self.creator = creator
    }

    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var events: Int
        public var seconds: Double
    }

    public struct Summary: Sendable {
        /// Items made in this run, and items whose state showed them current.
        public var built: [String] = []
        public var reused: [String] = []
        public var failed: [(item: String, reason: String)] = []
        public var notes: [String] = []
        public var events = 0
        public var indexed: [String] = []
    }

    public func build() throws -> Summary {
        try AtomicOutput.makeDirectory(output)
        // Every set's IRF tables in every format, made on the workers first: the release documents
        // need their kinds, and the IRF files and the VODF runs' grouping rows reuse them.
        // A table's warning is the same in every format: said once.
        let pairs = plan.irfSets.flatMap { s in plan.formats.map { (s, $0) } }
        _ = Parallel.map(pairs.count, workers: jobs) { i in
            try IRFTables.shared.tables(pairs[i].0, pairs[i].1, creator: creator, diagnostics: diagnostics)
        }
        try ReleaseDocuments(plan: plan, creator: creator).write(to: output)
        let items = plan.items(shard: shard)
        let start = Date()
        let progress = ProgressCount(total: items.count)
        let results = Parallel.map(items.count, workers: jobs) { i -> ItemResult in
            let r = Result { try run(items[i]) }
            onProgress(progress.add(events: (try? r.get())?.events ?? 0, since: start))
            return try r.get()
        }
        // The items' files and states were written without fsyncs, one call makes them durable:
        // after a power cut before it, a state whose outputs did not reach the disk records sizes
        // they no longer have, so the next build redoes that item (BuildState.isCurrent).
        FileSystemSync.sync()
        var summary = Summary()
        for (item, result) in zip(items, results) {
            switch result {
            case .success(let r):
                if r.reused { summary.reused.append(item.id) } else { summary.built.append(item.id) }
                summary.events += r.events
                summary.notes += r.notes
            case .failure(let e):
                summary.failed.append((item.id, "\(e)"))
            }
        }
        if shard == nil && summary.failed.isEmpty {
            summary.indexed = try ReleaseIndex(plan: plan, directory: output, creator: creator).write()
        }
        return summary
    }

    struct ItemResult: Sendable {
        var reused: Bool
        var events: Int
        var notes: [String]
    }

    /// One item, unless its state shows it current. The state is saved after the item's files,
    /// so an item killed midway is redone.
    func run(_ item: ReleasePlan.Item) throws -> ItemResult {
        let (inputs, settings) = try fingerprint(item)
        if let state = BuildState.load(output, item: item.id),
            state.isCurrent(in: output, inputs: inputs, settings: settings)
        {
            return ItemResult(reused: true, events: 0, notes: [])
        }
        let files: [String]
        let events: Int
        let notes: [String]
        switch item {
        case .irf(let set): (files, events, notes) = (try buildIRFs(set), 0, [])
        case .run(let r): (files, events, notes) = try buildRun(r)
        }
        var sizes: [String: Int] = [:]
        for f in files {
            sizes[f] = (try? FileManager.default.attributesOfItem(atPath: output + "/" + f))?[.size] as? Int ?? -1
        }
        try BuildState(inputs: inputs, settings: settings, outputs: sizes).save(output, item: item.id)
        return ItemResult(reused: false, events: events, notes: notes)
    }

    /// What an item's outputs depend on: its input files' digests, and the settings as text.
    func fingerprint(_ item: ReleasePlan.Item) throws -> ([String: String], String) {
        var settings = [
            creator, plan.formats.map(\.rawValue).joined(separator: ","),
            "epoch=\(Reproducible.epoch.map(String.init) ?? "none")",
        ]
        let files: [String]
        switch item {
        case .irf(let set):
            files = set.files
            settings += ["\(set.channel)", set.period, set.kind.rawValue]
        case .run(let r):
            files = [r.input]
            settings += ["obs=\(r.obsID)", r.period, r.site.map { "\($0.site)" } ?? "-"]
            settings += plan.channels.map { "\($0.channel)|\($0.reco.rawValue)|\($0.cuts)" }
            // The VODF grouping rows name the IRF tables of the run's period.
            settings += plan.irfSets.filter { $0.period == r.period }.map { "\($0.id):\($0.files)" }
        }
        var inputs: [String: String] = [:]
        for f in files { inputs[f] = try BuildState.digest(f) }
        return (inputs, settings.joined(separator: "\n"))
    }
}

/// Items finished and events written so far, for the progress line.
final class ProgressCount: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0, events = 0
    let total: Int
    init(total: Int) { self.total = total }
    func add(events n: Int, since start: Date) -> ReleaseBuilder.Progress {
        lock.lock()
        defer { lock.unlock() }
        done += 1
        events += n
        return .init(done: done, total: total, events: events, seconds: Date().timeIntervalSince(start))
    }
}
