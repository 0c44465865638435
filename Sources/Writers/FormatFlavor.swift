import FITSIO
import Model

/// The output formats. Every choice is listed with its source in docs/formats.md.
public enum FormatFlavor: String, CaseIterable, Sendable {
    case gadf03 = "gadf-0.3"
    case gadf02 = "gadf-0.2"
    case vodf = "vodf"

    public var isGADF: Bool { self != .vodf }

    public var hduClass: String { isGADF ? "GADF" : "VODF" }

    public var hduDoc: String {
        isGADF ? "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats" : "https://vodf.readthedocs.io/en/latest/"
    }

    /// VODF has no released version: vodf_schema v0.0.0 is the draft we follow.
    public var hduVersion: String {
        switch self {
        case .gadf03: return "0.3"
        case .gadf02: return "0.2"
        case .vodf: return "0.0.0"
        }
    }

    /// Name of the column for an axis of this meaning (the `_LO`/`_HI` suffixes are added by the
    /// writer), from the one table of axis names (`AxisColumns`). GADF has fixed axis names; a zenith
    /// angle goes in THETA (as km3irf does) with AXISn declaring it.
    public func axisColumn(_ m: AxisMeaning) -> String { AxisColumns.name(m, gadf: isGADF) }

    /// Axis meanings this format can store: GADF has no column for cos zenith or declination; they
    /// must be converted first (cos zenith -> zenith) or need VODF.
    public func canStore(_ m: AxisMeaning) -> Bool { !isGADF || AxisColumns.row(m).gadf != nil }

    /// Event column names: VODF marks reconstructed quantities with `_RECO`.
    public func eventColumn(_ canonical: String) -> String {
        guard self == .vodf else { return canonical }
        switch canonical {
        case "RA", "DEC", "ENERGY", "ALT", "AZ": return canonical + "_RECO"
        default: return canonical
        }
    }

    /// HDUCLASS/HDUDOC/HDUVERS, then HDUCLAS1..n.
    func classCards(_ classes: [String]) -> [HeaderCard] {
        var cards = [
            HeaderCard("HDUCLASS", .string(hduClass), comment: "format family"),
            HeaderCard("HDUDOC", .string(hduDoc), comment: "format documentation"),
            HeaderCard("HDUVERS", .string(hduVersion), comment: "format version"),
        ]
        for (i, c) in classes.enumerated() {
            cards.append(HeaderCard("HDUCLAS\(i + 1)", .string(c)))
        }
        return cards
    }
}

public enum WriterError: Error, CustomStringConvertible, Equatable {
    case unsupported(String)
    public var description: String {
        switch self { case .unsupported(let s): return s }
    }
}
