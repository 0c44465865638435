import Foundation
import Model
import Readers

/// Reads the published KM3NeT IRF tables (e.g. KM3NeT/ARCA230). Defined by the README shipped
/// with the tables: one row per bin, with low/centre/high columns per axis.
public enum KM3NeTIRFTables {
    /// A table with two binned axes (low/center/high columns each) and one value per bin.
    struct Grid {
        let file: String
        let bins0: [(Double, Double)]
        let bins1: [(Double, Double)]
        /// values[i0 + n0 * i1]
        let values: [Double]
    }

    /// Reads `path` as a complete grid: every (axis-0 bin, axis-1 bin) exactly once, no holes.
    static func readGrid(
        path: String, axis0: (name: String, match: (String) -> Bool), axis1: (name: String, match: (String) -> Bool),
        value: (name: String, match: (String) -> Bool)
    ) throws -> Grid {
        let t = try DelimitedText(path: path, separator: ",")
        let a0lo = try t.column(axis0.name + " low") { axis0.match($0) && $0.hasSuffix("low") }
        let a0hi = try t.column(axis0.name + " high") { axis0.match($0) && $0.hasSuffix("high") }
        let a1lo = try t.column(axis1.name + " low") { axis1.match($0) && $0.hasSuffix("low") }
        let a1hi = try t.column(axis1.name + " high") { axis1.match($0) && $0.hasSuffix("high") }
        let vCol = try t.column(value.name) { value.match($0) }
        var cells: [(line: Int, b0: (Double, Double), b1: (Double, Double), v: Double)] = []
        let rowCount = try t.forEachRow { row in
            // Negative values are carried as read (the writer counts them, the converter warns).
            let v = try t.double(row, vCol)
            cells.append(
                (
                    row.line, (try t.double(row, a0lo), try t.double(row, a0hi)),
                    (try t.double(row, a1lo), try t.double(row, a1hi)), v
                ))
        }
        guard rowCount > 0 else { throw InputError(file: path, reason: "no rows after the header") }
        let bins0 = try uniqueBins(cells.map { ($0.b0, $0.line) }, name: axis0.name, file: path)
        let bins1 = try uniqueBins(cells.map { ($0.b1, $0.line) }, name: axis1.name, file: path)
        let i0 = Dictionary(uniqueKeysWithValues: bins0.enumerated().map { (BinKey($1), $0) })
        let i1 = Dictionary(uniqueKeysWithValues: bins1.enumerated().map { (BinKey($1), $0) })
        var values = [Double?](repeating: nil, count: bins0.count * bins1.count)
        for c in cells {
            let flat = i0[BinKey(c.b0)]! + bins0.count * i1[BinKey(c.b1)]!
            if values[flat] != nil {
                throw InputError(
                    file: path, line: c.line, reason: "duplicate bin (\(axis0.name) \(c.b0), \(axis1.name) \(c.b1))")
            }
            values[flat] = c.v
        }
        if let hole = values.firstIndex(where: { $0 == nil }) {
            throw InputError(
                file: path,
                reason:
                    "grid has a hole: no row for \(axis0.name) bin \(bins0[hole % bins0.count]) and \(axis1.name) bin \(bins1[hole / bins0.count])"
            )
        }
        return Grid(file: path, bins0: bins0, bins1: bins1, values: values.map { $0! })
    }

    static func log10EnergyAxis(_ bins: [(Double, Double)], meaning: AxisMeaning) throws -> Axis {
        let edges = [bins[0].0] + bins.map(\.1)
        return try Axis(name: "ENERG", edges: edges.map { pow(10, $0) }, unit: .GeV, scale: .log, meaning: meaning)
    }

    static func isTrueEnergy(_ s: String) -> Bool { s.hasPrefix("log10(nu_e") }
    static func isRecoEnergy(_ s: String) -> Bool { s.hasPrefix("log10(reco_e") }

