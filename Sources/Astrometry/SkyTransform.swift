import CERFA
import Foundation
import Model

/// Where a detector is and how its frame is oriented: geodetic site plus the UTM grid
/// convergence (detector x = UTM east, y = UTM north, z = up).
public struct DetectorLocation: Equatable, Sendable {
    public var site: Site
    public var convergenceRad: Double
    public var utm: UTMPosition?

    public init(site: Site, convergenceRad: Double, utm: UTMPosition? = nil) {
        self.site = site
        self.convergenceRad = convergenceRad
        self.utm = utm
    }

    /// From a UTM reference position (detx header or a published constant).
    public init(name: String, utm: UTMPosition, reference: String) {
        let g = UTM.geodetic(utm)
        self.init(
            site: Site(
                name: name, longitudeDeg: g.longitudeRad * 180 / .pi, latitudeDeg: g.latitudeRad * 180 / .pi,
                heightM: utm.height, reference: reference),
            convergenceRad: g.convergenceRad, utm: utm)
    }

    /// From a published latitude/longitude; the UTM position and convergence are those of `zone`.
    public init(
        name: String, latitudeDeg: Double, longitudeDeg: Double, heightM: Double, zone: Int, reference: String
    ) {
        let (utm, gamma) = UTM.position(
            latitudeRad: latitudeDeg * .pi / 180, longitudeRad: longitudeDeg * .pi / 180, height: heightM, zone: zone)
        self.init(
            site: Site(
                name: name, longitudeDeg: longitudeDeg, latitudeDeg: latitudeDeg, heightM: heightM,
                reference: reference),
            convergenceRad: gamma, utm: utm)
    }
}

/// How equatorial coordinates are computed from a local direction.
public enum EquatorialConvention: String, Sendable, CaseIterable {
    /// KM3NeT's reference (aanet `EquatorialCoords`): hour angle from GMST, then the mean equator
    /// of date precessed to J2000 (IAU 2006). No nutation, aberration or refraction. This is what the
    /// collaboration's own coordinates use; it is FK5 J2000 up to annual aberration (<= 20.5").
    case aanet
    /// A full astrometric reduction with ERFA (eraAtoc13): observed place to ICRS, removing
    /// aberration and light deflection, with nutation; no refraction (pressure 0).
    case icrs
}

/// The direction conventions of km3astro/aanet, and the step to the sky.
public struct SkyTransform: Sendable {
    public let location: DetectorLocation
    public let convention: EquatorialConvention

    public init(location: DetectorLocation, convention: EquatorialConvention = .aanet) {
        self.location = location
        self.convention = convention
    }

    /// Source direction in the local horizon frame for a particle travelling along (dx, dy, dz)
    /// in the detector frame: the source is opposite the direction of travel, and the detector's
    /// y axis points to grid north, which differs from true north by the meridian convergence.
    /// Returns altitude and azimuth (from true north, east positive), radians.
    public func sourceHorizontal(dx: Double, dy: Double, dz: Double) -> (alt: Double, az: Double) {
        let theta = acos(max(-1, min(1, dz)))
        let phi = atan2(dy, dx)
        let azSource = phi + .pi // grid azimuth, counter-clockwise from x (east)
        let zenithSource = .pi - theta
        var az = (.pi / 2 - azSource + location.convergenceRad).truncatingRemainder(dividingBy: 2 * .pi)
        if az < 0 { az += 2 * .pi }
        return (.pi / 2 - zenithSource, az)
    }

