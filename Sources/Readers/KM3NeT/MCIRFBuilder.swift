import Foundation
import Model
import ROOTIO

/// Builds IRFs from KM3NeT Monte Carlo dst files (`E` + `T`). The km3irf-compatible mode computes
/// exactly what km3irf 0.4.0 computes (its binning, cuts, weights, smoothing and normalisation).
public enum MCIRFBuilder {
    /// One simulated event as km3irf takes it: trks[0], mc_trks[0], w[1] and T/bdt.
    public struct Events: Sendable {
        public var e: [Double] = [], dx: [Double] = [], dy: [Double] = [], dz: [Double] = []
        public var eMC: [Double] = [], dxMC: [Double] = [], dyMC: [Double] = [], dzMC: [Double] = []
        public var w2: [Double] = [], w3: [Double] = [], bdt0: [Double] = [], bdt1: [Double] = []
        public var count: Int { e.count }
        public init() {}
    }

    public struct Options: Sendable {
        /// km3irf `apply_cuts()` (bdt0 >= 11 and (bdt0 == 12 or up-going with bdt1 > 0 or horizontal with bdt1 > 0.7)).
        public var cuts = false
        /// km3irf `weight_factor`: the spectral index the effective area is computed for (gamma = -factor).
        public var weightFactor = -2.5
        public var smooth = true
        public var smoothNorm = true
        public var norm = false
        /// Corrected mode: the number of generated events (Head genvol) replaces km3irf's
        /// "events in the file after cuts", and EDISP is stored as the density dP/dmu.
        public var generatedEvents: Double? = nil
        public init() {}
    }

    /// The number of generated events: the 5th field of Head `genvol` (zmin zmax r volume
    /// numberOfEvents), summed over the files. Files without it cannot be normalised this way.
    public static func generatedEvents(paths: [String]) throws -> Double {
        var total = 0.0
        for path in paths {
            let f = try ROOTFile(path: path)
            guard case .object(let head)? = try? f.object("Head"), case .map(let pairs)? = head["map<string,string>"],
                  let genvol = pairs.first(where: { $0.0.string == "genvol" })?.1.string else {
                throw InputError(file: path, column: "Head", reason: "no Head genvol: the number of generated events is unknown (use --km3irf-compatible, which normalises by the events in the file)")
            }
            let fields = genvol.split(separator: " ").compactMap { Double($0) }
            guard fields.count >= 5, fields[4] > 0 else {
                throw InputError(file: path, column: "Head", reason: "genvol '\(genvol)' has no number of events (5th field)")
            }
            total += fields[4]
        }
        return total
    }

