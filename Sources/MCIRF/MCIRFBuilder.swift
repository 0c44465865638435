import Foundation
import Model
import ROOTIO
import Readers

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

        /// Room for n events in every column, so filling them does not copy them as they grow
        /// (grown columns also end up where streaming them is measurably slower).
        public mutating func reserveCapacity(_ n: Int) {
            for path in [\Events.e, \.dx, \.dy, \.dz, \.eMC, \.dxMC, \.dyMC, \.dzMC, \.w2, \.w3, \.bdt0, \.bdt1]
                as [WritableKeyPath<Events, [Double]>]
            {
                self[keyPath: path].reserveCapacity(n)
            }
        }
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
}

extension MCIRFBuilder {
    // MARK: - Builds (km3irf-compatible)

    static let year = Double(365 * 24 * 3600)

    /// The bin tables of km3irf's fixed zenith and RAD bins, built once per process.
    enum Tables {
        static let zenith12 = ZenithBinner(angleEdges: linspace(1, -1, 13).map { acos($0) })
        static let zenith6 = ZenithBinner(angleEdges: linspace(1, -1, 7).map { acos($0) })
        static let rad = RadBinner(degreeEdges: radEdgesDegrees)
        static let energy24 = LogBinner(edges: logspace(2, 8, 25))
        static let energy48 = LogBinner(edges: logspace(2, 8, 49))
        static let migration56 = LogBinner(edges: logspace(-5, 2, 57))
    }

