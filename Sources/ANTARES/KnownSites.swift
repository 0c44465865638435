import Model

/// Sites of the detectors we read, with the source of each number.
public enum KnownSites {
    /// ANTARES: 42°48' N, 6°10' E, sea bed at 2475 m depth.
    public static let antares = Site(
        name: "ANTARES", longitudeDeg: 6.0 + 10.0 / 60.0, latitudeDeg: 42.0 + 48.0 / 60.0, heightM: -2475,
        reference: "Ageron et al. 2011, NIM A 656, 11 (ANTARES: the first undersea neutrino telescope)")
}
