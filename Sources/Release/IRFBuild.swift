import Conversion
import Diagnostics
import FITSIO
import Foundation
import GADF
import Model

/// The IRF tables of one channel and period in one format, from the set's sources. The same
/// tables serve the IRF file and (VODF) the grouping rows of the runs that use it, so they are
/// made once per process (`IRFTables.shared`).
final class IRFTables: @unchecked Sendable {
    static let shared = IRFTables()
    /// One entry per set and format, made by the first caller while later ones wait on its lock
    /// (so different sets and formats are made at the same time).
    private final class Entry: @unchecked Sendable {
        let lock = NSLock()
        var result: Result<[Table], Error>?
    }
    private var entries: [String: Entry] = [:]
    private let lock = NSLock()

    func tables(
        _ set: ReleasePlan.IRFSet, _ flavor: OutputProfile, creator: String, diagnostics: DiagnosticLog
    ) throws -> [Table] {
        let key = set.id + "|" + flavor.rawValue
        lock.lock()
        let entry = entries[key] ?? Entry()
        entries[key] = entry
        lock.unlock()
        entry.lock.lock()
        defer { entry.lock.unlock() }
        if let r = entry.result { return try r.get() }
        let r = Result { try Self.make(set, flavor, creator: creator, diagnostics: diagnostics) }
        entry.result = r
        return try r.get()
    }

    private static func make(
        _ set: ReleasePlan.IRFSet, _ flavor: OutputProfile, creator: String, diagnostics: DiagnosticLog
    ) throws -> [Table] {
        var o = ConversionOptions()
        o.format = flavor
        o.creator = creator
        o.channel = set.channel
        o.period = set.period
        o.channelInName = true
        o.diagnostics = diagnostics
        let tables: [Table]
        switch set.kind {
        case .tables:
            tables = try Converter.convertIRFTables(set.files, options: o).tables
        case .gadf:
            o.holding = .irf
            tables = try set.files.flatMap { try Converter.convert($0, options: o).tables }
        case .mc:
            var settings = MonteCarloConversion.Settings()
            settings.kinds = [.aeff, .psf, .edisp, .bkg]
            tables = try MonteCarloConversion.build(set.files, settings: settings, options: o).tables
        }
        guard !tables.isEmpty else {
            throw ReleaseError(
                "channel \(set.channel.name), period \(set.period): no IRF in \(set.files.joined(separator: ", ")) can be written in \(flavor.rawValue)"
            )
        }
        return tables
    }
}

extension ReleaseBuilder {
    /// Writes the IRF file of one channel and period for every format; returns the files written.
    func buildIRFs(_ set: ReleasePlan.IRFSet) throws -> [String] {
        var written: [String] = []
        for f in plan.formats {
            let tables = try IRFTables.shared.tables(set, f, creator: creator, diagnostics: diagnostics)
            let relative = ReleaseLayout.irfs(f, channel: set.channel.name, period: set.period)
            try FITSOutput.write(
                tables, primary: FITSOutput.primaryCards(creator: creator, origin: "KM3NeT", telescope: "KM3NeT"),
                to: try ReleaseLayout.prepare(output, relative), durable: false)
            written.append(relative)
        }
        return written
    }
}
