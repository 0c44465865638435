import ANTARES
import FITSIO
import Foundation
import GADF
import Model
import Readers
import TestSupport
import Testing

@testable import Validation

/// Issue 13: the writers agree with the specs, by test. Every HDU a writer can produce (each IRF
/// kind and the event list, in each format) validates in the strict profile with no finding above
/// info, and every keyword the writer fixes has the one value its spec allows.
@Suite("Writers agree with the specs")
struct WriterSpecTests {
    static let specs = Paths.repo.path + "/Specs"

    /// A small component of `kind`, made from its layout alone (so that a new kind is covered here
    /// without a line of this file changing): axes in spec order with spec units, and values that
    /// satisfy the kind's normalisation (PSF over solid angle, EDISP over migration).
    static func example(_ kind: any IRFComponent.Type) throws -> any IRFComponent {
        let layout = kind.layout
        var axes: [Axis] = []
        for slot in layout.axes {
            let meaning: AxisMeaning =
                slot == "ENERG"
                ? layout.energy
                : slot == "THETA"
                    ? .fovOffset
                    : AxisColumns.rows.first { $0.gadf == slot }!.meaning
            let unit = layout.axisUnits[meaning] ?? AxisColumns.row(meaning).defaultUnit
            let (edges, scale): ([Double], AxisScale) =
                switch meaning {
                case .trueEnergy, .recoEnergy: ([0.1, 1, 10, 100], .log)
                case .migration: ([0.2, 0.6, 1.0, 1.4, 5.0], .linear)
                case .rad: ([0, 0.1, 0.3, 1.0], .linear)
                case .fovLon, .fovLat: ([-3, -1, 1, 3], .linear)
                default: ([0, 1, 2.5], .linear)
                }
            axes.append(
                try Axis(
                    name: AxisColumns.name(meaning, gadf: true), edges: edges, unit: unit, scale: scale,
                    meaning: meaning))
        }
        let count = axes.reduce(1) { $0 * $1.binCount }
        var tables: [(name: String, table: IRFTable)] = []
        for (name, unit) in layout.dataColumns {
            let value: Double
            if let rad = axes.first(where: { $0.meaning == .rad }) {
                let rmax = rad.edges.last! * .pi / 180
                value = 1 / (2 * .pi * (1 - cos(rmax))) // sr-1: integrates to 1 over the RAD range
            } else if let migra = axes.first(where: { $0.meaning == .migration }) {
                value = 1 / (migra.edges.last! - migra.edges.first!) // dP/dmu
            } else {
                value =
                    name.hasPrefix("AMPL")
                    ? 0.3 : name.hasPrefix("SIGMA") ? 0.1 : name == "RAD_MAX" ? 0.15 : name == "GAMMA" ? 2 : 1
            }
            tables.append((name, try IRFTable(axes: axes, values: Array(repeating: value, count: count), unit: unit)))
        }
        // A kind that is point-like by definition (RAD_MAX_2D) sets its own containment.
        return try kind.init(
            decoded: IRFParts(
                tables: tables, containment: .fullEnclosure,
                notes: [], carried: []))
    }

    static func irfTable(_ kind: any IRFComponent.Type, _ flavor: OutputProfile) throws -> Table {
        let context = IRFContext(telescope: "KM3NeT", instrument: "ARCA230", origin: "KM3NeT", creator: "test")
        return try IRFWriter(flavor: flavor).table(for: try example(kind), context: context)
    }

    static func eventTables(_ flavor: OutputProfile) throws -> [Table] {
        let obs = try ANTARESEventList.read(
            path: Paths.testData + "/antares/sample_public.dat", kind: .antaresPublicList,
            options: .init(obsID: "1", creator: "test"))
        return try ObservationWriter(flavor: flavor).tables(for: obs)
    }

