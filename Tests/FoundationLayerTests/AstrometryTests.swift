import Foundation
import TestSupport
import Testing

@testable import Astrometry
@testable import Model

@Suite("Astrometry")
struct AstrometryTests {
    /// km3astro's published site constants (from the same UTM positions, via the `utm` package).
    @Test func utmMatchesKm3astroSites() {
        let arca = UTM.geodetic(UTMPosition(zone: 33, north: true, easting: 587600, northing: 4_016_800, height: -3450))
        #expect(abs(arca.latitudeRad * 180 / .pi - 36.29220052151268) < 1e-7)
        #expect(abs(arca.longitudeRad * 180 / .pi - 15.975552397716397) < 1e-7)
        let orca = UTM.geodetic(UTMPosition(zone: 32, north: true, easting: 256500, northing: 4_743_000, height: -2440))
        #expect(abs(orca.latitudeRad * 180 / .pi - 42.800839643852264) < 1e-7)
        #expect(abs(orca.longitudeRad * 180 / .pi - 6.022280575785778) < 1e-7)
        // Grid convergence: positive east of the central meridian (ARCA, 15.98E in zone 33 at 15E),
        // negative west of it (ORCA, 6.02E in zone 32 at 9E); aanet gives 0.0100733 for ARCA.
        #expect(abs(arca.convergenceRad - 0.010073) < 1e-5)
        #expect(orca.convergenceRad < -0.035 && orca.convergenceRad > -0.0355)
    }

    /// The forward series inverts the inverse one, and the ANTARES site (declared by latitude/longitude)
    /// lands where km3astro's UTM point is, within the 0.14 km the two publications differ by.
    @Test func forwardUTMInvertsTheInverse() {
        for p in [
            UTMPosition(zone: 33, north: true, easting: 587600, northing: 4_016_800, height: 0),
            UTMPosition(zone: 32, north: true, easting: 256500, northing: 4_743_000, height: 0),
            UTMPosition(zone: 19, north: false, easting: 330000, northing: 7_300_000, height: 0),
        ] {
            let g = UTM.geodetic(p)
            let (back, gamma) = UTM.position(
                latitudeRad: g.latitudeRad, longitudeRad: g.longitudeRad, height: 0, zone: p.zone)
            #expect(abs(back.easting - p.easting) < 1e-3 && abs(back.northing - p.northing) < 1e-3)
            #expect(back.north == p.north)
            #expect(abs(gamma - g.convergenceRad) < 1e-10) // third-order series: ~1e-11
        }
        let antares = DetectorSites.antares
        let utm = try! #require(antares.utm)
        let km3astro = (easting: 268221.6, northing: 4742381.9)
        let d =
            ((utm.easting - km3astro.easting) * (utm.easting - km3astro.easting)
            + (utm.northing - km3astro.northing) * (utm.northing - km3astro.northing)).squareRoot()
        #expect(d > 50 && d < 200)
        #expect(antares.site.latitudeDeg == 42.8 && antares.site.heightM == -2475)
        #expect(DetectorSites.of(instrument: "ANTARES")?.site == antares.site)
    }

    @Test func sourceIsOppositeTheTrack() {
        let t = SkyTransform(
            location: DetectorLocation(
                site: Site(name: "x", longitudeDeg: 0, latitudeDeg: 0, heightM: 0, reference: ""),
                convergenceRad: 0))
        // An up-going track (travelling +z) comes from below the horizon; a down-going one from the zenith.
        #expect(abs(t.sourceHorizontal(dx: 0, dy: 0, dz: 1).alt + .pi / 2) < 1e-12)
        #expect(abs(t.sourceHorizontal(dx: 0, dy: 0, dz: -1).alt - .pi / 2) < 1e-12)
        // Travelling east (+x) means the source is in the west: azimuth 270 deg.
        let h = t.sourceHorizontal(dx: 1, dy: 0, dz: 0)
        #expect(abs(h.alt) < 1e-12 && abs(h.az - 1.5 * .pi) < 1e-12)
        // Travelling north (+y): source in the south, azimuth 180 deg.
        #expect(abs(t.sourceHorizontal(dx: 0, dy: 1, dz: 0).az - .pi) < 1e-12)
    }

