import Diagnostics
import Foundation
import Readers
import TestSupport
import Testing

@testable import ANTARES
@testable import KM3NeT
@testable import Model
@testable import Readers

@Suite("Input detection and readers")
struct ReaderTests {
    let td = Paths.testData

    @Test func detectsByContent() throws {
        #expect(try InputKind.detect(path: td + "/antares/sample_public.dat") == .antaresPublicList)
        #expect(try InputKind.detect(path: td + "/antares/sample_vo.csv") == .antaresVOTableCSV)
        #expect(try InputKind.detect(path: td + "/km3net/aeff_coszen_sample.csv") == .km3netAeffTable)
        // Content wins over the extension: a copy named .txt is still recognised.
        let copy = try Paths.scratch() + "/renamed.txt"
        try FileManager.default.copyItem(atPath: td + "/antares/sample_vo.csv", toPath: copy)
        #expect(try InputKind.detect(path: copy) == .antaresVOTableCSV)
        // Detection keys on the axes, so a table missing its value column is still an aeff table.
        #expect(try InputKind.detect(path: td + "/bad/aeff_missing_column.csv") == .km3netAeffTable)
        let e = #expect(throws: InputError.self) { try InputKind.detect(path: td + "/bad/unknown.txt") }
        #expect(e?.description.contains("unrecognised input") == true)
        let empty = #expect(throws: InputError.self) { try InputKind.detect(path: td + "/bad/empty.csv") }
        #expect(empty?.description == td + "/bad/empty.csv: file is empty")
    }

    @Test func antaresPublicLayout() throws {
        let obs = try ANTARESEventList.read(path: td + "/antares/sample_public.dat", kind: .antaresPublicList)
        #expect(obs.events.count == 5)
        #expect(obs.events["RA"]?.values == .double([266.4, 10.25, 359.875, 0.0, 180.5]))
        #expect(obs.events["DEC"]?.values == .double([-29.0, 12.5, -75.125, 0.0, 45.5]))
        #expect(obs.events["EVENT_ID"]?.values == .int64([1, 2, 3, 4, 5]))
        #expect(obs.events["NHIT"]?.values == .int32([40, 22, 95, 18, 31]))
        #expect(obs.events.energyProxy?.name == "NHIT")
        // Row 2 is MJD 54832.0 UTC, just after the 2008 leap second (checked against astropy).
        guard case .double(let t) = obs.events["TIME"]!.values else {
            Issue.record("TIME not double")
            return
        }
        #expect(abs(t[1] - 284040066.184) < 1e-6)
        #expect(obs.meta.tstart == t.min() && obs.meta.tstop == t.max())
        #expect(obs.gti.totalDuration == obs.meta.ontime)
        #expect(obs.meta.coverageSource == .eventSpan)
        #expect(obs.meta.mode == .driftZenith)
    }

    /// The list as people re-save it reads the same; RA 360.0 (the list rounds to 0.1 deg) is 0.0, with
    /// one warning that counts the rows.
    @Test func antaresPublicListAsResaved() throws {
        let original = try String(contentsOfFile: td + "/antares/sample_public.dat", encoding: .utf8)
        let lines = original.split(separator: "\n").map(String.init)
        let expected = try ANTARESEventList.read(path: td + "/antares/sample_public.dat", kind: .antaresPublicList)
        let dir = try Paths.scratch()
        let body = Array(lines.dropFirst())
        let spaced: [String] = body.map { $0.replacingOccurrences(of: "\t", with: "   ") }
        let noUnits: [String] = [lines[0], "Decl\tRA\tNhit\tBeta\tMJD"] + Array(lines.dropFirst(2))
        var variants: [String: String] = [:]
        variants["no-title"] = body.joined(separator: "\n") + "\n"
        variants["spaces"] = ([lines[0]] + spaced).joined(separator: "\n") + "\n"
        variants["no-units"] = noUnits.joined(separator: "\n") + "\n"
        variants["crlf"] = lines.joined(separator: "\r\n") + "\r\n"
        for (name, text) in variants {
            let path = dir + "/\(name).dat"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(try InputKind.detect(path: path) == .antaresPublicList, "\(name)")
            let obs = try ANTARESEventList.read(path: path, kind: .antaresPublicList)
            #expect(obs.events["RA"]?.values == expected.events["RA"]?.values, "\(name)")
            #expect(obs.events["TIME"]?.values == expected.events["TIME"]?.values, "\(name)")
        }
        let wrapped = dir + "/wrapped.dat"
        let wrappedRows: [String] = Array(lines.prefix(3)) + ["1.0\t360.0\t20\t0.5\t55000.5"]
        try (wrappedRows.joined(separator: "\n") + "\n").write(toFile: wrapped, atomically: true, encoding: .utf8)
        let log = DiagnosticLog()
        let obs = try ANTARESEventList.read(path: wrapped, kind: .antaresPublicList, diagnostics: log)
        #expect(obs.events["RA"]?.values == .double([266.4, 0.0]))
        #expect(log.warnings.count == 1 && log.warnings[0].contains("RA 360.0 read as 0.0 in 1 row(s)"))
        // Past 360 is still out of range.
        let pastRows: [String] = Array(lines.prefix(3)) + ["1.0\t360.1\t20\t0.5\t55000.5"]
        try (pastRows.joined(separator: "\n") + "\n").write(toFile: wrapped, atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) { try ANTARESEventList.read(path: wrapped, kind: .antaresPublicList) }
    }

