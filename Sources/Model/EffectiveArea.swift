import Foundation

/// Effective area over true energy and one spatial axis (FoV offset, zenith angle or cos zenith).
public struct EffectiveArea: IRFComponent, Equatable {
    public static let layout = IRFLayout(
        hduClass2: "EFF_AREA", hduClass4: "AEFF_2D", extname: "EFFECTIVE AREA", dataColumn: "EFFAREA",
        dataUnit: .squareMeter,
        axisUnits: [.trueEnergy: .TeV, .fovOffset: .degree, .zenithAngle: .degree, .cosZenith: .dimensionless])

    public private(set) var table: IRFTable
    public var containment: Containment
    public var notes: [String]

    public static let spatialMeanings: Set<AxisMeaning> = [.fovOffset, .zenithAngle, .cosZenith]

    /// `table.axes` must be (true energy, spatial); values must be finite and non-negative.
    public init(table: IRFTable, containment: Containment = .fullEnclosure, notes: [String] = []) throws {
        guard table.axes.count == 2, table.axes[0].meaning == .trueEnergy,
              Self.spatialMeanings.contains(table.axes[1].meaning) else {
            throw ModelError.invalidAxis("effective area", reason: "axes must be (true energy, FoV offset | zenith | cos zenith), got \(table.axes.map(\.meaning.rawValue))")
        }
        guard table.unit.dimension == Unit.squareMeter.dimension else {
            throw ModelError.invalidValue("effective area", reason: "unit '\(table.unit.symbol)' is not an area")
        }
        if let i = table.values.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw ModelError.invalidValue("effective area", reason: "value \(table.values[i]) at flat index \(i) is negative or not finite")
        }
        self.table = table
        self.containment = containment
        self.notes = notes
    }

    public var energyAxis: Axis { table.axes[0] }
    public var spatialAxis: Axis { table.axes[1] }

    /// Re-expresses a cos-zenith axis as a zenith-angle axis in degrees. cos θ increases while θ
    /// decreases, so the bins are reversed; each bin keeps its value (a bin is the same set of directions).
    public func withZenithAngleAxis() throws -> EffectiveArea {
        guard spatialAxis.meaning == .cosZenith else { return self }
        let deg = spatialAxis.edges.reversed().map { acos(min(1, max(-1, $0))) * 180 / Double.pi }
        let axis = try Axis(name: "THETA", edges: deg, unit: .degree, scale: .linear, meaning: .zenithAngle)
        var out = self
        out.table = try table.replacingAxisReversed(1, with: axis)
        out.notes.append("Zenith-angle axis derived from cos(zenith) bins: theta = arccos(cos zenith), bin order reversed.")
        return out
    }
}
