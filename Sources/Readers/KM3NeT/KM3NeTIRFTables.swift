import Foundation
import Model

/// Reads the published KM3NeT IRF tables (e.g. KM3NeT/ARCA230). Defined by the README shipped
/// with the tables: one row per bin, with low/centre/high columns per axis.
public enum KM3NeTIRFTables {
    /// `aeff_coszen_*.csv`: log10(E_nu/GeV) low/center/high, cos(zen) low/center/high, aeff [m^2].
    /// cos(zen) = 1 is down-going, i.e. a source overhead.
    public static func readEffectiveArea(path: String) throws -> EffectiveArea {
        let t = try DelimitedText(path: path, separator: ",")
        let eLo = try t.column("log10(nu_E [GeV]) low") { $0.hasPrefix("log10(nu_e") && $0.hasSuffix("low") }
        let eHi = try t.column("log10(nu_E [GeV]) high") { $0.hasPrefix("log10(nu_e") && $0.hasSuffix("high") }
        let cLo = try t.column("cos(zen) low") { $0.hasPrefix("cos(zen)") && $0.hasSuffix("low") }
        let cHi = try t.column("cos(zen) high") { $0.hasPrefix("cos(zen)") && $0.hasSuffix("high") }
        let vCol = try t.column("aeff [m^2]") { $0.hasPrefix("aeff") }
        guard !t.rows.isEmpty else { throw InputError(file: path, reason: "no rows after the header") }

        var cells: [(line: Int, e: (Double, Double), c: (Double, Double), v: Double)] = []
        for row in t.rows {
            let v = try t.double(row, vCol)
            guard v >= 0 else { throw InputError(file: path, line: row.line, column: t.header[vCol], reason: "negative effective area \(v)") }
            cells.append((row.line, (try t.double(row, eLo), try t.double(row, eHi)),
                          (try t.double(row, cLo), try t.double(row, cHi)), v))
        }
        let energyBins = try uniqueBins(cells.map { ($0.e, $0.line) }, name: "log10(nu_E [GeV])", file: path)
        let cosBins = try uniqueBins(cells.map { ($0.c, $0.line) }, name: "cos(zen)", file: path)

        let log10Edges = [energyBins[0].0] + energyBins.map(\.1)
        let energy = try Axis(name: "ENERG", edges: log10Edges.map { pow(10, $0) }, unit: .GeV, scale: .log, meaning: .trueEnergy)
        let cosz = try Axis(name: "COSZEN", lowHigh: cosBins, unit: .dimensionless, scale: .linear, meaning: .cosZenith)

        // Place each row in its bin; every bin must be filled exactly once (no holes, no duplicates).
        var values = [Double?](repeating: nil, count: energy.binCount * cosz.binCount)
        let eIndex = Dictionary(uniqueKeysWithValues: energyBins.enumerated().map { (BinKey($1), $0) })
        let cIndex = Dictionary(uniqueKeysWithValues: cosBins.enumerated().map { (BinKey($1), $0) })
        for cell in cells {
            let i = eIndex[BinKey(cell.e)]!, j = cIndex[BinKey(cell.c)]!
            let flat = i + energy.binCount * j
            if values[flat] != nil {
                throw InputError(file: path, line: cell.line, reason: "duplicate bin (energy \(cell.e), cos(zen) \(cell.c))")
            }
            values[flat] = cell.v
        }
        if let hole = values.firstIndex(where: { $0 == nil }) {
            let i = hole % energy.binCount, j = hole / energy.binCount
            throw InputError(file: path, reason: "grid has a hole: no row for energy bin \(energyBins[i]) and cos(zen) bin \(cosBins[j])")
        }
        let table = try IRFTable(axes: [energy, cosz], values: values.map { $0! }, unit: .squareMeter)
        return try EffectiveArea(table: table, notes: [
            "Source: KM3NeT IRF table \((path as NSString).lastPathComponent) (log10 energy edges x cos zenith).",
            "Energy edges are 10**(log10 edges) GeV; cos(zenith) = 1 is a source overhead (down-going).",
        ])
    }

    private struct BinKey: Hashable {
        let lo: Double, hi: Double
        init(_ b: (Double, Double)) { lo = b.0; hi = b.1 }
    }

    /// Distinct (low, high) bins in increasing order; rejects bins with low >= high.
    private static func uniqueBins(_ bins: [((Double, Double), Int)], name: String, file: String) throws -> [(Double, Double)] {
        var seen = Set<BinKey>()
        var out: [(Double, Double)] = []
        for (b, line) in bins where !seen.contains(BinKey(b)) {
            guard b.0 < b.1 else { throw InputError(file: file, line: line, column: name, reason: "bin low \(b.0) is not below high \(b.1)") }
            seen.insert(BinKey(b))
            out.append(b)
        }
        return out.sorted { $0.0 < $1.0 }
    }
}