    /// `aeff_coszen_*.csv`: log10(E_nu/GeV) low/center/high, cos(zen) low/center/high, aeff [m^2].
    /// cos(zen) = 1 is down-going, i.e. a source overhead.
    public static func readEffectiveArea(path: String) throws -> EffectiveArea {
        let g = try readGrid(
            path: path, axis0: ("log10(nu_E [GeV])", isTrueEnergy), axis1: ("cos(zen)", { $0.hasPrefix("cos(zen)") }),
            value: ("aeff [m^2]", { $0.hasPrefix("aeff") }))
        let energy = try log10EnergyAxis(g.bins0, meaning: .trueEnergy)
        let cosz = try Axis(name: "COSZEN", lowHigh: g.bins1, unit: .dimensionless, scale: .linear, meaning: .cosZenith)
        let table = try IRFTable(axes: [energy, cosz], values: g.values, unit: .squareMeter)
        return try EffectiveArea(
            table: table,
            notes: [
                "Source: KM3NeT IRF table \((path as NSString).lastPathComponent) (log10 energy edges x cos zenith).",
                "Energy edges are 10**(log10 edges) GeV; cos(zenith) = 1 is a source overhead (down-going).",
            ])
    }

    /// `energyresponse_*.csv`: events per log10(E_reco) for each true-energy bin. Converted to
    /// dP/dμ with μ = E_reco/E_true taken at the true bin's log centre: P_j = v_j Δlog / Σ v Δlog,
    /// dP/dμ = P_j / Δμ_j. Reco and true bins share one log10 grid, so all true bins share one μ
    /// grid (log10 μ = reco edge − true centre). True bins without events stay 0.
    public static func readEnergyResponse(path: String) throws -> EnergyDispersion {
        let g = try readGrid(
            path: path, axis0: ("log10(nu_E [GeV])", isTrueEnergy), axis1: ("log10(reco_E [GeV])", isRecoEnergy),
            value: ("dP/dlog10", { $0.hasPrefix("dp/dlog10") }))
        let nT = g.bins0.count
        let nR = g.bins1.count
        // log10 μ edges for each (true bin, reco edge); they must coincide across true bins.
        var muLog: [Double: Int] = [:]
        var cells: [(t: Int, lo: Double, hi: Double, p: Double)] = []
        for i in 0..<nT {
            let centre = 0.5 * (g.bins0[i].0 + g.bins0[i].1)
            let norm = (0..<nR).reduce(0) { $0 + g.values[i + nT * $1] * (g.bins1[$1].1 - g.bins1[$1].0) }
            for j in 0..<nR {
                let lo = ((g.bins1[j].0 - centre) * 1e9).rounded() / 1e9
                let hi = ((g.bins1[j].1 - centre) * 1e9).rounded() / 1e9
                let p = norm > 0 ? g.values[i + nT * j] * (g.bins1[j].1 - g.bins1[j].0) / norm : 0
                cells.append((i, lo, hi, p))
                muLog[lo, default: 0] += 1
                muLog[hi, default: 0] += 1
            }
        }
        // The μ axis spans the bins that hold probability (plus the grid in between).
        let used = cells.filter { $0.p != 0 }
        guard let lo = used.map(\.lo).min(), let hi = used.map(\.hi).max() else {
            throw InputError(file: path, reason: "no events in any true-energy bin")
        }
        let edgesLog = muLog.keys.filter { $0 >= lo && $0 <= hi }.sorted()
        guard edgesLog.count >= 2 else { throw InputError(file: path, reason: "migration grid has no bins") }
        let index = Dictionary(uniqueKeysWithValues: edgesLog.enumerated().map { ($1, $0) })
        let mu = try Axis(
            name: "MIGRA", edges: edgesLog.map { pow(10, $0) }, unit: .dimensionless, scale: .log, meaning: .migration)
        let energy = try log10EnergyAxis(g.bins0, meaning: .trueEnergy)
        let spatial = try Axis(name: "THETA", edges: [0, 180], unit: .degree, scale: .linear, meaning: .zenithAngle)
        var values = [Double](repeating: 0, count: nT * mu.binCount)
        for c in cells where c.p != 0 {
            guard let k = index[c.lo], index[c.hi] == k + 1 else {
                throw InputError(
                    file: path,
                    reason:
                        "reco and true bins do not share a log10 grid (migration bin \(c.lo)..\(c.hi) is not on the common grid)"
                )
            }
            values[c.t + nT * k] = c.p / (mu.edges[k + 1] - mu.edges[k])
        }
        let table = try IRFTable(axes: [energy, mu, spatial], values: values, unit: .dimensionless)
        return try EnergyDispersion(
            table: table,
            notes: [
                "Source: KM3NeT IRF table \((path as NSString).lastPathComponent) (events per log10 E_reco for each true-energy bin).",
                "Converted to dP/dmu, mu = E_reco/E_true at the true bin's log centre; each true bin normalised to 1.",
                "No zenith dependence in the table: one spatial bin, zenith 0-180 deg.",
            ])
    }

