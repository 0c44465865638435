import Diagnostics
import FITSIO
import Model

/// One output format as a value: every choice a writer makes that differs between formats is a
/// property here, read by the writers, so a new format (GADF 0.4, a VODF draft) is one more value
/// and no writer tests which format it is. Every choice is listed with its source in
/// docs/formats.md.
public struct OutputProfile: Sendable, Hashable, RawRepresentable, CaseIterable, CustomStringConvertible {
    public enum Family: String, Sendable {
        case gadf = "GADF"
        case vodf = "VODF"
    }
    /// How the observatory's place is written: GEOLON/GEOLAT/ALTITUDE (GADF) or OBSGEO-B/L/H.
    public enum SiteKeywords: Sendable, CaseIterable {
        case geo, obsgeo
        /// The keywords of longitude, latitude and height (the writer's and the reader's).
        public var names: (longitude: String, latitude: String, height: String) {
            switch self {
            case .geo: ("GEOLON", "GEOLAT", "ALTITUDE")
            case .obsgeo: ("OBSGEO-L", "OBSGEO-B", "OBSGEO-H")
            }
        }
    }
    /// How an observation's HDUs are tied together in its file.
    public enum Grouping: Sendable {
        /// A FITS grouping table after its members (vodf_schema level1/groups.py).
        case groupingTableLast
        /// The mock data's grouping table, first, with MEMBER_XTENSION (vodf-mock-data).
        case mockGroupingTableFirst
    }
    /// How a release in this format is indexed: GADF's HDU and observation index tables per channel
    /// directory, or VODF's grouping tables under vodf/.
    public enum ReleaseLayout: Sendable { case dataStore, grouping }

    /// `--format` value and name in messages ("gadf-0.3").
    public let id: String
    /// HDUCLASS; GADF's fixed axis column names or VODF's.
    public let family: Family
    public let hduDoc: String
    /// HDUVERS. VODF has no released version: vodf_schema v0.0.0 is the draft followed.
    public let hduVersion: String
    /// The keyword and value that state TIME's reference position.
    public let timeReference: (keyword: String, value: String)
    /// DATE-OBS/TIME-OBS/DATE-END/TIME-END (GADF 0.2) instead of DATE-BEG/DATE-END.
    public let splitDates: Bool
    public let siteKeywords: SiteKeywords
    /// RA_PNT/DEC_PNT required even for a drifting detector (GADF 0.2): the sky position at mid-time.
    public let skyPointingWhenDrifting: Bool
    /// OBS_ID written as text (VODF) rather than an integer.
    public let obsIDIsText: Bool
    public let eventsExtname: String
    /// HDUCLAS1.. of the event list.
    public let eventClasses: [String]
    /// EXTLEVEL and DATE-OBS in UTC on the event list (vodf_schema ObservationHeader).
    public let extLevelAndUTCStart: Bool
    /// AUTHOR on every HDU (vodf-mock-data common_md).
    public let writesAuthor: Bool
    /// Event columns written under another name ("RA" -> "RA_RECO").
    public let eventColumnNames: [String: String]
    /// Event columns stored in double precision whatever the input held.
    public let doubleEventColumns: Set<String>
    /// EVENT_ID written as text (the mock data's 8A ID).
    public let textEventID: Bool
    /// The GTI's START/STOP as MJD without a unit (the mock data), instead of seconds since MJDREF.
    public let gtiInMJD: Bool
    public let grouping: Grouping?
    /// Whether IRFs can be written (the mock data's IRF HDUs are placeholders).
    public let holdsResponses: Bool
    /// What separates the words of a written IRF EXTNAME ("EFFECTIVE AREA" or "EFFECTIVE_AREA").
    public let irfNameSeparator: String
    /// How a release is laid out; nil: this format holds no release.
    public let releaseLayout: ReleaseLayout?

    public var rawValue: String { id }
    public var description: String { id }
    public static func == (a: OutputProfile, b: OutputProfile) -> Bool { a.id == b.id }
    public func hash(into h: inout Hasher) { h.combine(id) }

    public var hduClass: String { family.rawValue }

    /// The formats a release can be built in.
    public static var releaseFormats: [OutputProfile] { allCases.filter { $0.releaseLayout != nil } }

    /// Name of the column for an axis of this meaning (the `_LO`/`_HI` suffixes are added by the
    /// writer), from the one table of axis names (`AxisColumns`). GADF has fixed axis names; a zenith
    /// angle goes in THETA (as km3irf does) with AXISn declaring it.
    public func axisColumn(_ m: AxisMeaning) -> String { AxisColumns.name(m, gadf: family == .gadf) }

    /// Axis meanings this format can store: GADF has no column for cos zenith or declination; they
    /// must be converted first (cos zenith -> zenith) or need VODF.
    public func canStore(_ m: AxisMeaning) -> Bool { family != .gadf || AxisColumns.row(m).gadf != nil }