    /// km3irf `build_aeff` with its default bins: 48 log energy bins 1e2..1e8 GeV, 12 bins linear
    /// in cos(zenith) from 1 to -1.
    public static func effectiveArea(_ ev: Events, options: Options) throws -> EffectiveArea {
        let eEdges = logspace(2, 8, 49)
        let tEdges = linspace(1, -1, 13).map { acos($0) }
        let gamma = -options.weightFactor
        let zen = Tables.zenith12
        let energy = Tables.energy48
        let sums = parallelHistogram([ev.eMC, ev.dxMC, ev.dyMC, ev.dzMC, ev.w2], size: 48 * 12) { r, c, h in
            let (eMC, dxMC, dyMC, dzMC, w2) = (c[0], c[1], c[2], c[3], c[4])
            let (energy, zen) = (energy.kernel, zen.kernel) // see LogBinner.kernel
            for i in r {
                let k = energy.bin(eMC[i])
                guard k >= 0, k < 48 else { continue }
                let t = zen.bin(dxMC[i], dyMC[i], dzMC[i])
                guard t >= 0, t < 12 else { continue }
                h[k &+ 48 &* t] += weight(eMC[i], gamma: gamma) * w2[i]
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
        let table = try IRFTable(
            axes: [
                try Axis(name: "ENERG", edges: eEdges, unit: .GeV, scale: .log, meaning: .trueEnergy),
                try Axis(name: "THETA", edges: tEdges, unit: .radian, scale: .linear, meaning: .zenithAngle),
            ],
            values: values, unit: .squareMeter)
        let normalisation =
            options.generatedEvents.map { "corrected mode: N = \($0) generated events (Head genvol)" }
            ?? "km3irf-compatible: N = \(ev.count) events in the file after cuts"
        return try EffectiveArea(
            table: table,
            notes: [
                "Built from Monte Carlo with km3irf 0.4.0's build_aeff formula (\(normalisation)), T = 1 yr, gamma = \(gamma), x2 building blocks.",
                "THETA is the zenith angle of the true direction (km3pipe zenith: 0 = down-going).",
            ])
    }

    /// km3irf `build_psf` with its default bins and smoothing.
    public static func psf(_ ev: Events, options: Options) throws -> PSFTable {
        let eEdges = logspace(2, 8, 25)
        let tEdges = linspace(1, -1, 7).map { acos($0) }
        let rEdges = radEdgesDegrees
        let nE = 24
        let nT = 6
        let nR = rEdges.count - 1
        let zen = Tables.zenith6
        let radBins = Tables.rad
        let energy = Tables.energy24
        // values[e + nE * (t + nT * r)]: the FITS order (energy fastest); a (t, e) slice has stride nE * nT.
        let shape = DumpShape(nE, nT, nR)
        let strides = shape.strides
        let (eParts, zParts, rParts) = (
            energy.parts(n: nE, stride: strides.0), zen.parts(n: nT, stride: strides.1),
            radBins.parts(n: nR, stride: strides.2)
        )
        var h = shape.strip(
            parallelCounts([ev.eMC, ev.dxMC, ev.dyMC, ev.dzMC, ev.dx, ev.dy, ev.dz], size: shape.size) { range, c, f in
                let (ek, zk, rk) = (eParts.kernel, zParts.kernel, rParts.kernel) // into registers: see LogBinner.kernel
                // In blocks, one short loop per bin kind: a loop of a few instructions keeps many events
                // in flight, so the table loads of one event wait in parallel with the next ones. Each
                // loop adds its axis's part of the cell index; events outside a range land in a dump
                // cell that is dropped at the end, so no loop tests ranges.
                withBinBlocks(range) { s, n, cell, scratch in
                    let (eMC, dxMC, dyMC, dzMC, dx, dy, dz) = (
                        c[0] + s, c[1] + s, c[2] + s, c[3] + s, c[4] + s, c[5] + s, c[6] + s
                    )
                    BlockPass.energy(ek, eMC, n, set: cell)
                    BlockPass.zenith(zk, dxMC, dyMC, dzMC, n, add: cell, scratch: scratch.integers)
                    BlockPass.rad(rk, dx, dy, dz, dxMC, dyMC, dzMC, n, add: cell, scratch: scratch.doubles)
                    BlockPass.count(cell, n, into: f)
                }
            })
        let slice = nE * nT
        let size = (0..<nR).map {
            (rEdges[$0 + 1] * rEdges[$0 + 1] - rEdges[$0] * rEdges[$0]) * (Double.pi / 180) * (Double.pi / 180) * .pi
        }
        for r in 0..<nR { for j in 0..<slice { h[j + slice * r] /= size[r] } }
        if options.norm {
            for j in 0..<slice {
                let s = (0..<nR).reduce(0) { $0 + h[j + slice * $1] }
                for r in 0..<nR { h[j + slice * r] = s > 0 ? h[j + slice * r] / s : 0 }
            }
        } else if options.smooth {
            h = smoothPSF(h, slice: slice, rows: nR, size: size, normalise: options.smoothNorm)
        }
        let values = h
        let table = try IRFTable(
            axes: [
                try Axis(name: "ENERG", edges: eEdges, unit: .GeV, scale: .log, meaning: .trueEnergy),
                try Axis(name: "THETA", edges: tEdges, unit: .radian, scale: .linear, meaning: .zenithAngle),
                try Axis(name: "RAD", edges: rEdges, unit: .degree, scale: .linear, meaning: .rad),
            ],
            values: values, unit: .perSteradian)
        return try PSFTable(
            table: table,
            notes: [
                "Built from Monte Carlo as km3irf 0.4.0 build_psf does (km3irf-compatible; smooth=\(options.smooth), smooth_norm=\(options.smoothNorm), norm=\(options.norm))."
            ])
    }

    /// km3irf's PSF smoothing: Gaussian filters along RAD, with km3irf's sigma per RAD range, then
    /// (if `normalise`) each (energy, zenith) slice scaled to integrate to 1 over the solid angle.
    static func smoothPSF(_ h: [Double], slice: Int, rows nR: Int, size: [Double], normalise: Bool) -> [Double] {
        var h = h
        let (k05, k1, k2, k4, k6) = (
            GaussianKernel(sigma: 0.5), GaussianKernel(sigma: 1), GaussianKernel(sigma: 2),
            GaussianKernel(sigma: 4), GaussianKernel(sigma: 6)
        )
        // h is nR rows of `slice` values, so each filter runs along RAD for all slices at once.
        // km3irf's sigma per RAD range; only the rows it keeps are computed.
        var c = h.withUnsafeBufferPointer { x in
            k05.filterRows(x, rows: nR, width: slice, mode: .nearest, outputs: 0..<10)
                + k2.filterRows(x, rows: nR, width: slice, mode: .nearest, outputs: 10..<20)
                + k4.filterRows(x, rows: nR, width: slice, mode: .nearest, outputs: 20..<60)
                + k6.filterRows(x, rows: nR, width: slice, mode: .constant, outputs: 60..<(nR - 1))
        }
        c += h[(slice * (nR - 1))...]
        let inner = c[(slice * 10)..<(slice * (nR - 1))].withUnsafeBufferPointer { x in
            k1.filterRows(x, rows: nR - 11, width: slice, mode: .nearest, outputs: 0..<(nR - 11))
        }
        c.replaceSubrange((slice * 10)..<(slice * (nR - 1)), with: inner)
        h = c
        if normalise {
            // km3irf skips the normalisation for the whole array when any slice sums to 0.
            let norms = (0..<slice).map { j in (0..<nR).reduce(0) { $0 + h[j + slice * $1] * size[$1] } }
            if !norms.contains(0) {
                for r in 0..<nR { for j in 0..<slice { h[j + slice * r] /= norms[j] } }
            }
        }
        return h
    }

    /// km3irf's EDISP smoothing: each (energy, zenith) column smoothed along migration with its
    /// own sigma (so its own kernel); the columns are shared out among the cores, each writing
    /// only its own. `h` is in FITS order (energy fastest).
    static func smoothEdispColumns(_ h: inout [Double], nE: Int, nM: Int, nT: Int, dMu: [Double]) {
        h.withUnsafeMutableBufferPointer { hb in
            let out = SharedColumns(base: hb.baseAddress!)
            let columns = nE * nT
            let workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                // One column's values (x dmu), its smoothed values and the filter's padded copy,
                // reused for every column (sigma <= 2, so the radius is at most 8).
                let column = UnsafeMutablePointer<Double>.allocate(capacity: nM)
                let smoothed = UnsafeMutablePointer<Double>.allocate(capacity: nM)
                let padded = UnsafeMutablePointer<Double>.allocate(capacity: nM + 2 * 8)
                defer {
                    column.deallocate()
                    smoothed.deallocate()
                    padded.deallocate()
                }
                for k in (columns * w / workers)..<(columns * (w + 1) / workers) {
                    let (e, t) = (k % nE, k / nE)
                    var total = 0.0
                    for m in 0..<nM {
                        let v = out.base[e + nE * (m + nM * t)]
                        total += v // summed in order, as before
                        column[m] = v * dMu[m]
                    }
                    let sigma = 2 - 0.25 * max(0, total > 0 ? log10(total) : -.infinity)
                    let kernel = GaussianKernel(sigma: sigma) // sigma <= 2: radius <= 8
                    guard kernel.radius <= 8 else { preconditionFailure("EDISP smoothing sigma \(sigma) above 2") }
                    kernel.apply(column, count: nM, mode: .nearest, padded: padded, into: smoothed)
                    for m in 0..<nM { out.base[e + nE * (m + nM * t)] = smoothed[m] }
                }
            }
        }
    }

    /// km3irf `build_edisp` with its default bins and smoothing. MATRIX holds what km3irf writes:
    /// the per-bin probability edisp x d(mu), not the density dP/dmu.
    public static func energyDispersion(_ ev: Events, options: Options) throws -> EnergyDispersion {
        let eEdges = logspace(2, 8, 25)
        let tEdges = linspace(1, -1, 7).map { acos($0) }
        let mEdges = logspace(-5, 2, 57)
        let nE = 24
        let nT = 6
        let nM = 56
        let dMu = (0..<nM).map { mEdges[$0 + 1] - mEdges[$0] }
        let zen = Tables.zenith6
        let energy = Tables.energy24
        let migra = Tables.migration56
        // h[e + nE * (m + nM * t)]: the FITS order (energy fastest).
        @Sendable @inline(__always) func at(_ t: Int, _ m: Int, _ e: Int) -> Int { e + nE * (m + nM * t) }
        let shape = DumpShape(nE, nM, nT)
        let strides = shape.strides
        let (eParts, mParts, zParts) = (
            energy.parts(n: nE, stride: strides.0), migra.parts(n: nM, stride: strides.1),
            zen.parts(n: nT, stride: strides.2)
        )
        var h = shape.strip(
            parallelCounts([ev.eMC, ev.e, ev.dxMC, ev.dyMC, ev.dzMC], size: shape.size) { range, c, f in
                let (ek, mk, zk) = (eParts.kernel, mParts.kernel, zParts.kernel) // into registers: see LogBinner.kernel
                withBinBlocks(range) { s, n, cell, scratch in // as in psf
                    let (eMC, eReco, dxMC, dyMC, dzMC) = (c[0] + s, c[1] + s, c[2] + s, c[3] + s, c[4] + s)
                    BlockPass.energyAndMigration(ek, mk, eMC, eReco, n, set: cell)
                    BlockPass.zenith(zk, dxMC, dyMC, dzMC, n, add: cell, scratch: scratch.integers)
                    BlockPass.count(cell, n, into: f)
                }
            })
        for t in 0..<nT { for m in 0..<nM { for e in 0..<nE { h[at(t, m, e)] /= dMu[m] } } }
        func sums() -> [Double] { // [e + nE * t]: sum over mu of h dmu
            var s = [Double](repeating: 0, count: nE * nT)
            for t in 0..<nT {
                for e in 0..<nE { s[e + nE * t] = (0..<nM).reduce(0) { $0 + h[at(t, $1, e)] * dMu[$1] } }
            }
            return s
        }
        if options.norm {
            let s = sums()
            for t in 0..<nT {
                for m in 0..<nM {
                    for e in 0..<nE { h[at(t, m, e)] = s[e + nE * t] > 0 ? h[at(t, m, e)] / s[e + nE * t] : 0 }
                }
            }
        } else if options.smooth {
            smoothEdispColumns(&h, nE: nE, nM: nM, nT: nT, dMu: dMu)
            for t in 0..<nT { for m in 0..<nM { for e in 0..<nE { h[at(t, m, e)] /= dMu[m] } } }
            if options.smoothNorm {
                let s = sums()
                if !s.contains(0) {
                    for t in 0..<nT { for m in 0..<nM { for e in 0..<nE { h[at(t, m, e)] /= s[e + nE * t] } } }
                }
            }
        }
        // km3irf writes per-bin probabilities (x dmu); the corrected mode keeps the density dP/dmu.
        let corrected = options.generatedEvents != nil
        if !corrected { for t in 0..<nT { for m in 0..<nM { for e in 0..<nE { h[at(t, m, e)] *= dMu[m] } } } }
        let values = h
        let table = try IRFTable(
            axes: [
                try Axis(name: "ENERG", edges: eEdges, unit: .GeV, scale: .log, meaning: .trueEnergy),
                try Axis(name: "MIGRA", edges: mEdges, unit: .dimensionless, scale: .log, meaning: .migration),
                try Axis(name: "THETA", edges: tEdges, unit: .radian, scale: .linear, meaning: .zenithAngle),
            ],
            values: values, unit: .dimensionless)
        return try EnergyDispersion(
            table: table,
            notes: corrected
                ? [
                    "Built from Monte Carlo with km3irf 0.4.0's build_edisp binning and smoothing; MATRIX is the density dP/dmu (corrected mode)."
                ]
                : [
                    "Built from Monte Carlo as km3irf 0.4.0 build_edisp does (km3irf-compatible).",
                    "MATRIX holds per-bin probabilities (dP/dmu x dmu), as km3irf writes them; GADF asks for dP/dmu.",
                ])
    }

    /// Background rate from atmospheric Monte Carlo (km3irf has none): BKG_2D over reconstructed
    /// energy (64 log bins, 1 GeV to 100 PeV, as km3irf's shipped bkg files) x reconstructed zenith
    /// (12 bins linear in cos). Each event adds its rate weight w3 = Evt.w[2] (s^-1, the flux-weighted
    /// event rate of atmospheric MC); a bin holds sum(w3) / (dE[MeV] * dOmega).
    public static func background(_ ev: Events) throws -> Background2D {
        let eEdges = logspace(0, 8, 65)
        let tEdges = linspace(1, -1, 13).map { acos($0) }
        guard ev.w3.contains(where: { $0.isFinite }) else {
            throw InputError(
                file: "", column: "w",
                reason: "no w3 (rate) weights: a background needs atmospheric MC with w[2] = event rate")
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
        let table = try IRFTable(
            axes: [
                try Axis(name: "ENERG", edges: eEdges, unit: .GeV, scale: .log, meaning: .recoEnergy),
                try Axis(name: "THETA", edges: tEdges, unit: .radian, scale: .linear, meaning: .zenithAngle),
            ],
            values: values, unit: .backgroundRate)
        return try Background2D(
            table: table,
            notes: [
                "Built from atmospheric Monte Carlo: sum of w3 (event rate, s-1) per reco energy x reco zenith bin / (dE[MeV] dOmega).",
                "THETA is the zenith of the reconstructed direction (0 = down-going); not a FoV offset.",
            ])
    }
}

extension MCIRFBuilder {
    /// One IRF a Monte Carlo build makes (`vodf irf build --irf`), named by its kind's HDU-index type.
    public struct Kind: Sendable, Hashable, CaseIterable {
        public let component: any IRFComponent.Type
        let builder: @Sendable (Events, Options) throws -> any IRFComponent

        public var rawValue: String { component.layout.hduIndexType }

        public init?(rawValue: String) {
            guard let k = Self.allCases.first(where: { $0.rawValue == rawValue }) else { return nil }
            self = k
        }

        private init(
            _ component: any IRFComponent.Type,
            _ builder: @escaping @Sendable (Events, Options) throws -> any IRFComponent
        ) {
            self.component = component
            self.builder = builder
        }

        public static let aeff = Kind(EffectiveArea.self) { try MCIRFBuilder.effectiveArea($0, options: $1) }
        public static let psf = Kind(PSFTable.self) { try MCIRFBuilder.psf($0, options: $1) }
        public static let edisp = Kind(EnergyDispersion.self) { try MCIRFBuilder.energyDispersion($0, options: $1) }
        /// BKG_2D from atmospheric MC rate weights (w3).
        public static let bkg = Kind(Background2D.self) { events, _ in try MCIRFBuilder.background(events) }
        public static let allCases: [Kind] = [aeff, psf, edisp, bkg]

        /// Builds this IRF from the events.
        public func build(_ events: Events, options: Options) throws -> any IRFComponent {
            try builder(events, options)
        }

        public static func == (a: Kind, b: Kind) -> Bool { a.rawValue == b.rawValue }
        public func hash(into h: inout Hasher) { h.combine(rawValue) }
    }
}
