import Foundation
import Model

/// Containment radii of PSFs: the angle within which a fraction (0.68, 0.95) of the events of a
/// point source fall, per (true energy, spatial) bin.
public enum ContainmentRadius {
    /// From a PSF table: the cumulative ∫ dP/dΩ dΩ over RAD bins, normalised to the slice's total,
    /// interpolated linearly in r within the bin where it crosses `fraction`. NaN for an empty slice.
    public static func radii(_ psf: PSFTable, fraction: Double, spatialBin j: Int) throws -> [Double] {
        let t = psf.table
        let rad = try t.axes[2].unit.convert(t.axes[2].edges, to: .degree)
        let dOmega = try PSFTable.solidAngles(rad: t.axes[2])
        let values = try t.unit.convert(t.values, to: .perSteradian)
        let n0 = t.shape[0]
        let n1 = t.shape[1]
        let n2 = t.shape[2]
        return (0..<n0).map { i in
            var cumulative = [0.0]
            for k in 0..<n2 { cumulative.append(cumulative[k] + values[i + n0 * (j + n1 * k)] * dOmega[k]) }
            guard let total = cumulative.last, total > 0 else { return .nan }
            let target = fraction * total
            for k in 0..<n2 where cumulative[k + 1] >= target {
                let f = (target - cumulative[k]) / (cumulative[k + 1] - cumulative[k])
                return rad[k] + f * (rad[k + 1] - rad[k])
            }
            return rad[n2]
        }
    }

    /// From a King PSF, exactly: C(r) = 1 - (1 + r²/(2γσ²))^(1-γ).
    public static func radii(_ psf: PSFKing, fraction: Double, spatialBin j: Int) throws -> [Double] {
        let gamma = psf.parameters[0].table
        let sigma = psf.parameters[1].table
        let s = try sigma.unit.convert(sigma.values, to: .degree)
        let n0 = gamma.shape[0]
        return (0..<n0).map { i in
            let g = gamma.values[i + n0 * j]
            let sg = s[i + n0 * j]
            guard g > 1, sg > 0 else { return .nan }
            return sg * (2 * g * (pow(1 - fraction, 1 / (1 - g)) - 1)).squareRoot()
        }
    }

    /// From a triple-Gauss PSF: C(r) = Σ A_k σ_k² (1 - exp(-r²/2σ_k²)) / Σ A_k σ_k² (A_1 = 1), solved by bisection.
    public static func radii(_ psf: PSF3Gauss, fraction: Double, spatialBin j: Int) throws -> [Double] {
        let p = Dictionary(uniqueKeysWithValues: psf.parameters.map { ($0.name, $0.table) })
        func deg(_ name: String) throws -> [Double] { try p[name]!.unit.convert(p[name]!.values, to: .degree) }
        let s1 = try deg("SIGMA_1")
        let s2 = try deg("SIGMA_2")
        let s3 = try deg("SIGMA_3")
        let a2 = p["AMPL_2"]!.values
        let a3 = p["AMPL_3"]!.values
        let n0 = p["SIGMA_1"]!.shape[0]
        return (0..<n0).map { i in
            let k = i + n0 * j
            let terms = [(1.0, s1[k]), (a2[k], s2[k]), (a3[k], s3[k])].filter { $0.1 > 0 && $0.0.isFinite }
            let norm = terms.reduce(0) { $0 + $1.0 * $1.1 * $1.1 }
            guard norm > 0 else { return .nan }
            func c(_ r: Double) -> Double {
                terms.reduce(0) { $0 + $1.0 * $1.1 * $1.1 * (1 - exp(-r * r / (2 * $1.1 * $1.1))) } / norm
            }
            var lo = 0.0
            var hi = 10 * (terms.map(\.1).max() ?? 1)
            for _ in 0..<100 {
                let mid = (lo + hi) / 2
                if c(mid) < fraction { lo = mid } else { hi = mid }
            }
            return (lo + hi) / 2
        }
    }
}
