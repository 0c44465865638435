import FITSIO
import Foundation
import Model
import Parallel

/// Checks that need more than one HDU of a file. Specs name them (`file_checks`); a new kind of
/// cross-HDU rule is one case here plus its use in a spec.
enum FileChecks {
    enum Kind: String, CaseIterable {
        /// Every event TIME lies inside one of the GTI intervals.
        case timesWithinGTI = "times-within-gti"
        /// ONTIME equals the summed GTI length.
        case ontimeEqualsGTI = "ontime-equals-gti"
        /// TSTART/TSTOP enclose the GTI intervals.
        case tstartTstopCoverGTI = "tstart-tstop-cover-gti"
        /// LIVETIME does not exceed ONTIME.
        case livetimeWithinOntime = "livetime-within-ontime"
        /// Every HDU_INDEX row points at an existing file holding an HDU of that name.
        case indexLinks = "index-links"
        /// The HDU index and the obs-index beside it list the same observations.
        case obsIdsMatchObsIndex = "obs-ids-match-obs-index"
        /// Every row of a FITS grouping table names an HDU (EXTNAME, EXTVER) that exists.
        case groupingMembers = "grouping-members"
        /// MJDREF is not zero and puts TSTART in a plausible era.
        case mjdrefPlausible = "mjdref-plausible"
        /// DATE-OBS/TIME-OBS (or DATE-BEG) and DATE-END/TIME-END agree with MJDREF + TSTART/TSTOP.
        case datesMatchTimes = "dates-match-times"
    }

    /// (target, message) for each failure; an empty list means the check passed or could not apply
    /// (no GTI in the file: GADF allows the GTI elsewhere, so that is not this check's business).
    static func run(
        _ rule: FileCheckRule, path: String, file f: FITSFile, hdu: Int, header: [HeaderCard],
        headers: [(Int, [HeaderCard])],
        mapped: MappedFile? = nil, sums: DeferredChecksums? = nil, seen: SeenHDUs? = nil, gtiCache: GTICache? = nil,
        confinement: Confinement = .none
    ) -> [(String?, String)] {
        guard let kind = Kind(rawValue: rule.check) else { return [] }
        let tol = rule.tolerance ?? 1e-6
        func num(_ k: String) -> Double? { header[key: k]?.doubleValue }
        // Reading the GTI moves the file to another HDU; come back for whoever reads next. Three
        // checks need it: it is read once per file.
        func gti() -> [(Double, Double)]? {
            if let cached = gtiCache?.intervals { return cached }
            defer { _ = try? f.moveTo(hdu: hdu + 1) }
            let g = readGTI(f, headers: headers)
            gtiCache?.intervals = .some(g)
            return g
        }
        switch kind {
        case .indexLinks:
            return indexLinks(path: path, file: f, hdu: hdu, header: header, seen: seen, confinement: confinement)
        case .obsIdsMatchObsIndex:
            return obsIdsMatch(path: path, file: f, hdu: hdu, confinement: confinement)
        case .groupingMembers:
            return groupingMembers(path: path, file: f, hdu: hdu, headers: headers, confinement: confinement)
        case .mjdrefPlausible:
            return TimeChecks.mjdrefPlausible(header)
        case .datesMatchTimes:
            return TimeChecks.datesMatch(header, tolerance: rule.tolerance ?? 1)
        case .livetimeWithinOntime:
            guard let live = num("LIVETIME"), let on = num("ONTIME") else { return [] }
            return live > on + tol ? [("LIVETIME", "LIVETIME \(live) s exceeds ONTIME \(on) s")] : []
        case .ontimeEqualsGTI:
            guard let on = num("ONTIME"), let gti = gti() else { return [] }
            let total = gti.reduce(0) { $0 + ($1.1 - $1.0) }
            return abs(on - total) > tol
                ? [("ONTIME", "ONTIME \(on) s differs from the GTI total \(total) s by \(on - total) s")] : []
        case .tstartTstopCoverGTI:
            guard let gti = gti() else { return [] }
            var out: [(String?, String)] = []
            if let start = num("TSTART"), let first = gti.map(\.0).min(), start > first + tol {
                out.append(("TSTART", "TSTART \(start) s is after the first GTI start \(first) s"))
            }
            if let stop = num("TSTOP"), let last = gti.map(\.1).max(), stop < last - tol {
                out.append(("TSTOP", "TSTOP \(stop) s is before the last GTI stop \(last) s"))
            }
            return out
        case .timesWithinGTI:
            guard let gti = gti() else { return [] }
            return timesWithinGTI(gti, file: f, hdu: hdu, header: header, tolerance: tol, mapped: mapped, sums: sums)
        }
    }

