import FITSIO
import Foundation
import GADF
import Model
import Readers

/// The index tables of an upgraded release: GADF's hdu-index and obs-index, or VODF's release
/// grouping table. The source's per-observation table (obs-index) is carried column for column.
struct UpgradeIndex {
    let plan: UpgradePlan
    let results: [String: ReleaseUpgrade.FileResult]
    let output: String
    let creator: String

    var primary: [HeaderCard] { FITSOutput.primaryCards(creator: creator, origin: nil, telescope: nil) }

    /// Writes the index files; returns their names.
    func write(omissions: inout [Omission]) throws -> [String] {
        let table = try observationTable(omissions: &omissions)
        if plan.target.releaseLayout == .dataStore {
            try FITSOutput.write([hduIndex()], primary: primary, to: output + "/" + ReleaseLayout.hduIndex)
            try FITSOutput.write([table], primary: primary, to: output + "/" + ReleaseLayout.obsIndex)
            return [ReleaseLayout.hduIndex, ReleaseLayout.obsIndex]
        }
        let locations = plan.observations.map { $0.events!.file }
        let extra = zip(table.columns, table.data).filter { $0.0.name.uppercased() != "OBS_ID" }.map {
            (spec: $0.0, data: $0.1)
        }
        let header = table.header.filter { c in
            !["HDUCLASS", "HDUDOC", "HDUVERS", "HDUCLAS1", "HDUCLAS2", "CREATOR"].contains(c.name)
        }
        let grouping = IndexWriter(flavor: .vodf).releaseGrouping(
            locations: locations, obsIDs: plan.observations.map(\.obsID),
            creator: creator, extra: extra, header: header)
        try FITSOutput.write([grouping], primary: primary, to: output + "/" + ReleaseLayout.groupingName)
        return [ReleaseLayout.groupingName]
    }

    func hduIndex() -> Table {
        var rows: [IndexWriter.HDURow] = []
        for o in plan.observations {
            let id = Int64(o.obsID) ?? 0
            for m in o.members {
                let (type, cls, name): (String, String, String) =
                    switch m.role {
                    case .events: ("events", "events", plan.name(m.ref, m.role))
                    case .gti: ("gti", "gti", plan.name(m.ref, m.role))
                    case .irf: results[m.ref.file]?.irfs[m.ref] ?? ("", "", m.ref.name)
                    }
                let dir = (m.ref.file as NSString).deletingLastPathComponent
                rows.append(
                    .init(
                        obsID: id, type: type, hduClass: cls, fileDir: dir.isEmpty ? "." : dir,
                        fileName: (m.ref.file as NSString).lastPathComponent, hduName: name))
            }
        }
        var t = IndexWriter(flavor: plan.target).hduIndex(rows, creator: creator)
        t.header += plan.source.indexHeader
        return t
    }

    /// The source's obs-index rows of the observations upgraded, in their order, completed by
    /// the columns made from the events headers that it lacks (GADF 0.3 requires OBS_MODE, which
    /// H.E.S.S.'s 0.2 index has not); or, when the source has none (or it lacks some of the
    /// observations), the columns made from the events headers alone.
    func observationTable(omissions: inout [Omission]) throws -> Table {
        let writer = IndexWriter(flavor: plan.target)
        var obs = ObsColumns()
        for o in plan.observations {
            guard let h = results[o.events!.file]?.eventHeaders[o.obsID] else { continue }
            obs.add(h, obsID: Int64(o.obsID) ?? 0)
        }
        let derived = obs.columns()
        if let t = plan.source.observationTable {
            let ids: [String] =
                switch t.column("OBS_ID") {
                case .string(let v)?: v.map(\.trimmedBlanks)
                case let c?: (c.doubles ?? []).map { String(Int64($0)) }
                case nil: []
                }
            let rows = plan.observations.compactMap { o in ids.firstIndex(of: o.obsID) }
            if rows.count == plan.observations.count {
                let kept = t.selectingRows(rows)
                var columns = Array(zip(kept.columns, kept.data)).map { (spec: $0.0, data: $0.1) }
                if !plan.target.obsIDIsText,
                    let k = columns.firstIndex(where: { $0.spec.name.uppercased() == "OBS_ID" }),
                    case .string(let v) = columns[k].data
                {
                    guard v.allSatisfy({ Int64($0.trimmedBlanks) != nil }) else {
                        throw ReleaseError("GADF needs integer OBS_IDs; this release has \(v.first ?? "")")
                    }
                    columns[k] = (ColumnSpec("OBS_ID", .int64), .int64(v.map { Int64($0.trimmedBlanks)! }))
                }
                columns = Self.integerColumnsAsIntegers(columns, omissions: &omissions)
                let have = Set(columns.map { $0.spec.name.uppercased() })
                columns += derived.filter { !have.contains($0.spec.name) }
                return writer.obsIndex(columns, header: plan.source.observationHeader, creator: creator)
            }
            omissions.append(
                Omission(
                    file: "", what: "the observation table",
                    why:
                        "it lacks rows for \(plan.observations.count - rows.count) observation(s); one is made from the events headers"
                ))
        }
        return writer.obsIndex(derived, header: obs.header, creator: creator)
    }

    /// GADF's integer obs-index columns written as text: numbers become integers; a column of blanks
    /// holds nothing and is left out, and said.
    static func integerColumnsAsIntegers(
        _ columns: [(spec: ColumnSpec, data: ColumnData)], omissions: inout [Omission]
    ) -> [(spec: ColumnSpec, data: ColumnData)] {
        columns.compactMap { c in
            guard IndexWriter.integerObsColumns.contains(c.spec.name.uppercased()), case .string(let v) = c.data
            else { return c }
            let text = v.map(\.trimmedBlanks)
            if text.allSatisfy(\.isEmpty) {
                omissions.append(
                    Omission(
                        file: "", what: "obs-index column \(c.spec.name)", value: "''",
                        why: "every value is blank text where GADF has an integer"))
                return nil
            }
            guard text.allSatisfy({ Int64($0) != nil }) else { return c }
            return (ColumnSpec(c.spec.name, .int64, unit: c.spec.unit), .int64(text.map { Int64($0)! }))
        }
    }
}
