import FITSIO
import Model

/// The tables that tie a release together: GADF's HDU and observation indexes, and VODF's
/// release grouping table (one row per observation's grouping table).
public struct IndexWriter: Sendable {
    public let flavor: OutputProfile
    public init(flavor: OutputProfile) { self.flavor = flavor }

    public struct HDURow: Sendable {
        public var obsID: Int64
        public var type: String
        public var hduClass: String
        public var fileDir: String
        public var fileName: String
        public var hduName: String
        public init(obsID: Int64, type: String, hduClass: String, fileDir: String, fileName: String, hduName: String) {
            self.obsID = obsID
            self.type = type
            self.hduClass = hduClass
            self.fileDir = fileDir
            self.fileName = fileName
            self.hduName = hduName
        }
    }

    /// HDU_INDEX: where each observation's HDUs are (FILE_DIR relative to the index file).
    public func hduIndex(_ rows: [HDURow], creator: String) -> Table {
        func text(_ name: String, _ v: [String]) -> (ColumnSpec, ColumnData) {
            (ColumnSpec(name, .string, repeatCount: max(1, v.map(\.utf8.count).max() ?? 1)), .string(v))
        }
        let cols = [
            text("HDU_TYPE", rows.map(\.type)), text("HDU_CLASS", rows.map(\.hduClass)),
            text("FILE_DIR", rows.map(\.fileDir)),
            text("FILE_NAME", rows.map(\.fileName)), text("HDU_NAME", rows.map(\.hduName)),
        ]
        return Table(
            name: "HDU_INDEX", header: flavor.classCards(["INDEX", "HDU"]) + [HeaderCard("CREATOR", .string(creator))],
            columns: [ColumnSpec("OBS_ID", .int64)] + cols.map(\.0), data: [.int64(rows.map(\.obsID))] + cols.map(\.1))
    }

    /// Optional OBS_INDEX columns that GADF declares as integers; producers write some as text (gammapy's
    /// `DataStore.from_events_files` writes N_TELS as '').
    public static let integerObsColumns: Set<String> = ["N_TELS", "QUALITY", "EVENT_COUNT"]

    /// OBS_INDEX: one row per observation; `columns` in order, `header` the time (and, when all
    /// runs share one, location) keywords.
    public func obsIndex(_ columns: [(spec: ColumnSpec, data: ColumnData)], header: [HeaderCard], creator: String)
        -> Table
    {
        Table(
            name: "OBS_INDEX",
            header: flavor.classCards(["INDEX", "OBS"]) + header + [HeaderCard("CREATOR", .string(creator))],
            columns: columns.map(\.spec), data: columns.map(\.data))
    }

    /// VODF: the release's grouping table, one row per observation (its GROUPING HDU in its file).
    /// `extra` are further per-observation columns (an upgraded release's obs-index), `header`
    /// further keywords (that index's own).
    public func releaseGrouping(
        locations: [String], obsIDs: [String], creator: String,
        extra: [(spec: ColumnSpec, data: ColumnData)] = [], header: [HeaderCard] = []
    ) -> Table {
        Table(
            name: "GROUPING",
            header: flavor.classCards([]) + [
                HeaderCard("CREATOR", .string(creator)),
                HeaderCard.comment("The observations of this release: each row is one observation's grouping table."),
            ] + header,
            columns: [
                ColumnSpec("MEMBER_NAME", .string, repeatCount: 8), ColumnSpec("MEMBER_VERSION", .int64),
                ColumnSpec("MEMBER_LOCATION", .string, repeatCount: max(1, locations.map(\.utf8.count).max() ?? 1)),
                ColumnSpec("MEMBER_URI_TYPE", .string, repeatCount: 3),
                ColumnSpec("OBS_ID", .string, repeatCount: max(1, obsIDs.map(\.utf8.count).max() ?? 1)),
            ] + extra.map(\.spec),
            data: [
                .string(locations.map { _ in "GROUPING" }), .int64(locations.map { _ in 1 }), .string(locations),
                .string(locations.map { _ in "URL" }), .string(obsIDs),
            ] + extra.map(\.data))
    }
}