    /// The KM3-230213A layout of a JSON effective area is known by its content, and its edges are inferred
    /// from the centres so that the log centres are the published ones.
    @Test func km3netEffectiveAreaJSON() throws {
        let path = td + "/km3net-json/effective_area_sample_skyavg.json"
        #expect(try InputKind.detect(path: path) == .km3netAeffJSON)
        let aeff = try KM3NeTAeffJSON.read(path: path)
        let e = aeff.energyAxis
        #expect(e.binCount == 20)
        for i in 0..<e.binCount {
            let centre = (e.edges[i] * e.edges[i + 1]).squareRoot()
            #expect(abs(centre / (1e5 * pow(10, Double(i) / 10)) - 1) < 1e-8)
        }
        #expect(aeff.table.values[4] == 50e-4) // 50 cm^2 in m^2
        #expect(aeff.valueWarnings().contains { $0.contains("energy edges inferred") })
    }

    @Test func antaresVOLayout() throws {
        let obs = try ANTARESEventList.read(path: td + "/antares/sample_vo.csv", kind: .antaresVOTableCSV)
        #expect(obs.events["EVENT_ID"]?.values == .int64([1, 2, 103]))
        #expect(obs.events["SRC_NAME"]?.values == .string(["ANT0001", "ANT0002", "ANT0103"]))
        #expect(obs.events["DIR_ERR"]?.values == .double([0.3, 0.7, 0.2]))
    }

    /// The DaCHS cone search (`_r, MJD, Beta, Nhit, RA, Decl, ID`, quoted ids) and the VOTable the
    /// VO service serves (fixture written by astropy) read as the same events.
    @Test func antaresAsTheVOServesIt() throws {
        let cone = td + "/antares/sample_cone.csv"
        let vot = td + "/antares/sample_vo.vot"
        #expect(try InputKind.detect(path: cone) == .antaresConeSearchCSV)
        #expect(try InputKind.detect(path: vot) == .antaresVOTable)
        let a = try ANTARESEventList.read(path: cone, kind: .antaresConeSearchCSV)
        let b = try ANTARESEventList.read(path: vot, kind: .antaresVOTable)
        #expect(
            a.events["EVENT_ID"]?.values == .int64([1, 2, 3]) && b.events["EVENT_ID"]?.values == .int64([1, 2, 3]))
        #expect(a.events["SRC_NAME"]?.values == .string(["ANT0001", "ANT0002", "ANT0003"]))
        for c in ["RA", "DEC", "TIME"] { #expect(a.events[c]?.values == b.events[c]?.values, "\(c)") }
        #expect(a.events["DEC"]?.values == .double([-20.25, -21.5, -19.0]))
        // beta is a float in the VOTable: its value is the float's, as astropy reads it.
        #expect(b.events["DIR_ERR"]?.values == .double([Double(Float(0.3)), Double(Float(0.7)), Double(Float(1.2))]))
    }

    @Test func aeffTable() throws {
        let a = try KM3NeTIRFTables.readEffectiveArea(path: td + "/km3net/aeff_coszen_sample.csv")
        #expect(a.energyAxis.edges == [100, 1000, 10000, 100000])
        #expect(a.energyAxis.unit == .GeV)
        #expect(a.spatialAxis.edges == [-1, -0.5, 0, 0.5, 1])
        #expect(a.spatialAxis.meaning == .cosZenith)
        // Generator: 0.5*(i+1)^2*(4-j) + 0.125*j for energy bin i, cos bin j.
        for i in 0..<3 {
            for j in 0..<4 {
                #expect(a.table.value(at: [i, j]) == 0.5 * Double((i + 1) * (i + 1) * (4 - j)) + 0.125 * Double(j))
            }
        }
    }

