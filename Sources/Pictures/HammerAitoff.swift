import Foundation

/// The Hammer-Aitoff equal-area projection of the whole sky, longitude 0 in the middle and
/// increasing to the left (east left, as the sky is seen from inside the sphere).
public enum HammerAitoff {
    /// (x, y) in [-2√2, 2√2] x [-√2, √2] for a longitude in [-180, 180] and a latitude in degrees.
    public static func project(lon: Double, lat: Double) -> (x: Double, y: Double) {
        let l = -lon * .pi / 180 / 2
        let b = lat * .pi / 180
        let d = (1 + cos(b) * cos(l)).squareRoot()
        return (2 * 2.0.squareRoot() * cos(b) * sin(l) / d, 2.0.squareRoot() * sin(b) / d)
    }

    /// A longitude in (-180, 180].
    public static func wrap(_ lon: Double) -> Double {
        var l = lon.truncatingRemainder(dividingBy: 360)
        if l > 180 { l -= 360 }
        if l <= -180 { l += 360 }
        return l
    }

    /// The label of a meridian: its longitude in [0, 360).
    static func lonLabel(_ lon: Double, frame: String?) -> String {
        let l = lon < 0 ? lon + 360 : lon
        return String(format: "%.0f", l)
    }
}
