import Foundation
import Model

/// An IRF kind with a picture. Each kind says how it is drawn in its own conformance below, so a new
/// kind adds one; a kind without one draws nothing.
public protocol IRFPicture: IRFComponent {
    func panels(name: String) throws -> [Panel]
}

/// A PSF kind, drawn as its containment radii per spatial bin.
protocol ContainmentPicture: IRFPicture {
    var axes: [Axis] { get }
    func radii(fraction: Double, spatialBin: Int) throws -> [Double]
}

extension ContainmentPicture {
    public func panels(name: String) throws -> [Panel] {
        [try IRFPictures.psf(name: name, axes: axes) { f, j in try radii(fraction: f, spatialBin: j) }]
    }
}

extension EffectiveArea: IRFPicture {
    public func panels(name: String) throws -> [Panel] { [try IRFPictures.effectiveArea(self, name: name)] }
}

extension EnergyDispersion: IRFPicture {
    public func panels(name: String) throws -> [Panel] { [try IRFPictures.dispersion(self, name: name)] }
}

extension PSFTable: ContainmentPicture {
    var axes: [Axis] { table.axes }
    func radii(fraction: Double, spatialBin: Int) throws -> [Double] {
        try ContainmentRadius.radii(self, fraction: fraction, spatialBin: spatialBin)
    }
}

extension PSF3Gauss: ContainmentPicture {
    var axes: [Axis] { table.axes }
    func radii(fraction: Double, spatialBin: Int) throws -> [Double] {
        try ContainmentRadius.radii(self, fraction: fraction, spatialBin: spatialBin)
    }
}

extension PSFKing: ContainmentPicture {
    var axes: [Axis] { table.axes }
    func radii(fraction: Double, spatialBin: Int) throws -> [Double] {
        try ContainmentRadius.radii(self, fraction: fraction, spatialBin: spatialBin)
    }
}

extension Background2D: IRFPicture {
    public func panels(name: String) throws -> [Panel] {
        [
            try IRFPictures.perSpatialBin(
                table, name: name, title: "background rate", unit: .backgroundRate, yLabel: "rate", yLog: true)
        ]
    }
}

extension Background3D: IRFPicture {
    public func panels(name: String) throws -> [Panel] { try IRFPictures.background3D(self, name: name) }
}

extension RadMax2D: IRFPicture {
    public func panels(name: String) throws -> [Panel] {
        [
            try IRFPictures.perSpatialBin(
                table, name: name, title: "RAD_MAX cut", unit: .degree, yLabel: "RAD_MAX", yLog: false)
        ]
    }
}

/// The panels of one IRF HDU, from the model (any producer's file, read by GADFIRFReader).
public enum IRFPictures {
    /// The panels of a component; none for a kind with no picture.
    public static func panels(_ c: any IRFComponent, name: String) throws -> [Panel] {
        try (c as? any IRFPicture)?.panels(name: name) ?? []
    }

    /// Cells per map axis that a picture shows (finer maps are merged).
    static let mapLimit = 48

    /// Bin centres of an energy axis in `unit` (`Axis.centers`: energy axes are logarithmic).
    static func centres(_ axis: Axis, unit: Model.Unit) throws -> [Double] {
        try axis.converted(to: unit).centers
    }

    /// "0.0-0.5 deg" for a spatial bin.
    static func binLabel(_ axis: Axis, _ j: Int) -> String {
        let symbol = axis.unit.symbol.isEmpty ? "" : " " + axis.unit.symbol
        let name =
            [
                "THETA": "offset", "OFFSET": "offset", "ZENITH": "zenith", "COSZEN": "cos zen", "SINDEC": "sin dec",
                "DEC": "dec",
            ][axis.name] ?? axis.name.lowercased()
        return "\(name) \(fmt(axis.edges[j]))-\(fmt(axis.edges[j + 1]))\(symbol)"
    }

    static func fmt(_ v: Double) -> String {
        let s = String(format: "%.3g", v)
        return s.hasPrefix("-0") && Double(s) == 0 ? "0" : s
    }

    static func energyAxis(_ a: Axis, _ label: String = "true energy") -> PlotAxis {
        PlotAxis(label, unit: "TeV", log: true)
    }

    static func effectiveArea(_ a: EffectiveArea, name: String) throws -> Panel {
        try perSpatialBin(
            a.table, name: name, title: "effective area", unit: .squareMeter, yLabel: "effective area", yLog: true)
    }