    /// Each broken input gives an error naming the file, the line and the column where there is one.
    @Test(
        arguments: [
            ("bad/aeff_missing_column.csv", 1, "aeff [m^2]", "missing column"),
            ("bad/aeff_non_numeric.csv", 6, "aeff [m^2]", "'n/a' is not a finite number"),
            ("bad/aeff_grid_hole.csv", nil, nil, "grid has a hole"),
        ] as [(String, Int?, String?, String)])
    func badAeffTables(_ file: String, _ line: Int?, _ column: String?, _ reason: String) throws {
        let e = #expect(throws: InputError.self) { try KM3NeTIRFTables.readEffectiveArea(path: td + "/" + file) }
        #expect(e?.file == td + "/" + file)
        #expect(e?.line == line)
        #expect(e?.column == column)
        #expect(e?.reason.contains(reason) == true, "\(String(describing: e))")
    }

    @Test func badAntaresLists() throws {
        let e1 = #expect(throws: InputError.self) {
            try ANTARESEventList.read(path: td + "/bad/antares_non_numeric.dat", kind: .antaresPublicList)
        }
        #expect(e1?.line == 4 && e1?.column == "RA[deg]")
        let e2 = #expect(throws: InputError.self) {
            try ANTARESEventList.read(path: td + "/bad/antares_missing_column.csv", kind: .antaresVOTableCSV)
        }
        #expect(e2?.column == "dec" && e2?.line == 1)
        let e3 = #expect(throws: InputError.self) {
            try ANTARESEventList.read(path: td + "/bad/empty.csv", kind: .antaresVOTableCSV)
        }
        #expect(e3?.reason == "file is empty")
    }
}

/// The real inputs in ../shared/corpus (CI always has them).
@Suite("Real corpus inputs", .enabled(if: Paths.corpusAvailable, "needs ../shared/corpus (not found beside the repo)"))
struct CorpusReaderTests {
    /// Parses the decimal text independently so RA/DEC can be compared exactly.
    func column(_ path: String, _ name: String, separator: Character, headerLine: Int) throws -> [Double] {
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[headerLine - 1].split(separator: separator).map { $0.lowercased() }
        let i = header.firstIndex { $0.hasPrefix(name) }!
        return lines[headerLine...].filter { !$0.isEmpty }.map { Double($0.split(separator: separator)[i])! }
    }

    @Test func antaresPublicExcerpt() throws {
        let p = Paths.corpus + "/antares/PublicData_0717_excerpt.dat"
        let obs = try ANTARESEventList.read(path: p, kind: try InputKind.detect(path: p))
        #expect(obs.events.count == 11)
        #expect(obs.events["RA"]?.values == .double(try column(p, "ra", separator: "\t", headerLine: 2)))
        #expect(obs.events["DEC"]?.values == .double(try column(p, "decl", separator: "\t", headerLine: 2)))
    }

    @Test func antaresVOExcerpt() throws {
        let p = Paths.corpus + "/antares/ant20_01_cone_excerpt.csv"
        let obs = try ANTARESEventList.read(path: p, kind: try InputKind.detect(path: p))
        #expect(obs.events.count == 11)
        #expect(obs.events["RA"]?.values == .double(try column(p, "ra", separator: ",", headerLine: 1)))
        #expect(obs.events["DEC"]?.values == .double(try column(p, "dec", separator: ",", headerLine: 1)))
    }

    @Test func detectsAllARCA230Tables() throws {
        let dir = Paths.corpus + "/km3net-arca230-irf/"
        #expect(try InputKind.detect(path: dir + "aeff_coszen_allnumuCC_track.csv") == .km3netAeffTable)
        #expect(try InputKind.detect(path: dir + "psf_numuCC_track.csv") == .km3netPSFTable)
        #expect(try InputKind.detect(path: dir + "energyresponse_numuCC_track.csv") == .km3netEnergyResponseTable)
        #expect(try InputKind.detect(path: dir + "bkg_track.csv") == .km3netBackgroundTable)
    }

    @Test func arca230EffectiveArea() throws {
        let p = Paths.corpus + "/km3net-arca230-irf/aeff_coszen_allnumuCC_track.csv"
        #expect(try InputKind.detect(path: p) == .km3netAeffTable)
        let a = try KM3NeTIRFTables.readEffectiveArea(path: p)
        #expect(a.table.shape == [18, 40])
        #expect(a.table.values.count == 720)
        // Every CSV row's value sits in its bin.
        let rows = try String(contentsOfFile: p, encoding: .utf8).split(separator: "\n").dropFirst()
        for r in rows {
            let c = r.split(separator: ",").map { Double($0)! }
            let i = a.energyAxis.edges.firstIndex { abs(log10($0) - c[0]) < 1e-12 }!
            let j = a.spatialAxis.edges.firstIndex { abs($0 - c[3]) < 1e-12 }!
            #expect(a.table.value(at: [i, j]) == c[6])
        }
    }
}
