import Foundation
import Model
import Readers
import Writers

/// Event inputs -> EVENTS + GTI (+ GROUPING in VODF).
enum EventConversion {
    static func antares(_ input: String, _ kind: InputKind, _ o: ConversionOptions) throws -> Conversion {
        let obs = try ANTARESEventList.read(path: input, kind: kind, options: .init(obsID: o.obsID ?? "1", creator: o.creator))
        let n = obs.events.count
        return Conversion(tables: try ObservationWriter(flavor: o.format).tables(for: obs),
                          primary: FITSOutput.primaryCards(creator: o.creator, origin: obs.meta.origin, telescope: obs.meta.telescope),
                          detected: kind,
                          summary: ["EVENTS: \(n) events (in \(n) = written \(n) + rejected 0), GTI: \(obs.gti.start.count) interval(s)"])
    }

    /// KM3NeT offline/dst ROOT and km3pipe HDF5: the best track of the chosen reconstruction per event.
    static func km3net(_ input: String, _ kind: InputKind, _ o: ConversionOptions) throws -> Conversion {
        var opts = OfflineEvents.Options()
        opts.reco = o.reco
        opts.convention = o.convention
        opts.creator = o.creator
        opts.obsID = o.obsID
        if let location = o.location { opts.location = location }
        o.onProgress("reading \(input) ...")
        var check: OfflineEvents.AanetCheck?
        let obs: Observation
        if kind == .root {
            let reading = try OfflineEvents.reading(path: input, options: opts)
            obs = reading.observation
            check = reading.aanetCheck
        } else {
            obs = try KM3PipeEvents.read(path: input, options: opts)
        }
        let rejected = obs.meta.rejections.reduce(0) { $0 + $1.count }
        var summary = ["EVENTS: in \(obs.meta.eventsIn ?? 0) = written \(obs.events.count) + rejected \(rejected)"]
        for r in obs.meta.rejections { summary.append("  rejected \(r.count): \(r.reason)") }
        summary.append("OBS_ID \(obs.meta.obsID), site \(obs.meta.site?.name ?? "?"), \(obs.meta.isSimulated ? "simulation" : "data"), time coverage \(obs.meta.coverageSource.rawValue)")
        if let check {
            summary.append(String(format: "cross-check vs aanet T/coords (%d events): median %.5f deg, max %.5f deg", check.count, check.median, check.max))
        }
        return Conversion(tables: try ObservationWriter(flavor: o.format).tables(for: obs),
                          primary: FITSOutput.primaryCards(creator: o.creator, origin: obs.meta.origin, telescope: obs.meta.telescope),
                          detected: kind, summary: summary)
    }
}
