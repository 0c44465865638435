import Foundation

/// Point spread function as a table: dP/dΩ (sr⁻¹) over true energy × spatial axis × RAD
/// (angular distance from the true direction). Each (energy, spatial) slice integrates to 1 over Ω.
public struct PSFTable: IRFComponent, Equatable {
    public static let layout = IRFLayout(
        hduClass2: "RPSF", hduClass4: "PSF_TABLE", extname: "PSF", indexType: "psf",
        axes: ["ENERG", "THETA", "RAD"], dataColumns: [("RPSF", .perSteradian)],
        axisUnits: [
            .trueEnergy: .TeV, .fovOffset: .degree, .zenithAngle: .degree, .cosZenith: .dimensionless, .rad: .degree,
        ])

    public private(set) var table: IRFTable
    public var containment: Containment { .fullEnclosure }
    public var notes: [String]
    public var carried: [CarriedKeyword] = []

    public init(table: IRFTable, notes: [String] = []) throws {
        guard table.axes.count == 3, table.axes[0].meaning == .trueEnergy,
            EffectiveArea.spatialMeanings.contains(table.axes[1].meaning), table.axes[2].meaning == .rad
        else {
            throw ModelError.invalidAxis(
                "PSF", reason: "axes must be (true energy, spatial, rad), got \(table.axes.map(\.meaning.rawValue))")
        }
        guard table.unit.dimension == Unit.perSteradian.dimension else {
            throw ModelError.invalidValue("PSF", reason: "unit '\(table.unit.symbol)' is not per solid angle")
        }
        self.table = table
        self.notes = notes
    }

    public init(decoded p: IRFParts) throws {
        self = try PSFTable(table: p.table, notes: p.notes).carrying(p.carried)
    }

    public func with(table: IRFTable, note: String?) throws -> PSFTable {
        try PSFTable(table: table, notes: notes + (note.map { [$0] } ?? [])).carrying(carried)
    }

    /// Solid angle (sr) of each RAD bin: 2π (cos r_lo − cos r_hi).
    public static func solidAngles(rad axis: Axis) throws -> [Double] {
        let r = try axis.unit.convert(axis.edges, to: .radian)
        return (0..<axis.binCount).map { 2 * .pi * (cos(r[$0]) - cos(r[$0 + 1])) }
    }

    /// The (energy, spatial) bins whose RAD slice is all zeros: an empty band, which no
    /// normalisation can fix and which is carried as read.
    public var emptySlices: [[Int]] {
        let n0 = table.shape[0]
        let n1 = table.shape[1]
        let n2 = table.shape[2]
        var out: [[Int]] = []
        for j in 0..<n1 {
            for i in 0..<n0 where (0..<n2).allSatisfy({ table.values[i + n0 * (j + n1 * $0)] == 0 }) {
                out.append([i, j])
            }
        }
        return out
    }

    /// ∫ dP/dΩ dΩ for each (energy, spatial) slice, in that order (energy fastest).
    public func integrals() throws -> [Double] {
        let dOmega = try Self.solidAngles(rad: table.axes[2])
        let t = try table.converted(dataUnit: .perSteradian, axisUnits: [:])
        let n0 = table.shape[0]
        let n1 = table.shape[1]
        return (0..<(n0 * n1)).map { s in
            (0..<dOmega.count).reduce(0) { $0 + t.values[s + n0 * n1 * $1] * dOmega[$1] }
        }
    }
}

extension PSFTable {
    /// The same component with these format keywords.
    public func carrying(_ keywords: [CarriedKeyword]) -> PSFTable {
        var c = self
        c.carried = keywords
        return c
    }
}
