import Foundation
import TestSupport
import Testing

@testable import FITSIO
@testable import GADF
@testable import KM3NeT
@testable import MCIRF
@testable import Model
@testable import Readers

@Suite("KM3NeT IRF tables")
struct IRFTableTests {
    let td = Paths.testData + "/km3net/"
    let ctx = IRFContext(telescope: "KM3NeT", instrument: "TEST", origin: "KM3NeT", creator: "test")

    @Test func psfIsBinnedAndNormalisedWithNegativesCarried() throws {
        let psf = try KM3NeTIRFTables.readPSF(path: td + "psf_sample.csv")
        #expect(psf.table.shape == [2, 1, 6])
        let rad = psf.table.axes[2]
        #expect(rad.edges.first == 0 && rad.edges.last == 180)
        #expect(abs(rad.edges[1] - pow(10, -0.75)) < 1e-12) // halfway in log10 between samples
        for v in try psf.integrals() { #expect(abs(v - 1) < 1e-12) }
        #expect(psf.table.value(at: [0, 0, 5]) < 0) // the negative tail sample, as read
        #expect(psf.table.census.negative == 2)
        // Ratios between bins are the CSV's: bin 0 / bin 1 = exp(-0.1) / exp(-10^-0.5).
        #expect(
            abs(psf.table.value(at: [0, 0, 0]) / psf.table.value(at: [0, 0, 1]) - exp(-0.1) / exp(-pow(10, -0.5)))
                < 1e-12)
        #expect(psf.notes.contains { $0.hasPrefix("2 negative samples kept as read") }) // one per energy bin
        #expect(psf.carried.isEmpty)
    }

    @Test func psfClipNegativeSetsTailsToZeroBeforeNormalising() throws {
        let psf = try KM3NeTIRFTables.readPSF(path: td + "psf_sample.csv", clipNegative: true)
        #expect(psf.table.value(at: [0, 0, 5]) == 0 && psf.table.census.isClean)
        for v in try psf.integrals() { #expect(abs(v - 1) < 1e-12) }
        #expect(psf.notes.contains { $0.hasPrefix("2 negative samples set to 0") })
        #expect(psf.carried == [CarriedKeyword("NEGCLIP", .int(2))])
    }

    /// A band with no probability at all (ARCA230 has one): converted, as zeros, and said.
    @Test func psfEmptyEnergyBandIsWrittenAsZeros() throws {
        let psf = try KM3NeTIRFTables.readPSF(path: Paths.testData + "/flawed/psf_empty_band.csv")
        #expect(psf.table.shape == [3, 1, 6])
        #expect((0..<6).allSatisfy { psf.table.value(at: [2, 0, $0]) == 0 })
        let integrals = try psf.integrals()
        #expect(abs(integrals[0] - 1) < 1e-12 && abs(integrals[1] - 1) < 1e-12 && integrals[2] == 0)
        #expect(psf.emptySlices == [[2, 0]])
        #expect(psf.notes.contains { $0.hasPrefix("Energy bin(s) 2 hold no probability") })
        #expect(
            psf.valueWarnings(emptySlices: true).contains {
                $0.hasPrefix("1 (energy, spatial) slice(s) hold no probability (first at ENERG bin 2, THETA bin 0)")
            })
        #expect(!psf.valueWarnings().contains { $0.contains("no probability") })
        let t = try IRFWriter(flavor: .gadf03).table(for: psf, context: ctx)
        #expect(t.header[key: "NEGBINS"] == .int(2))
    }

    @Test func negativeEffectiveAreaIsCarried() throws {
        let a = try KM3NeTIRFTables.readEffectiveArea(path: Paths.testData + "/flawed/aeff_negative_bin.csv")
        #expect(a.table.census.negative == 1 && a.table.census.worstNegative?.value == -1.5)
        let t = try IRFWriter(flavor: .gadf03).table(for: a, context: ctx)
        #expect(t.header[key: "NEGBINS"] == .int(1))
    }

