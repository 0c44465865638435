import FITSIO
import Foundation

/// The columns of one HDU as the validator reads them: each column once, however many checks want
/// it (the axis checks and the normalisation check both read the _LO/_HI edges). IRF tables hold
/// the whole response in one row, which is what is read.
final class HDUColumns {
    let file: FITSFile
    let columns: [ColumnInfo]
    private var cache: [Int: [Double]?] = [:]

    init(file: FITSFile, columns: [ColumnInfo]) {
        self.file = file
        self.columns = columns
    }

    func named(_ name: String) -> ColumnInfo? { columns.first { $0.spec.name.uppercased() == name.uppercased() } }

    /// The first row of a numeric column as doubles; nil when it cannot be read.
    func values(_ c: ColumnInfo) -> [Double]? {
        if let v = cache[c.number] { return v }
        let v = (try? file.read(column: c, rows: 1))?.doubles
        cache[c.number] = v
        return v
    }

    func values(named name: String) -> [Double]? { named(name).flatMap(values) }
}

/// The LO/HI bin columns of an IRF axis (one row holding the whole axis, as GADF stores IRFs).
enum AxisChecks {
    /// (target, message) per problem; nothing when the columns are absent (the column rules say so).
    static func run(_ rule: AxisRule, columns: HDUColumns) -> [(String?, String)] {
        guard let lo = columns.values(named: rule.lo), let hi = columns.values(named: rule.hi) else { return [] }
        // Round-off of the stored type: a float32 edge is only good to its ulp (1.2e-7 relative).
        // Either column in float32 makes the pair only that good (a producer may store one of them so).
        let single = columns.named(rule.lo)?.spec.type == .float32 || columns.named(rule.hi)?.spec.type == .float32
        func ulp(_ v: Double) -> Double { single ? Double(Float(v).ulp) : v.ulp }
        let name = "\(rule.lo)/\(rule.hi)"
        guard lo.count == hi.count else { return [(rule.hi, "\(name) have \(lo.count) and \(hi.count) values")] }
        guard !lo.isEmpty else { return [(rule.lo, "\(name) are empty")] }
        if let bad = lo.indices.first(where: { !lo[$0].isFinite || !hi[$0].isFinite }) {
            return [(rule.lo, "\(name) bin \(bad) is not finite (\(lo[bad]), \(hi[bad]))")]
        }
        // Equality and contiguity hold within a fraction of the bin width, or two units in the last
        // place of the stored type, whichever is larger: a sum rounded differently is not a gap.
        let tol = rule.tolerance ?? 1e-6
        // Node axes (LO = HI everywhere) are a known real-world form; they are points, not bins.
        let spacing = zip(lo, lo.dropFirst()).map { abs($1 - $0) }.min() ?? abs(lo[0])
        if zip(lo, hi).allSatisfy({ abs($0 - $1) <= max(tol * spacing, 2 * ulp($0)) }) {
            return zip(lo, lo.dropFirst()).allSatisfy({ $0 < $1 })
                ? [] : [(rule.lo, "\(name) node values do not increase")]
        }
        var out: [(String?, String)] = []
        if let i = lo.indices.first(where: { lo[$0] >= hi[$0] }) {
            out.append((rule.lo, "\(name) bin \(i): LO \(lo[i]) is not below HI \(hi[i])"))
        }
        if let i = lo.indices.dropFirst().first(where: { lo[$0] <= lo[$0 - 1] }) {
            out.append((rule.lo, "\(name) do not increase: bin \(i) starts at \(lo[i]) after \(lo[i - 1])"))
        }
        func width(_ k: Int) -> Double { abs(hi[k] - lo[k]) }
        if rule.gaps != true,
            let i = lo.indices.dropFirst().first(where: {
                abs(lo[$0] - hi[$0 - 1]) > max(tol * min(width($0), width($0 - 1)), 2 * ulp(hi[$0 - 1]))
            })
        {
            let gap = lo[i] - hi[i - 1]
            out.append(
                (
                    rule.lo,
                    "\(name) are not contiguous: bin \(i - 1) ends at \(hi[i - 1]), bin \(i) starts at \(lo[i]) (\(gap > 0 ? "gap" : "overlap") of \(String(format: "%.3g", abs(gap) / min(width(i), width(i - 1)))) bin widths; tolerance \(tol))"
                ))
        }
        if rule.positive == true, let m = lo.min(), m <= 0 {
            out.append((rule.lo, "\(name) must be positive (log axis), lowest edge is \(m)"))
        }
        return out
    }