    /// Right ascension and declination (radians) of a horizontal direction at a UTC instant given
    /// as Unix seconds. UT1 is taken equal to UTC (no IERS data at run time): |UT1-UTC| < 0.9 s,
    /// i.e. at most 0.0038 deg in RA at the equator, and polar motion (< 0.5") is ignored.
    public func equatorial(alt: Double, az: Double, unixSeconds: Double, cache: inout PrecessionCache) -> (
        ra: Double, dec: Double
    ) {
        let day = (unixSeconds / 86400).rounded(.down)
        let utc1 = 2_440_587.5 + day
        let utc2 = (unixSeconds - day * 86400) / 86400
        var tai1 = 0.0
        var tai2 = 0.0
        var tt1 = 0.0
        var tt2 = 0.0
        _ = eraUtctai(utc1, utc2, &tai1, &tai2)
        _ = eraTaitt(tai1, tai2, &tt1, &tt2)
        let lat = location.site.latitudeDeg * .pi / 180
        let lon = location.site.longitudeDeg * .pi / 180
        switch convention {
        case .aanet:
            var ha = 0.0
            var dec = 0.0
            eraAe2hd(az, alt, lat, &ha, &dec)
            let gmst = eraGmst06(utc1, utc2, tt1, tt2)
            let raDate = gmst + lon - ha
            var v = [0.0, 0.0, 0.0]
            eraS2c(raDate, dec, &v)
            // Mean of date -> J2000: the transpose of the bias-precession matrix. It changes by
            // 0.14" a day, so one matrix per UTC day is exact enough (cached).
            let m = cache.matrix(day: Int(day), tt1: tt1, tt2: tt2)
            let x = m[0] * v[0] + m[3] * v[1] + m[6] * v[2]
            let y = m[1] * v[0] + m[4] * v[1] + m[7] * v[2]
            let z = m[2] * v[0] + m[5] * v[1] + m[8] * v[2]
            var ra = atan2(y, x)
            if ra < 0 { ra += 2 * .pi }
            return (ra, atan2(z, (x * x + y * y).squareRoot()))
        case .icrs:
            var rc = 0.0
            var dc = 0.0
            _ = eraAtoc13(
                "A", az, .pi / 2 - alt, utc1, utc2, 0, lon, lat, location.site.heightM, 0, 0, 0, 0, 0, 1, &rc, &dc)
            return (rc, dc)
        }
    }
}

/// IAU 2006 bias-precession matrices, one per UTC day.
public struct PrecessionCache: Sendable {
    private var day = Int.min
    private var m = [Double](repeating: 0, count: 9)
    public init() {}

    mutating func matrix(day d: Int, tt1: Double, tt2: Double) -> [Double] {
        if d != day {
            // Evaluated at the first instant seen on that day: at most 0.14" off later that day.
            var r = ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 0.0))
            withUnsafeMutablePointer(to: &r) { p in
                p.withMemoryRebound(to: (Double, Double, Double).self, capacity: 3) { eraPmat06(tt1, tt2, $0) }
            }
            m = [r.0.0, r.0.1, r.0.2, r.1.0, r.1.1, r.1.2, r.2.0, r.2.1, r.2.2]
            day = d
        }
        return m
    }
}

extension SkyTransform {
    /// Right ascension and declination of the mean equator and equinox of date (aanet's
    /// non-J2000 output): hour angle from GMST, no precession to J2000.
    public func ofDate(alt: Double, az: Double, unixSeconds: Double) -> (ra: Double, dec: Double) {
        let day = (unixSeconds / 86400).rounded(.down)
        let utc1 = 2_440_587.5 + day
        let utc2 = (unixSeconds - day * 86400) / 86400
        var tai1 = 0.0
        var tai2 = 0.0
        var tt1 = 0.0
        var tt2 = 0.0
        _ = eraUtctai(utc1, utc2, &tai1, &tai2)
        _ = eraTaitt(tai1, tai2, &tt1, &tt2)
        var ha = 0.0
        var dec = 0.0
        eraAe2hd(az, alt, location.site.latitudeDeg * .pi / 180, &ha, &dec)
        var ra = (eraGmst06(utc1, utc2, tt1, tt2) + location.site.longitudeDeg * .pi / 180 - ha)
            .truncatingRemainder(dividingBy: 2 * .pi)
        if ra < 0 { ra += 2 * .pi }
        return (ra, dec)
    }
}

/// Galactic coordinates of ICRS directions (ERFA eraIcrs2g), in degrees: l in [0, 360).
public enum GalacticCoordinates {
    public static func from(raDeg: Double, decDeg: Double) -> (l: Double, b: Double) {
        var l = 0.0
        var b = 0.0
        eraIcrs2g(raDeg * .pi / 180, decDeg * .pi / 180, &l, &b)
        return (l * 180 / .pi, b * 180 / .pi)
    }
}