    /// Findings above info when `tables` are written as one file and validated strictly.
    static func strictFindings(_ tables: [Table], name: String) throws -> [Finding] {
        let path = try Paths.scratch(name) + "/out.fits"
        try FITSOutput.write(
            tables, primary: FITSOutput.primaryCards(creator: "test", origin: "KM3NeT", telescope: "KM3NeT"), to: path)
        return try Validator(library: try SpecLibrary(root: specs), profile: .strict).validate(path: path).filter {
            $0.severity != .info
        }
    }

    @Test(arguments: OutputProfile.releaseFormats)
    func everyIRFKindValidatesStrictly(_ flavor: OutputProfile) throws {
        for kind in IRFKinds.all {
            let bad = try Self.strictFindings(
                [try Self.irfTable(kind, flavor)], name: "\(kind.layout.hduClass4)\(flavor.rawValue)")
            #expect(
                bad.isEmpty,
                "\(kind.layout.hduClass4) in \(flavor.rawValue): \(bad.map { "\($0.rule): \($0.message)" })")
        }
    }

    @Test(arguments: OutputProfile.allCases)
    func eventListsValidateStrictly(_ flavor: OutputProfile) throws {
        let bad = try Self.strictFindings(try Self.eventTables(flavor), name: "events\(flavor.rawValue)")
        #expect(bad.isEmpty, "\(flavor.rawValue): \(bad.map { "\($0.rule): \($0.message)" })")
    }

    /// The spec of one written HDU: the one whose `select` (else `recognize_by_columns`) it matches.
    static func spec(of table: Table, in library: SpecLibrary, _ flavor: OutputProfile) -> [Spec] {
        let candidates = library.specs(flavor.family == .gadf ? "gadf" : "vodf", flavor.hduVersion)
        let bySelect = candidates.filter { s in
            !s.select.isEmpty
                && s.select.allSatisfy { k, values in
                    values.contains(table.header[key: k]?.stringValue?.uppercased() ?? "")
                }
        }
        if !bySelect.isEmpty { return bySelect }
        return candidates.filter { s in
            !s.recognizeByColumns.isEmpty && s.recognizeByColumns.allSatisfy { table.spec($0) != nil }
        }
    }

    @Test(arguments: OutputProfile.releaseFormats)
    func fixedKeywordsHaveTheSpecsValue(_ flavor: OutputProfile) throws {
        let library = try SpecLibrary(root: Self.specs)
        let tables = try IRFKinds.all.map { try Self.irfTable($0, flavor) } + Self.eventTables(flavor)
        var compared = 0
        for table in tables {
            let matched = Self.spec(of: table, in: library, flavor)
            // GADF 0.2 predates RAD_MAX_2D (0.3 added it): gammapy reads such an HDU, no 0.2 spec describes it.
            if matched.isEmpty, flavor == .gadf02, table.header[key: "HDUCLAS4"]?.stringValue == "RAD_MAX_2D" {
                continue
            }
            #expect(matched.count == 1, "\(table.name) in \(flavor.rawValue) matches \(matched.map(\.id))")
            guard let spec = matched.first else { continue }
            // The version a writer stamps is the spec's.
            #expect(table.header[key: "HDUVERS"]?.stringValue == spec.version, "\(spec.id): HDUVERS")
            for (keyword, rule) in spec.keywords {
                guard let values = rule.values, let written = table.header[key: keyword] else { continue }
                let text: String = if case .string(let s) = written { s } else { "\(written)" }
                let same =
                    rule.case == "insensitive"
                    ? values.contains { $0.uppercased() == text.uppercased() } : values.contains(text)
                #expect(same, "\(spec.id): \(keyword) = '\(text)', the spec allows \(values)")
                compared += 1
            }
        }
        // HDUCLASS, HDUCLAS1-3, TIMESYS, TIMEUNIT, TIMEREF or TREFPOS, OBS_MODE ...: at least three an HDU.
        #expect(compared >= 3 * tables.count, "only \(compared) keywords compared")
    }
}
