import Diagnostics
import FITSIO
import Model

/// The output formats. Every choice is listed with its source in docs/formats.md.
public enum FormatFlavor: String, CaseIterable, Sendable {
    case gadf03 = "gadf-0.3"
    case gadf02 = "gadf-0.2"
    /// vodf_schema 0.0.0's draft (Specs/vodf/0.0.0): the default VODF.
    case vodf = "vodf"
    /// The layout of the VODF mock-data scripts (Specs/vodf/mock-0.1): event files only.
    case vodfMock01 = "vodf-mock-0.1"

    public var isGADF: Bool { self == .gadf03 || self == .gadf02 }

    /// Whether this writes the mock-data layout (EVENTS with ID/RA/DEC/ENERGY, GTI in MJD).
    public var isMockLayout: Bool { self == .vodfMock01 }

    /// The formats a release can be built in (the mock layout defines no IRF contents).
    public static let releaseFormats: [FormatFlavor] = [.gadf03, .gadf02, .vodf]

    public var hduClass: String { isGADF ? "GADF" : "VODF" }

    public var hduDoc: String {
        switch self {
        case .gadf03, .gadf02: return "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats"
        case .vodf: return "https://vodf.readthedocs.org"                    // vodf_schema metadata.py URL
        case .vodfMock01: return "https://vodf.readthedocs.io/en/latest/"    // vodf-mock-data common_md
        }
    }

    /// VODF has no released version: vodf_schema v0.0.0 is the draft we follow.
    public var hduVersion: String {
        switch self {
        case .gadf03: return "0.3"
        case .gadf02: return "0.2"
        case .vodf: return "0.0.0"
        case .vodfMock01: return "0.1"
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
        if self == .vodfMock01 { return canonical == "EVENT_ID" ? "ID" : canonical }
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

public enum WriterError: Error, CustomStringConvertible, Equatable, CategorizedError {
    /// The chosen format cannot hold what was asked: a usage error.
    public var category: ErrorCategory { .usage }
    case unsupported(String)
    public var description: String {
        switch self { case .unsupported(let s): return s }
    }
}
