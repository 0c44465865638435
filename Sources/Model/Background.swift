import Foundation

/// Background rate per energy per solid angle (s⁻¹ MeV⁻¹ sr⁻¹) over reconstructed energy × a
/// spatial axis: FoV offset or zenith (GADF BKG_2D), or declination (VODF only: GADF has no such axis).
public struct Background2D: IRFComponent, Equatable {
    public static let layout = IRFLayout(
        hduClass2: "BKG", hduClass4: "BKG_2D", legacyClasses: [("BKG", "2D")], extname: "BACKGROUND", indexType: "bkg",
        obsCoreSubtype: "bkgrate",
        axes: ["ENERG", "THETA"], energy: .recoEnergy, dataColumns: [("BKG", .backgroundRate)],
        legacyDataColumns: ["BGD"],
        axisUnits: [
            .recoEnergy: .TeV, .fovOffset: .degree, .zenithAngle: .degree, .cosZenith: .dimensionless,
            .sinDeclination: .dimensionless, .declination: .degree,
        ])

    public private(set) var table: IRFTable
    public var containment: Containment { .fullEnclosure }
    public var notes: [String]
    public var carried: [CarriedKeyword] = []
    public static let spatialMeanings: Set<AxisMeaning> = [
        .fovOffset, .zenithAngle, .cosZenith, .sinDeclination, .declination,
    ]

    public init(table: IRFTable, notes: [String] = []) throws {
        guard table.axes.count == 2, table.axes[0].meaning == .recoEnergy,
            Self.spatialMeanings.contains(table.axes[1].meaning)
        else {
            throw ModelError.invalidAxis(
                "background", reason: "axes must be (reco energy, spatial), got \(table.axes.map(\.meaning.rawValue))")
        }
        guard table.unit.dimension == Unit.backgroundRate.dimension else {
            throw ModelError.invalidValue(
                "background", reason: "unit '\(table.unit.symbol)' is not a rate per energy per solid angle")
        }
        self.table = table
        self.notes = notes
    }

    public init(decoded p: IRFParts) throws {
        self = try Background2D(table: p.table, notes: p.notes).carrying(p.carried)
    }

    public func with(table: IRFTable, note: String?) throws -> Background2D {
        try Background2D(table: table, notes: notes + (note.map { [$0] } ?? [])).carrying(carried)
    }
}

extension Background2D {
    /// The same component with these format keywords.
    public func carrying(_ keywords: [CarriedKeyword]) -> Background2D {
        var c = self
        c.carried = keywords
        return c
    }
}
