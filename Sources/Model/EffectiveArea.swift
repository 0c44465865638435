import Foundation

/// Effective area over true energy and one spatial axis (FoV offset, zenith angle or cos zenith).
public struct EffectiveArea: IRFComponent, Equatable {
    public static let layout = IRFLayout(
        hduClass2: "EFF_AREA", hduClass4: "AEFF_2D", legacyClasses: [("EFF_AREA", "2D")], extname: "EFFECTIVE AREA",
        indexType: "aeff",
        axes: ["ENERG", "THETA"], dataColumns: [("EFFAREA", .squareMeter)],
        axisUnits: [.trueEnergy: .TeV, .fovOffset: .degree, .zenithAngle: .degree, .cosZenith: .dimensionless])

    public private(set) var table: IRFTable
    public var containment: Containment
    public var notes: [String]
    public var carried: [CarriedKeyword] = []

    public static let spatialMeanings: Set<AxisMeaning> = [.fovOffset, .zenithAngle, .cosZenith]

    /// `table.axes` must be (true energy, spatial); values are kept as read (see `ValueCensus`).
    public init(table: IRFTable, containment: Containment = .fullEnclosure, notes: [String] = []) throws {
        guard table.axes.count == 2, table.axes[0].meaning == .trueEnergy,
            Self.spatialMeanings.contains(table.axes[1].meaning)
        else {
            throw ModelError.invalidAxis(
                "effective area",
                reason:
                    "axes must be (true energy, FoV offset | zenith | cos zenith), got \(table.axes.map(\.meaning.rawValue))"
            )
        }
        guard table.unit.dimension == Unit.squareMeter.dimension else {
            throw ModelError.invalidValue("effective area", reason: "unit '\(table.unit.symbol)' is not an area")
        }
        self.table = table
        self.containment = containment
        self.notes = notes
    }

    public var energyAxis: Axis { table.axes[0] }
    public var spatialAxis: Axis { table.axes[1] }

    /// What a component re-expressed from cos zenith to zenith angle says in its notes.
    public static let zenithFromCosZenithNote =
        "Zenith-angle axis derived from cos(zenith) bins: theta = arccos(cos zenith), bin order reversed."

    /// Re-expresses a cos-zenith axis as a zenith-angle axis in degrees (see IRFTable).
    public func withZenithAngleAxis() throws -> EffectiveArea {
        guard spatialAxis.meaning == .cosZenith else { return self }
        return try with(
            table: try table.withZenithAngleAxis(),
            note: Self.zenithFromCosZenithNote)
    }

    public init(decoded p: IRFParts) throws {
        self = try EffectiveArea(table: p.table, containment: p.containment, notes: p.notes).carrying(p.carried)
    }

    public func with(table: IRFTable, note: String?) throws -> EffectiveArea {
        try EffectiveArea(table: table, containment: containment, notes: notes + (note.map { [$0] } ?? [])).carrying(
            carried)
    }
}

extension EffectiveArea {
    /// The same component with these format keywords.
    public func carrying(_ keywords: [CarriedKeyword]) -> EffectiveArea {
        var c = self
        c.carried = keywords
        return c
    }
}