    /// The largest integral of `column` over the rule's axis, if it exceeds the rule's maximum or
    /// stays below its minimum.
    static func normalisation(_ rule: NormalisationRule, columns: HDUColumns) -> NormalisationProblem? {
        guard let c = columns.named(rule.column), let dims = c.spec.dims, dims.count >= 2,
            let lo = columns.values(named: rule.lo), let hi = columns.values(named: rule.hi), lo.count == hi.count,
            let values = columns.values(c), values.count == dims.reduce(1, *)
        else { return nil }
        let measure: [Double] = zip(lo, hi).map { rule.binMeasure(lo: $0, hi: $1) }
        // The integrated axis: the declared position if its length fits, else the only axis that does.
        let fitting = dims.indices.filter { dims[$0] == lo.count }
        guard
            let axis = fitting.contains(rule.tdim_position)
                ? rule.tdim_position : (fitting.count == 1 ? fitting[0] : nil)
        else { return nil }
        let stride = dims[..<axis].reduce(1, *)
        let outer = values.count / (stride * dims[axis])
        var worst = 0.0
        var sawNaN = false
        // Sums of all the bins at once, one row of the integrated axis after the other (contiguous
        // reads; the table has ~10^5 values per HDU and a release has hundreds of them).
        let n = dims[axis]
        values.withUnsafeBufferPointer { v in
            measure.withUnsafeBufferPointer { w in
                var sums = [Double](repeating: 0, count: stride)
                for o in 0..<outer {
                    for j in 0..<stride { sums[j] = 0 }
                    sums.withUnsafeMutableBufferPointer { acc in
                        for k in 0..<n {
                            let row = v.baseAddress! + (o * n + k) * stride
                            let m = w[k]
                            for j in 0..<stride { acc[j] += row[j] * m }
                        }
                        for j in 0..<stride {
                            if acc[j].isNaN { sawNaN = true }
                            worst = max(worst, acc[j])
                        }
                    }
                }
            }
        }
        if sawNaN { return .above("\(rule.column) integrates to NaN over \(rule.lo)") }
        let over = "\(rule.lo)/\(rule.hi) (\(rule.measure))"
        if worst > rule.max {
            return .above(
                "\(rule.column) integrates to up to \(String(format: "%.6g", worst)) over \(over); a normalised table stays at or below \(rule.max)"
            )
        }
        // Only tables with some probability: an all-zero table is another finding's business.
        if let lower = rule.min, worst > 0, worst < lower {
            let perBin = rule.measure == "width" && abs(worst - (measure.min() ?? 0)) <= 0.05 * worst
            return .below(
                "\(rule.column) integrates to at most \(String(format: "%.6g", worst)) over \(over); a normalised table reaches 1 in some bin (lower bound \(lower))"
                    + (perBin
                        ? ": it looks like probabilities per bin (summing to 1), not a density integrating to 1" : ""))
        }
        return nil
    }

    /// A normalisation problem: the integral exceeds the bound, or no bin comes near 1.
    enum NormalisationProblem {
        case above(String), below(String)
        var message: String {
            switch self {
            case .above(let m), .below(let m): return m
            }
        }
        var isBelow: Bool { if case .below = self { return true } else { return false } }
    }
}
