import Foundation

extension MCIRFBuilder {
    // MARK: - scipy.ndimage.gaussian_filter1d

    enum FilterMode { case nearest, constant }

    /// scipy's gaussian_filter1d kernel for one sigma (truncate 4, radius int(4 sigma + 0.5)), made
    /// once and applied to many slices.
    struct GaussianKernel {
        let radius: Int
        let weights: [Double] // weights[radius + j] for offset j
        init(sigma: Double) {
            // A huge column can give sigma <= 0 (see energyDispersion): radius 0 then, not a crash.
            radius = sigma.isFinite && sigma > 0 ? Int(4 * sigma + 0.5) : 0
            let w = (-radius...radius).map { exp(-0.5 / (sigma * sigma) * Double($0 * $0)) }
            let s = w.reduce(0, +)
            weights = w.map { $0 / s }
        }

        /// gaussian_filter1d(x, sigma, mode=...) for the outputs in `outputs` only (km3irf keeps a
        /// different sigma per RAD range).
        func apply(_ x: [Double], mode: FilterMode, outputs: Range<Int>? = nil) -> [Double] {
            let outputs = outputs ?? 0..<x.count
            guard !x.isEmpty else { return [] }
            var out = [Double](repeating: 0, count: x.count)
            let padded = UnsafeMutablePointer<Double>.allocate(capacity: x.count + 2 * radius)
            defer { padded.deallocate() }
            x.withUnsafeBufferPointer { xb in
                out.withUnsafeMutableBufferPointer { ob in
                    apply(xb.baseAddress!, count: x.count, mode: mode, padded: padded, into: ob.baseAddress!)
                }
            }
            return Array(out[outputs])
        }

        /// `apply` to `count` values into `out`, with `padded` (room for count + 2 radius values) as
        /// scratch, so a caller filtering many columns allocates nothing per column. The column is
        /// copied with the mode's extension written out on both sides, so each tap is a plain load;
        /// the terms are added in the same order as filterRows (same result).
        func apply(
            _ x: UnsafePointer<Double>, count: Int, mode: FilterMode, padded: UnsafeMutablePointer<Double>,
            into out: UnsafeMutablePointer<Double>
        ) {
            guard count > 0 else { return }
            let (lo, hi) = mode == .nearest ? (x[0], x[count - 1]) : (0, 0)
            for j in 0..<radius {
                padded[j] = lo
                padded[radius + count + j] = hi
            }
            (padded + radius).update(from: x, count: count)
            weights.withUnsafeBufferPointer { w in
                for r in 0..<count {
                    let c = r + radius
                    var a = padded[c] * w[radius]
                    for j in stride(from: 1, through: radius, by: 1) {
                        a += (padded[c - j] + padded[c + j]) * w[radius + j]
                    }
                    out[r] = a
                }
            }
        }

        /// gaussian_filter1d along the rows of a rows x width array (x[r * width + k]) for the output
        /// rows `outputs`: every column at once, so the inner loops run along a row and vectorise.
        /// Each output still adds its terms in scipy's order (centre, then offsets 1, 2, ...), so the
        /// result is bit for bit that of filtering each column on its own.
        func filterRows(
            _ x: UnsafeBufferPointer<Double>, rows n: Int, width: Int, mode: FilterMode, outputs: Range<Int>
        ) -> [Double] {
            guard n > 0, width > 0, let base = x.baseAddress else { return [] }
            var out = [Double](repeating: 0, count: outputs.count * width)
            let zeros = [Double](repeating: 0, count: width)
            zeros.withUnsafeBufferPointer { z in
                out.withUnsafeMutableBufferPointer { o in
                    // The mode's extension beyond the ends: the edge row again, or zeros.
                    func row(_ r: Int) -> UnsafePointer<Double> {
                        if r >= 0 && r < n { return base + r * width }
                        return mode == .nearest ? base + (r < 0 ? 0 : n - 1) * width : z.baseAddress!
                    }
                    for (i, r) in outputs.enumerated() {
                        let a = o.baseAddress! + i * width
                        let c = row(r)
                        let w0 = weights[radius]
                        for k in 0..<width { a[k] = c[k] * w0 }
                        for j in stride(from: 1, through: radius, by: 1) {
                            let (lo, hi, w) = (row(r - j), row(r + j), weights[radius + j])
                            for k in 0..<width { a[k] += (lo[k] + hi[k]) * w }
                        }
                    }
                }
            }
            return out
        }
    }

    /// A histogram written by several workers, each in cells no other touches.
    struct SharedColumns: @unchecked Sendable { let base: UnsafeMutablePointer<Double> }

    static func gaussianFilter(_ x: [Double], sigma: Double, mode: FilterMode, outputs: Range<Int>? = nil) -> [Double] {
        GaussianKernel(sigma: sigma).apply(x, mode: mode, outputs: outputs)
    }
}
