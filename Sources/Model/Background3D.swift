import Foundation

/// Background rate (s⁻¹ MeV⁻¹ sr⁻¹) over reconstructed energy × field-of-view lon × lat (GADF BKG_3D).
public struct Background3D: IRFComponent, Equatable {
    public static let layout = IRFLayout(
        hduClass2: "BKG", hduClass4: "BKG_3D", legacyClasses: [("BKG", "3D")], extname: "BACKGROUND", indexType: "bkg",
        obsCoreSubtype: "bkgrate",
        axes: ["ENERG", "DETX", "DETY"], energy: .recoEnergy, dataColumns: [("BKG", .backgroundRate)],
        legacyDataColumns: ["BGD"],
        axisUnits: [.recoEnergy: .TeV, .fovLon: .degree, .fovLat: .degree])

    public private(set) var table: IRFTable
    public var containment: Containment { .fullEnclosure }
    public var notes: [String]
    public var carried: [CarriedKeyword]

    public init(table: IRFTable, notes: [String] = [], carried: [CarriedKeyword] = []) throws {
        guard table.axes.map(\.meaning) == [.recoEnergy, .fovLon, .fovLat] else {
            throw ModelError.invalidAxis(
                "BKG_3D",
                reason: "axes must be (reco energy, FoV lon, FoV lat), got \(table.axes.map(\.meaning.rawValue))")
        }
        guard table.unit.dimension == Unit.backgroundRate.dimension else {
            throw ModelError.invalidValue(
                "BKG_3D", reason: "unit '\(table.unit.symbol)' is not a rate per energy per solid angle")
        }
        self.table = table
        self.notes = notes
        self.carried = carried
    }

    public init(decoded p: IRFParts) throws {
        try self.init(table: p.table, notes: p.notes, carried: p.carried)
    }

    public func with(table: IRFTable, note: String?) throws -> Background3D {
        try Background3D(table: table, notes: notes + (note.map { [$0] } ?? []), carried: carried)
    }

    /// The same background with the field-of-view longitude mirrored (DETX -> -DETX): the bins along it
    /// reversed and its edges negated, so that a table stored with the longitude reversed (H.E.S.S.
    /// DR1) reads in GADF's alignment. The values are moved, not changed.
    public func mirroringFoVLongitude(note: String) throws -> Background3D {
        let lon = table.axes[1]
        let mirrored = try Axis(
            name: lon.name, edges: lon.edges.reversed().map { -$0 }, unit: lon.unit, scale: lon.scale,
            meaning: lon.meaning)
        return try with(table: try table.replacingAxisReversed(1, with: mirrored), note: note)
    }
}
