import Foundation

/// A picture as data: panels of curves, maps and markers with labelled axes. The numbers a picture
/// is drawn from are these (`vodf peek --data json` prints them); `PLplotRenderer` draws them.
public struct Figure: Codable, Sendable, Equatable {
    public var title: String
    public var panels: [Panel]
    /// HDUs or parts that could not be drawn, with why (a damaged HDU is named, the rest drawn).
    public var skipped: [String] = []

    public init(title: String, panels: [Panel], skipped: [String] = []) {
        self.title = title
        self.panels = panels
        self.skipped = skipped
    }
}

public struct PlotAxis: Codable, Sendable, Equatable {
    public var label: String
    public var unit: String?
    public var log: Bool
    /// Fixed limits; nil: from the data.
    public var range: [Double]?

    public init(_ label: String, unit: String? = nil, log: Bool = false, range: [Double]? = nil) {
        self.label = label
        self.unit = unit
        self.log = log
        self.range = range
    }

    /// `label [unit]`.
    public var text: String { unit.map { $0.isEmpty ? label : "\(label) [\($0)]" } ?? label }
}

public struct Curve: Codable, Sendable, Equatable {
    public enum Style: String, Codable, Sendable { case line, points, steps }
    public var label: String
    public var x: [Double]
    public var y: [Double]
    public var style: Style

    public init(label: String, x: [Double], y: [Double], style: Style = .line) {
        self.label = label
        self.x = x
        self.y = y
        self.style = style
    }
}

/// Values on a grid of cells: values[i][j] is x cell i (between xEdges[i] and xEdges[i+1]), y cell j.
public struct HeatMap: Codable, Sendable, Equatable {
    public var xEdges: [Double]
    public var yEdges: [Double]
    public var values: [[Double]]
    public var label: String
    public var log: Bool
    /// How many cells of the source (x, y) each cell averages; nil when none were merged.
    public var merged: [Int]?

    public init(
        xEdges: [Double], yEdges: [Double], values: [[Double]], label: String, log: Bool = false, merged: [Int]? = nil
    ) {
        self.xEdges = xEdges
        self.yEdges = yEdges
        self.values = values
        self.label = label
        self.log = log
        self.merged = merged
    }

    /// No cell can be coloured (all zero on a log scale, all NaN).
    public var isBlank: Bool { !values.joined().contains { $0.isFinite && (!log || $0 > 0) } }
}

extension HeatMap {
    /// The map with runs of adjacent cells merged (mean of the finite values) so that neither axis
    /// has more than `limit` cells: what a picture can show, at a size a page can hold.
    public func merged(limit: Int) -> HeatMap {
        let nx = values.count
        let ny = values.first?.count ?? 0
        guard nx > limit || ny > limit, nx > 0, ny > 0 else { return self }
        let fx = (nx + limit - 1) / limit
        let fy = (ny + limit - 1) / limit
        func edges(_ e: [Double], _ f: Int) -> [Double] {
            stride(from: 0, to: e.count - 1, by: f).map { e[$0] } + [e.last!]
        }
        var out: [[Double]] = []
        for i in stride(from: 0, to: nx, by: fx) {
            var row: [Double] = []
            for j in stride(from: 0, to: ny, by: fy) {
                var sum = 0.0
                var n = 0
                for a in i..<min(nx, i + fx) {
                    for b in j..<min(ny, j + fy) where values[a][b].isFinite {
                        sum += values[a][b]
                        n += 1
                    }
                }
                row.append(n > 0 ? sum / Double(n) : .nan)
            }
            out.append(row)
        }
        return HeatMap(
            xEdges: edges(xEdges, fx), yEdges: edges(yEdges, fy), values: out, label: label, log: log, merged: [fx, fy])
    }

    /// Sky positions counted in cells of `step` degrees (lon 0-360, lat -90-90).
    public static func skyCounts(lon: [Double], lat: [Double], step: Double, label: String) -> HeatMap {
        let nx = Int(360 / step)
        let ny = Int(180 / step)
        var counts = [[Double]](repeating: [Double](repeating: 0, count: ny), count: nx)
        for (l, b) in zip(lon, lat) where l.isFinite && b.isFinite {
            var w = l.truncatingRemainder(dividingBy: 360)
            if w < 0 { w += 360 }
            counts[min(nx - 1, Int(w / step))][min(ny - 1, max(0, Int((b + 90) / step)))] += 1
        }
        return HeatMap(
            xEdges: (0...nx).map { Double($0) * step }, yEdges: (0...ny).map { Double($0) * step - 90 }, values: counts,
            label: label, log: true)
    }
}

public struct Panel: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// Curves on x/y axes (effective area, containment radii, rates, cuts, histograms).
        case curves
        /// A heat map (a migration matrix, a background map).
        case map
        /// Points on the whole sky, Hammer-Aitoff (lon in -180...180 deg, drawn east to the left).
        case sky
    }
    public var kind: Kind
    public var title: String
    public var x: PlotAxis
    public var y: PlotAxis
    public var curves: [Curve] = []
    public var map: HeatMap?
    /// Intervals of x shaded behind the data (good time intervals).
    public var bands: [[Double]] = []
    /// Straight guides drawn over the data: [x0, y0, x1, y1] (the diagonal of a migration matrix).
    public var guides: [[Double]] = []
    /// The sky frame of a sky panel: "equatorial" or "galactic".
    public var frame: String?

    public init(
        kind: Kind, title: String, x: PlotAxis, y: PlotAxis, curves: [Curve] = [], map: HeatMap? = nil,
        bands: [[Double]] = [], guides: [[Double]] = [], frame: String? = nil
    ) {
        self.kind = kind
        self.title = title
        self.x = x
        self.y = y
        self.curves = curves
        self.map = map
        self.bands = bands
        self.guides = guides
        self.frame = frame
    }
}
