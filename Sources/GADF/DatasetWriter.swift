import FITSIO
import Model

/// Writes what a `Dataset` holds in one output format: its responses as IRF tables (under the
/// name they had, when they had one), its observation with them, and the primary header with the
/// input's own keywords. `convert` and `release upgrade` both write through this, so the same
/// input HDU gives the same output HDU.
public struct DatasetWriter: Sendable {
    public let flavor: OutputProfile
    public let creator: String
    public init(flavor: OutputProfile, creator: String) {
        self.flavor = flavor
        self.creator = creator
    }

    /// One response as an IRF table. `channelInName` names it by kind and channel instead of its
    /// source name (one file of several channels).
    public func table(_ r: Response, channelInName: Bool = false) throws -> Table {
        let context = IRFContext(
            telescope: r.telescope, instrument: r.instrument, origin: r.origin, creator: creator,
            provenance: r.provenance, channel: r.channel, period: r.period, channelInName: channelInName)
        var table = try IRFWriter(flavor: flavor).table(for: r.component, context: context)
        if let name = r.name, !channelInName, !name.isEmpty { table.name = name }
        return table
    }

    /// The observation's tables with `irfs` beside them (VODF: and the grouping table, listing
    /// `links` too), or the IRF tables alone.
    public func tables(_ observation: Observation?, irfs: [Table], links: [ObservationWriter.LinkedMember] = []) throws
        -> [Table]
    {
        guard var o = observation else { return irfs }
        o.meta.creator = creator
        return try ObservationWriter(flavor: flavor).tables(for: o, alongside: irfs, links: links)
    }

    /// Who wrote the file and when (and for whom, when the input says), then the input's primary
    /// keywords, COMMENTs and HISTORY.
    public func primary(_ dataset: Dataset) -> [HeaderCard] {
        let cards = FITSOutput.primaryCards(creator: creator, origin: dataset.origin, telescope: dataset.telescope)
        let own = Set(cards.map(\.name))
        return cards + dataset.fileKeywords.filter { !own.contains($0.name) }.map(\.card)
            + dataset.fileComments.map { HeaderCard.comment($0) } + dataset.fileHistory.map { HeaderCard.history($0) }
    }
}
