import Foundation

/// Energy dispersion: dP/dμ (μ = E_reco / E_true) over true energy × migration × spatial axis.
/// Each (energy, spatial) slice integrates to 1 over μ where the instrument has events.
public struct EnergyDispersion: IRFComponent, Equatable {
    public static let layout = IRFLayout(
        hduClass2: "EDISP", hduClass4: "EDISP_2D", legacyClasses: [("EDISP", "2D")], extname: "EDISP",
        indexType: "edisp",
        axes: ["ENERG", "MIGRA", "THETA"], dataColumns: [("MATRIX", .dimensionless)],
        axisUnits: [
            .trueEnergy: .TeV, .migration: .dimensionless, .fovOffset: .degree, .zenithAngle: .degree,
            .cosZenith: .dimensionless,
        ])

    public private(set) var table: IRFTable
    public var containment: Containment
    public var notes: [String]
    public var carried: [CarriedKeyword] = []

    public init(table: IRFTable, containment: Containment = .fullEnclosure, notes: [String] = []) throws {
        guard table.axes.count == 3, table.axes[0].meaning == .trueEnergy, table.axes[1].meaning == .migration,
            EffectiveArea.spatialMeanings.contains(table.axes[2].meaning)
        else {
            throw ModelError.invalidAxis(
                "EDISP",
                reason: "axes must be (true energy, migration, spatial), got \(table.axes.map(\.meaning.rawValue))")
        }
        guard table.unit.dimension == .none else {
            throw ModelError.invalidValue("EDISP", reason: "dP/dμ must be dimensionless")
        }
        self.table = table
        self.containment = containment
        self.notes = notes
    }

    public init(decoded p: IRFParts) throws {
        self = try EnergyDispersion(table: p.table, containment: p.containment, notes: p.notes).carrying(p.carried)
    }

    public func with(table: IRFTable, note: String?) throws -> EnergyDispersion {
        try EnergyDispersion(table: table, containment: containment, notes: notes + (note.map { [$0] } ?? [])).carrying(
            carried)
    }

    /// ∫ dP/dμ dμ for each (energy, spatial) slice (energy fastest).
    public func integrals() -> [Double] {
        let n = table.shape
        let mu = table.axes[1]
        let width = (0..<mu.binCount).map { mu.edges[$0 + 1] - mu.edges[$0] }
        var out: [Double] = []
        for s in 0..<n[2] {
            for e in 0..<n[0] {
                out.append((0..<n[1]).reduce(0) { $0 + table.value(at: [e, $1, s]) * width[$1] })
            }
        }
        return out
    }
}

extension EnergyDispersion {
    /// The same component with these format keywords.
    public func carrying(_ keywords: [CarriedKeyword]) -> EnergyDispersion {
        var c = self
        c.carried = keywords
        return c
    }
}
