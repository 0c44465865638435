import Foundation
import TestSupport
import Testing

@testable import Astrometry
@testable import Model

@Suite("Units")
struct UnitTests {
    @Test(arguments: [
        ("m2", Model.Unit.squareMeter), ("m**2", Model.Unit.squareMeter), ("m^2", Model.Unit.squareMeter),
        ("sr^-1", Model.Unit.perSteradian), ("sr-1", Model.Unit.perSteradian), ("sr^(-1)", Model.Unit.perSteradian),
        ("1/sr", Model.Unit.perSteradian),
        ("s^-1 MeV^-1 sr^-1", Model.Unit.backgroundRate), ("MeV-1 s-1 sr-1", Model.Unit.backgroundRate),
        ("MeV-1 sr-1 s-1", Model.Unit.backgroundRate), ("1/s/MeV/sr", Model.Unit.backgroundRate),
        ("s-1.MeV-1.sr-1", Model.Unit.backgroundRate),
        ("TeV", Model.Unit.TeV), ("deg", Model.Unit.degree), ("", Model.Unit.dimensionless),
    ])
    func parsesSpellings(_ text: String, _ expected: Model.Unit) throws {
        let u = try Model.Unit.parse(text)
        #expect(u.dimension == expected.dimension)
        #expect(abs(u.scale / expected.scale - 1) < 1e-15)
    }

    @Test func conversions() throws {
        #expect(try Model.Unit.GeV.factor(to: .TeV) == 1e-3)
        #expect(
            abs(try Model.Unit.perSteradian.factor(to: Model.Unit.parse("deg-2")) - pow(Double.pi / 180, 2)) < 1e-18)
        #expect(abs(try Model.Unit.parse("cm2").factor(to: .squareMeter) - 1e-4) < 1e-20)
        #expect(throws: UnitError.self) { try Model.Unit.TeV.factor(to: .degree) }
        #expect(throws: UnitError.self) { try Model.Unit.parse("furlong") }
    }

    /// GeV -> TeV must be the correctly rounded x/1000. Multiplying by 0.001 differs for some x,
    /// which the second expectation confirms, so this test would catch that implementation.
    @Test func energyConversionIsCorrectlyRounded() throws {
        let xs = (1...2000).map { Double($0) * 0.37 + 0.011 }
        let converted = try Model.Unit.GeV.convert(xs, to: .TeV)
        #expect(converted == xs.map { $0 / 1000 })
        #expect(xs.contains { $0 * 0.001 != $0 / 1000 })
    }
}

@Suite("Axes and IRF tables")
struct AxisTests {
    @Test func validation() throws {
        #expect(throws: ModelError.self) {
            try Axis(name: "E", edges: [1], unit: .TeV, scale: .log, meaning: .trueEnergy)
        }
        #expect(throws: ModelError.self) {
            try Axis(name: "E", edges: [1, 3, 2], unit: .TeV, scale: .log, meaning: .trueEnergy)
        }
        #expect(throws: ModelError.self) {
            try Axis(name: "E", edges: [1, 2], unit: .degree, scale: .log, meaning: .trueEnergy)
        }
        #expect(throws: ModelError.self) {
            try Axis(name: "E", edges: [0, 2], unit: .TeV, scale: .log, meaning: .trueEnergy)
        }
        #expect(throws: ModelError.self) {
            try Axis(name: "E", edges: [1, .nan], unit: .TeV, scale: .linear, meaning: .trueEnergy)
        }
        let e = #expect(throws: ModelError.self) {
            try Axis(name: "C", lowHigh: [(0, 1), (1.5, 2)], unit: .dimensionless, scale: .linear, meaning: .cosZenith)
        }
        #expect(e?.description.contains("not contiguous") == true)
    }

    @Test func centers() throws {
        let log = try Axis(name: "E", edges: [1, 100, 10000], unit: .TeV, scale: .log, meaning: .trueEnergy)
        #expect(log.centers == [10, 1000])
        let lin = try Axis(name: "T", edges: [0, 1, 3], unit: .degree, scale: .linear, meaning: .fovOffset)
        #expect(lin.centers == [0.5, 2])
    }

    @Test func tableShapeIsChecked() throws {
        let a = try Axis(name: "E", edges: [1, 2, 3], unit: .TeV, scale: .log, meaning: .trueEnergy)
        #expect(throws: ModelError.self) { try IRFTable(axes: [a], values: [1, 2, 3], unit: .squareMeter) }
    }

    /// cos θ bins [-1,0], [0,0.5], [0.5,1] become θ bins [0,60], [60,90], [90,180] degrees,
    /// and each bin keeps its value: the values along θ are the cos θ values reversed.
    @Test func cosZenithBecomesZenithAngle() throws {
        let e = try Axis(name: "E", edges: [1, 10, 100], unit: .GeV, scale: .log, meaning: .trueEnergy)
        let c = try Axis(name: "C", edges: [-1, 0, 0.5, 1], unit: .dimensionless, scale: .linear, meaning: .cosZenith)
        // values[iE + 2 * iC]
        let t = try IRFTable(axes: [e, c], values: [1, 2, 3, 4, 5, 6], unit: .squareMeter)
        let z = try EffectiveArea(table: t).withZenithAngleAxis()
        #expect(z.spatialAxis.meaning == .zenithAngle)
        let edges = z.spatialAxis.edges
        #expect(edges.count == 4)
        #expect(edges[0] == 0 && edges[3] == 180)
        #expect(abs(edges[1] - 60) < 1e-12 && abs(edges[2] - 90) < 1e-12)
        #expect(z.table.values == [5, 6, 3, 4, 1, 2])
        #expect(z.table.value(at: [1, 0]) == t.value(at: [1, 2]))
    }

    /// Wrong units and axes are refused; negative and NaN values are carried (real files hold them).
    @Test func effectiveAreaRejectsWhatTheFormatCannotHold() throws {
        let e = try Axis(name: "E", edges: [1, 10], unit: .GeV, scale: .log, meaning: .trueEnergy)
        let c = try Axis(name: "C", edges: [0, 1], unit: .dimensionless, scale: .linear, meaning: .cosZenith)
        #expect(
            try EffectiveArea(table: try IRFTable(axes: [e, c], values: [-1], unit: .squareMeter)).table.census.negative
                == 1)
        #expect(
            try EffectiveArea(table: try IRFTable(axes: [e, c], values: [.nan], unit: .squareMeter)).table.census
                .nonFinite == 1)
        #expect(throws: ModelError.self) {
            try EffectiveArea(table: try IRFTable(axes: [e, c], values: [1], unit: .TeV))
        }
        #expect(throws: ModelError.self) {
            try EffectiveArea(table: try IRFTable(axes: [c, e], values: [1], unit: .squareMeter))
        }
    }

    @Test func eventListColumnsMustAlign() throws {
        var list = try EventList(columns: [
            EventColumn(name: "TIME", values: .double([1, 2]), level: .required, description: "")
        ])
        #expect(throws: ModelError.self) {
            try list.add(EventColumn(name: "RA", values: .double([1]), level: .required, description: ""))
        }
        #expect(throws: ModelError.self) {
            try list.add(EventColumn(name: "TIME", values: .double([1, 2]), level: .required, description: ""))
        }
        #expect(throws: ModelError.self) { try GTI(start: [2], stop: [1]) }
    }
}

