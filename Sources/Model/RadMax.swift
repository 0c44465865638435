import Foundation

/// The direction cut of point-like IRFs: RAD_MAX (deg) over reconstructed energy × FoV offset.
public struct RadMax2D: IRFComponent, Equatable {
    public static let layout = IRFLayout(
        hduClass2: "RAD_MAX", hduClass4: "RAD_MAX_2D", extname: "RAD_MAX", indexType: "rad_max",
        axes: ["ENERG", "THETA"], energy: .recoEnergy, dataColumns: [("RAD_MAX", .degree)],
        axisUnits: [.recoEnergy: .TeV, .fovOffset: .degree, .zenithAngle: .degree])

    public private(set) var table: IRFTable
    public var containment: Containment { .pointLike }
    public var notes: [String]
    public var carried: [CarriedKeyword]

    public init(table: IRFTable, notes: [String] = [], carried: [CarriedKeyword] = []) throws {
        guard table.axes.count == 2, table.axes[0].meaning == .recoEnergy || table.axes[0].meaning == .trueEnergy,
            [.fovOffset, .zenithAngle].contains(table.axes[1].meaning)
        else {
            throw ModelError.invalidAxis(
                "RAD_MAX_2D", reason: "axes must be (energy, FoV offset), got \(table.axes.map(\.meaning.rawValue))")
        }
        guard table.unit.dimension == Unit.degree.dimension else {
            throw ModelError.invalidValue("RAD_MAX_2D", reason: "unit must be an angle")
        }
        self.table = table
        self.notes = notes
        self.carried = carried
    }

    public init(decoded p: IRFParts) throws {
        try self.init(table: p.table, notes: p.notes, carried: p.carried)
    }

    public func with(table: IRFTable, note: String?) throws -> RadMax2D {
        try RadMax2D(table: table, notes: notes + (note.map { [$0] } ?? []), carried: carried)
    }
}
