import Foundation

/// Parametric PSFs: several parameter tables over (true energy, FoV offset), stored as one data
/// column each (GADF PSF_3GAUSS: SCALE, SIGMA_1..3, AMPL_2, AMPL_3; PSF_KING: GAMMA, SIGMA).
public protocol ParametricPSF: IRFComponent {
    var parameters: [(name: String, table: IRFTable)] { get }
    init(parameters: [(name: String, table: IRFTable)], notes: [String], carried: [CarriedKeyword]) throws
}

extension ParametricPSF {
    /// Parameter names with their spec units, in column order (the layout's data columns).
    public static var parameterUnits: [(String, Unit)] { layout.dataColumns.map { ($0.name, $0.unit) } }

    public init(decoded p: IRFParts) throws {
        try self.init(parameters: p.tables, notes: p.notes, carried: p.carried)
    }

    public var table: IRFTable { parameters[0].table }
    public var containment: Containment { .fullEnclosure }
    public var extraColumns: [(name: String, table: IRFTable, unit: Unit)] {
        zip(parameters.dropFirst(), Self.parameterUnits.dropFirst()).map { ($0.0.name, $0.0.table, $0.1.1) }
    }

    public func with(table: IRFTable, note: String?) throws -> Self {
        guard table.axes == self.table.axes else {
            throw ModelError.invalidAxis(Self.layout.hduClass4, reason: "parametric PSFs keep their axes")
        }
        var p = parameters
        p[0].table = table
        return try Self(parameters: p, notes: notes + (note.map { [$0] } ?? []), carried: carried)
    }

    /// Checks the parameter set and their shared axes.
    static func validate(_ parameters: [(name: String, table: IRFTable)]) throws {
        guard parameters.map(\.name) == parameterUnits.map(\.0) else {
            throw ModelError.invalidValue(
                layout.hduClass4, reason: "parameters must be \(parameterUnits.map(\.0).joined(separator: ", "))")
        }
        for p in parameters {
            guard p.table.axes.count == 2, p.table.axes[0].meaning == .trueEnergy,
                EffectiveArea.spatialMeanings.contains(p.table.axes[1].meaning),
                p.table.axes == parameters[0].table.axes
            else {
                throw ModelError.invalidAxis(
                    layout.hduClass4, reason: "\(p.name) must share the (true energy, offset) axes")
            }
        }
    }
}

public struct PSF3Gauss: ParametricPSF {
    public static let layout = IRFLayout(
        hduClass2: "RPSF", hduClass4: "PSF_3GAUSS", legacyClasses: [("PSF", "3GAUSS"), ("RPSF", "3GAUSS")],
        extname: "PSF", indexType: "psf",
        axes: ["ENERG", "THETA"],
        dataColumns: [
            ("SCALE", .perSteradian), ("SIGMA_1", .degree), ("SIGMA_2", .degree), ("SIGMA_3", .degree),
            ("AMPL_2", .dimensionless), ("AMPL_3", .dimensionless),
        ],
        axisUnits: [.trueEnergy: .TeV, .fovOffset: .degree])
    public let parameters: [(name: String, table: IRFTable)]
    public var notes: [String]
    public var carried: [CarriedKeyword]

    public init(parameters: [(name: String, table: IRFTable)], notes: [String] = [], carried: [CarriedKeyword] = [])
        throws
    {
        try Self.validate(parameters)
        self.parameters = parameters
        self.notes = notes
        self.carried = carried
    }
}

public struct PSFKing: ParametricPSF {
    public static let layout = IRFLayout(
        hduClass2: "RPSF", hduClass4: "PSF_KING", extname: "PSF", indexType: "psf", axes: ["ENERG", "THETA"],
        dataColumns: [("GAMMA", .dimensionless), ("SIGMA", .degree)],
        axisUnits: [.trueEnergy: .TeV, .fovOffset: .degree])
    public let parameters: [(name: String, table: IRFTable)]
    public var notes: [String]
    public var carried: [CarriedKeyword]

    public init(parameters: [(name: String, table: IRFTable)], notes: [String] = [], carried: [CarriedKeyword] = [])
        throws
    {
        try Self.validate(parameters)
        self.parameters = parameters
        self.notes = notes
        self.carried = carried
    }
}
