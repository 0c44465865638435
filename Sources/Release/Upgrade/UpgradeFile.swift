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
        // The producer's habits are the observation's: known from the events header of this file's observation.
        let eventsHeader = plan.observations.first { $0.events?.file == file }.flatMap {
            tables[$0.events!.name]?.table.header
        }
        for ref in Set(irfs).sorted(by: { order(tables, $0) < order(tables, $1) }) {
            let (table, kind) = try irf(
                tables[ref.name]!.table, hdu: tables[ref.name]!.hdu, ref: ref, writer: writer, events: eventsHeader)
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
        var spare: [(name: String, hdu: Int, role: GADFFile.Role)] = []
        for i in try f.extensionNumbers {
            let type = try f.moveTo(hdu: i)
            let header = try f.readHeader()
            let name = header[key: "EXTNAME"]?.stringValue?.trimmedBlanks ?? ""
            let ref = UpgradeSource.HDURef(file: file, name: name)
            if type == .binaryTable, used.contains(ref) {
                tables[ref.name] = (try f.readTable(), i - 1)
            } else if !(plan.source.layout == .vodf && name == "GROUPING") {
                if type == .binaryTable { spare.append((name, i, GADFFile.role(of: header))) }
            }
        }
        for ref in used.sorted() where tables[ref.name] == nil {
            try substitute(ref, from: &spare, in: f, into: &tables, &result)
        }
        for s in spare {
            result.omissions.append(
                Omission(
                    file: file, what: "HDU \(s.hdu - 1) (\(s.name.isEmpty ? "no EXTNAME" : s.name))",
                    why: "no observation of the index uses it"))
        }
        return (primary, tables)
    }

    /// An HDU the index names by a name the file does not hold: gammapy's own `DataStore.from_events_files`
    /// names a 3-Gauss PSF 'POINT SPREAD FUNCTION' while `Observation.write` calls it 'PSF_2D_GAUSS', and
    /// gammapy then finds no PSF. When the file holds exactly one unused HDU of the row's kind, that HDU is
    /// taken, and the report says so; otherwise the upgrade stops, naming the row.
    func substitute(
        _ ref: UpgradeSource.HDURef, from spare: inout [(name: String, hdu: Int, role: GADFFile.Role)], in f: FITSFile,
        into tables: inout [String: (table: Table, hdu: Int)], _ result: inout ReleaseUpgrade.FileResult
    ) throws {
        let role = plan.observations.lazy.flatMap(\.members).first { $0.ref == ref }?.role
        let matching = spare.indices.filter { i in
            switch (role, spare[i].role) {
            case (.events?, .events), (.gti?, .gti): return true
            case (.irf(let type)?, .irf(let kind)): return kind.layout.hduIndexType == type
            default: return false
            }
        }
        guard matching.count == 1 else {
            throw ReleaseError("\(directory)/\(file): the index names HDU \(ref.name), which the file does not hold")
        }
        let s = spare.remove(at: matching[0])
        _ = try f.moveTo(hdu: s.hdu)
        tables[ref.name] = (try f.readTable(), s.hdu - 1)
        result.omissions.append(
            Omission(
                file: file, what: "HDU index row naming HDU \(ref.name)", value: s.name,
                why:
                    "the file holds no HDU of that name (gammapy finds nothing there); its only HDU of that kind is taken"
            ))
    }

    func order(_ tables: [String: (table: Table, hdu: Int)], _ ref: UpgradeSource.HDURef) -> Int {
        tables[ref.name]?.hdu ?? 0
    }

    /// An IRF table read into the model and written in the target format under its own EXTNAME,
    /// with the producer's keywords and comments carried (as `convert` writes it).
    func irf(_ t: Table, hdu: Int, ref: UpgradeSource.HDURef, writer: DatasetWriter, events: [HeaderCard]?) throws -> (
        Table, any IRFComponent.Type
    ) {
        guard let kind = GADFIRFReader.kind(of: t.header) else {
            throw ReleaseError(
                "\(directory)/\(file): HDU \(hdu) (\(ref.name)) is listed as an IRF but its class keywords name none")
        }
        var response: Response
        do { response = try GADFFile.response(t, kind: kind, hdu: hdu, file: label) } catch {
            throw ReleaseError("\(directory)/\(file): HDU \(hdu) (\(ref.name)): \(error)")
        }
        if let events { response = try ProducerDialects.repaired([response], events: events)[0] }
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