    /// `psf_*.csv`: dP/dΩ sampled at log10(ψ/deg) points for each true-energy bin. RAD bins have
    /// edges halfway (in log10 ψ) between samples, from 0 to 180 deg; each bin takes its sample's
    /// value. Negative samples (the ARCA230 table has 367, all at ψ > 106 deg, carrying at most
    /// 5e-4 of the probability) are kept as read unless `clipNegative` sets them to 0 first. Each
    /// energy bin is then renormalised to ∫ dP/dΩ dΩ = 1; a bin with no probability at all (an
    /// empty band) is written as zeros. Every correction is measured and kept in the notes.
    public static func readPSF(path: String, clipNegative: Bool = false) throws -> PSFTable {
        let t = try DelimitedText(path: path, separator: ",")
        let eLo = try t.column("log10(nu_E [GeV]) low") { isTrueEnergy($0) && $0.hasSuffix("low") }
        let eHi = try t.column("log10(nu_E [GeV]) high") { isTrueEnergy($0) && $0.hasSuffix("high") }
        let psiCol = try t.column("log10(psi [degrees])") { $0.hasPrefix("log10(psi") }
        let vCol = try t.column("dP/dOmega") { $0.hasPrefix("dp/domega") }
        var byEnergy: [BinKey: [(Double, Double, Int)]] = [:]
        var energyBins: [((Double, Double), Int)] = []
        let rowCount = try t.forEachRow { row in
            let b = (try t.double(row, eLo), try t.double(row, eHi))
            let v = try t.double(row, vCol)
            if byEnergy[BinKey(b)] == nil { energyBins.append((b, row.line)) }
            byEnergy[BinKey(b), default: []].append((try t.double(row, psiCol), v, row.line))
        }
        // A header without rows (found by the csv fuzzer: it trapped on bins[0]).
        guard rowCount > 0 else { throw InputError(file: path, reason: "no rows after the header") }
        let bins = try uniqueBins(energyBins, name: "log10(nu_E [GeV])", file: path)
        let radEdges = try psfRadEdges(byEnergy, bins: bins, path: path)
        let rad = try Axis(name: "RAD", edges: radEdges, unit: .degree, scale: .linear, meaning: .rad)
        let energy = try log10EnergyAxis(bins, meaning: .trueEnergy)
        let spatial = try Axis(name: "THETA", edges: [0, 180], unit: .degree, scale: .linear, meaning: .zenithAngle)
        let dOmega = try PSFTable.solidAngles(rad: rad)
        var values = [Double](repeating: 0, count: bins.count * rad.binCount)
        var raw: [Double] = []
        var empty: [Int] = []
        var negatives = 0
        var negativeProbability = 0.0
        for (i, b) in bins.enumerated() {
            var samples = byEnergy[BinKey(b)]!.map(\.1)
            negatives += samples.filter { $0 < 0 }.count
            negativeProbability = min(negativeProbability, zip(samples, dOmega).reduce(0) { $0 + min($1.0, 0) * $1.1 })
            if clipNegative { samples = samples.map { max($0, 0) } }
            let integral = zip(samples, dOmega).reduce(0) { $0 + $1.0 * $1.1 }
            // A band without probability stays zeros: dividing would make NaN, refusing would lose the file.
            guard integral > 0 else {
                empty.append(i)
                for (j, v) in samples.enumerated() { values[i + bins.count * j] = v }
                continue
            }
            raw.append(integral)
            for (j, v) in samples.enumerated() { values[i + bins.count * j] = v / integral }
        }
        var notes = [
            "Source: KM3NeT IRF table \((path as NSString).lastPathComponent) (dP/dOmega sampled in log10 psi per true-energy bin).",
            "RAD bins: edges halfway in log10(psi) between samples, 0 to 180 deg; each bin holds its sample.",
            clipNegative
                ? "\(negatives) negative samples set to 0 (--clip-negative; largest probability removed in one energy bin: \(String(format: "%.2e", -negativeProbability)))."
                : "\(negatives) negative samples kept as read (largest negative probability in one energy bin: \(String(format: "%.2e", -negativeProbability))).",
        ]
        if let lo = raw.min(), let hi = raw.max() {
            notes.append(
                "Each energy bin renormalised to integral 1; integrals before: \(String(format: "%.6f", lo)) to \(String(format: "%.6f", hi))."
            )
        }
        if !empty.isEmpty {
            notes.append(
                "Energy bin(s) \(empty.map(String.init).joined(separator: ", ")) hold no probability: written as read (zeros), not normalised."
            )
        }
        notes.append("No zenith dependence in the table: one spatial bin, zenith 0-180 deg.")
        let table = try IRFTable(axes: [energy, spatial, rad], values: values, unit: .perSteradian)
        var psf = try PSFTable(table: table, notes: notes)
        if clipNegative && negatives > 0 { psf.carried.append(CarriedKeyword("NEGCLIP", .int(Int64(negatives)))) }
        return psf
    }