    @Test func energyResponseBecomesADensityInMigration() throws {
        let ed = try KM3NeTIRFTables.readEnergyResponse(path: td + "energyresponse_sample.csv")
        // log10 mu edges = reco edge - true centre: -0.25 + 0.5 k, cut to the bins holding probability.
        let logMu = ed.table.axes[1].edges.map { log10($0) }
        #expect(
            zip(logMu, [-0.25, 0.25, 0.75]).allSatisfy { abs($0 - $1) < 1e-9 }
                || zip(logMu, [-0.75, -0.25, 0.25, 0.75]).allSatisfy { abs($0 - $1) < 1e-9 })
        let integrals = ed.integrals()
        #expect(integrals[0] == 0) // empty true bin stays empty
        #expect(abs(integrals[1] - 1) < 1e-12 && abs(integrals[2] - 1) < 1e-12)
        // True bin 1 (log centre 2.75): P = 4/6 in reco bin [2.0, 2.5) -> log10 mu [-0.75, -0.25),
        // and 2/6 in reco bin [2.5, 3.0) -> log10 mu [-0.25, 0.25).
        let mu = ed.table.axes[1].edges
        let k = mu.firstIndex { abs(log10($0) + 0.25) < 1e-9 }!
        #expect(abs(ed.table.value(at: [1, k, 0]) - (2.0 / 6) / (mu[k + 1] - mu[k])) < 1e-12)
        #expect(abs(ed.table.value(at: [1, k - 1, 0]) - (4.0 / 6) / (mu[k] - mu[k - 1])) < 1e-12)
    }

    @Test func backgroundIsDifferentialAndVODFOnly() throws {
        let bkg = try KM3NeTIRFTables.readBackground(path: td + "bkg_sample.csv")
        let dE = (pow(10, 2.0) - pow(10, 1.0)) * 1e3 // MeV
        #expect(abs(bkg.table.value(at: [0, 0]) - 2e-6 / (dE * 2 * .pi * 1.0)) < 1e-24)
        let e = #expect(throws: WriterError.self) { try IRFWriter(flavor: .gadf03).table(for: bkg, context: ctx) }
        #expect(e?.description.contains("no axis for SIN_DEC") == true)
        let t = try IRFWriter(flavor: .vodf).table(for: bkg, context: ctx)
        #expect(t.header[key: "CREF5"] == .string("(ENERGY_RECO_LO:ENERGY_RECO_HI,SINDEC_LO:SINDEC_HI)"))
        #expect(t.spec("BKG")?.unit == "s-1 MeV-1 sr-1" && t.spec("BKG")?.dims == [2, 2])
    }

    @Test func gadfLayoutsOfPSFAndEDISP() throws {
        let psf = try KM3NeTIRFTables.readPSF(path: td + "psf_sample.csv")
        let p = try IRFWriter(flavor: .gadf03).table(for: psf, context: ctx)
        #expect(p.header[key: "HDUCLAS4"] == .string("PSF_TABLE") && p.header[key: "HDUCLAS2"] == .string("RPSF"))
        #expect(p.spec("RPSF")?.dims == [2, 1, 6] && p.spec("RPSF")?.unit == "sr-1")
        #expect(p.spec("THETA_LO")?.dims == [1]) // one-bin axis kept an array
        let ed = try KM3NeTIRFTables.readEnergyResponse(path: td + "energyresponse_sample.csv")
        let t = try IRFWriter(flavor: .gadf03).table(for: ed, context: ctx)
        #expect(t.header[key: "CREF7"] == .string("(ENERG_LO:ENERG_HI,MIGRA_LO:MIGRA_HI,THETA_LO:THETA_HI)"))
        #expect(t.spec("MATRIX")?.dims == ed.table.shape)
    }
}

@Suite("Monte Carlo IRF builder pieces")
struct MCBuilderTests {
    /// numpy searchsorted(side='left') - 1: bins are open on the left, closed on the right.
    @Test func binsAreLeftOpen() {
        let edges = [0.0, 1, 2, 3]
        #expect(MCIRFBuilder.bin(edges, 0) == -1) // at the first edge: outside (km3irf drops it)
        #expect(MCIRFBuilder.bin(edges, 0.5) == 0)
        #expect(MCIRFBuilder.bin(edges, 1) == 0) // an inner edge belongs to the bin below
        #expect(MCIRFBuilder.bin(edges, 3) == 2)
        #expect(MCIRFBuilder.bin(edges, 3.5) == 3) // beyond: index nBins, dropped
    }

