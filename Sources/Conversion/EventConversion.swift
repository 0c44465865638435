import Foundation
import Model
import Readers
import Writers

/// Event inputs -> EVENTS + GTI (+ GROUPING in VODF).
public enum EventConversion {
    static func antares(_ input: String, _ kind: InputKind, _ o: ConversionOptions) throws -> Conversion {
        let obs = try ANTARESEventList.read(path: input, kind: kind, options: .init(obsID: o.obsID ?? "1", creator: o.creator))
        let n = obs.events.count
        return Conversion(tables: try ObservationWriter(flavor: o.format).tables(for: obs),
                          primary: FITSOutput.primaryCards(creator: o.creator, origin: obs.meta.origin, telescope: obs.meta.telescope),
                          detected: kind,
                          summary: ["EVENTS: \(n) events (in \(n) = written \(n) + rejected 0), GTI: \(obs.gti.start.count) interval(s)"])
    }

    /// The observation an event input holds, before it is written (a release selects its
    /// channels' events from it). Readers' errors pass through as they are.
    public static func observation(_ input: String, kind: InputKind, options o: ConversionOptions) throws -> Observation {
        switch kind {
        case .antaresPublicList, .antaresVOTableCSV, .antaresConeSearchCSV, .antaresVOTable:
            return try ANTARESEventList.read(path: input, kind: kind, options: .init(obsID: o.obsID ?? "1", creator: o.creator))
        case .root: return try OfflineEvents.read(path: input, options: km3netOptions(o))
        case .hdf5: return try KM3PipeEvents.read(path: input, options: km3netOptions(o))
        default: throw ConversionError("\(input): holds \(InputKinds.entry(kind).holds.rawValue), not events", .badInput)
        }
    }

    /// The run number a KM3NeT file's first event carries (nil for inputs that have none).
    public static func runNumber(_ input: String, kind: InputKind) throws -> Int? {
        switch kind {
        case .root: return try OfflineEvents.firstRunID(path: input).map(Int.init)
        case .hdf5: return try KM3PipeEvents.firstRunID(path: input).map(Int.init)
        default: return nil
        }
    }

    static func km3netOptions(_ o: ConversionOptions) -> OfflineEvents.Options {
        var opts = OfflineEvents.Options()
        opts.reco = o.reco
        opts.convention = o.convention
        opts.creator = o.creator
        opts.obsID = o.obsID
        if let location = o.location { opts.location = location }
        return opts
    }

    /// KM3NeT offline/dst ROOT and km3pipe HDF5: the best track of the chosen reconstruction per event.
    static func km3net(_ input: String, _ kind: InputKind, _ o: ConversionOptions) throws -> Conversion {
        let opts = km3netOptions(o)
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
