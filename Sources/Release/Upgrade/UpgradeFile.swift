import FITSIO
import Foundation
import GADF
import Model
import Readers

/// One file of a release upgraded: its HDUs that observations use, read into the model and
/// written in the target format at the same relative path.
struct UpgradeFile {
    let plan: UpgradePlan
    let file: String
    let output: String
    let creator: String

    var directory: String { plan.source.directory }

    func run() throws -> ReleaseUpgrade.FileResult {
        var result = ReleaseUpgrade.FileResult()
        let (primary, tables) = try readUsed(&result)
        let writer = DatasetWriter(flavor: plan.target, creator: creator)
        let irfs = plan.observations.flatMap { $0.members }.filter { $0.role.isIRF && $0.ref.file == file }.map(\.ref)
        var irfTables: [Table] = []
        for ref in Set(irfs).sorted(by: { order(tables, $0) < order(tables, $1) }) {
            let (table, kind) = try irf(tables[ref.name]!.table, hdu: tables[ref.name]!.hdu, ref: ref, writer: writer)
            irfTables.append(table)
            result.irfs[ref] = (kind.layout.hduIndexType, kind.layout.hduIndexClass, table.name)
        }
        var out = irfTables
        if let obs = plan.observations.first(where: { $0.events?.file == file }) {
            let events = tables[obs.events!.name]!.table
            let gti = obs.gti!.file == file ? tables[obs.gti!.name]!.table : try Self.read(obs.gti!, in: directory)
            let reading = try GADFEventReader.read(events: events, gti: gti, path: file)
            var o = reading.observation
            o.meta.provenance.append(label)
            result.omissions += reading.notCarried
            // VODF: IRFs in other files are grouping members at a location relative to this file.
            let links =
                plan.target.grouping != nil
                ? obs.irfs.filter { $0.file != file }.map {
                    ObservationWriter.LinkedMember(
                        name: $0.name, location: Self.relative($0.file, from: file), eventType: 0)
                } : []
            out = try writer.tables(o, irfs: irfTables, links: links)
            result.events = o.events.count
            result.eventHeaders[obs.obsID] = out[0].header + [HeaderCard("NAXIS2", .int(Int64(o.events.count)))]
        }
        var dataset = Dataset()
        GADFFile.carryPrimary(primary, into: &dataset)
        try FITSOutput.write(out, primary: writer.primary(dataset), to: try ReleaseLayout.prepare(output, file))
        return result
    }

    /// How provenance names this file: its name, as `convert` names its input.
    var label: String { (file as NSString).lastPathComponent }

    /// The primary header, and the used tables of this file by EXTNAME (with their HDU numbers);
    /// an HDU no observation uses is an omission.
    func readUsed(_ result: inout ReleaseUpgrade.FileResult) throws -> (
        [HeaderCard], [String: (table: Table, hdu: Int)]
    ) {
        let used = plan.used[file] ?? []
        let f = try FITSFile.open(path: directory + "/" + file)
        defer { try? f.close() }
        _ = try f.moveTo(hdu: 1)
        let primary = try f.readHeader()
        var tables: [String: (table: Table, hdu: Int)] = [:]
        for i in try f.extensionNumbers {
            let type = try f.moveTo(hdu: i)
            let name = try f.readHeader()[key: "EXTNAME"]?.stringValue?.trimmedBlanks ?? ""
            let ref = UpgradeSource.HDURef(file: file, name: name)
            if type == .binaryTable, used.contains(ref) {
                tables[ref.name] = (try f.readTable(), i - 1)
            } else if !(plan.source.layout == .vodf && name == "GROUPING") {
                result.omissions.append(
                    Omission(
                        file: file, what: "HDU \(i - 1) (\(name.isEmpty ? "no EXTNAME" : name))",
                        why: "no observation of the index uses it"))
            }
        }
        for ref in used where tables[ref.name] == nil {
            throw ReleaseError("\(directory)/\(file): the index names HDU \(ref.name), which the file does not hold")
        }
        return (primary, tables)
    }

    func order(_ tables: [String: (table: Table, hdu: Int)], _ ref: UpgradeSource.HDURef) -> Int {
        tables[ref.name]?.hdu ?? 0
    }

    /// An IRF table read into the model and written in the target format under its own EXTNAME,
    /// with the producer's keywords and comments carried (as `convert` writes it).
    func irf(_ t: Table, hdu: Int, ref: UpgradeSource.HDURef, writer: DatasetWriter) throws -> (
        Table, any IRFComponent.Type
    ) {
        guard let kind = GADFIRFReader.kind(of: t.header) else {
            throw ReleaseError(
                "\(directory)/\(file): HDU \(hdu) (\(ref.name)) is listed as an IRF but its class keywords name none")
        }
        let response: Response
        do { response = try GADFFile.response(t, kind: kind, hdu: hdu, file: label) } catch {
            throw ReleaseError("\(directory)/\(file): HDU \(hdu) (\(ref.name)): \(error)")
        }
        return (try writer.table(response), kind)
    }

    /// One HDU of another file, found by EXTNAME.
    static func read(_ ref: UpgradeSource.HDURef, in dir: String) throws -> Table {
        let f = try FITSFile.open(path: dir + "/" + ref.file)
        defer { try? f.close() }
        if let table = try f.readTable(named: ref.name) { return table }
        throw ReleaseError("\(dir)/\(ref.file): no HDU named \(ref.name)")
    }

    /// `target` as a path relative to the directory of `from` (both relative to the release).
    static func relative(_ target: String, from: String) -> String {
        let a = from.split(separator: "/").dropLast()
        let b = target.split(separator: "/")
        var common = 0
        while common < a.count, common < b.count - 1, a[a.startIndex + common] == b[common] { common += 1 }
        return (Array(repeating: "..", count: a.count - common) + b.dropFirst(common).map(String.init)).joined(
            separator: "/")
    }
}
