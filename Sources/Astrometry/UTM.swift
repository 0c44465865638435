import Foundation

/// A position in the UTM grid (WGS84), as detx headers give it: `UTM WGS84 33N 587600 4016800 -3450`.
public struct UTMPosition: Equatable, Sendable {
    public var zone: Int
    public var north: Bool
    public var easting: Double
    public var northing: Double
    public var height: Double

    public init(zone: Int, north: Bool, easting: Double, northing: Double, height: Double) {
        self.zone = zone
        self.north = north
        self.easting = easting
        self.northing = northing
        self.height = height
    }
}

/// UTM -> geodetic latitude/longitude and the grid's meridian convergence, with the Krüger
/// series of the transverse Mercator projection (WGS84; accurate to well below a metre here).
public enum UTM {
    static let a = 6_378_137.0
    static let f = 1 / 298.257_223_563
    static let k0 = 0.9996

    public struct Geodetic: Equatable, Sendable {
        public var latitudeRad: Double
        public var longitudeRad: Double
        /// Angle from grid north to true north, positive east of the central meridian (radians).
        public var convergenceRad: Double
    }

    public static func geodetic(_ p: UTMPosition) -> Geodetic {
        let n = f / (2 - f)
        let A = a / (1 + n) * (1 + n * n / 4 + n * n * n * n / 64)
        let beta = [n / 2 - 2 * n * n / 3 + 37 * n * n * n / 96, n * n / 48 + n * n * n / 15, 17 * n * n * n / 480]
        let delta = [2 * n - 2 * n * n / 3 - 2 * n * n * n, 7 * n * n / 3 - 8 * n * n * n / 5, 56 * n * n * n / 15]
        let xi = (p.northing - (p.north ? 0 : 10_000_000)) / (k0 * A)
        let eta = (p.easting - 500_000) / (k0 * A)
        var xiP = xi
        var etaP = eta
        var sigmaP = 1.0
        var tauP = 0.0
        for (k, b) in beta.enumerated() {
            let j = Double(k + 1)
            xiP -= b * sin(2 * j * xi) * cosh(2 * j * eta)
            etaP -= b * cos(2 * j * xi) * sinh(2 * j * eta)
            sigmaP -= 2 * j * b * cos(2 * j * xi) * cosh(2 * j * eta)
            tauP += 2 * j * b * sin(2 * j * xi) * sinh(2 * j * eta)
        }
        let chi = asin(sin(xiP) / cosh(etaP))
        var phi = chi
        for (k, d) in delta.enumerated() { phi += d * sin(2 * Double(k + 1) * chi) }
        let lambda0 = Double(p.zone * 6 - 183) * Double.pi / 180
        let lambda = lambda0 + atan(sinh(etaP) / cos(xiP))
        let t = tan(xiP) * tanh(etaP)
        let gamma = atan((tauP + sigmaP * t) / (sigmaP - tauP * t))
        return Geodetic(latitudeRad: phi, longitudeRad: lambda, convergenceRad: gamma)
    }

    /// Geodetic -> UTM in a given zone, and the convergence there: the forward Krüger series, so that a
    /// site published as latitude/longitude (ANTARES) and one published in UTM (ARCA, ORCA) are one kind.
    public static func position(
        latitudeRad phi: Double, longitudeRad lambda: Double, height: Double, zone: Int
    ) -> (UTMPosition, convergenceRad: Double) {
        let n = f / (2 - f)
        let A = a / (1 + n) * (1 + n * n / 4 + n * n * n * n / 64)
        let alpha = [
            n / 2 - 2 * n * n / 3 + 5 * n * n * n / 16, 13 * n * n / 48 - 3 * n * n * n / 5, 61 * n * n * n / 240,
        ]
        let e2n = 2 * n.squareRoot() / (1 + n)
        let t = sinh(atanh(sin(phi)) - e2n * atanh(e2n * sin(phi)))
        let dLambda = lambda - Double(zone * 6 - 183) * Double.pi / 180
        let xiP = atan2(t, cos(dLambda))
        let etaP = atanh(sin(dLambda) / (1 + t * t).squareRoot())
        var xi = xiP
        var eta = etaP
        var sigma = 1.0
        var tau = 0.0
        for (k, al) in alpha.enumerated() {
            let j = Double(k + 1)
            xi += al * sin(2 * j * xiP) * cosh(2 * j * etaP)
            eta += al * cos(2 * j * xiP) * sinh(2 * j * etaP)
            sigma += 2 * j * al * cos(2 * j * xiP) * cosh(2 * j * etaP)
            tau += 2 * j * al * sin(2 * j * xiP) * sinh(2 * j * etaP)
        }
        let north = phi >= 0
        let p = UTMPosition(
            zone: zone, north: north, easting: 500_000 + k0 * A * eta,
            northing: k0 * A * xi + (north ? 0 : 10_000_000), height: height)
        let root = (1 + t * t).squareRoot()
        let gamma = atan((tau * root + sigma * t * tan(dLambda)) / (sigma * root - tau * t * tan(dLambda)))
        return (p, gamma)
    }
}
