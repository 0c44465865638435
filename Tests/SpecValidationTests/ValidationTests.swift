import Foundation
import TestSupport
import Testing
import YAMLIO

@testable import ANTARES
@testable import FITSIO
@testable import GADF
@testable import KM3NeT
@testable import Readers
@testable import Validation

@Suite("Validation")
struct ValidationTests {
    let specs = Paths.repo.appendingPathComponent("Specs").path

    @Test func libraryResolvesExtendsAndGroups() throws {
        let lib = try SpecLibrary(root: specs)
        let e3 = try #require(lib.specs["gadf-0.3/events"])
        let e2 = try #require(lib.specs["gadf-0.2/events"])
        #expect(e3.keywords["OBS_MODE"]?.level == .required && e2.keywords["OBS_MODE"]?.level == .optional)
        #expect(e3.keywords["MJDREFI"] != nil && e3.columns["TIME"]?.type == "float64") // via group and extends
        #expect(e3.keywords["TIMEREF"]?.values?.contains("TOPOCENTER") == true) // 0.3 group change
        #expect(e2.keywords["TIMEREF"]?.values?.contains("TOPOCENTER") == false)
        #expect(lib.specs["gadf-0.3/gti"]?.keywords["TIMEREF"]?.values?.contains("TOPOCENTER") == true)
        #expect(e3.conditions.map(\.id).contains("drift-needs-altaz"))
        #expect(SpecLinter.lint(lib, meta: try MetaSchema(path: Paths.repo.path + "/Specs/meta-schema.yaml")).isEmpty)
    }

    @Test func lintFlagsABrokenSpec() throws {
        let lib = try SpecLibrary(root: Paths.testData + "/specs/broken")
        let meta = try MetaSchema(path: Paths.repo.path + "/Specs/meta-schema.yaml")
        let problems = SpecLinter.lint(lib, meta: meta)
        #expect(problems.contains { $0.contains("unknown field 'titel' in spec") })
        #expect(problems.contains { $0.contains("OBS_ID: unknown type 'integer'") })
        #expect(problems.contains { $0.contains("TOOLONGKEY: unit 'parsec-ish' is not understood") })
        #expect(problems.contains { $0.contains("at most 8 characters") })
    }

    /// The meta-schema check reads YAML with the same parser as the specs (libyaml's events):
    /// plain scalars resolve as YAML's core schema says, quoted ones stay text, and a repeated key
    /// (which a reader would silently take the last of) is named.
    @Test func metaSchemaTypesScalarsAndNamesRepeatedKeys() throws {
        let meta = try MetaSchema(path: Paths.repo.path + "/Specs/meta-schema.yaml")
        let text = "id: gti\ntitle: 12\nreference: true\nreference: 'https://x'\nselect: {HDUCLAS1: [GTI]}\n"
        let problems = meta.check(text: text, file: "t.yaml", as: "spec")
        #expect(problems.contains("t.yaml: title: expected string, found an integer"), "\(problems)")
        #expect(
            problems.contains("t.yaml: top level: key 'reference' appears more than once (only the last would count)"),
            "\(problems)")
        let quoted = meta.check(
            text: "id: gti\ntitle: '12'\nreference: 'true'\nselect: {HDUCLAS1: [GTI]}\n", file: "q.yaml", as: "spec")
        #expect(quoted.isEmpty, "\(quoted)")
        #expect(
            YAMLNode.scalar("0x1F").resolved == .int(31) && YAMLNode.scalar("-.inf").resolved == .double(-.infinity))
        #expect(
            YAMLNode.scalar("~").resolved == .null && YAMLNode.quoted("no").resolved == .string("no")
                && YAMLNode.scalar("no").resolved == .bool(false))
    }

    /// vodfkit's own outputs are clean in the strict profile of the format they declare (VODF too:
    /// every HDU is checked, since an unchecked one is a `spec:no-match` warning in strict).
    @Test(arguments: OutputProfile.releaseFormats)
    func ownOutputsAreStrictlyClean(_ flavor: OutputProfile) throws {
        let obs = try ANTARESEventList.read(
            path: Paths.testData + "/antares/sample_public.dat", kind: .antaresPublicList)
        let aeff = try KM3NeTIRFTables.readEffectiveArea(path: Paths.testData + "/km3net/aeff_coszen_sample.csv")
        let ctx = IRFContext(telescope: "KM3NeT", instrument: "TEST", origin: "KM3NeT", creator: "test")
        let path = try Paths.scratch(flavor.rawValue) + "/out.fits"
        try FITSOutput.write(
            try ObservationWriter(flavor: flavor).tables(for: obs) + [
                try IRFWriter(flavor: flavor).table(for: aeff, context: ctx)
            ],
            primary: [], to: path)
        let findings = try Validator(library: try SpecLibrary(root: specs), profile: .strict).validate(path: path)
        #expect(findings.filter { $0.severity != .info } == [], "\(findings)")
    }

    @Test func unreadableInputIsReported() throws {
        let v = Validator(library: try SpecLibrary(root: specs))
        #expect(throws: Validator.Unreadable.self) { try v.validate(path: Paths.testData + "/README.md") }
    }

    /// Annotations and JUnit XML must survive the characters their syntax reserves.
    @Test func ciReportsEscapeReservedCharacters() throws {
        let f = Finding(
            severity: .error, rule: "gadf-0.3/events:keyword:OBS_ID:missing", file: "a:b,c.fits", hdu: 1,
            hduName: "EVENTS",
            target: "OBS_ID", message: "100% <wrong> & \"odd\"\nsecond line", reference: nil)
        let gh = try ReportFormat.github.render(findings: [f], files: ["a:b,c.fits"], profile: .strict)
        #expect(
            gh.hasPrefix(
                "::error file=a%3Ab%2Cc.fits,title=gadf-0.3/events%3Akeyword%3AOBS_ID%3Amissing::HDU 1 (EVENTS) OBS_ID: 100%25 <wrong> & \"odd\"%0Asecond line\n"
            ))
        let xml = try ReportFormat.junit.render(findings: [f], files: ["a:b,c.fits", "clean.fits"], profile: .strict)
        #expect(xml.contains("100% &lt;wrong&gt; &amp; &quot;odd&quot;"))
        #expect(xml.contains("<testsuites name=\"vodf validate\" tests=\"2\" failures=\"1\">"))
        #expect(!xml.contains("<wrong>"))
    }

    /// In the gammapy profile every HDU a spec checked gets exactly one verdict.
    @Test func gammapyVerdictForEveryCheckedHDU() throws {
        let obs = try ANTARESEventList.read(
            path: Paths.testData + "/antares/sample_public.dat", kind: .antaresPublicList)
        let path = try Paths.scratch("verdict") + "/out.fits"
        try FITSOutput.write(try ObservationWriter(flavor: .gadf03).tables(for: obs), primary: [], to: path)
        let findings = try Validator(library: try SpecLibrary(root: specs), profile: .gammapy).validate(path: path)
        let verdicts = findings.filter { $0.rule == "gammapy:verdict" }
        #expect(verdicts.map(\.hdu) == [1, 2])
        #expect(verdicts.allSatisfy { $0.message == "readable by gammapy 2.1" })
        let strict = try Validator(library: try SpecLibrary(root: specs), profile: .strict).validate(path: path)
        #expect(!strict.contains { $0.rule == "gammapy:verdict" })
    }
}

