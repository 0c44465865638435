import Foundation
import TestSupport
import Testing

@testable import FITSIO
@testable import GADF
@testable import Model
@testable import Readers

@Suite("GADF IRF reader")
struct GADFReaderTests {
    /// Writes one IRF HDU with the given columns and header, returns the file path.
    func file(_ name: String = #function, header: [HeaderCard], columns: [ColumnSpec], data: [ColumnData]) throws
        -> String
    {
        let path = try Paths.scratch(name) + "/irf.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        try f.append(Table(name: "IRF", header: header, columns: columns, data: data))
        try f.close()
        return path
    }

    let aeffClass: [HeaderCard] = [
        HeaderCard("HDUCLASS", .string("GADF")), HeaderCard("HDUCLAS1", .string("RESPONSE")),
        HeaderCard("HDUCLAS2", .string("EFF_AREA")), HeaderCard("HDUCLAS3", .string("FULL-ENCLOSURE")),
        HeaderCard("HDUCLAS4", .string("AEFF_2D")),
    ]

    func axisColumns(_ name: String, _ lo: [Double], _ hi: [Double], unit: String) -> ([ColumnSpec], [ColumnData]) {
        (
            [
                ColumnSpec("\(name)_LO", .float32, repeatCount: lo.count, unit: unit),
                ColumnSpec("\(name)_HI", .float32, repeatCount: hi.count, unit: unit),
            ],
            [.float32(lo.map(Float.init)), .float32(hi.map(Float.init))]
        )
    }

    /// 3 energies (GeV) x 2 offsets (rad), stored THETA fastest (reversed), no CREF: the reader
    /// must transpose by TDIM and convert units.
    @Test func reversedAxesAndUnits() throws {
        let (ec, ed) = axisColumns("ENERG", [100, 1000, 10000], [1000, 10000, 100000], unit: "GeV")
        let (tc, tdata) = axisColumns("THETA", [0, 0.01], [0.01, 0.02], unit: "rad")
        // value(e, t) = 10 e + t, stored with t fastest: index t + 2 e.
        let values: [Double] = (0..<3).flatMap { e in (0..<2).map { t in Double(10 * e + t) } }
        let path = try file(
            header: aeffClass,
            columns: ec + tc + [ColumnSpec("EFFAREA", .float64, repeatCount: 6, unit: "cm**2", dims: [2, 3])],
            data: ed + tdata + [.float64(values)])
        let entries = try GADFIRFReader.read(path: path)
        #expect(entries.count == 1)
        let aeff = try #require(entries[0].component as? EffectiveArea)
        #expect(aeff.table.shape == [3, 2])
        for e in 0..<3 { for t in 0..<2 { #expect(aeff.table.value(at: [e, t]) == Double(10 * e + t)) } }
        #expect(try aeff.table.converted(dataUnit: .squareMeter, axisUnits: [.trueEnergy: .TeV]).values[1] == 10 * 1e-4)
        #expect(aeff.energyAxis.unit == .GeV && aeff.spatialAxis.unit == .radian)
    }

    /// CREF names the order even when TDIM alone could not (square shape).
    @Test func crefDecidesASquareShape() throws {
        let (ec, ed) = axisColumns("ENERG", [1, 2], [2, 3], unit: "TeV")
        let (tc, tdata) = axisColumns("THETA", [0, 1], [1, 2], unit: "deg")
        let values: [Double] = [0, 1, 10, 11] // THETA fastest: (e0,t0), (e0,t1), (e1,t0), (e1,t1)
        let path = try file(
            header: aeffClass + [HeaderCard("CREF5", .string("(THETA_LO:THETA_HI,ENERG_LO:ENERG_HI)"))],
            columns: ec + tc + [ColumnSpec("EFFAREA", .float64, repeatCount: 4, unit: "m2", dims: [2, 2])],
            data: ed + tdata + [.float64(values)])
        let aeff = try #require(try GADFIRFReader.read(path: path)[0].component as? EffectiveArea)
        #expect(aeff.table.value(at: [1, 0]) == 10 && aeff.table.value(at: [0, 1]) == 1)
    }

    @Test func nodeAxisIsKeptAsNodes() throws {
        let (ec, ed) = axisColumns("ENERG", [1, 2], [2, 3], unit: "TeV")
        let (tc, tdata) = axisColumns("THETA", [0.5, 1.5, 2.5], [0.5, 1.5, 2.5], unit: "deg")
        let path = try file(
            header: aeffClass,
            columns: ec + tc + [ColumnSpec("EFFAREA", .float64, repeatCount: 6, unit: "m2", dims: [2, 3])],
            data: ed + tdata + [.float64([1, 2, 3, 4, 5, 6])])
        let aeff = try #require(try GADFIRFReader.read(path: path)[0].component as? EffectiveArea)
        #expect(aeff.spatialAxis.nodes == [0.5, 1.5, 2.5])
        #expect(aeff.spatialAxis.edges == [0, 1, 2, 3])
    }

    /// Negative and NaN bins are what real files carry (H.E.S.S. DR1 smoothing artefacts); gammapy
    /// reads them, so they are read as they are and counted, and the writer records the count.
    @Test func negativeAndNaNValuesAreCarried() throws {
        let (ec, ed) = axisColumns("ENERG", [1.0, 2], [2.0, 3], unit: "TeV")
        let (tc, tdata) = axisColumns("THETA", [0, 1], [1, 2], unit: "deg")
        let path = try file(
            "carried", header: aeffClass,
            columns: ec + tc + [ColumnSpec("EFFAREA", .float64, repeatCount: 4, unit: "m2", dims: [2, 2])],
            data: ed + tdata + [.float64([1.0, -2, .nan, -0.5])])
        let aeff = try #require(try GADFIRFReader.read(path: path)[0].component as? EffectiveArea)
        #expect(aeff.table.values[1] == -2 && aeff.table.values[2].isNaN && aeff.table.values[3] == -0.5)
        let c = aeff.table.census
        #expect(c.negative == 2 && c.nonFinite == 1)
        #expect(c.worstNegative?.bin == [1, 0] && c.worstNegative?.value == -2 && c.firstNonFinite?.bin == [0, 1])
        let warnings = aeff.valueWarnings()
        #expect(
            warnings.count == 1 && warnings[0].contains("2 negative value(s) (worst -2.0 at ENERG bin 1, THETA bin 0)")
                && warnings[0].contains("1 non-finite value(s)"), "\(warnings)")
        let ctx = IRFContext(telescope: "T", instrument: "I", origin: "O", creator: "c")
        let t = try IRFWriter(flavor: .gadf03).table(for: aeff, context: ctx)
        #expect(
            t.header[key: "NEGBINS"] == .int(2) && t.header[key: "NANBINS"] == .int(1)
                && t.header[key: "NEGCLIP"] == nil)
        // --clip-negative: negatives become 0 and the header says how many; NaN stays as read.
        let (clipped, n) = try aeff.clippingNegatives()
        #expect(n == 2 && clipped.table.values[1] == 0 && clipped.table.values[3] == 0 && clipped.table.values[2].isNaN)
        let tc2 = try IRFWriter(flavor: .gadf03).table(for: clipped, context: ctx)
        #expect(
            tc2.header[key: "NEGCLIP"] == .int(2) && tc2.header[key: "NEGBINS"] == nil
                && tc2.header[key: "NANBINS"] == .int(1))
    }

