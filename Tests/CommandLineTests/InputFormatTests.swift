import Conversion
import FITSIO
import Foundation
import Model
import TestSupport
import Testing

@testable import vodf

/// A format no built-in reader knows: "VODFKIT-TEST-EVENTS", then one "seconds ra dec" row per
/// event. Registered in one place (`InputFormats.register`), it must be accepted by every command
/// that reads inputs, with no other change (issue 26).
struct TestEventsFormat: InputFormat {
    var name: String { "vodfkit test event list (text)" }
    var help: String { "vodfkit test event list (VODFKIT-TEST-EVENTS, then 'seconds ra dec' rows) -> EVENTS + GTI" }
    var holds: Holding { .events }
    func sniff(_ head: FileHead) -> Bool { head.text.hasPrefix("VODFKIT-TEST-EVENTS\n") }
    func runNumber(_ path: String) throws -> Int? { 42 }

    func read(_ path: String, options: ConversionOptions) throws -> Dataset {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: " ").compactMap { Double($0) } }
        let time = rows.map { $0[0] }
        let ra = rows.map { $0[1] }
        let dec = rows.map { $0[2] }
        let events = try EventList(columns: [
            EventColumn(
                name: "EVENT_ID", values: .int64(rows.indices.map { Int64($0 + 1) }), level: .required,
                description: "row"),
            EventColumn(name: "TIME", values: .double(time), unit: .second, level: .required, description: "time"),
            EventColumn(
                name: "RA", values: .double(ra), unit: .degree, level: .required, description: "right ascension"),
            EventColumn(name: "DEC", values: .double(dec), unit: .degree, level: .required, description: "declination"),
        ])
        let site = Site(name: "ANTARES", longitudeDeg: 6.1667, latitudeDeg: 42.8, heightM: -2475, reference: "test")
        let meta = ObservationMetadata(
            obsID: options.obsID ?? "42", timeRef: .j2000TT, tstart: time.min()!, tstop: time.max()!,
            ontime: time.max()! - time.min()!,
            livetime: time.max()! - time.min()!, coverageSource: .eventSpan, site: site, mode: .driftZenith,
            telescope: "TEST",
            instrument: "TEST", origin: "TEST", creator: options.creator, provenance: [path], notes: [])
        var d = Dataset()
        d.observations = [
            Observation(meta: meta, events: events, gti: try GTI(start: [time.min()!], stop: [time.max()!]))
        ]
        d.summary = ["EVENTS: \(rows.count) test events"]
        return d
    }
}

extension RegistryTests {
    static let registered: Bool = {
        InputFormats.register(TestEventsFormat())
        return true
    }()

    static func testInput(_ dir: String) throws -> String {
        let path = dir + "/run.vodftest"
        let rows = ["VODFKIT-TEST-EVENTS", "788918400 10.5 -20.25", "788918460 11.0 -21.0", "788918520 12.25 -22.5"]
        try (rows.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func aRegisteredFormatIsAcceptedByEveryCommandThatReads() throws {
        #expect(Self.registered)
        let dir = try Paths.scratch()
        let input = try Self.testInput(dir)
        // The help texts list it.
        #expect(normalised(ConvertCommand.helpMessage(columns: 200)).contains(normalised(TestEventsFormat().help)))
        #expect(VodfCommand.helpMessage(columns: 200).contains(TestEventsFormat().name))
        // convert
        let convert = try ConvertCommand.parse([input, "-o", dir + "/run.fits", "-q"])
        try convert.run()
        let f = try FITSFile.open(path: dir + "/run.fits")
        _ = try f.moveTo(hdu: 2)
        let events = try f.readTable()
        try f.close()
        #expect(events.name == "EVENTS" && events.column("RA")?.doubles == [10.5, 11.0, 12.25])
        // peek
        let peek = try PeekCommand.parse([input, "-o", dir + "/run.svg", "-q"])
        try peek.run()
        #expect(try String(contentsOfFile: dir + "/run.svg", encoding: .utf8).contains("<svg"))
        // release build: the run's OBS_ID comes from the format (runNumber), the closing check passes.
        let tables = Paths.testData + "/km3net"
        let manifest = """
            release:
              name: test-format
              version: "1"
              creator: vodfkit tests
              contact: test@example.org
              licence: CC0-1.0
              description: A release of a registered test format.
            formats: [gadf-0.3]
            runs:
              - file: \(input)
            channels:
              - name: track
                irfs:
                  - tables: \(tables)/*_sample.csv
            """
        try manifest.write(toFile: dir + "/release.yaml", atomically: true, encoding: .utf8)
        let build = try ReleaseBuild.parse([dir + "/release.yaml", "-o", dir + "/release", "-q"])
        try build.run()
        let written = try FileManager.default.subpathsOfDirectory(atPath: dir + "/release")
        #expect(written.contains { $0.contains("42") && $0.hasSuffix(".fits") }, "\(written)")
    }

    @Test func anUnknownInputIsStillRefused() throws {
        let dir = try Paths.scratch()
        let path = dir + "/other.txt"
        try "VODFKIT-OTHER\n1 2 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: (any Error).self) { try InputFormats.detect(path: path) }
    }
}