    /// One curve per spatial bin against the first (energy) axis.
    static func perSpatialBin(_ t: IRFTable, name: String, title: String, unit: Model.Unit, yLabel: String, yLog: Bool)
        throws -> Panel
    {
        let e = try centres(t.axes[0], unit: .TeV)
        let values = try t.unit.convert(t.values, to: unit)
        let n0 = t.shape[0]
        let n1 = t.shape.count > 1 ? t.shape[1] : 1
        let curves = (0..<n1).map { j in
            Curve(label: t.axes.count > 1 ? binLabel(t.axes[1], j) : "", x: e, y: (0..<n0).map { values[$0 + n0 * j] })
        }
        let energyLabel = t.axes[0].meaning == .recoEnergy ? "reconstructed energy" : "true energy"
        return Panel(
            kind: .curves, title: "\(name): \(title)", x: PlotAxis(energyLabel, unit: "TeV", log: true),
            y: PlotAxis(yLabel, unit: unit.symbol, log: yLog), curves: curves)
    }

    /// The 68% and 95% containment radii against energy, for up to three spatial bins.
    static func psf(name: String, axes: [Axis], radii: (Double, Int) throws -> [Double]) throws -> Panel {
        let e = try centres(axes[0], unit: .TeV)
        let n1 = axes[1].binCount
        let bins = n1 <= 3 ? Array(0..<n1) : [0, n1 / 2, n1 - 1]
        var curves: [Curve] = []
        for j in bins {
            for f in [0.68, 0.95] {
                curves.append(Curve(label: "\(Int(f * 100))% \(binLabel(axes[1], j))", x: e, y: try radii(f, j)))
            }
        }
        return Panel(
            kind: .curves, title: "\(name): PSF containment radius", x: energyAxis(axes[0]),
            y: PlotAxis("containment radius", unit: "deg", log: true), curves: curves)
    }

    /// The migration matrix of the spatial bin with the most probability, the diagonal (μ = 1) marked.
    static func dispersion(_ e: EnergyDispersion, name: String) throws -> Panel {
        let t = e.table
        let n0 = t.shape[0]
        let n1 = t.shape[1]
        let n2 = t.shape[2]
        let sums = (0..<n2).map { k in (0..<(n0 * n1)).reduce(0.0) { $0 + max(0, t.values[$1 + n0 * n1 * k]) } }
        let k = sums.indices.max { sums[$0] < sums[$1] } ?? 0
        let energy = try t.axes[0].unit.convert(t.axes[0].edges, to: .TeV)
        let values = (0..<n0).map { i in (0..<n1).map { j in t.values[i + n0 * (j + n1 * k)] } }
        let migra = t.axes[1].edges
        return Panel(
            kind: .map, title: "\(name): migration matrix, \(binLabel(t.axes[2], k))",
            x: PlotAxis("true energy", unit: "TeV", log: true),
            y: PlotAxis("migration E_reco/E_true", log: migra.first! > 0 && migra.last! / migra.first! > 100),
            map: HeatMap(xEdges: energy, yEdges: migra, values: values, label: "dP/dmu", log: true).merged(
                limit: mapLimit),
            guides: [[energy.first!, 1, energy.last!, 1]])
    }

    /// A FoV map per energy, for up to four energy bins spread over the axis.
    static func background3D(_ b: Background3D, name: String) throws -> [Panel] {
        let t = b.table
        let n0 = t.shape[0]
        let n1 = t.shape[1]
        let n2 = t.shape[2]
        let picks = n0 <= 4 ? Array(0..<n0) : [0, n0 / 3, 2 * n0 / 3, n0 - 1]
        let energy = try t.axes[0].unit.convert(t.axes[0].edges, to: .TeV)
        let values = try t.unit.convert(t.values, to: .backgroundRate)
        let lon = try t.axes[1].unit.convert(t.axes[1].edges, to: .degree)
        let lat = try t.axes[2].unit.convert(t.axes[2].edges, to: .degree)
        return picks.map { i in
            Panel(
                kind: .map, title: "\(name): background, \(fmt(energy[i]))-\(fmt(energy[i + 1])) TeV",
                x: PlotAxis(t.axes[1].name, unit: "deg"), y: PlotAxis(t.axes[2].name, unit: "deg"),
                map: HeatMap(
                    xEdges: lon, yEdges: lat,
                    values: (0..<n1).map { j in (0..<n2).map { k in values[i + n0 * (j + n1 * k)] } },
                    label: "s-1 MeV-1 sr-1", log: true
                ).merged(limit: mapLimit))
        }
    }
}