    @Test(
        arguments: [
            ("wrong dimensions", [1.0, 2, 3, 4, 5], [1.0, 2], [2.0, 3], "wrong dimensions"),
            (
                "edges not monotonic", [1.0, 2, 3, 4], [2.0, 1], [3.0, 2],
                "axis ENERG: bin 1 starts at 1.0 but bin 0 ends at 3.0"
            ),
        ] as [(String, [Double], [Double], [Double], String)])
    func badIRFs(_ label: String, _ values: [Double], _ elo: [Double], _ ehi: [Double], _ reason: String) throws {
        let (ec, ed) = axisColumns("ENERG", elo, ehi, unit: "TeV")
        let (tc, tdata) = axisColumns("THETA", [0, 1], [1, 2], unit: "deg")
        let path = try file(
            label, header: aeffClass,
            columns: ec + tc + [ColumnSpec("EFFAREA", .float64, repeatCount: values.count, unit: "m2")],
            data: ed + tdata + [.float64(values)])
        let e = #expect(throws: InputError.self) { try GADFIRFReader.read(path: path) }
        #expect(e?.part == "HDU 1 (IRF)", "\(label)")
        #expect(e?.description.hasPrefix("\(path): HDU 1 (IRF): ") == true, "\(String(describing: e))")
        #expect(e?.reason.contains(reason) == true, "\(label): \(String(describing: e))")
    }
}