    /// Reads the events of one or more dst files. Events without a reconstructed or an MC track
    /// cannot be used (km3irf's trks[:, 0] would fail on them); they are counted and left out.
    public static func readEvents(paths: [String], needBDT: Bool) throws -> (Events, skipped: Int) {
        var ev = Events()
        var skipped = 0
        for path in paths {
            let f = try ROOTFile(path: path)
            let e = try f.tree("E")
            let r = BranchReader(tree: e)
            func need(_ n: String) throws -> Branch {
                guard let b = e.branch(n) else { throw InputError(file: path, column: n, reason: "missing branch \(n) (not a dst/offline MC file?)") }
                return b
            }
            func firsts(_ name: String) throws -> [Double?] {
                guard case .jagged(let o, let inner) = try r.read(try need(name)) else { throw InputError(file: path, column: name, reason: "not a per-track branch") }
                let v = inner.flat
                return (0..<(o.count - 1)).map { o[$0 + 1] > o[$0] ? v[o[$0]] : nil }
            }
            let cols = try ["trks.E", "trks.dir.x", "trks.dir.y", "trks.dir.z", "mc_trks.E", "mc_trks.dir.x", "mc_trks.dir.y", "mc_trks.dir.z"].map(firsts)
            guard case .jagged(let wo, let wi) = try r.read(try need("w")) else { throw InputError(file: path, column: "w", reason: "unexpected layout") }
            let wv = wi.flat
            var bdt: [[Double]]? = nil
            if needBDT {
                guard let t = try? f.tree("T"), let bb = t.branch("bdt") else {
                    throw InputError(file: path, column: "T/bdt", reason: "no T/bdt branch: cuts need the dst BDT scores")
                }
                guard case .fixed(let n, let width) = try BranchReader(tree: t).read(bb), width >= 2 else {
                    throw InputError(file: path, column: "T/bdt", reason: "expected float[2] per event")
                }
                let d = n.doubles
                bdt = (0..<(d.count / width)).map { [d[$0 * width], d[$0 * width + 1]] }
            }
            for i in 0..<e.entries {
                guard let te = cols[0][i], let me = cols[4][i], wo[i + 1] - wo[i] > 1 else { skipped += 1; continue }
                ev.e.append(te); ev.dx.append(cols[1][i]!); ev.dy.append(cols[2][i]!); ev.dz.append(cols[3][i]!)
                ev.eMC.append(me); ev.dxMC.append(cols[5][i]!); ev.dyMC.append(cols[6][i]!); ev.dzMC.append(cols[7][i]!)
                ev.w2.append(wv[wo[i] + 1])
                ev.w3.append(wo[i + 1] - wo[i] > 2 ? wv[wo[i] + 2] : .nan)
                ev.bdt0.append(bdt?[i][0] ?? .nan); ev.bdt1.append(bdt?[i][1] ?? .nan)
            }
        }
        return (ev, skipped)
    }

    /// km3irf `get_cut_mask`.
    public static func applyCuts(_ ev: Events) -> Events {
        var out = Events()
        for i in 0..<ev.count {
            let dirZdeg = acos(ev.dz[i]) * 180 / .pi
            let keep = ev.bdt0[i] >= 11 && (ev.bdt0[i] == 12 || (dirZdeg < 80 && ev.bdt1[i] > 0) || (dirZdeg > 80 && ev.bdt1[i] > 0.7))
            guard keep else { continue }
            out.e.append(ev.e[i]); out.dx.append(ev.dx[i]); out.dy.append(ev.dy[i]); out.dz.append(ev.dz[i])
            out.eMC.append(ev.eMC[i]); out.dxMC.append(ev.dxMC[i]); out.dyMC.append(ev.dyMC[i]); out.dzMC.append(ev.dzMC[i])
            out.w2.append(ev.w2[i]); out.w3.append(ev.w3[i]); out.bdt0.append(ev.bdt0[i]); out.bdt1.append(ev.bdt1[i])
        }
        return out
    }

    // MARK: - Binning as km3irf defines it

    static func linspace(_ a: Double, _ b: Double, _ n: Int, endpoint: Bool = true) -> [Double] {
        let div = Double(endpoint ? n - 1 : n)
        let step = (b - a) / div
        return (0..<n).map { a + Double($0) * step }
    }

    static func logspace(_ a: Double, _ b: Double, _ n: Int) -> [Double] { linspace(a, b, n).map { pow(10, $0) } }