    /// Event times outside every GTI interval. A plain file is read in place (a float64 TIME
    /// column at its byte offset in each row) in parts on all cores, its data checksum summed in the
    /// same read; otherwise through cfitsio. In blocks, so memory stays flat however long the list is.
    static func timesWithinGTI(
        _ gti: [(Double, Double)], file f: FITSFile, hdu: Int, header: [HeaderCard], tolerance tol: Double,
        mapped: MappedFile?, sums: DeferredChecksums?
    ) -> [(String?, String)] {
        guard let cols = try? f.columns(header: header),
            let time = cols.first(where: { $0.spec.name.uppercased() == "TIME" }),
            let rows = try? f.rowCount, rows > 0
        else { return [] }
        let sorted = gti.sorted { $0.0 < $1.0 }
        let starts = sorted.map(\.0)
        var reach = [Double](repeating: -.infinity, count: sorted.count)
        for i in sorted.indices { reach[i] = max(i > 0 ? reach[i - 1] : -.infinity, sorted[i].1) }
        let intervals = Intervals(starts: starts, reach: reach)
        var outside = 0
        var worst = 0.0
        // A plain file is read in place (a float64 TIME column, at its byte offset in each row), in
        // parts on all cores; otherwise through cfitsio. In blocks, so memory stays flat however
        // long the event list is.
        let block = 65_536
        if let mapped = mapped, time.spec.type == .float64, time.spec.repeatCount == 1,
            let width = header[key: "NAXIS1"]?.doubleValue,
            let bytes = try? f.byteRange(), cols.reduce(0, { $0 + $1.spec.byteWidth }) == Int(width),
            bytes.dataStart + rows * Int(width) <= mapped.size
        {
            let offset = cols.prefix { $0.number < time.number }.reduce(0) { $0 + $1.spec.byteWidth }
            // The data unit's checksum, if still wanted, is summed in the same read: the rows'
            // whole words here, the rest of the unit (a last part word, padding, heap) after.
            let unit = sums?.wantsData(hdu: hdu)
            let below = bytes.dataStart + rows * Int(width) / 4 * 4
            // Parts of whole blocks, so each starts on a multiple of 4 rows (a checksum word).
            let blocks = (rows + block - 1) / block
            let parts = rows > 4 * block ? max(1, min(4, ProcessInfo.processInfo.activeProcessorCount)) : 1
            let results = Parallel.map(parts) { p -> (count: Int, worst: Double, ok: Bool, sum: UInt32) in
                var r = (count: 0, worst: 0.0, ok: true, sum: UInt32(0))
                var checksum = (below: below, sum: UInt32(0))
                let lo = min(rows, blocks * p / parts * block)
                let hi = min(rows, blocks * (p + 1) / parts * block)
                r.ok = withUnsafeMutablePointer(to: &checksum) { c in
                    mapped.forEachFloat64Block(
                        dataStart: bytes.dataStart, rowWidth: Int(width), offset: offset, rows: lo..<hi,
                        checksum: unit == nil ? nil : c
                    ) { times in
                        let o = intervals.outside(times, tolerance: tol)
                        r.count += o.count
                        r.worst = max(r.worst, o.worst)
                    }
                }
                r.sum = checksum.sum
                return r
            }
            if results.allSatisfy(\.ok) {
                if let unit, let rest = mapped.onesComplementSum(below..<unit.dataEnd) {
                    sums?.setDataSum(
                        hdu: hdu,
                        MappedFile.fold(UInt64(rest), results.reduce(0) { UInt64(MappedFile.fold($0, UInt64($1.sum))) })
                    )
                }
                outside = results.reduce(0) { $0 + $1.count }
                worst = results.map(\.worst).max() ?? 0
                return outside > 0
                    ? [
                        (
                            "TIME",
                            "\(outside) of \(rows) event(s) lie outside the GTI, up to \(String(format: "%.6g", worst)) s"
                        )
                    ] : []
            }
        }
        for first in stride(from: 1, through: rows, by: block) {
            guard let t = (try? f.read(column: time, firstRow: first, rows: min(block, rows - first + 1)))?.doubles
            else { return [] }
            let c = t.withUnsafeBufferPointer { intervals.outside($0, tolerance: tol) }
            outside += c.count
            worst = max(worst, c.worst)
        }
        return outside > 0
            ? [("TIME", "\(outside) of \(rows) event(s) lie outside the GTI, up to \(String(format: "%.6g", worst)) s")]
            : []
    }

