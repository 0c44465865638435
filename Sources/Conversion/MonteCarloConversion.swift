import Diagnostics
import FITSIO
import Foundation
import GADF
import MCIRF
import Model

/// IRFs built from Monte Carlo dst files (`vodf irf build`, a release's `mc:` source).
public enum MonteCarloConversion {
    public struct Settings: Sendable {
        public var kinds: [MCIRFBuilder.Kind] = [.aeff, .psf, .edisp]
        /// The km3irf event cuts (BDT scores).
        public var cuts = false
        public var weightFactor = -2.5
        /// Normalise by the generated events the files' headers declare, not km3irf's way.
        public var corrected = true
        public init() {}
    }

    /// The IRF tables, and one line saying what they were built from.
    public static func build(_ inputs: [String], settings: Settings, options o: ConversionOptions) throws -> (
        tables: [Table], summary: String
    ) {
        var mc = MCIRFBuilder.Options()
        mc.cuts = settings.cuts
        mc.weightFactor = settings.weightFactor
        var (events, skipped) = try MCIRFBuilder.readEvents(paths: inputs, needBDT: settings.cuts)
        if settings.cuts { events = MCIRFBuilder.applyCuts(events) }
        if settings.corrected { mc.generatedEvents = try MCIRFBuilder.generatedEvents(paths: inputs) }
        guard events.count > 0 else {
            throw ConversionError("\(inputs.joined(separator: ", ")): no events left to build from", .badInput)
        }
        let context = IRFContext(
            telescope: "KM3NeT", instrument: o.instrument ?? "KM3NeT", origin: "KM3NeT", creator: o.creator,
            provenance: inputs.map { ($0 as NSString).lastPathComponent }, channel: o.channel, period: o.period,
            channelInName: o.channelInName)
        let writer = IRFWriter(flavor: o.format)
        var tables: [Table] = []
        for k in settings.kinds {
            do { tables.append(try writer.table(for: try k.build(events, options: mc), context: context)) } catch let e
                as WriterError
            {
                // A release writes what the format holds (no declination background in GADF).
                if settings.kinds.count == 1 { throw ConversionError(e.description, .usage) }
                o.diagnostics.warn("not written: \(k.rawValue): \(e)")
            }
        }
        return (
            tables,
            "built \(settings.kinds.map(\.rawValue).joined(separator: ",")) from \(events.count) events (\(skipped) without a track or MC track left out)"
        )
    }
}
