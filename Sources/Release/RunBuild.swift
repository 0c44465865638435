import Conversion
import Diagnostics
import FITSIO
import Foundation
import GADF
import KM3NeT
import Model
import Readers

extension ReleaseBuilder {
    /// One run: its events split into the channels, then one events file per GADF format and
    /// channel, and one VODF file with every channel's events (EVT_TYPE) and a grouping table that
    /// links the IRFs of each channel. Returns the files written and the events they hold.
    func buildRun(_ run: ReleasePlan.Run) throws -> (files: [String], events: Int, notes: [String]) {
        let selected = try channelObservations(run)
        var files: [String] = []
        var notes: [String] = []
        for (c, obs) in zip(plan.channels, selected) where (obs?.events.count ?? 0) == 0 {
            notes.append("run \(run.obsID): no events in channel \(c.channel.name)")
        }
        for f in plan.formats where f.releaseLayout == .dataStore {
            for (c, obs) in zip(plan.channels, selected) {
                guard let obs, obs.events.count > 0 else { continue }
                let relative = ReleaseLayout.events(f, channel: c.channel.name, obsID: run.obsID)
                try write(try ObservationWriter(flavor: f).tables(for: obs), obs, to: relative)
                files.append(relative)
            }
        }
        if plan.formats.contains(.vodf), let merged = try merged(selected) {
            let relative = ReleaseLayout.events(.vodf, channel: "", obsID: run.obsID)
            var links: [ObservationWriter.LinkedMember] = []
            for set in plan.irfSets where set.period == run.period {
                let location =
                    "../irfs/"
                    + (ReleaseLayout.irfs(.vodf, channel: set.channel.name, period: set.period) as NSString)
                    .lastPathComponent
                for t in try IRFTables.shared.tables(set, .vodf, creator: creator, diagnostics: diagnostics) {
                    links.append(.init(name: t.name, location: location, eventType: set.channel.number))
                }
            }
            try write(try ObservationWriter(flavor: .vodf).tables(for: merged, links: links), merged, to: relative)
            files.append(relative)
        }
        return (files, selected.reduce(0) { $0 + ($1?.events.count ?? 0) }, notes)
    }

    private func write(_ tables: [Table], _ obs: Observation, to relative: String) throws {
        try FITSOutput.write(
            tables,
            primary: FITSOutput.primaryCards(creator: creator, origin: obs.meta.origin, telescope: obs.meta.telescope),
            to: try ReleaseLayout.prepare(output, relative), durable: false)
    }

    /// Each channel's observation: the run read with the channel's reconstruction, the events
    /// within its cuts and not already taken by an earlier channel (channels are exclusive, in the
    /// manifest's order). Every event left out is counted, so NEVT_IN = NEVT_OUT + NREJECT holds.
    /// nil for a channel whose reconstruction no event of the run has.
    func channelObservations(_ run: ReleasePlan.Run) throws -> [Observation?] {
        var read: [Reconstruction: Observation] = [:]
        var empty = Set<Reconstruction>()
        var taken = Set<Int64>()
        var out: [Observation?] = []
        for c in plan.channels {
            let obs: Observation
            if let o = read[c.reco] {
                obs = o
            } else if empty.contains(c.reco) {
                out.append(nil)
                continue
            } else {
                var options = ConversionOptions()
                options.reco = c.reco
                options.obsID = String(run.obsID)
                options.creator = creator
                options.location = run.site
                options.crossCheckAanet = false
                do { obs = try Self.observation(run, options: options) } catch let e as InputError where e.noUsableTrack
                {
                    // No track of this reconstruction: the channel has no events in this run.
                    empty.insert(c.reco)
                    out.append(nil)
                    continue
                } catch {
                    throw ReleaseError("run \(run.obsID): \(error)")
                }
                read[c.reco] = obs
            }
            let ids = eventIDs(obs)
            let passing = try rowsWithinCuts(obs, c, run: run)
            let rows = passing.filter { !taken.contains(ids[$0]) }
            taken.formUnion(rows.map { ids[$0] })
            var selected = Observation(meta: obs.meta, events: obs.events.selecting(rows), gti: obs.gti)
            let outside = obs.events.count - passing.count
            let earlier = passing.count - rows.count
            if outside > 0 {
                selected.meta.rejections.append(("outside the cuts of channel \(c.channel.name)", outside))
            }
            if earlier > 0 { selected.meta.rejections.append(("in an earlier channel", earlier)) }
            selected.meta.channels = [c.channel]
            selected.meta.period = run.period
            out.append(selected)
        }
        return out
    }

    private func eventIDs(_ obs: Observation) -> [Int64] {
        switch obs.events["EVENT_ID"]?.values {
        case .int64(let v)?: return v
        case .int32(let v)?: return v.map(Int64.init)
        default: return (0..<Int64(obs.events.count)).map { $0 }
        }
    }

    private func rowsWithinCuts(_ obs: Observation, _ c: ReleasePlan.Channel, run: ReleasePlan.Run) throws -> [Int] {
        var keep = [Bool](repeating: true, count: obs.events.count)
        for cut in c.cuts {
            guard let values = obs.events[cut.column]?.values.doubles else {
                let names = obs.events.columns.filter { $0.values.doubles != nil }.map(\.name)
                throw ReleaseError(
                    "\(manifestPath): channel \(c.channel.name): cut on \(cut.column), which the events of \(run.input) do not have (numeric columns: \(names.joined(separator: ", ")))"
                )
            }
            for (i, v) in values.enumerated() where keep[i] {
                // NaN is outside every cut.
                if let lo = cut.min, !(v >= lo) { keep[i] = false }
                if let hi = cut.max, !(v <= hi) { keep[i] = false }
            }
        }
        return keep.indices.filter { keep[$0] }
    }

    /// The channels' events in one list, with EVT_TYPE; nil when no channel has any.
    private func merged(_ selected: [Observation?]) throws -> Observation? {
        let nonEmpty = selected.compactMap { $0 }.filter { $0.events.count > 0 }
        guard let first = nonEmpty.first else { return nil }
        var events = EventList.concatenating(nonEmpty.map(\.events))
        let types = zip(plan.channels, selected).flatMap { c, o in
            [Int32](repeating: Int32(c.channel.number), count: o?.events.count ?? 0)
        }
        try events.add(
            EventColumn(
                name: "EVT_TYPE", values: .int32(types), level: .optional,
                description: "event type: the channel that selected the event (EVTTYPn names each)"))
        var meta = first.meta
        meta.channels = plan.channels.map(\.channel)
        // The channels read the run with their own reconstructions, so their reasons differ; an
        // event of the file is in one channel or in none.
        let inFile = meta.eventsIn ?? events.count
        meta.rejections =
            inFile > events.count
            ? [("in no channel (no track of its reconstruction, outside its cuts, or unusable)", inFile - events.count)]
            : []
        return Observation(meta: meta, events: events, gti: first.gti)
    }
}

extension ReleaseBuilder {
    /// The observation a run's file holds, read by its format.
    static func observation(_ run: ReleasePlan.Run, options: ConversionOptions) throws -> Observation {
        guard let obs = try run.format.read(run.input, options: options).observations.first else {
            throw InputError(file: run.input, reason: "holds no event list")
        }
        return obs
    }
}
