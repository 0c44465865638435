import FileOutput
import Foundation
import GADF

/// Where each file of a release goes, relative to the release directory (docs/release-manifest.md
/// draws the tree). GADF has no event types, so each GADF format has one directory, with its own
/// index tables, per channel; VODF holds every channel in one tree.
public enum ReleaseLayout {
    static func obsName(_ obsID: Int) -> String { String(format: "obs_%08d.fits", obsID) }

    public static func channelDirectory(_ f: OutputProfile, _ channel: String) -> String { "\(f.rawValue)/\(channel)" }

    static func events(_ f: OutputProfile, channel: String, obsID: Int) -> String {
        f.releaseLayout == .dataStore
            ? "\(channelDirectory(f, channel))/events/\(obsName(obsID))" : "vodf/events/\(obsName(obsID))"
    }

    static func irfs(_ f: OutputProfile, channel: String, period: String) -> String {
        f.releaseLayout == .dataStore
            ? "\(channelDirectory(f, channel))/irfs/\(period).fits" : "vodf/irfs/\(channel)_\(period).fits"
    }

    public static let hduIndex = "hdu-index.fits.gz"
    public static let obsIndex = "obs-index.fits.gz"
    /// The names a GADF data store's index tables may have (vodfkit writes the gzipped ones).
    public static let hduIndexNames = [hduIndex, "hdu-index.fits"]
    public static let obsIndexNames = [obsIndex, "obs-index.fits"]
    /// VODF: the grouping table of a whole release (one row per observation), at the top of its tree.
    public static let groupingName = "obs-grouping.fits"
    /// ... which in a vodfkit release is the vodf/ tree.
    public static let vodfGrouping = "vodf/" + groupingName
    public static let metadata = "release.json"
    public static let readme = "README.md"

    /// Makes the directory that will hold `relative`.
    static func prepare(_ root: String, _ relative: String) throws -> String {
        let path = root + "/" + relative
        try AtomicOutput.makeDirectory((path as NSString).deletingLastPathComponent)
        return path
    }
}
