internal import CPLplot
import Foundation

/// Draws figures with PLplot (its svg and pngcairo devices): one subpage per panel, two panels a
/// row. PLplot keeps one global state, so one figure is drawn at a time. Its SVG carries no date,
/// so a figure drawn twice gives the same bytes.
public enum PLplotRenderer {
    public enum Output: String, Sendable { case svg, png }

    public struct Failure: Error, CustomStringConvertible { public let description: String }

    static let lock = NSLock()
    /// Pixels of one panel.
    static let panelSize = (width: 640, height: 460)

    /// The figure as SVG or PNG bytes.
    public static func render(_ figure: Figure, as output: Output) throws -> Data {
        guard !figure.panels.isEmpty else { throw Failure(description: "nothing to draw") }
        lock.lock()
        defer { lock.unlock() }
        var error = [CChar](repeating: 0, count: 512)
        guard vodf_pl_load(&error, Int32(error.count)) == 0 else {
            throw Failure(
                description: String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vodf-plot-\(getpid())-\(UUID().uuidString).\(output.rawValue)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: file) }
        let columns = min(2, figure.panels.count)
        let rows = (figure.panels.count + 1) / 2
        vodf_pl_begin(
            output == .svg ? "svg" : "pngcairo", file, Int32(panelSize.width * columns), Int32(panelSize.height * rows),
            Int32(columns), Int32(rows))
        palette()
        for (k, panel) in figure.panels.enumerated() {
            vodf_pl_advance(Int32(k + 1))
            vodf_pl_charsize(0.8)
            switch panel.kind {
            case .curves, .map: drawCartesian(panel, figure: figure)
            case .sky: drawSky(panel, figure: figure)
            }
        }
        vodf_pl_end()
        guard let data = FileManager.default.contents(atPath: file), !data.isEmpty else {
            throw Failure(description: "PLplot wrote no \(output.rawValue) (is plplot-driver-cairo installed for PNG?)")
        }
        return data
    }

    // MARK: - colours