    /// Every row of km3net-testdata's local2eq_aanet_2.7.1.csv (aanet EquatorialCoords, ARCA),
    /// both its J2000 rows and its rows "of date", to <= 0.01 deg.
    @Test(.enabled(if: Paths.km3netDataAvailable, "needs km3net-testdata in .testdata/ (scripts/testdata.sh)"))
    func aanetLocal2EqBenchmark() throws {
        let text = try String(contentsOfFile: Paths.km3netData + "/astro/local2eq_aanet_2.7.1.csv", encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        let h = lines[0].split(separator: ",").map(String.init)
        func col(_ n: String) -> Int { h.firstIndex(of: n)! }
        let t = SkyTransform(
            location: DetectorLocation(
                name: "ARCA",
                utm: UTMPosition(zone: 33, north: true, easting: 587600, northing: 4_016_800, height: -3450),
                reference: "test"))
        var worst = 0.0
        var count = 0
        for line in lines.dropFirst() {
            let c = line.split(separator: ",").map(String.init)
            let d = { (n: String) in Double(c[col(n)])! }
            let hor = t.sourceHorizontal(dx: d("dx"), dy: d("dy"), dz: d("dz"))
            let time = unixSeconds(
                Int(d("year")), Int(d("month")), Int(d("day")), Int(d("hour")), Int(d("min")), d("sec"))
            var cache = PrecessionCache()
            let (ra, dec) =
                c[col("j2000")] == "True"
                ? t.equatorial(alt: hor.alt, az: hor.az, unixSeconds: time, cache: &cache)
                : t.ofDate(alt: hor.alt, az: hor.az, unixSeconds: time)
            let s = separationDeg(ra, dec, d("eq_ra"), d("eq_dec"))
            worst = max(worst, s)
            count += 1
        }
        #expect(count == 480)
        #expect(worst <= 0.01, "worst separation \(worst) deg")
    }

    /// The ARCA, ORCA and ANTARES *_coordinate_systems_benchmark.csv tables (J2000 columns and
    /// "of date" columns), each for its own site, to <= 0.01 deg.
    @Test(
        .enabled(if: Paths.km3netDataAvailable, "needs km3net-testdata in .testdata/ (scripts/testdata.sh)"),
        arguments: [
            ("ARCA", UTMPosition(zone: 33, north: true, easting: 587600, northing: 4_016_800, height: -3450)),
            ("ORCA", UTMPosition(zone: 32, north: true, easting: 256500, northing: 4_743_000, height: -2440)),
            ("antares", UTMPosition(zone: 32, north: true, easting: 268221.6, northing: 4742381.9, height: -2500)),
        ])
    func coordinateSystemBenchmarks(_ name: String, _ utm: UTMPosition) throws {
        let text = try String(
            contentsOfFile: Paths.km3netData + "/astro/\(name)_coordinate_systems_benchmark.csv", encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") }
        let h = lines[0].split(separator: ",").map(String.init)
        let t = SkyTransform(location: DetectorLocation(name: name, utm: utm, reference: "test"))
        var worst = 0.0
        for line in lines.dropFirst() {
            let c = line.split(separator: ",").map(String.init)
            func d(_ n: String) -> Double { Double(c[h.firstIndex(of: n)!])! }
            let date = c[0].split(separator: "-").map { Int($0)! }
            let tm = c[1].split(separator: ":").map { Int($0)! }
            let time = unixSeconds(date[0], date[1], date[2], tm[0], tm[1], Double(tm[2]))
            let th = d("theta") * .pi / 180
            let ph = d("phi") * .pi / 180
            let hor = t.sourceHorizontal(dx: sin(th) * cos(ph), dy: sin(th) * sin(ph), dz: cos(th))
            var cache = PrecessionCache()
            let (ra, dec) = t.equatorial(alt: hor.alt, az: hor.az, unixSeconds: time, cache: &cache)
            let (rad, decd) = t.ofDate(alt: hor.alt, az: hor.az, unixSeconds: time)
            let r = Double.pi / 180
            worst = max(
                worst, separationDeg(ra, dec, d("RA-J2000") * r, d("DEC-J2000") * r),
                separationDeg(rad, decd, d("RA") * r, d("DEC") * r))
        }
        #expect(worst <= 0.01, "\(name): worst separation \(worst) deg")
    }
}