    /// numpy `searchsorted(edges, x) - 1` (side 'left'): bins are open on the left.
    static func bin(_ edges: [Double], _ x: Double) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo - 1
    }

    /// Bins of angles given by their cosine: searchsorted(angleEdges, acos(c)) - 1, computed by
    /// comparing c with cos(edges) (no acos per event). Within 1e-12 of an edge's cosine, where
    /// rounding could tell the two apart, the exact acos path decides, so the bin is always numpy's.
    struct CosineBinner {
        let angleEdges: [Double]      // increasing angles (rad)
        let cosEdges: [Double]        // cos of them (decreasing)
        init(angleEdges: [Double]) {
            self.angleEdges = angleEdges
            cosEdges = angleEdges.map { cos($0) }
        }
        /// The bin of the angle whose cosine is c; `exact(c)` gives numpy's bin when c is at an edge.
        @inline(__always) func bin(cosine c: Double, exact: (Double) -> Int) -> Int {
            // Number of edges with angle < acos(c), i.e. with cos(edge) > c.
            var lo = 0, hi = cosEdges.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if cosEdges[mid] > c { lo = mid + 1 } else { hi = mid }
            }
            if (lo > 0 && abs(cosEdges[lo - 1] - c) < 1e-12) || (lo < cosEdges.count && abs(cosEdges[lo] - c) < 1e-12) {
                return exact(c)
            }
            return lo - 1
        }
    }

    /// numpy's searchsorted(edges, x) - 1 for log-spaced edges 10^(a + k*step): a log10 guess,
    /// then corrected against the edges themselves, so the result is always the exact bin.
    struct LogBinner: Sendable {
        let edges: [Double]
        let a: Double, step: Double
        init(edges: [Double]) {
            self.edges = edges
            a = log10(edges[0])
            step = (log10(edges[edges.count - 1]) - a) / Double(edges.count - 1)
        }
        @inline(__always) func bin(_ x: Double) -> Int {
            guard x.isFinite, x > 0 else { return MCIRFBuilder.bin(edges, x) }
            var k = Int(((log10(x) - a) / step).rounded(.down))
            k = max(-1, min(edges.count - 1, k))
            // k must be the last edge below x: edges[k] < x <= edges[k + 1].
            while k >= 0 && edges[k] >= x { k -= 1 }
            while k + 1 < edges.count && edges[k + 1] < x { k += 1 }
            return k
        }
    }

    /// E^-gamma, exactly as pow for every gamma but faster for km3irf's default 2.5.
    @inline(__always) static func weight(_ e: Double, gamma: Double) -> Double {
        gamma == 2.5 ? 1 / (e * e * e.squareRoot()) : pow(e, -gamma)
    }

    /// Runs `body(range, &hist)` on both cores over halves of 0..<n and adds the histograms.
    static func parallelHistogram(n: Int, size: Int, _ body: @escaping @Sendable (Range<Int>, inout [Double]) -> Void) -> [Double] {
        let parts = n > 50_000 ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        let results = HistogramParts(parts: parts, size: size)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let lo = n * p / parts, hi = n * (p + 1) / parts
            var h = [Double](repeating: 0, count: size)
            body(lo..<hi, &h)
            results.set(p, h)
        }
        return results.sum()
    }

    final class HistogramParts: @unchecked Sendable {
        private var parts: [[Double]]
        private let lock = NSLock()
        init(parts: Int, size: Int) { self.parts = Array(repeating: [], count: parts) }
        func set(_ i: Int, _ h: [Double]) { lock.lock(); parts[i] = h; lock.unlock() }
        func sum() -> [Double] {
            var out = parts[0]
            for p in parts.dropFirst() { for i in out.indices { out[i] += p[i] } }
            return out
        }
    }

    /// km3pipe `zenith`: the angle to (0, 0, -1), so 0 is a down-going particle.
    static func zenith(_ x: Double, _ y: Double, _ z: Double) -> Double {
        let n = (x * x + y * y + z * z).squareRoot()
        return acos(max(-1, min(1, -z / n)))
    }

    // MARK: - scipy.ndimage.gaussian_filter1d

    enum FilterMode { case nearest, constant }

    /// gaussian_filter1d(x, sigma, mode=...) with scipy's defaults (truncate 4, radius int(4 sigma + 0.5)).
    static func gaussianFilter(_ x: [Double], sigma: Double, mode: FilterMode) -> [Double] {
        let radius = Int(4 * sigma + 0.5)
        var w = (-radius...radius).map { exp(-0.5 / (sigma * sigma) * Double($0 * $0)) }
        let s = w.reduce(0, +)
        w = w.map { $0 / s }
        let n = x.count
        func at(_ i: Int) -> Double {
            if i >= 0 && i < n { return x[i] }
            switch mode {
            case .nearest: return x[i < 0 ? 0 : n - 1]
            case .constant: return 0
            }
        }
        return (0..<n).map { i in
            var acc = x[i] * w[radius]
            for j in stride(from: 1, through: radius, by: 1) { acc += (at(i - j) + at(i + j)) * w[radius + j] }
            return acc
        }
    }

    // MARK: - Builds (km3irf-compatible)

    static let year = Double(365 * 24 * 3600)

    /// km3irf `build_aeff` with its default bins: 48 log energy bins 1e2..1e8 GeV, 12 bins linear
    /// in cos(zenith) from 1 to -1.
    public static func effectiveArea(_ ev: Events, options: Options) throws -> EffectiveArea {
        let eEdges = logspace(2, 8, 49)
        let tEdges = linspace(1, -1, 13).map { acos($0) }
        let gamma = -options.weightFactor
        let zen = CosineBinner(angleEdges: tEdges)
        let energy = LogBinner(edges: eEdges)
        let (eMC, dxMC, dyMC, dzMC, w2) = (ev.eMC, ev.dxMC, ev.dyMC, ev.dzMC, ev.w2)
        let sums = parallelHistogram(n: ev.count, size: 48 * 12) { r, h in
            for i in r {
                let k = energy.bin(eMC[i])
                guard k >= 0, k < 48 else { continue }
                let x = dxMC[i], y = dyMC[i], z = dzMC[i]
                let t = zen.bin(cosine: -z / (x * x + y * y + z * z).squareRoot()) { _ in bin(tEdges, zenith(x, y, z)) }
                guard t >= 0, t < 12 else { continue }
                h[k + 48 * t] += weight(eMC[i], gamma: gamma) * w2[i]
            }
        }
        let n = options.generatedEvents ?? Double(ev.count)
        var values = [Double](repeating: 0, count: 48 * 12)
        for k in 0..<48 {
            for t in 0..<12 {
                let dOmega = -(cos(tEdges[t + 1]) - cos(tEdges[t]))
                let dE = pow(eEdges[k + 1], 1 - gamma) - pow(eEdges[k], 1 - gamma)
                // "* 2": km3irf's factor for the two ARCA building blocks.
                values[k + 48 * t] = (1 - gamma) * sums[k + 48 * t] / (year * dOmega * dE * n * 2 * .pi) * 2
            }
        }
        let table = try IRFTable(axes: [try Axis(name: "ENERG", edges: eEdges, unit: .GeV, scale: .log, meaning: .trueEnergy),
                                        try Axis(name: "THETA", edges: tEdges, unit: .radian, scale: .linear, meaning: .zenithAngle)],
                                 values: values, unit: .squareMeter)
        let normalisation = options.generatedEvents.map { "corrected mode: N = \($0) generated events (Head genvol)" }
            ?? "km3irf-compatible: N = \(ev.count) events in the file after cuts"
        return try EffectiveArea(table: table, notes: [
            "Built from Monte Carlo with km3irf 0.4.0's build_aeff formula (\(normalisation)), T = 1 yr, gamma = \(gamma), x2 building blocks.",
            "THETA is the zenith angle of the true direction (km3pipe zenith: 0 = down-going).",
        ])
    }

    /// km3irf `build_psf` with its default bins and smoothing.
    public static func psf(_ ev: Events, options: Options) throws -> PSFTable {
        let eEdges = logspace(2, 8, 25)
        let tEdges = linspace(1, -1, 7).map { acos($0) }
        let rEdges = linspace(0, 1, 20, endpoint: false) + linspace(1, 5, 40, endpoint: false) + linspace(5, 30, 51) + [180]
        let nE = 24, nT = 6, nR = rEdges.count - 1
        // hist[r][t][e] as km3irf's (rad, theta, energy) array.
        var h = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: nE), count: nT), count: nR)
        let zen = CosineBinner(angleEdges: tEdges)
        // rad in degrees is acos(dot) * 180/pi: bin the dot product against the edges' cosines.
        let radBins = CosineBinner(angleEdges: rEdges.map { min($0 * .pi / 180, .pi) })
        let energy = LogBinner(edges: eEdges)
        let (eMC, dxMC, dyMC, dzMC, dx, dy, dz) = (ev.eMC, ev.dxMC, ev.dyMC, ev.dzMC, ev.dx, ev.dy, ev.dz)
        let flat = parallelHistogram(n: ev.count, size: nR * nT * nE) { range, f in
            for i in range {
                let e = energy.bin(eMC[i])
                guard e >= 0, e < nE else { continue }
                let x = dxMC[i], y = dyMC[i], z = dzMC[i]
                let t = zen.bin(cosine: -z / (x * x + y * y + z * z).squareRoot()) { _ in bin(tEdges, zenith(x, y, z)) }
                guard t >= 0, t < nT else { continue }
                let dot = max(-1, min(1, dx[i] * x + dy[i] * y + dz[i] * z))
                // Near an edge, numpy's own comparison: degrees against the degree edges.
                let r = radBins.bin(cosine: dot) { bin(rEdges, acos($0) * 180 / .pi) }
                guard r >= 0, r < nR else { continue }
                f[r + nR * (t + nT * e)] += 1
            }
        }
        for r in 0..<nR { for t in 0..<nT { for e in 0..<nE { h[r][t][e] = flat[r + nR * (t + nT * e)] } } }
        let size = (0..<nR).map { (rEdges[$0 + 1] * rEdges[$0 + 1] - rEdges[$0] * rEdges[$0]) * (Double.pi / 180) * (Double.pi / 180) * .pi }
        for r in 0..<nR { for t in 0..<nT { for e in 0..<nE { h[r][t][e] /= size[r] } } }
        if options.norm {
            for t in 0..<nT { for e in 0..<nE {
                let s = (0..<nR).reduce(0) { $0 + h[$1][t][e] }
                for r in 0..<nR { h[r][t][e] = s > 0 ? h[r][t][e] / s : 0 }
            } }
        } else if options.smooth {
            for t in 0..<nT { for e in 0..<nE {
                let col = (0..<nR).map { h[$0][t][e] }
                let s1 = gaussianFilter(col, sigma: 0.5, mode: .nearest), s2 = gaussianFilter(col, sigma: 2, mode: .nearest)
                let s3 = gaussianFilter(col, sigma: 4, mode: .nearest), s4 = gaussianFilter(col, sigma: 6, mode: .constant)
                var c = Array(s1[0..<10]) + Array(s2[10..<20]) + Array(s3[20..<60]) + Array(s4[60..<(nR - 1)]) + [col[nR - 1]]
                let inner = gaussianFilter(Array(c[10..<(nR - 1)]), sigma: 1, mode: .nearest)
                c.replaceSubrange(10..<(nR - 1), with: inner)
                for r in 0..<nR { h[r][t][e] = c[r] }
            } }
            if options.smoothNorm {
                // km3irf skips the normalisation for the whole array when any slice sums to 0.
                var norms = [[Double]](repeating: [Double](repeating: 0, count: nE), count: nT)
                for t in 0..<nT { for e in 0..<nE { norms[t][e] = (0..<nR).reduce(0) { $0 + h[$1][t][e] * size[$1] } } }
                if !norms.joined().contains(0) {
                    for r in 0..<nR { for t in 0..<nT { for e in 0..<nE { h[r][t][e] /= norms[t][e] } } }
                }
            }
        }
        var values = [Double](repeating: 0, count: nE * nT * nR)
        for r in 0..<nR { for t in 0..<nT { for e in 0..<nE { values[e + nE * (t + nT * r)] = h[r][t][e] } } }
        let table = try IRFTable(axes: [try Axis(name: "ENERG", edges: eEdges, unit: .GeV, scale: .log, meaning: .trueEnergy),
                                        try Axis(name: "THETA", edges: tEdges, unit: .radian, scale: .linear, meaning: .zenithAngle),
                                        try Axis(name: "RAD", edges: rEdges, unit: .degree, scale: .linear, meaning: .rad)],
                                 values: values, unit: .perSteradian)
        return try PSFTable(table: table, notes: ["Built from Monte Carlo as km3irf 0.4.0 build_psf does (km3irf-compatible; smooth=\(options.smooth), smooth_norm=\(options.smoothNorm), norm=\(options.norm))."])
    }

    /// km3irf `build_edisp` with its default bins and smoothing. MATRIX holds what km3irf writes:
    /// the per-bin probability edisp x d(mu), not the density dP/dmu.
    public static func energyDispersion(_ ev: Events, options: Options) throws -> EnergyDispersion {
        let eEdges = logspace(2, 8, 25)
        let tEdges = linspace(1, -1, 7).map { acos($0) }
        let mEdges = logspace(-5, 2, 57)
        let nE = 24, nT = 6, nM = 56
        let dMu = (0..<nM).map { mEdges[$0 + 1] - mEdges[$0] }
        var h = [[[Double]]](repeating: [[Double]](repeating: [Double](repeating: 0, count: nE), count: nM), count: nT)
        let zen = CosineBinner(angleEdges: tEdges)
        let energy = LogBinner(edges: eEdges), migra = LogBinner(edges: mEdges)
        let (eMC, eReco, dxMC, dyMC, dzMC) = (ev.eMC, ev.e, ev.dxMC, ev.dyMC, ev.dzMC)
        let flat = parallelHistogram(n: ev.count, size: nT * nM * nE) { range, f in
            for i in range {
                let e = energy.bin(eMC[i]), m = migra.bin(eReco[i] / eMC[i])
                guard e >= 0, e < nE, m >= 0, m < nM else { continue }
                let x = dxMC[i], y = dyMC[i], z = dzMC[i]
                let t = zen.bin(cosine: -z / (x * x + y * y + z * z).squareRoot()) { _ in bin(tEdges, zenith(x, y, z)) }
                guard t >= 0, t < nT else { continue }
                f[t + nT * (m + nM * e)] += 1
            }
        }
        for t in 0..<nT { for m in 0..<nM { for e in 0..<nE { h[t][m][e] = flat[t + nT * (m + nM * e)] } } }
        for t in 0..<nT { for m in 0..<nM { for e in 0..<nE { h[t][m][e] /= dMu[m] } } }
        func sumsOK() -> [[Double]]? {
            var s = [[Double]](repeating: [Double](repeating: 0, count: nE), count: nT)
            for t in 0..<nT { for e in 0..<nE { s[t][e] = (0..<nM).reduce(0) { $0 + h[t][$1][e] * dMu[$1] } } }
            return s
        }
        if options.norm {
            let s = sumsOK()!
            for t in 0..<nT { for m in 0..<nM { for e in 0..<nE { h[t][m][e] = s[t][e] > 0 ? h[t][m][e] / s[t][e] : 0 } } }
        } else if options.smooth {
            for e in 0..<nE { for t in 0..<nT {
                let col = (0..<nM).map { h[t][$0][e] }
                let total = col.reduce(0, +)
                let sigma = 2 - 0.25 * max(0, total > 0 ? log10(total) : -.infinity)
                let smoothed = gaussianFilter((0..<nM).map { col[$0] * dMu[$0] }, sigma: sigma, mode: .nearest)
                for m in 0..<nM { h[t][m][e] = smoothed[m] }
            } }
            for t in 0..<nT { for m in 0..<nM { for e in 0..<nE { h[t][m][e] /= dMu[m] } } }
            if options.smoothNorm, let s = sumsOK(), !s.joined().contains(0) {
                for t in 0..<nT { for m in 0..<nM { for e in 0..<nE { h[t][m][e] /= s[t][e] } } }
            }
        }
        // km3irf writes per-bin probabilities (x dmu); the corrected mode keeps the density dP/dmu.
        let corrected = options.generatedEvents != nil
        var values = [Double](repeating: 0, count: nE * nM * nT)
        for t in 0..<nT { for m in 0..<nM { for e in 0..<nE { values[e + nE * (m + nM * t)] = h[t][m][e] * (corrected ? 1 : dMu[m]) } } }
        let table = try IRFTable(axes: [try Axis(name: "ENERG", edges: eEdges, unit: .GeV, scale: .log, meaning: .trueEnergy),
                                        try Axis(name: "MIGRA", edges: mEdges, unit: .dimensionless, scale: .log, meaning: .migration),
                                        try Axis(name: "THETA", edges: tEdges, unit: .radian, scale: .linear, meaning: .zenithAngle)],
                                 values: values, unit: .dimensionless)
        return try EnergyDispersion(table: table, notes: corrected
            ? ["Built from Monte Carlo with km3irf 0.4.0's build_edisp binning and smoothing; MATRIX is the density dP/dmu (corrected mode)."]
            : ["Built from Monte Carlo as km3irf 0.4.0 build_edisp does (km3irf-compatible).",
               "MATRIX holds per-bin probabilities (dP/dmu x dmu), as km3irf writes them; GADF asks for dP/dmu."])
    }

    /// Background rate from atmospheric Monte Carlo (km3irf has none): BKG_2D over reconstructed
    /// energy (64 log bins, 1 GeV to 100 PeV, as km3irf's shipped bkg files) x reconstructed zenith
    /// (12 bins linear in cos). Each event adds its rate weight w3 = Evt.w[2] (s^-1, the flux-weighted
    /// event rate of atmospheric MC); a bin holds sum(w3) / (dE[MeV] * dOmega).
    public static func background(_ ev: Events) throws -> Background2D {
        let eEdges = logspace(0, 8, 65)
        let tEdges = linspace(1, -1, 13).map { acos($0) }
        guard ev.w3.contains(where: { $0.isFinite }) else {
            throw InputError(file: "", column: "w", reason: "no w3 (rate) weights: a background needs atmospheric MC with w[2] = event rate")
        }
        var sums = [Double](repeating: 0, count: 64 * 12)
        let energy = LogBinner(edges: eEdges)
        for i in 0..<ev.count where ev.w3[i].isFinite && ev.w3[i] >= 0 {
            let k = energy.bin(ev.e[i])
            let t = bin(tEdges, zenith(ev.dx[i], ev.dy[i], ev.dz[i]))
            guard k >= 0, k < 64, t >= 0, t < 12 else { continue }
            sums[k + 64 * t] += ev.w3[i]
        }
        let eMeV = eEdges.map { $0 * 1000 }
        var values = sums
        for k in 0..<64 {
            for t in 0..<12 {
                let dOmega = 2 * Double.pi * (cos(tEdges[t]) - cos(tEdges[t + 1]))
                values[k + 64 * t] /= (eMeV[k + 1] - eMeV[k]) * dOmega
            }
        }
        let table = try IRFTable(axes: [try Axis(name: "ENERG", edges: eEdges, unit: .GeV, scale: .log, meaning: .recoEnergy),
                                        try Axis(name: "THETA", edges: tEdges, unit: .radian, scale: .linear, meaning: .zenithAngle)],
                                 values: values, unit: .backgroundRate)
        return try Background2D(table: table, notes: [
            "Built from atmospheric Monte Carlo: sum of w3 (event rate, s-1) per reco energy x reco zenith bin / (dE[MeV] dOmega).",
            "THETA is the zenith of the reconstructed direction (0 = down-going); not a FoV offset.",
        ])
    }
}