    /// Colour map 0: 0 white (background), 1 black (axes, text), 2 light grey (bands), 3... the curves.
    static let curveColours: [(Int32, Int32, Int32)] = [
        (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
        (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
    ]

    static func palette() {
        vodf_pl_set_color0(0, 255, 255, 255)
        vodf_pl_set_color0(1, 0, 0, 0)
        vodf_pl_set_color0(2, 225, 225, 225)
        for (i, c) in curveColours.enumerated() { vodf_pl_set_color0(Int32(3 + i), c.0, c.1, c.2) }
        vodf_pl_set_color0(13, 120, 120, 120)
        // Colour map 1 (maps): viridis' ends and middle.
        let pos: [Double] = [0, 0.25, 0.5, 0.75, 1]
        let r: [Double] = [0.267, 0.230, 0.128, 0.369, 0.993]
        let g: [Double] = [0.005, 0.322, 0.567, 0.789, 0.906]
        let b: [Double] = [0.329, 0.546, 0.551, 0.383, 0.144]
        vodf_pl_colormap1(Int32(pos.count), pos, r, g, b)
    }

    static func colour(_ k: Int) -> Int32 { Int32(3 + k % curveColours.count) }

    // MARK: - x/y panels

    static func transform(_ v: Double, log: Bool) -> Double? {
        guard v.isFinite else { return nil }
        if log { return v > 0 ? log10(v) : nil }
        return v
    }

    /// The window: fixed ranges, else the data's, padded by 4%.
    static func limits(_ values: [Double], axis: PlotAxis) -> (Double, Double) {
        if let r = axis.range, r.count == 2, let a = transform(r[0], log: axis.log),
            let b = transform(r[1], log: axis.log)
        {
            return (a, b)
        }
        let t = values.compactMap { transform($0, log: axis.log) }
        guard var lo = t.min(), var hi = t.max() else { return (0, 1) }
        if lo == hi {
            lo -= axis.log ? 0.5 : max(abs(lo) * 0.1, 0.5)
            hi += axis.log ? 0.5 : max(abs(hi) * 0.1, 0.5)
        }
        let pad = (hi - lo) * 0.04
        return (lo - pad, hi + pad)
    }

    static func drawCartesian(_ p: Panel, figure: Figure) {
        var xs = p.curves.flatMap(\.x)
        var ys = p.curves.flatMap(\.y)
        if let m = p.map {
            xs += [m.xEdges.first!, m.xEdges.last!]
            ys += [m.yEdges.first!, m.yEdges.last!]
        }
        if p.map != nil, p.x.range == nil { xs = [p.map!.xEdges.first!, p.map!.xEdges.last!] }
        if p.map != nil, p.y.range == nil { ys = [p.map!.yEdges.first!, p.map!.yEdges.last!] }
        var (x0, x1) = limits(xs, axis: p.x)
        var (y0, y1) = limits(ys, axis: p.y)
        if p.map != nil, p.x.range == nil, let a = transform(p.map!.xEdges.first!, log: p.x.log),
            let b = transform(p.map!.xEdges.last!, log: p.x.log)
        {
            (x0, x1) = (a, b)
        }
        if p.map != nil, p.y.range == nil, let a = transform(p.map!.yEdges.first!, log: p.y.log),
            let b = transform(p.map!.yEdges.last!, log: p.y.log)
        {
            (y0, y1) = (a, b)
        }
        vodf_pl_viewport(0.13, p.map != nil ? 0.86 : 0.95, 0.14, 0.84)
        vodf_pl_window(x0, x1, y0, y1)
        // Shaded intervals first, under everything.
        vodf_pl_color0(2)
        for b in p.bands where b.count == 2 {
            guard let a = transform(b[0], log: p.x.log), let c = transform(b[1], log: p.x.log) else { continue }
            let w = max(c - a, (x1 - x0) * 0.002)
            vodf_pl_fill(4, [a, a + w, a + w, a], [y0, y0, y1, y1])
        }
        let range = p.map.flatMap { drawMap($0, xLog: p.x.log, yLog: p.y.log) }
        for (k, c) in p.curves.enumerated() { drawCurve(c, colour: colour(k), xLog: p.x.log, yLog: p.y.log) }
        vodf_pl_color0(13)
        vodf_pl_line_style(2)
        for g in p.guides where g.count == 4 {
            let pts = [(g[0], g[1]), (g[2], g[3])].compactMap { a, b in
                transform(a, log: p.x.log).flatMap { x in transform(b, log: p.y.log).map { (x, $0) } }
            }
            if pts.count == 2 { vodf_pl_line(2, pts.map(\.0), pts.map(\.1)) }
        }
        vodf_pl_line_style(1)
        vodf_pl_color0(1)
        vodf_pl_box(
            p.x.log ? "bcnstl" : "bcnst", logTick(x0, x1, log: p.x.log), 0, p.y.log ? "bcnstvl" : "bcnstv",
            logTick(y0, y1, log: p.y.log), 0)
        vodf_pl_label(p.x.text, p.y.text, "")
        titles(p, figure: figure)
        legend(p.curves)
        if let m = p.map, let r = range { colourBar(lo: r.0, hi: r.1, label: m.label, log: m.log) }
    }

    /// Decades between labels on a log axis: every decade up to 8, then fewer (0: PLplot chooses).
    static func logTick(_ a: Double, _ b: Double, log: Bool) -> Double {
        let decades = abs(b - a)
        return log && decades > 8 ? (decades / 6).rounded(.up) : 0
    }

    static func titles(_ p: Panel, figure: Figure) {
        vodf_pl_color0(1)
        vodf_pl_charsize(0.55)
        vodf_pl_mtex("t", 4.2, 0.5, 0.5, figure.title)
        vodf_pl_charsize(0.8)
        var title = p.title
        if let m = p.map {
            if m.isBlank { title += " (no value to colour)" }
            if let f = m.merged { title += " [cells: means of \(f[0])x\(f[1])]" }
        }
        vodf_pl_mtex("t", 1.5, 0.5, 0.5, title)
        vodf_pl_charsize(0.8)
    }

    /// Up to 8 curve names, top right inside the frame, in their colours.
    static func legend(_ curves: [Curve]) {
        guard curves.count > 1 || (curves.first.map { !$0.label.isEmpty } ?? false) else { return }
        vodf_pl_charsize(0.6)
        for (k, c) in curves.prefix(8).enumerated() {
            vodf_pl_color0(colour(k))
            vodf_pl_mtex("t", -1.5 - 1.3 * Double(k), 0.97, 1, c.label)
        }
        if curves.count > 8 {
            vodf_pl_color0(1)
            vodf_pl_mtex("t", -1.5 - 1.3 * 8, 0.97, 1, "(+\(curves.count - 8) more)")
        }
        vodf_pl_charsize(0.8)
    }

    static func drawCurve(_ c: Curve, colour: Int32, xLog: Bool, yLog: Bool) {
        vodf_pl_color0(colour)
        vodf_pl_width(1.5)
        switch c.style {
        case .line, .points:
            // A line breaks where a value cannot be drawn (zero on a log axis, NaN).
            var seg: [(Double, Double)] = []
            func flush() {
                if c.style == .points || seg.count == 1 {
                    vodf_pl_points(Int32(seg.count), seg.map(\.0), seg.map(\.1), 17)
                } else if seg.count > 1 {
                    vodf_pl_line(Int32(seg.count), seg.map(\.0), seg.map(\.1))
                }
                seg = []
            }
            for (x, y) in zip(c.x, c.y) {
                if let tx = transform(x, log: xLog), let ty = transform(y, log: yLog) {
                    seg.append((tx, ty))
                } else {
                    flush()
                }
            }
            flush()
        case .steps:
            // x holds the n+1 bin edges of the n values.
            var px: [Double] = []
            var py: [Double] = []
            for i in 0..<min(c.y.count, max(0, c.x.count - 1)) {
                guard let a = transform(c.x[i], log: xLog), let b = transform(c.x[i + 1], log: xLog),
                    let v = transform(c.y[i], log: yLog)
                else { continue }
                px += [a, b]
                py += [v, v]
            }
            if px.count > 1 { vodf_pl_line(Int32(px.count), px, py) }
        }
        vodf_pl_width(1)
    }

    /// Fills the cells of a map in colour map 1; returns the value range the colours span (nil:
    /// nothing to colour).
    @discardableResult
    static func drawMap(
        _ m: HeatMap, xLog: Bool, yLog: Bool, project: ((Double, Double) -> (x: Double, y: Double))? = nil
    ) -> (Double, Double)? {
        let nx = m.values.count
        let ny = m.values.first?.count ?? 0
        guard nx > 0, ny > 0 else { return nil }
        var z = [Double](repeating: 0, count: nx * ny)
        var finite: [Double] = []
        for i in 0..<nx {
            for j in 0..<ny {
                let v = m.values[i][j]
                let t = m.log ? (v > 0 ? log10(v) : Double.nan) : v
                z[i * ny + j] = t
                if t.isFinite { finite.append(t) }
            }
        }
        guard var lo = finite.min(), var hi = finite.max() else { return nil }
        if lo == hi {
            lo -= 1
            hi += 1
        }
        // Cells that cannot be coloured (NaN, zero on a log scale) are left out: below the range.
        for k in z.indices where !z[k].isFinite { z[k] = lo - (hi - lo) }
        // Irregular edges: each cell drawn as its own image, so log axes and uneven bins stay true.
        for i in 0..<nx {
            guard let xa = transform(m.xEdges[i], log: xLog), let xb = transform(m.xEdges[i + 1], log: xLog) else {
                continue
            }
            for j in 0..<ny {
                guard let ya = transform(m.yEdges[j], log: yLog), let yb = transform(m.yEdges[j + 1], log: yLog),
                    z[i * ny + j] >= lo
                else { continue }
                vodf_pl_color1((z[i * ny + j] - lo) / (hi - lo))
                if let project {
                    // A sky cell: its outline projected, edges subdivided so that it follows the projection.
                    let corners = [(xa, ya), (xb, ya), (xb, yb), (xa, yb)]
                    var px: [Double] = []
                    var py: [Double] = []
                    for c in 0..<4 {
                        let (a, b) = (corners[c], corners[(c + 1) % 4])
                        for s in 0..<3 {
                            let f = Double(s) / 3
                            let q = project(a.0 + f * (b.0 - a.0), a.1 + f * (b.1 - a.1))
                            px.append(q.x)
                            py.append(q.y)
                        }
                    }
                    vodf_pl_fill(Int32(px.count), px, py)
                } else {
                    vodf_pl_fill(4, [xa, xb, xb, xa], [ya, ya, yb, yb])
                }
            }
        }
        return (lo, hi)
    }

    /// A vertical bar right of the frame, with its range written at its ends.
    static func colourBar(lo: Double, hi: Double, label: String, log: Bool) {
        vodf_pl_viewport(0.89, 0.92, 0.14, 0.84)
        vodf_pl_window(0, 1, lo, hi)
        let steps = 32
        for s in 0..<steps {
            let a = lo + (hi - lo) * Double(s) / Double(steps)
            let b = lo + (hi - lo) * Double(s + 1) / Double(steps)
            vodf_pl_color1(Double(s) / Double(steps - 1))
            vodf_pl_fill(4, [0, 1, 1, 0], [a, a, b, b])
        }
        vodf_pl_color0(1)
        vodf_pl_box("bc", 0, 0, log ? "bcmstvl" : "bcmstv", logTick(lo, hi, log: log), 0)
        vodf_pl_charsize(0.6)
        vodf_pl_mtex("t", 0.6, 0.5, 0.5, label)
        vodf_pl_charsize(0.8)
    }

    // MARK: - sky

    static func drawSky(_ p: Panel, figure: Figure) {
        let r2 = 2.0.squareRoot()
        // 2:1 ellipse in a 640x460 subpage (narrower beside a colour bar).
        let w = p.map == nil ? 0.84 : 0.78
        let h = w * Double(panelSize.width) / Double(panelSize.height) / 2
        vodf_pl_viewport(0.08, 0.08 + w, 0.5 - h / 2, 0.5 + h / 2)
        vodf_pl_window(-2 * r2, 2 * r2, -r2, r2)
        // Solid thin grey: PLplot writes a dashed line as one SVG element per dash.
        vodf_pl_color0(13)
        vodf_pl_width(0.5)
        for lat in stride(from: -60.0, through: 60, by: 30) {
            let pts = stride(from: -180.0, through: 180, by: 2).map { HammerAitoff.project(lon: $0, lat: lat) }
            vodf_pl_line(Int32(pts.count), pts.map(\.x), pts.map(\.y))
        }
        for lon in stride(from: -120.0, through: 120, by: 60) {
            let pts = stride(from: -90.0, through: 90, by: 2).map { HammerAitoff.project(lon: lon, lat: $0) }
            vodf_pl_line(Int32(pts.count), pts.map(\.x), pts.map(\.y))
        }
        vodf_pl_width(1)
        vodf_pl_color0(1)
        let outline =
            stride(from: -90.0, through: 90, by: 1).map { HammerAitoff.project(lon: 180, lat: $0) }
            + stride(from: 90.0, through: -90, by: -1).map { HammerAitoff.project(lon: -180, lat: $0) }
        vodf_pl_line(Int32(outline.count), outline.map(\.x), outline.map(\.y))
        let range = p.map.flatMap {
            drawMap($0, xLog: false, yLog: false) { lon, lat in
                HammerAitoff.project(lon: HammerAitoff.wrap(lon), lat: lat)
            }
        }
        for (k, c) in p.curves.enumerated() {
            let pts = zip(c.x, c.y).compactMap { lon, lat -> (x: Double, y: Double)? in
                lon.isFinite && lat.isFinite ? HammerAitoff.project(lon: HammerAitoff.wrap(lon), lat: lat) : nil
            }
            vodf_pl_color0(colour(k))
            if !pts.isEmpty { vodf_pl_points(Int32(pts.count), pts.map(\.x), pts.map(\.y), pts.count > 2000 ? 1 : 17) }
        }
        vodf_pl_color0(1)
        vodf_pl_charsize(0.6)
        for lon in stride(from: -120.0, through: 120, by: 60) {
            let q = HammerAitoff.project(lon: lon, lat: 0)
            vodf_pl_ptex(q.x, q.y - 0.12, 1, 0, 0.5, HammerAitoff.lonLabel(lon, frame: p.frame))
        }
        vodf_pl_charsize(0.8)
        titles(p, figure: figure)
        legend(p.curves)
        if let m = p.map, let r = range { colourBar(lo: r.0, hi: r.1, label: m.label, log: m.log) }
    }
}
