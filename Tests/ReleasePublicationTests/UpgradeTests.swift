import FITSIO
import Foundation
import GADF
import Model
import Readers
import TestSupport
import Testing

@testable import Release

/// `release upgrade`'s pieces: an event list written, read back and written again is the same
/// table in every format, and no keyword a writer makes is mistaken for a producer's.
@Suite("Release upgrade")
struct UpgradeTests {
    func observation() throws -> Observation {
        var meta = ObservationMetadata(
            obsID: "4711", timeRef: .j2000TT, tstart: 1000, tstop: 1100, ontime: 100, livetime: 90,
            coverageSource: .measured,
            site: Site(name: "HESS", longitudeDeg: 16.5, latitudeDeg: -23.27, heightM: 1835, reference: "test"),
            mode: .pointing(raDeg: 83.6, decDeg: 22.0), object: "Crab", telescope: "HESS",
            instrument: "H.E.S.S. Phase I",
            origin: "test", creator: "vodfkit")
        meta.observingModeName = "WOBBLE"
        meta.celestialFrame = "FK5"
        meta.statedDeadc = 0.904
        meta.instrumentKeywords = [
            CarriedKeyword("N_TELS", .int(4), comment: "telescopes"), CarriedKeyword("TELLIST", .string("1,2,3,4")),
        ]
        meta.notes = ["a note of the producer"]
        let events = try EventList(columns: [
            EventColumn(name: "EVENT_ID", values: .int64([1, 2, 3]), level: .required, description: ""),
            EventColumn(
                name: "TIME", values: .double([1001, 1050, 1099]), unit: .second, level: .required,
                description: "arrival time"),
            EventColumn(
                name: "RA", values: .float([83.1, 83.5, 84]), unit: .degree, level: .required, description: ""),
            EventColumn(
                name: "DEC", values: .float([21.9, 22, 22.1]), unit: .degree, level: .required, description: ""),
            EventColumn(name: "ENERGY", values: .float([0.5, 1, 20]), unit: .TeV, level: .required, description: ""),
        ])
        return Observation(meta: meta, events: events, gti: try GTI(start: [1000], stop: [1100]))
    }

    @Test(arguments: OutputProfile.releaseFormats)
    func eventListReadBackIsWrittenTheSame(_ flavor: OutputProfile) throws {
        let writer = ObservationWriter(flavor: flavor)
        let first = try writer.tables(for: try observation())
        let read = try GADFEventReader.read(events: first[0], gti: first[1], path: "test.fits")
        #expect(read.notCarried.isEmpty)
        #expect(read.observation.meta.instrumentKeywords.map(\.name) == ["N_TELS", "TELLIST"])
        let second = try writer.tables(for: read.observation)
        for (a, b) in zip(first, second) {
            #expect(a.header == b.header, "\(flavor.rawValue) \(a.name)")
            #expect(a.columns == b.columns && a.data == b.data, "\(flavor.rawValue) \(a.name)")
        }
    }

    @Test func everyKeywordTheWritersMakeIsAFormatKeyword() throws {
        var obs = try observation()
        obs.meta.instrumentKeywords = []
        for flavor in OutputProfile.releaseFormats {
            for table in try ObservationWriter(flavor: flavor).tables(for: obs).prefix(2) {
                for card in table.header where card.value != nil {
                    #expect(FormatKeywords.isFormat(card.name), "\(flavor.rawValue) \(table.name) writes \(card.name)")
                }
            }
        }
    }

    @Test func indexPathsStayInsideTheRelease() {
        #expect(UpgradeSource.inside("data/./run.fits", base: "") == "data/run.fits")
        #expect(UpgradeSource.inside("data/../run.fits", base: "") == "run.fits")
        #expect(UpgradeSource.inside("../elsewhere/run.fits", base: "") == nil)
        #expect(UpgradeSource.inside("/etc/passwd", base: "") == nil)
        #expect(UpgradeFile.relative("irfs/p1.fits", from: "events/obs_1.fits") == "../irfs/p1.fits")
        #expect(UpgradeFile.relative("data/a.fits", from: "data/b.fits") == "a.fits")
    }
}