    /// scipy's gaussian_filter1d: a normalised kernel of radius int(4 sigma + 0.5); 'nearest'
    /// keeps a constant signal, 'constant' (zero padding) loses mass at the edges.
    @Test func gaussianFilterMatchesScipysDefinition() {
        let impulse = [0.0, 0, 0, 0, 1, 0, 0, 0, 0]
        let out = MCIRFBuilder.gaussianFilter(impulse, sigma: 0.5, mode: .nearest)
        // radius 2: weights exp(-2 x^2) for x = -2..2, normalised.
        let w = (-2...2).map { exp(-2.0 * Double($0 * $0)) }
        let s = w.reduce(0, +)
        for (k, x) in (2...6).enumerated() { #expect(abs(out[x] - w[k] / s) < 1e-15) }
        #expect(out[1] == 0 && out[7] == 0)
        #expect(
            MCIRFBuilder.gaussianFilter(Array(repeating: 3, count: 20), sigma: 4, mode: .nearest).allSatisfy {
                abs($0 - 3) < 1e-12
            })
        let c = MCIRFBuilder.gaussianFilter(Array(repeating: 1, count: 20), sigma: 2, mode: .constant)
        #expect(c[0] < 0.75 && abs(c[10] - 1) < 1e-3)
        #expect(abs(MCIRFBuilder.gaussianFilter(impulse, sigma: 1, mode: .nearest).reduce(0, +) - 1) < 1e-15)
    }

    /// The one-column filter (padded column) gives bit for bit what the row filter gives for a
    /// one-wide array, in both modes, for kernels wider than the column and for output ranges.
    @Test func columnFilterEqualsTheRowFilter() {
        var rng = SplitMix(seed: 17)
        for n in [1, 5, 56, 111] {
            let x = (0..<n).map { _ in Double(rng.next() % 1_000_000) / 997 }
            for sigma in [0.5, 1.3, 2, 6] {
                let k = MCIRFBuilder.GaussianKernel(sigma: sigma)
                for mode in [MCIRFBuilder.FilterMode.nearest, .constant] {
                    for outputs in [0..<n, (n / 3)..<n] {
                        let rows = x.withUnsafeBufferPointer {
                            k.filterRows($0, rows: n, width: 1, mode: mode, outputs: outputs)
                        }
                        #expect(k.apply(x, mode: mode, outputs: outputs) == rows, "n \(n) sigma \(sigma) \(mode)")
                    }
                }
            }
        }
    }

    /// km3pipe's zenith: the angle to (0, 0, -1), so a down-going particle has zenith 0.
    @Test func zenithConvention() {
        #expect(MCIRFBuilder.zenith(0, 0, -1) == 0)
        #expect(abs(MCIRFBuilder.zenith(0, 0, 1) - .pi) < 1e-15)
        #expect(abs(MCIRFBuilder.zenith(1, 0, 0) - .pi / 2) < 1e-15)
    }
}

@Suite("Fast binning")
struct FastBinningTests {
    /// The zenith table gives numpy's bin of km3pipe's acos zenith for random directions, for
    /// directions at every edge and next to it, and for vectors that are not unit length.
    @Test func zenithBinnerEqualsTheExactPath() {
        for bins in [6, 12] {
            let tEdges = MCIRFBuilder.linspace(1, -1, bins + 1).map { acos($0) }
            let zen = MCIRFBuilder.ZenithBinner(angleEdges: tEdges)
            var rng = SplitMix(seed: 3)
            var cosines = (0..<20000).map { _ in Double(rng.next() % 2_000_001) / 1_000_000 - 1 }
            let edges = MCIRFBuilder.linspace(1, -1, bins + 1)
            cosines +=
                edges + edges.map { $0.nextUp } + edges.map { $0.nextDown } + edges.map { $0 + 1e-4 }
                + edges.map { $0 - 1e-4 }
            for c in cosines where c >= -1 && c <= 1 {
                let s = (1 - c * c).squareRoot()
                for scale in [1.0, 1 + 1e-9, 2.5] {
                    let (x, y, z) = (s * 0.6 * scale, s * 0.8 * scale, -c * scale)
                    #expect(
                        zen.bin(x, y, z) == MCIRFBuilder.bin(tEdges, MCIRFBuilder.zenith(x, y, z)),
                        "cos \(c) scale \(scale)")
                }
            }
        }
    }

    /// The RAD table gives numpy's bin of acos(dot) in degrees for random angles up to 40 deg, at
    /// every edge and next to it, and for dot products just outside [-1, 1].
    @Test func radBinnerEqualsTheExactPath() {
        let rEdges = MCIRFBuilder.radEdgesDegrees
        let rad = MCIRFBuilder.RadBinner(degreeEdges: rEdges)
        var rng = SplitMix(seed: 5)
        var dots = (0..<40000).map { _ in cos(Double(rng.next() % 1_000_000) / 1_000_000 * 40 * .pi / 180) }
        let atEdges = rEdges.map { cos($0 * .pi / 180) }
        dots +=
            atEdges + atEdges.map { $0.nextUp } + atEdges.map { $0.nextDown } + [
                1, -1, 1.0.nextUp, (-1.0).nextDown, 0, 1e-300,
            ]
        dots += (0..<2000).map { _ in 1 - Double(rng.next() % 1_000_000) * 1e-13 } // tiny angles
        for d in dots {
            let exact = MCIRFBuilder.bin(rEdges, acos(max(-1, min(1, d))) * 180 / .pi)
            #expect(rad.bin(dot: d) == exact, "dot \(d)")
        }
    }
}