    /// One finding per missing file (naming its rows' OBS_IDs) and one per row whose HDU is absent.
    static func indexLinks(
        path: String, file f: FITSFile, hdu: Int, header: [HeaderCard], seen: SeenHDUs? = nil,
        confinement: Confinement = .none
    ) -> [(String?, String)] {
        guard (try? f.moveTo(hdu: hdu + 1)) != nil, let cols = try? f.columns(), let rows = try? f.rowCount else {
            return []
        }
        func strings(_ name: String) -> [String]? {
            guard let c = cols.first(where: { $0.spec.name.uppercased() == name }),
                case .string(let v)? = try? f.read(column: c, rows: rows)
            else { return nil }
            return v.map { $0.trimmedBlanks }
        }
        guard let dirs = strings("FILE_DIR"), let names = strings("FILE_NAME"), let hdus = strings("HDU_NAME") else {
            return []
        }
        let obs = cols.first { $0.spec.name.uppercased() == "OBS_ID" }.flatMap { try? f.read(column: $0, rows: rows) }?
            .doubles
        // Paths are relative to the index file unless absolute; BASE_DIR, when given, comes first.
        // Joined as text: Foundation's URL joins stat the result (to see if it is a directory),
        // which would touch a path before the confinement has looked at it.
        let indexDir =
            (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        let base = header[key: "BASE_DIR"]?.stringValue.map { $0.hasPrefix("/") ? $0 : indexDir + "/" + $0 } ?? indexDir
        var missing: [String: [Int]] = [:]
        var order: [String] = []
        var extnames: [String: Set<String>] = [:]
        var out: [(String?, String)] = []
        for i in 0..<rows {
            let dir = dirs[i].hasSuffix("/") ? String(dirs[i].dropLast()) : dirs[i]
            let rel = dir.isEmpty || dir == "." ? names[i] : dir + "/" + names[i]
            let target = rel.hasPrefix("/") ? rel : base + "/" + rel
            if let why = confinement.refusal(target) {
                out.append(("FILE_NAME", "row \(i + 1): \(MessageText.quoted(rel, limit: 120)) is \(why)"))
                continue
            }
            if !FileManager.default.fileExists(atPath: target) {
                if missing[rel] == nil { order.append(rel) }
                missing[rel, default: []].append(obs.map { Int($0[i]) } ?? i + 1)
                continue
            }
            if extnames[target] == nil, let known = seen?.hdus(target) {
                // Read earlier in this run: its names, without opening it again (EXTVER left aside).
                extnames[target] = Set(known.map { String($0.split(separator: "#").first ?? "") })
            }
            if extnames[target] == nil {
                var found = Set<String>()
                if let other = try? FITSFile.open(path: target), let n = try? other.hduCount {
                    for k in 1...n where (try? other.moveTo(hdu: k)) != nil {
                        if let e = (try? other.readKey("EXTNAME"))??.stringValue {
                            found.insert(e.trimmedBlanks.uppercased())
                        }
                    }
                    try? other.close()
                }
                extnames[target] = found
            }
            if !(extnames[target]!.contains(hdus[i].uppercased())) {
                out.append(("HDU_NAME", "row \(i + 1): \(rel) has no HDU named '\(hdus[i])'"))
            }
        }
        for rel in order {
            let ids = Set(missing[rel]!).sorted().map(String.init).joined(separator: ", ")
            out.append(
                ("FILE_NAME", "\(rel) is listed (\(missing[rel]!.count) row(s), OBS_ID \(ids)) but does not exist"))
        }
        return out
    }

    /// GTI intervals sorted by start, with the running maximum of the stops: a time v is inside some
    /// interval exactly when the latest stop among intervals starting at or before v reaches v.
    /// Binary search keeps this O(log n) per event (HAWC files carry ~40,000 GTI rows).
    struct Intervals: Sendable {
        let starts: [Double]
        let reach: [Double]

        /// How many times lie farther than `tolerance` outside every interval, and the farthest.
        /// Event lists are mostly in time order, so the interval of the previous event is tried
        /// before a binary search.
        func outside(_ times: UnsafeBufferPointer<Double>, tolerance: Double) -> (count: Int, worst: Double) {
            var count = 0
            var worst = 0.0
            starts.withUnsafeBufferPointer { s in
                reach.withUnsafeBufferPointer { r in
                    let n = s.count
                    var lo = 0 // first index with start > v, for the last v
                    for v in times {
                        if !((lo == 0 || s[lo &- 1] <= v) && (lo == n || s[lo] > v)) {
                            var a = 0
                            var b = n
                            while a < b {
                                let mid = (a &+ b) / 2
                                if s[mid] <= v { a = mid &+ 1 } else { b = mid }
                            }
                            lo = a
                        }
                        let before = lo > 0 ? max(0, v - r[lo &- 1]) : Double.infinity
                        let after = lo < n ? s[lo] - v : Double.infinity
                        let d = min(before, after)
                        if d > tolerance {
                            count += 1
                            worst = max(worst, d)
                        }
                    }
                }
            }
            return (count, worst)
        }
    }

    /// FITS grouping convention (Jennings et al. 1997, section 3): MEMBER_NAME/MEMBER_VERSION are the
    /// member's EXTNAME/EXTVER (EXTVER 1 when absent); an empty MEMBER_LOCATION means this file, else
    /// a URL or a path relative to this file.
    static func groupingMembers(
        path: String, file f: FITSFile, hdu: Int, headers: [(Int, [HeaderCard])],
        confinement: Confinement = .none
    ) -> [(String?, String)] {
        guard (try? f.moveTo(hdu: hdu + 1)) != nil, let cols = try? f.columns(), let rows = try? f.rowCount else {
            return []
        }
        func column(_ name: String) -> ColumnData? {
            guard let c = cols.first(where: { $0.spec.name.uppercased() == name }) else { return nil }
            return try? f.read(column: c, rows: rows)
        }
        guard case .string(let names)? = column("MEMBER_NAME") else { return [] }
        let versions = column("MEMBER_VERSION")?.doubles
        var locations: [String] = Array(repeating: "", count: rows)
        // A literal 'null' (the VODF mock data writes it) means what FITS's null string means: this file.
        if case .string(let l)? = column("MEMBER_LOCATION") {
            locations = l.map { $0.trimmedBlanks.lowercased() == "null" ? "" : $0.trimmedBlanks }
        }
        var out: [(String?, String)] = []
        // The convention's MEMBER_XTENSION says what kind of HDU a member is; a blank one says nothing.
        if case .string(let x)? = column("MEMBER_XTENSION") {
            for (i, v) in x.enumerated() where v.trimmedBlanks.isEmpty {
                out.append(
                    (
                        "MEMBER_XTENSION",
                        "row \(i + 1) (member '\(names[i].trimmedBlanks)'): MEMBER_XTENSION is blank; it must name the member's XTENSION (BINTABLE, IMAGE, ...)"
                    ))
            }
        }
        var known: [String: Set<String>?] = ["": memberKeys(headers.map(\.1))]
        var refused = Set<String>()
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        var unopened: [String: [Int]] = [:] // one finding per file that cannot be opened, with its rows
        for i in 0..<rows {
            let location = locations[i]
            // A remote member (http://, urn:, ...) cannot be checked from here; file:// and paths can.
            if let scheme = location.range(of: "://"), !location.hasPrefix("file://"),
                !location[..<scheme.lowerBound].contains("/")
            {
                continue
            }
            if location.lowercased().hasPrefix("urn:") { continue }
            if known[location] == nil {
                var target = location.hasPrefix("file://") ? String(location.dropFirst(7)) : location
                if !target.hasPrefix("/") { target = (dir.path as NSString).appendingPathComponent(target) }
                if let why = confinement.refusal(target) {
                    out.append(
                        ("MEMBER_LOCATION", "row \(i + 1): \(MessageText.quoted(location, limit: 120)) is \(why)"))
                    refused.insert(location)
                    known[location] = .some(nil)
                    continue
                }
                let found = memberKeys(ofFile: target)
                known[location] = .some(found)
            }
            let name = names[i].trimmedBlanks
            let version = versions.map { Int($0[i]) } ?? 1
            if refused.contains(location) { continue } // reported once, at its first row
            guard let inFile = known[location]! else {
                unopened[location, default: []].append(i + 1)
                continue
            }
            if !inFile.contains("\(name.uppercased())#\(version)") {
                out.append(
                    (
                        "MEMBER_NAME",
                        "row \(i + 1): \(location.isEmpty ? "this file" : location) has no HDU '\(name)' version \(version)"
                    ))
            }
        }
        for (location, rows) in unopened.sorted(by: { $0.value[0] < $1.value[0] }) {
            out.append(
                (
                    "MEMBER_LOCATION",
                    "row\(rows.count > 1 ? "s" : "") \(rows.map(String.init).joined(separator: ", ")): \(MessageText.quoted(location, limit: 120)) cannot be opened"
                        + (location.hasPrefix("/")
                            ? "" : " (a relative location resolves against this file's directory)")
                ))
        }
        return out
    }

    /// "EXTNAME#EXTVER" (in capitals, EXTVER 1 when absent) of each HDU: what a grouping row names.
    static func memberKeys(_ hs: [[HeaderCard]]) -> Set<String> {
        Set(
            hs.compactMap { h in
                h[key: "EXTNAME"]?.stringValue.map {
                    "\($0.trimmedBlanks.uppercased())#\(h[key: "EXTVER"]?.doubleValue.map { Int($0) } ?? 1)"
                }
            })
    }

    /// The member keys of another file's HDUs, or nil when it cannot be opened.
    static func memberKeys(ofFile target: String) -> Set<String>? {
        guard let other = try? FITSFile.open(path: target), let n = try? other.hduCount else { return nil }
        defer { try? other.close() }
        var hs: [[HeaderCard]] = []
        for k in 1...n where (try? other.moveTo(hdu: k)) != nil {
            hs.append(
                [
                    (try? other.readKey("EXTNAME")).flatMap { $0 }.map { HeaderCard("EXTNAME", $0) },
                    (try? other.readKey("EXTVER")).flatMap { $0 }.map { HeaderCard("EXTVER", $0) },
                ].compactMap { $0 })
        }
        return memberKeys(hs)
    }

    /// The file's GTI intervals, if it holds a GTI HDU (by class, not by name).
    static func readGTI(_ f: FITSFile, headers: [(Int, [HeaderCard])]) -> [(Double, Double)]? {
        guard let (index, _) = headers.first(where: { $0.1[key: "HDUCLAS1"]?.stringValue?.uppercased() == "GTI" }),
            (try? f.moveTo(hdu: index + 1)) != nil,
            let cols = try? f.columns(header: headers.first(where: { $0.0 == index })?.1), let rows = try? f.rowCount,
            let start = cols.first(where: { $0.spec.name.uppercased() == "START" }),
            let stop = cols.first(where: { $0.spec.name.uppercased() == "STOP" }),
            let a = (try? f.read(column: start, rows: rows))?.doubles,
            let b = (try? f.read(column: stop, rows: rows))?.doubles
        else { return nil }
        return Array(zip(a, b))
    }

    /// OBS_IDs of this HDU index against those of `obs-index.fits[.gz]` in the same directory (the
    /// GADF data-store layout); nothing when there is no such file.
    static func obsIdsMatch(path: String, file f: FITSFile, hdu: Int, confinement: Confinement = .none) -> [(
        String?, String
    )] {
        func ids(_ file: FITSFile, _ number: Int) -> Set<Int64>? {
            guard (try? file.moveTo(hdu: number)) != nil, let cols = try? file.columns(), let rows = try? file.rowCount,
                let c = cols.first(where: { $0.spec.name.uppercased() == "OBS_ID" }),
                let v = (try? file.read(column: c, rows: rows))?.doubles
            else { return nil }
            return Set(v.map { Int64($0) })
        }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        guard
            let obsPath = ["obs-index.fits.gz", "obs-index.fits"].map({ dir.appendingPathComponent($0).path }).first(
                where: { FileManager.default.fileExists(atPath: $0) && confinement.refusal($0) == nil }),
            let mine = ids(f, hdu + 1), let obsFile = try? FITSFile.open(path: obsPath)
        else { return [] }
        defer { try? obsFile.close() }
        guard let theirs = ids(obsFile, 2) else { return [] }
        var out: [(String?, String)] = []
        func list(_ s: Set<Int64>) -> String {
            let v = s.sorted()
            return v.prefix(10).map(String.init).joined(separator: ", ")
                + (v.count > 10 ? " … (\(v.count) in all)" : "")
        }
        let onlyHere = mine.subtracting(theirs)
        let onlyThere = theirs.subtracting(mine)
        if !onlyHere.isEmpty {
            out.append(
                (
                    "OBS_ID",
                    "OBS_ID \(list(onlyHere)) in the HDU index but not in \(URL(fileURLWithPath: obsPath).lastPathComponent)"
                ))
        }
        if !onlyThere.isEmpty {
            out.append(
                (
                    "OBS_ID",
                    "OBS_ID \(list(onlyThere)) in \(URL(fileURLWithPath: obsPath).lastPathComponent) but not in the HDU index"
                ))
        }
        return out
    }
}