    /// The name an event column is written under.
    public func eventColumn(_ canonical: String) -> String { eventColumnNames[canonical] ?? canonical }

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

extension OutputProfile {
    // In an extension, so that the memberwise initialiser stays (the declared profiles use it).
    public init?(rawValue: String) {
        guard let p = Self.allCases.first(where: { $0.id == rawValue }) else { return nil }
        self = p
    }

    static let gadfDoc = "https://github.com/open-gamma-ray-astro/gamma-astro-data-formats"

    /// GADF 0.3: what gammapy reads today; TIMEREF follows FITS Table 31 (TOPOCENTER).
    public static let gadf03 = OutputProfile(
        id: "gadf-0.3", family: .gadf, hduDoc: gadfDoc, hduVersion: "0.3", timeReference: ("TIMEREF", "TOPOCENTER"),
        splitDates: false, siteKeywords: .geo, skyPointingWhenDrifting: false, obsIDIsText: false,
        eventsExtname: "EVENTS",
        eventClasses: ["EVENTS"], extLevelAndUTCStart: false, writesAuthor: false, eventColumnNames: [:],
        doubleEventColumns: [],
        textEventID: false, gtiInMJD: false, grouping: nil, holdsResponses: true, irfNameSeparator: " ",
        releaseLayout: .dataStore)

    /// GADF 0.2: TIMEREF LOCAL, dates split in date and time, RA/DEC_PNT required.
    public static let gadf02 = OutputProfile(
        id: "gadf-0.2", family: .gadf, hduDoc: gadfDoc, hduVersion: "0.2", timeReference: ("TIMEREF", "LOCAL"),
        splitDates: true, siteKeywords: .geo, skyPointingWhenDrifting: true, obsIDIsText: false,
        eventsExtname: "EVENTS",
        eventClasses: ["EVENTS"], extLevelAndUTCStart: false, writesAuthor: false, eventColumnNames: [:],
        doubleEventColumns: [],
        textEventID: false, gtiInMJD: false, grouping: nil, holdsResponses: true, irfNameSeparator: " ",
        releaseLayout: .dataStore)

    /// vodf_schema 0.0.0's draft (Specs/vodf/0.0.0): the default VODF. eventlist.py fixes EXTNAME
    /// 'event-list', `_RECO` names and float64 for TIME, RA_RECO, DEC_RECO and ENERGY_RECO.
    public static let vodf = OutputProfile(
        id: "vodf", family: .vodf, hduDoc: "https://vodf.readthedocs.org", hduVersion: "0.0.0",
        timeReference: ("TREFPOS", "TOPOCENTER"),
        splitDates: false, siteKeywords: .obsgeo, skyPointingWhenDrifting: false, obsIDIsText: true,
        eventsExtname: "event-list",
        eventClasses: ["OGIP", "EVENTS"], extLevelAndUTCStart: true, writesAuthor: false,
        eventColumnNames: [
            "RA": "RA_RECO", "DEC": "DEC_RECO", "ENERGY": "ENERGY_RECO", "ALT": "ALT_RECO", "AZ": "AZ_RECO",
        ],
        doubleEventColumns: ["TIME", "RA", "DEC", "ENERGY"], textEventID: false, gtiInMJD: false,
        grouping: .groupingTableLast,
        holdsResponses: true, irfNameSeparator: "_", releaseLayout: .grouping)

    /// The layout of the VODF mock-data scripts (Specs/vodf/mock-0.1): event files only.
    public static let vodfMock01 = OutputProfile(
        id: "vodf-mock-0.1", family: .vodf, hduDoc: "https://vodf.readthedocs.io/en/latest/", hduVersion: "0.1",
        timeReference: ("TREFPOS", "TOPOCENTER"), splitDates: false, siteKeywords: .obsgeo,
        skyPointingWhenDrifting: false,
        obsIDIsText: true, eventsExtname: "EVENTS", eventClasses: ["EVENTS"], extLevelAndUTCStart: false,
        writesAuthor: true,
        eventColumnNames: ["EVENT_ID": "ID"], doubleEventColumns: [], textEventID: true, gtiInMJD: true,
        grouping: .mockGroupingTableFirst, holdsResponses: false, irfNameSeparator: " ", releaseLayout: nil)

    public static let allCases: [OutputProfile] = [.gadf03, .gadf02, .vodf, .vodfMock01]
}

public enum WriterError: Error, CustomStringConvertible, Equatable, CategorizedError {
    /// The chosen format cannot hold what was asked: a usage error.
    public var category: ErrorCategory { .usage }
    case unsupported(String)
    public var description: String {
        switch self {
        case .unsupported(let s): return s
        }
    }
}
