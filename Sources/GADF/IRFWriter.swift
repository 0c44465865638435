import FITSIO
import Model

/// Who made an IRF and for which instrument; written beside the IRF's own keywords.
public struct IRFContext: Sendable {
    public var telescope: String
    public var instrument: String
    public var origin: String
    public var creator: String
    public var provenance: [String]
    /// The event channel the IRF is for; its name then ends the EXTNAME (`EFFECTIVE AREA TRACK`).
    public var channel: EventChannel?
    /// The detector period it describes.
    public var period: String?
    /// Whether the EXTNAME ends with the channel: needed where one file holds several channels
    /// (a directory of tables) and in releases; a single table keeps the recommended name, which
    /// readers use by default, and says its channel in CHANNEL.
    public var channelInName = true
    public init(
        telescope: String, instrument: String, origin: String, creator: String, provenance: [String] = [],
        channel: EventChannel? = nil, period: String? = nil, channelInName: Bool = true
    ) {
        self.channelInName = channelInName
        self.channel = channel
        self.period = period
        self.telescope = telescope
        self.instrument = instrument
        self.origin = origin
        self.creator = creator
        self.provenance = provenance
    }
}

/// Serialises any IRF component as a one-row BINTABLE: `<AX>_LO`/`<AX>_HI` per axis and the
/// N-D data column with TDIM in spec order (first axis fastest) and CREFn naming the axes.
public struct IRFWriter: Sendable {
    public let flavor: OutputProfile
    public init(flavor: OutputProfile) { self.flavor = flavor }

    public func table<C: IRFComponent>(for component: C, context: IRFContext) throws -> Table {
        let component = try storable(component)
        let table = try component.table.converted(dataUnit: C.layout.dataUnit, axisUnits: C.layout.axisUnits)
        let (specs, data, cref) = try columns(component, table)
        var header = flavor.classCards([
            "RESPONSE", C.layout.hduClass2, component.containment.rawValue, C.layout.hduClass4,
        ])
        for n in (2 * table.axes.count + 1)...specs.count {
            header.append(
                HeaderCard(
                    "CREF\(n)", .string("(" + cref.joined(separator: ",") + ")"),
                    comment: "axes of \(specs[n - 1].name), fastest first"))
        }
        for (i, a) in table.axes.enumerated() {
            header.append(
                HeaderCard(
                    "AXIS\(i + 1)", .string(a.meaning.rawValue), comment: "vodfkit: meaning of axis \(i + 1) in CREF"))
        }
        header += ObservationWriter.whoCards(
            origin: context.origin, telescope: context.telescope, instrument: context.instrument,
            creator: context.creator)
        header += component.carried.map(\.card)
        header += censusCards(table, column: C.layout.dataColumn)
        if let c = context.channel { header += ChannelCards.single(c) }
        header += ChannelCards.period(context.period)
        header += context.provenance.map { HeaderCard.history("input: \($0)") }
        header += component.notes.map { HeaderCard.comment($0) }
        var extname = C.layout.extname
        if let c = context.channel, context.channelInName { extname += " " + c.extnameSuffix }
        extname = extname.replacingOccurrences(of: " ", with: flavor.irfNameSeparator)
        return Table(name: extname, header: header, columns: specs, data: data)
    }

    /// The component as this profile can store it: refused when the profile holds no IRFs or has
    /// no axis for one of its meanings; a cos-zenith axis re-expressed as a zenith angle for GADF.
    func storable<C: IRFComponent>(_ component: C) throws -> C {
        if !flavor.holdsResponses {
            throw WriterError.unsupported(
                "\(flavor.id) defines no IRF contents (its IRF HDUs are 2x2 DATA placeholders); "
                    + "write IRFs with --format vodf or gadf-0.3")
        }
        var component = component
        // GADF cannot say "cos zenith": re-express it as a zenith angle (stored in THETA).
        if !flavor.canStore(.cosZenith), component.table.axes.contains(where: { $0.meaning == .cosZenith }) {
            component = try component.with(
                table: try component.table.withZenithAngleAxis(), note: EffectiveArea.zenithFromCosZenithNote)
        }
        for a in component.table.axes where !flavor.canStore(a.meaning) {
            // A declination-dependent rate is not a FoV-offset rate: relabelling it THETA would be wrong.
            throw WriterError.unsupported(
                "\(flavor.rawValue) has no axis for \(a.meaning.rawValue) (its spatial axis is the FoV offset, THETA); "
                    + "write this \(C.layout.hduClass4) with --format vodf, which declares the axis")
        }
        return component
    }

    /// `<AX>_LO`/`<AX>_HI` per axis, then the data column and any parameter columns, with the CREF
    /// text of the axes.
    func columns<C: IRFComponent>(_ component: C, _ table: IRFTable) throws -> ([ColumnSpec], [ColumnData], [String]) {
        var specs: [ColumnSpec] = []
        var data: [ColumnData] = []
        var cref: [String] = []
        for a in table.axes {
            let name = flavor.axisColumn(a.meaning)
            let unit = a.unit.symbol.isEmpty ? nil : a.unit.symbol
            // A one-bin axis written as plain `1D` reads back as a scalar (gammapy warns);
            // TDIM = '(1)' keeps it a 1-element array.
            let dims: [Int]? = a.binCount == 1 ? [1] : nil
            specs.append(ColumnSpec("\(name)_LO", .float64, repeatCount: a.binCount, unit: unit, dims: dims))
            specs.append(ColumnSpec("\(name)_HI", .float64, repeatCount: a.binCount, unit: unit, dims: dims))
            // Node axes are written as they were read: LO = HI = node.
            data.append(.float64(a.nodes ?? a.lows))
            data.append(.float64(a.nodes ?? a.highs))
            cref.append("\(name)_LO:\(name)_HI")
        }
        let extras = try component.extraColumns.map { extra in
            (extra.name, try extra.table.converted(dataUnit: extra.unit, axisUnits: C.layout.axisUnits))
        }
        for (name, t) in [(C.layout.dataColumn, table)] + extras {
            specs.append(
                ColumnSpec(
                    name, .float64, repeatCount: t.values.count, unit: t.unit.symbol.isEmpty ? nil : t.unit.symbol,
                    dims: t.shape))
            data.append(.float64(t.values))
        }
        return (specs, data, cref)
    }

    /// Values real files carry (negative smoothing artefacts, NaN) are written as read; the header
    /// says how many.
    func censusCards(_ table: IRFTable, column: String) -> [HeaderCard] {
        let census = table.census
        var cards: [HeaderCard] = []
        if census.negative > 0 {
            cards.append(
                HeaderCard(
                    "NEGBINS", .int(Int64(census.negative)), comment: "vodfkit: negative \(column) values, as read"))
        }
        if census.nonFinite > 0 {
            cards.append(
                HeaderCard(
                    "NANBINS", .int(Int64(census.nonFinite)), comment: "vodfkit: non-finite \(column) values, as read"))
        }
        return cards
    }
}