@Suite("Time scales (ERFA)")
struct TimeScaleTests {
    /// 2000-01-01T12:00 UTC is 64.184 s after J2000.0 TT: TAI-UTC was 32 s, TT-TAI is 32.184 s.
    @Test func j2000() throws {
        let s = try TimeScales.seconds(sinceReference: .j2000TT, utcMJD: 51544.5)
        #expect(abs(s - 64.184) < 1e-6)
    }

    /// The leap second at the end of 2008 (TAI-UTC 33 -> 34 s) must appear in elapsed TT seconds.
    @Test func leapSecondAtEndOf2008() throws {
        let after = try TimeScales.seconds(sinceReference: .j2000TT, utcMJD: 54832.0)
        #expect(abs(after - (3287.5 * 86400 + 34 + 32.184)) < 1e-5)
        // 2008-12-31 lasted 86401 s. (ERFA, like astropy, stretches that day's MJD fraction
        // over 86401 s, so MJD 54831.5 is 12:00:00.5 UTC.)
        let before = try TimeScales.seconds(sinceReference: .j2000TT, utcMJD: 54831.0)
        #expect(abs((after - before) - 86401) < 1e-5)
    }

    @Test func isoDates() throws {
        #expect(try TimeScales.isoDate(reference: .j2000TT, seconds: 0) == "2000-01-01T12:00:00.000")
        #expect(try TimeScales.isoDate(reference: .j2000TT, seconds: 86400.25) == "2000-01-02T12:00:00.250")
        #expect(throws: TimeScaleError.self) { try TimeScales.seconds(sinceReference: .j2000TT, utcMJD: .nan) }
        let utcRef = TimeReference(mjdInt: 51544, mjdFrac: 0, system: .utc)
        #expect(throws: TimeScaleError.self) { try TimeScales.seconds(sinceReference: utcRef, utcMJD: 55000) }
    }
}

@Suite("Background orientation")
struct BackgroundOrientationTests {
    /// Mirroring the FoV longitude moves each value to the bin at -lon (asymmetric edges too), keeps
    /// the other axes, and says so in a note that `convert` repeats as a warning.
    @Test func mirroringMovesValuesToMinusLongitude() throws {
        let energy = try Axis(name: "ENERG", edges: [1, 10], unit: .TeV, scale: .log, meaning: .recoEnergy)
        let lon = try Axis(name: "DETX", edges: [-1, 0, 2, 3], unit: .degree, scale: .linear, meaning: .fovLon)
        let lat = try Axis(name: "DETY", edges: [-1, 1], unit: .degree, scale: .linear, meaning: .fovLat)
        let table = try IRFTable(axes: [energy, lon, lat], values: [1, 2, 3], unit: .backgroundRate)
        let mirrored = try Background3D(table: table).mirroringFoVLongitude(note: IRFNotes.repaired + "mirrored")
        #expect(mirrored.table.axes[1].edges == [-3, -2, 0, 1])
        #expect(mirrored.table.values == [3, 2, 1])
        // The value that was at lon in [2, 3] is now at [-3, -2].
        #expect(mirrored.table.value(at: [0, 0, 0]) == table.value(at: [0, 2, 0]))
        #expect(mirrored.valueWarnings() == ["mirrored"])
        #expect(try mirrored.mirroringFoVLongitude(note: "back").table.values == table.values)
    }
}
