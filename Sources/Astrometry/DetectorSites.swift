import Model

/// Where the neutrino detectors we read are: each site declared once, with the source of its numbers.
/// Event files do not say; detx headers and published constants do.
public enum DetectorSites {
    /// km3astro 0.17 `constants.py` (UTM reference points); the ORCA and ARCA values are also the
    /// UTM lines of the detx headers in km3net-testdata (D_ORCA006..., KM3NeT_-00000001_20171212,
    /// KM3NeT_00000133_20221025).
    public static let orca = DetectorLocation(
        name: "ORCA", utm: UTMPosition(zone: 32, north: true, easting: 256500, northing: 4_743_000, height: -2440),
        reference: "km3astro 0.17 constants (ORCA UTM 32N 256500 4743000 -2440); detx header of ORCA6")
    public static let arca = DetectorLocation(
        name: "ARCA", utm: UTMPosition(zone: 33, north: true, easting: 587600, northing: 4_016_800, height: -3450),
        reference: "km3astro 0.17 constants (ARCA UTM 33N 587600 4016800 -3450); detx headers of ARCA geometries")
    /// ANTARES: 42°48' N, 6°10' E, sea bed at 2475 m depth, as the detector paper gives it. km3astro's UTM
    /// point (32N 268221.6 4742381.9) lies 0.14 km away and its height (-2500 m) is marked "guessed" there;
    /// the paper's numbers are the published ones. Zone 32, as ORCA next door and km3astro use.
    public static let antares = DetectorLocation(
        name: "ANTARES", latitudeDeg: 42.0 + 48.0 / 60.0, longitudeDeg: 6.0 + 10.0 / 60.0, heightM: -2475, zone: 32,
        reference: "Ageron et al. 2011, NIM A 656, 11 (ANTARES: the first undersea neutrino telescope)")

    /// The site of an instrument named in a file or an alert ("ARCA230", "ORCA6", "ANTARES").
    public static func of(instrument: String) -> DetectorLocation? {
        let name = instrument.lowercased()
        return ["antares", "arca", "orca"].first { name.hasPrefix($0) }.flatMap(named)
    }

    public static func named(_ name: String) -> DetectorLocation? {
        switch name.lowercased() {
        case "orca": return orca
        case "arca": return arca
        case "antares": return antares
        default: return nil
        }
    }
}