    /// RAD edges from the log10(psi) samples, which every energy bin must share: halfway between
    /// samples in log10, from 0 to 180 deg.
    private static func psfRadEdges(
        _ byEnergy: [BinKey: [(Double, Double, Int)]], bins: [(Double, Double)], path: String
    ) throws -> [Double] {
        guard let firstBin = bins.first, let first = byEnergy[BinKey(firstBin)] else {
            throw InputError(file: path, reason: "no rows")
        }
        let grid = first.map(\.0)
        for (k, b) in bins.enumerated() {
            let s = byEnergy[BinKey(b)]!
            guard s.map(\.0) == grid else {
                throw InputError(
                    file: path, line: s.first?.2,
                    reason: "energy bin \(k) is sampled at other log10(psi) points than bin 0 (grids must match)")
            }
        }
        guard zip(grid, grid.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw InputError(file: path, reason: "log10(psi) samples are not increasing")
        }
        let inner = zip(grid, grid.dropFirst()).map { pow(10, 0.5 * ($0 + $1)) }
        let radEdges = [0.0] + inner + [180.0]
        guard radEdges[radEdges.count - 2] < 180 else {
            throw InputError(file: path, reason: "psi samples reach past 180 deg")
        }
        return radEdges
    }

    /// `bkg_*.csv`: background rate [s^-1] per (log10 E_reco bin, sin(dec) bin). Converted to the
    /// differential rate dN/(dt dE dΩ) = rate / (ΔE[MeV] · 2π Δsin(dec)). The axis is declination:
    /// GADF's BKG_2D has FoV offset only, so this can be written as VODF, which declares the axis.
    public static func readBackground(path: String) throws -> Background2D {
        let g = try readGrid(
            path: path, axis0: ("log10(reco_E [GeV])", isRecoEnergy), axis1: ("sin(dec)", { $0.hasPrefix("sin(dec)") }),
            value: ("rate [s^-1]", { $0.hasPrefix("rate") }))
        let energy = try log10EnergyAxis(g.bins0, meaning: .recoEnergy)
        let sindec = try Axis(
            name: "SINDEC", lowHigh: g.bins1, unit: .dimensionless, scale: .linear, meaning: .sinDeclination)
        let n0 = g.bins0.count
        let dE = try Unit.GeV.convert(energy.edges, to: .MeV)
        var values = g.values
        for i in 0..<n0 {
            for j in 0..<g.bins1.count {
                let dOmega = 2 * Double.pi * (sindec.edges[j + 1] - sindec.edges[j])
                values[i + n0 * j] /= (dE[i + 1] - dE[i]) * dOmega
            }
        }
        let table = try IRFTable(axes: [energy, sindec], values: values, unit: .backgroundRate)
        return try Background2D(
            table: table,
            notes: [
                "Source: KM3NeT IRF table \((path as NSString).lastPathComponent) (rate per bin vs log10 E_reco and sin(dec)).",
                "Converted to s-1 MeV-1 sr-1: rate / (dE[MeV] * 2 pi * d sin(dec)); declination axis (VODF only).",
            ])
    }

    private struct BinKey: Hashable {
        let lo: Double, hi: Double
        init(_ b: (Double, Double)) {
            lo = b.0
            hi = b.1
        }
    }

    /// Distinct (low, high) bins in increasing order; rejects bins with low >= high.
    private static func uniqueBins(_ bins: [((Double, Double), Int)], name: String, file: String) throws -> [(
        Double, Double
    )] {
        var seen = Set<BinKey>()
        var out: [(Double, Double)] = []
        for (b, line) in bins where !seen.contains(BinKey(b)) {
            guard b.0 < b.1 else {
                throw InputError(
                    file: file, line: line, column: name, reason: "bin low \(b.0) is not below high \(b.1)")
            }
            seen.insert(BinKey(b))
            out.append(b)
        }
        return out.sorted { $0.0 < $1.0 }
    }
}