@Suite("Parametric PSFs")
struct ParametricPSFTests {
    @Test func kingReadAndWritten() throws {
        let path = try Paths.scratch() + "/king.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        let header = [
            HeaderCard("HDUCLASS", .string("GADF")), HeaderCard("HDUCLAS1", .string("RESPONSE")),
            HeaderCard("HDUCLAS2", .string("PSF")), HeaderCard("HDUCLAS4", .string("PSF_KING")),
        ]
        // GAMMA(e, t) = 2 + e + 0.1 t; SIGMA(e, t) = 0.05 (e + 1) + 0.01 t; energy fastest.
        var gamma: [Double] = []
        var sigma: [Double] = []
        for t in 0..<2 {
            for e in 0..<3 {
                gamma.append(2 + Double(e) + 0.1 * Double(t))
                sigma.append(0.05 * Double(e + 1) + 0.01 * Double(t))
            }
        }
        try f.append(
            Table(
                name: "PSF_2D_KING", header: header,
                columns: [
                    ColumnSpec("ENERG_LO", .float64, repeatCount: 3, unit: "TeV"),
                    ColumnSpec("ENERG_HI", .float64, repeatCount: 3, unit: "TeV"),
                    ColumnSpec("THETA_LO", .float64, repeatCount: 2, unit: "deg"),
                    ColumnSpec("THETA_HI", .float64, repeatCount: 2, unit: "deg"),
                    ColumnSpec("GAMMA", .float64, repeatCount: 6, dims: [3, 2]),
                    ColumnSpec("SIGMA", .float64, repeatCount: 6, unit: "rad", dims: [3, 2]),
                ],
                data: [
                    .float64([0.1, 1, 10]), .float64([1, 10, 100]), .float64([0, 1]), .float64([1, 2]), .float64(gamma),
                    .float64(sigma),
                ]))
        try f.close()
        let king = try #require(try GADFIRFReader.read(path: path)[0].component as? PSFKing)
        #expect(king.parameters.map(\.name) == ["GAMMA", "SIGMA"])
        #expect(king.parameters[0].table.values == gamma)
        let t = try IRFWriter(flavor: .gadf03).table(
            for: king, context: IRFContext(telescope: "T", instrument: "I", origin: "O", creator: "c"))
        #expect(t.header[key: "HDUCLAS4"] == .string("PSF_KING"))
        #expect(
            t.header[key: "CREF5"] == .string("(ENERG_LO:ENERG_HI,THETA_LO:THETA_HI)") && t.header[key: "CREF6"] != nil)
        #expect(t.spec("SIGMA")?.unit == "deg")
        // SIGMA was in rad: the writer converts to the spec's degrees.
        guard case .float64(let s)? = t.column("SIGMA") else {
            Issue.record("no SIGMA")
            return
        }
        for (a, b) in zip(s, sigma) { #expect(abs(a - b * 180 / .pi) < 1e-12) }
    }
}