extension FastBinningTests {
    /// Every double within 64 values of each edge's cosine: the crossings found by bisection give
    /// the exact (acos) bin on both sides of each transition, for RAD and for zenith.
    @Test func binnersAreExactAtEveryTransition() {
        let rEdges = MCIRFBuilder.radEdgesDegrees
        let rad = MCIRFBuilder.RadBinner(degreeEdges: rEdges)
        var checked = 0
        for edge in rEdges {
            let k = MCIRFBuilder.orderedKey(cos(edge * .pi / 180))
            for step in -64...64 {
                let d = MCIRFBuilder.fromOrderedKey(k + Int64(step))
                let exact = MCIRFBuilder.bin(rEdges, acos(max(-1, min(1, d))) * 180 / .pi)
                #expect(rad.bin(dot: d) == exact, "dot \(d) near \(edge) deg")
                checked += 1
            }
        }
        for bins in [6, 12] {
            let tEdges = MCIRFBuilder.linspace(1, -1, bins + 1).map { acos($0) }
            let zen = MCIRFBuilder.ZenithBinner(angleEdges: tEdges)
            for edge in tEdges {
                let k = MCIRFBuilder.orderedKey(-cos(edge))
                for step in -64...64 {
                    let z = MCIRFBuilder.fromOrderedKey(k + Int64(step))
                    guard abs(z) <= 1 else { continue }
                    let s = (1 - z * z).squareRoot()
                    for (x, y) in [(s, 0.0), (s * 0.6, s * 0.8)] {
                        #expect(zen.bin(x, y, z) == MCIRFBuilder.bin(tEdges, MCIRFBuilder.zenith(x, y, z)), "z \(z)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 14_000)
    }

    /// orderedKey is a bijection that keeps the order of doubles, through zero and the infinities.
    @Test func orderedKeysFollowTheDoubles() {
        let xs: [Double] = [
            -.infinity, -1e300, -1, -Double.leastNonzeroMagnitude, 0, Double.leastNonzeroMagnitude, 0.5, 1, .infinity,
        ]
        let keys = xs.map(MCIRFBuilder.orderedKey)
        #expect(keys == keys.sorted() && Set(keys).count == keys.count)
        for x in xs { #expect(MCIRFBuilder.fromOrderedKey(MCIRFBuilder.orderedKey(x)) == x) }
        #expect(MCIRFBuilder.orderedKey(1.0.nextUp) == MCIRFBuilder.orderedKey(1) + 1)
        #expect(MCIRFBuilder.orderedKey((-1.0).nextDown) == MCIRFBuilder.orderedKey(-1) - 1)
    }
}

extension FastBinningTests {
    /// The log binner gives numpy's bins for random values, at every edge and next to it.
    @Test func logBinnerEqualsBinarySearch() {
        for edges in [MCIRFBuilder.logspace(2, 8, 49), MCIRFBuilder.logspace(-5, 2, 57)] {
            let b = MCIRFBuilder.LogBinner(edges: edges)
            var rng = SplitMix(seed: 9)
            var xs = (0..<20000).map { _ in
                pow(
                    10,
                    log10(edges[0]) - 1 + Double(rng.next() % 1_000_000) / 1_000_000
                        * (log10(edges.last!) - log10(edges[0]) + 2))
            }
            xs += edges + edges.map { $0.nextUp } + edges.map { $0.nextDown } + [0, -1, .infinity]
            for x in xs { #expect(b.bin(x) == MCIRFBuilder.bin(edges, x), "x \(x)") }
        }
    }
}

extension FastBinningTests {
    /// The part tables the PSF and EDISP loops read give DumpShape's part of the binner's bin
    /// (the bin times the axis stride, or the dump bin outside the axis) for the same values the
    /// binners are tested on: random ones, every edge and its neighbours, and out-of-range ones.
    @Test func partTablesEqualTheBinsTimesTheirStride() {
        func expected(_ bin: Int, n: Int, stride: Int) -> Int32 { Int32((bin >= 0 && bin < n ? bin : n) * stride) }
        var rng = SplitMix(seed: 21)
        var checked = 0
        for edges in [
            MCIRFBuilder.logspace(2, 8, 25), MCIRFBuilder.logspace(-5, 2, 57), MCIRFBuilder.logspace(2, 8, 49),
        ] {
            let b = MCIRFBuilder.LogBinner(edges: edges)
            let n = edges.count - 1
            for stride in [1, 25, 1425] {
                let parts = b.parts(n: n, stride: stride)
                var xs = (0..<5000).map { _ in
                    pow(
                        10,
                        log10(edges[0]) - 1 + Double(rng.next() % 1_000_000) / 1_000_000
                            * (log10(edges.last!) - log10(edges[0]) + 2))
                }
                xs += edges + edges.map { $0.nextUp } + edges.map { $0.nextDown }
                xs += [
                    0, -0.0, -1, -1e300, .infinity, -.infinity, .nan, Double.leastNonzeroMagnitude,
                    .greatestFiniteMagnitude,
                ]
                #expect(parts.kernel.shift == 48) // 4 mantissa bits: the `part4` loops apply
                for x in xs {
                    #expect(
                        parts.kernel.part(x) == expected(MCIRFBuilder.bin(edges, x), n: n, stride: stride),
                        "x \(x) stride \(stride)")
                    #expect(parts.kernel.part4(x) == parts.kernel.part(x), "x \(x)")
                    checked += 1
                }
            }
        }
        for bins in [6, 12] {
            let tEdges = MCIRFBuilder.linspace(1, -1, bins + 1).map { acos($0) }
            let zen = MCIRFBuilder.ZenithBinner(angleEdges: tEdges)
            let parts = zen.parts(n: bins, stride: 175)
            var zs = (0..<20000).map { _ in Double(rng.next() % 2_000_001) / 1_000_000 - 1 }
            for edge in tEdges {
                let k = MCIRFBuilder.orderedKey(-cos(edge))
                zs += (-40...40).map { MCIRFBuilder.fromOrderedKey(k + Int64($0)) }
            }
            zs += [1, -1, 1.0.nextDown, (-1.0).nextUp]
            for z in zs where abs(z) <= 1 {
                let s = (1 - z * z).squareRoot()
                for scale in [1.0, 1 + 4e-7, 1 - 4e-7, 1 + 1e-5, 2.5] {
                    let (x, y, zz) = (s * 0.6 * scale, s * 0.8 * scale, z * scale)
                    #expect(
                        parts.kernel.part(x, y, zz) == expected(zen.bin(x, y, zz), n: bins, stride: 175),
                        "z \(z) scale \(scale)")
                    checked += 1
                }
            }
        }
        let rEdges = MCIRFBuilder.radEdgesDegrees
        let rad = MCIRFBuilder.RadBinner(degreeEdges: rEdges)
        let nR = rEdges.count - 1
        let rParts = rad.parts(n: nR, stride: 175)
        var dots = (0..<40000).map { _ in cos(Double(rng.next() % 1_000_000) / 1_000_000 * 180 * .pi / 180) }
        for edge in rEdges {
            let k = MCIRFBuilder.orderedKey(cos(edge * .pi / 180))
            dots += (-40...40).map { MCIRFBuilder.fromOrderedKey(k + Int64($0)) }
        }
        dots += [1, -1, 1.0.nextUp, (-1.0).nextDown, 0, 1e-300, .nan, 2, -2]
        dots += (0..<2000).map { _ in 1 - Double(rng.next() % 1_000_000) * 1e-13 }
        for d in dots {
            #expect(rParts.kernel.part(dot: d) == expected(rad.bin(dot: d), n: nR, stride: 175), "dot \(d)")
            checked += 1
        }
        #expect(checked > 150_000)
    }
}

extension FastBinningTests {
    /// The block passes (a vectorised arithmetic loop, then the lookups) add exactly the parts the
    /// per-event kernels give, also for directions that are not of unit length, NaN, zero angles,
    /// anti-parallel and exactly-on-edge directions.
    @Test func blockPassesEqualThePerEventParts() {
        var rng = SplitMix(seed: 29)
        func uniform() -> Double { Double(rng.next() % 1_000_000_007) / 1_000_000_007 }
        let n = 256
        var t = [[Double]](repeating: [], count: 3)
        var r = [[Double]](repeating: [], count: 3)
        let edgesZ = MCIRFBuilder.linspace(1, -1, 7).map { -$0 }
        for j in 0..<n {
            let cz = j % 9 == 0 ? edgesZ[j % 7] : 2 * uniform() - 1
            let s = (1 - cz * cz).squareRoot()
            let phi = 2 * .pi * uniform()
            let scale = [1.0, 1.0, 1.0, 1 + 3e-7, 1 - 2e-6, 0.5, .nan][j % 7]
            let v = [s * cos(phi) * scale, s * sin(phi) * scale, cz * scale]
            for a in 0..<3 { t[a].append(v[a]) }
            // The reco direction: the same (angle 0), the opposite, or a small random offset.
            let w: [Double]
            switch j % 5 {
            case 0: w = v
            case 1: w = v.map { -$0 }
            default: w = v.map { $0 + 0.03 * (uniform() - 0.5) }
            }
            for a in 0..<3 { r[a].append(w[a]) }
        }
        let zen = MCIRFBuilder.ZenithBinner(angleEdges: MCIRFBuilder.linspace(1, -1, 7).map { acos($0) }).parts(
            n: 6, stride: 25)
        let rad = MCIRFBuilder.RadBinner(degreeEdges: MCIRFBuilder.radEdgesDegrees).parts(
            n: MCIRFBuilder.radEdgesDegrees.count - 1, stride: 175)
        var cells = [Int32](repeating: 0, count: n)
        var ints = [Int](repeating: 0, count: n)
        var doubles = [Double](repeating: 0, count: n)
        cells.withUnsafeMutableBufferPointer { c in
            ints.withUnsafeMutableBufferPointer { i in
                doubles.withUnsafeMutableBufferPointer { d in
                    MCIRFBuilder.BlockPass.zenith(
                        zen.kernel, t[0], t[1], t[2], n, add: c.baseAddress!, scratch: i.baseAddress!)
                    MCIRFBuilder.BlockPass.rad(
                        rad.kernel, r[0], r[1], r[2], t[0], t[1], t[2], n, add: c.baseAddress!, scratch: d.baseAddress!)
                }
            }
        }
        for j in 0..<n {
            let expected =
                zen.kernel.part(t[0][j], t[1][j], t[2][j])
                &+ rad.kernel.part(dot: r[0][j] * t[0][j] + r[1][j] * t[1][j] + r[2][j] * t[2][j])
            #expect(cells[j] == expected, "event \(j)")
        }
    }
}

extension FastBinningTests {
    /// Random events, 80 000 of them (so the builds split over both cores), with directions
    /// near and at the bin edges: the PSF and EDISP histograms of the builder equal counts made
    /// with plain binary searches over acos angles, cell for cell.
    @Test func psfAndEdispHistogramsEqualTheReferenceCounts() throws {
        var rng = SplitMix(seed: 11)
        func uniform() -> Double { Double(rng.next() % 1_000_000_007) / 1_000_000_007 }
        var ev = MCIRFBuilder.Events()
        let zenithCosines = MCIRFBuilder.linspace(1, -1, 7)
        for i in 0..<80_000 {
            // Every 50th MC direction sits exactly on a zenith edge; the rest are random.
            let cz = i % 50 == 0 ? -zenithCosines[i / 50 % 7] : 2 * uniform() - 1
            let phi = 2 * .pi * uniform()
            let s = (1 - cz * cz).squareRoot()
            let (x, y, z) = (s * cos(phi), s * sin(phi), cz)
            // A reco direction a small random angle away (to 40 deg, mostly below 5).
            let angle = pow(uniform(), 3) * 40 * .pi / 180
            let psi = 2 * .pi * uniform()
            var (ux, uy, uz) = (-y, x, 0.0)
            let un = (ux * ux + uy * uy).squareRoot()
            if un > 0 {
                ux /= un
                uy /= un
            } else {
                (ux, uy) = (1, 0)
            }
            let (vx, vy, vz) = (y * uz - z * uy, z * ux - x * uz, x * uy - y * ux)
            let (ca, sa) = (cos(angle), sin(angle))
            let dx = ca * x + sa * (cos(psi) * ux + sin(psi) * vx)
            let dy = ca * y + sa * (cos(psi) * uy + sin(psi) * vy)
            let dz = ca * z + sa * (cos(psi) * uz + sin(psi) * vz)
            let eMC = pow(10, 1.5 + 7 * uniform())
            ev.eMC.append(eMC)
            ev.e.append(eMC * pow(10, 2 * uniform() - 1))
            ev.dxMC.append(x)
            ev.dyMC.append(y)
            ev.dzMC.append(z)
            ev.dx.append(dx)
            ev.dy.append(dy)
            ev.dz.append(dz)
            ev.w2.append(1)
        }
        var options = MCIRFBuilder.Options()
        options.smooth = false
        let eEdges = MCIRFBuilder.logspace(2, 8, 25)
        let tEdges = zenithCosines.map { acos($0) }
        let rEdges = MCIRFBuilder.radEdgesDegrees
        let mEdges = MCIRFBuilder.logspace(-5, 2, 57)
        let (nE, nT, nR, nM) = (24, 6, rEdges.count - 1, 56)
        var psfCounts = [Double](repeating: 0, count: nE * nT * nR)
        var edispCounts = [Double](repeating: 0, count: nE * nM * nT)
        for i in 0..<ev.count {
            let e = MCIRFBuilder.bin(eEdges, ev.eMC[i])
            let t = MCIRFBuilder.bin(tEdges, MCIRFBuilder.zenith(ev.dxMC[i], ev.dyMC[i], ev.dzMC[i]))
            guard (0..<nE).contains(e), (0..<nT).contains(t) else { continue }
            let dot = max(-1, min(1, ev.dx[i] * ev.dxMC[i] + ev.dy[i] * ev.dyMC[i] + ev.dz[i] * ev.dzMC[i]))
            let r = MCIRFBuilder.bin(rEdges, acos(dot) * 180 / .pi)
            let m = MCIRFBuilder.bin(mEdges, ev.e[i] / ev.eMC[i])
            if (0..<nR).contains(r) { psfCounts[e + nE * (t + nT * r)] += 1 }
            if (0..<nM).contains(m) { edispCounts[e + nE * (m + nM * t)] += 1 }
        }
        #expect(psfCounts.reduce(0, +) > 50_000 && edispCounts.reduce(0, +) > 50_000)
        let psf = try MCIRFBuilder.psf(ev, options: options).table.values
        for r in 0..<nR {
            let size =
                (rEdges[r + 1] * rEdges[r + 1] - rEdges[r] * rEdges[r]) * (Double.pi / 180) * (Double.pi / 180) * .pi
            for j in 0..<(nE * nT) {
                let k = j + nE * nT * r
                #expect(abs(psf[k] * size - psfCounts[k]) < 1e-9 * max(1, psfCounts[k]), "PSF cell \(k)")
            }
        }
        let edisp = try MCIRFBuilder.energyDispersion(ev, options: options).table.values
        for t in 0..<nT {
            for m in 0..<nM {
                for e in 0..<nE {
                    let k = e + nE * (m + nM * t)
                    #expect(abs(edisp[k] - edispCounts[k]) < 1e-9 * max(1, edispCounts[k]), "EDISP cell \(k)")
                }
            }
        }
    }
}