@Suite("Time sanity")
struct TimeSanityTests {
    @Test func calendarDatesAreMJDs() throws {
        #expect(TimeChecks.calendarMJD("2000-01-01T12:00:00") == 51544.5)
        #expect(TimeChecks.calendarMJD("1858-11-17") == 0)
        #expect(
            TimeChecks.calendarMJD("2004-03-26T02:57:46.184").map {
                abs($0 - (53090 + (2 * 3600 + 57 * 60 + 46.184) / 86400)) < 1e-9
            } == true)
        #expect(TimeChecks.calendarMJD("2004-13-01") == nil && TimeChecks.calendarMJD("26/03/04") == nil)
        #expect(TimeChecks.calendarMJD("") == nil && TimeChecks.calendarMJD("T") == nil)
        #expect(TimeChecks.date(53090.5) == "2004-03-26 12:00:00")
    }

    func header(_ cards: [(String, HeaderValue)]) -> [HeaderCard] { cards.map { HeaderCard($0.0, $0.1) } }

    /// A UTC reference 2012-06-30 and a date after that day's leap second: seconds since MJDREF may
    /// count the leap second or not; both readings are accepted, a 1.5 s offset is not.
    @Test func utcReferenceAcceptsBothLeapSecondReadings() throws {
        let base: [(String, HeaderValue)] = [
            ("MJDREFI", .int(56108)), ("MJDREFF", .double(0)), ("TIMESYS", .string("UTC")),
            ("DATE-OBS", .string("2012-07-01T00:00:00")),
        ]
        #expect(TimeChecks.datesMatch(header(base + [("TSTART", .double(86400))]), tolerance: 0.5).isEmpty)
        #expect(TimeChecks.datesMatch(header(base + [("TSTART", .double(86401))]), tolerance: 0.5).isEmpty)
        let off = TimeChecks.datesMatch(header(base + [("TSTART", .double(86402.5))]), tolerance: 0.5)
        #expect(off.count == 1 && off[0].1.contains("disagrees"), "\(off)")
    }

    @Test func ttReferenceWithUTCDateIsAccepted() throws {
        // TT reference J2000; the date written in UTC is TT - 64.184 s in 2004.
        let cards: [(String, HeaderValue)] = [
            ("MJDREFI", .int(51544)), ("MJDREFF", .double(0.5)), ("TIMESYS", .string("TT")),
            ("TSTART", .double(133_488_064.184)), ("DATE-OBS", .string("2004-03-25T12:00:00")),
        ]
        #expect(TimeChecks.datesMatch(header(cards), tolerance: 1).isEmpty)
        #expect(TimeChecks.mjdrefPlausible(header(cards)).isEmpty)
        #expect(
            TimeChecks.mjdrefPlausible(
                header([("MJDREFI", .int(0)), ("MJDREFF", .double(0)), ("TSTART", .double(1e8))])
            ).count == 1)
    }
}
