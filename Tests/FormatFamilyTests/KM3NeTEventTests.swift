import Foundation
import Readers
import TestSupport
import Testing

@testable import Astrometry
@testable import KM3NeT
@testable import Readers

@Suite("KM3NeT events")
struct KM3NeTEventTests {
    /// Tracks as (rec_stages, lik); the event's tracks are all of them.
    func best(_ tracks: [([Int32], Double)], _ reco: Reconstruction = .jmuon) -> Int? {
        BestTrack.select(tracks: 0..<tracks.count, stages: { tracks[$0].0[...] }, lik: { tracks[$0].1 }, reco: reco)
    }

    @Test func bestTrackRule() {
        // Only stages inside the range count; then the longest; then the largest lik.
        #expect(best([([1, 2, 3, 4, 5], 10), ([1, 2, 3, 4], 99), ([1, 2, 3, 4, 5], 20)]) == 2)
        #expect(best([([1, 2, 3, 101], 99), ([1, 2], 5)]) == 1) // 101 is outside 0-99
        #expect(best([([], 99), ([4], 1)]) == 1) // empty rec_stages never count
        #expect(best([([101, 102], 1)]) == nil)
        #expect(best([([101, 102], 1), ([1], 0)], .jshower) == 0)
        #expect(best([([300, 301], 1)], .aashower) == 0)
        #expect(best([([1, 2], 5), ([1, 2], 5)]) == 0) // ties: the first
        // awkward's argmax: strictly greater wins, so NaN never displaces and a leading NaN stays.
        #expect(best([([1], 1), ([1], .nan), ([1], 3)]) == 2)
        #expect(best([([1], .nan), ([1], 3)]) == 0)
        #expect(best([([1], 7), ([1], 3)], .first) == 0)
        #expect(best([], .first) == nil)
    }

    @Test func detxHeader() throws {
        let dir = try Paths.scratch()
        let v2 = dir + "/v2.detx"
        try "# a comment\n20 v2\n0.0 999999999999.9\nUTM WGS84 33N 587600.0 4016800.0 -3450.0\n1\n".write(
            toFile: v2, atomically: true, encoding: .utf8)
        let loc = try DetectorSites.fromDetx(path: v2)
        #expect(loc.utm == UTMPosition(zone: 33, north: true, easting: 587600, northing: 4_016_800, height: -3450))
        #expect(abs(loc.site.latitudeDeg - DetectorSites.arca.site.latitudeDeg) < 1e-12)
        let v1 = dir + "/v1.detx"
        try "20 115\n1 1 1 31\n".write(toFile: v1, atomically: true, encoding: .utf8)
        let e = #expect(throws: InputError.self) { try DetectorSites.fromDetx(path: v1) }
        #expect(e?.reason.contains("no header") == true)
        let bad = dir + "/bad.detx"
        try "20 v2\n0 1\nUTM WGS84 99Q 1 2\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let e2 = #expect(throws: InputError.self) { try DetectorSites.fromDetx(path: bad) }
        #expect(e2?.line == 3)
    }

    @Test(.enabled(if: Paths.km3netDataAvailable, "needs km3net-testdata in .testdata/ (scripts/testdata.sh)"))
    func realDetxFilesGiveTheKnownSites() throws {
        let arca = try DetectorSites.fromDetx(path: Paths.km3netData + "/detx/KM3NeT_00000133_20221025.detx")
        #expect(arca.utm == DetectorSites.arca.utm)
        let orca = try DetectorSites.fromDetx(
            path: Paths.km3netData + "/detx/D_ORCA006_t.A02181836.p.A02181837.r.A02182001.detx")
        #expect(orca.utm == DetectorSites.orca.utm)
    }

    /// Event conservation and rejections on real ORCA data (rejections: events with no JMuon track).
    @Test(.enabled(if: Paths.km3netDataAvailable, "needs km3net-testdata in .testdata/ (scripts/testdata.sh)"))
    func orcaConservation() throws {
        let obs = try OfflineEvents.read(path: Paths.km3netData + "/dst/orca4_sample.root")
        let rejected = obs.meta.rejections.reduce(0) { $0 + $1.count }
        #expect(obs.meta.eventsIn == 2500)
        #expect(obs.events.count + rejected == 2500)
        #expect(rejected > 0 && obs.meta.rejections.allSatisfy { $0.reason.hasPrefix("no jmuon track") })
        #expect(obs.meta.obsID == "6370" && !obs.meta.isSimulated)
        #expect(obs.events["BDT_0"] == nil || obs.events["BDT_0"]?.isTruth == false)
    }
}

@Suite("KM3NeT event builder")
struct KM3NeTBuilderTests {
    func append(_ t: TrackRecord) throws -> (String?, Columns) {
        var cols = Columns()
        var cache = PrecessionCache()
        let r = try cols.append(
            eventID: 1, run: 2, eventUnix: 1.6e9, track: t, sky: SkyTransform(location: DetectorSites.orca),
            cache: &cache, ref: .j2000TT, reco: .jmuon)
        return (r, cols)
    }

    @Test func nanDirectionsAreRejectedNotDropped() throws {
        let good = TrackRecord(
            dx: 0, dy: 0, dz: 1, energyGeV: 1234.5, lik: 10, recType: 4000, beta0Rad: 0.01, nhit: 42, tNs: 500)
        let (ok, cols) = try append(good)
        #expect(ok == nil && cols.eventID_ == [1])
        #expect(cols.energy == [1.2345])
        #expect(cols.nhit == [42] && abs(cols.dirErr[0] - 0.01 * 180 / .pi) < 1e-12)
        #expect(abs(cols.alt[0] + 90) < 1e-9) // up-going track: source below the horizon
        var bad = good
        bad.dx = .nan
        #expect(try append(bad).0 == "direction not finite or not a unit vector")
        bad = good
        bad.dz = 3
        #expect(try append(bad).0 == "direction not finite or not a unit vector")
        bad = good
        bad.tNs = .infinity
        #expect(try append(bad).0 == "time not finite or outside 1900-2200")
        #expect(try append(bad).1.eventID_.isEmpty)
        // A damaged timestamp far outside any era is a rejection too (it trapped in Int(day)).
        bad = good
        bad.tNs = 1e30
        #expect(try append(bad).0 == "time not finite or outside 1900-2200")
    }
}
