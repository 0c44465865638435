import FITSIO
import Foundation

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
    }

    /// (target, message) for each failure; an empty list means the check passed or could not apply
    /// (no GTI in the file: GADF allows the GTI elsewhere, so that is not this check's business).
    static func run(_ rule: FileCheckRule, file f: FITSFile, hdu: Int, header: [HeaderCard], headers: [(Int, [HeaderCard])]) -> [(String?, String)] {
        guard let kind = Kind(rawValue: rule.check) else { return [] }
        let tol = rule.tolerance ?? 1e-6
        func num(_ k: String) -> Double? { header[key: k]?.doubleValue }
        if kind == .livetimeWithinOntime {
            guard let live = num("LIVETIME"), let on = num("ONTIME") else { return [] }
            return live > on + tol ? [("LIVETIME", "LIVETIME \(live) s exceeds ONTIME \(on) s")] : []
        }
        guard let gti = readGTI(f, headers: headers) else { return [] }
        defer { _ = try? f.moveTo(hdu: hdu + 1) }
        let total = gti.reduce(0) { $0 + ($1.1 - $1.0) }
        switch kind {
        case .ontimeEqualsGTI:
            guard let on = num("ONTIME") else { return [] }
            return abs(on - total) > tol ? [("ONTIME", "ONTIME \(on) s differs from the GTI total \(total) s by \(on - total) s")] : []
        case .tstartTstopCoverGTI:
            var out: [(String?, String)] = []
            if let start = num("TSTART"), let first = gti.map(\.0).min(), start > first + tol {
                out.append(("TSTART", "TSTART \(start) s is after the first GTI start \(first) s"))
            }
            if let stop = num("TSTOP"), let last = gti.map(\.1).max(), stop < last - tol {
                out.append(("TSTOP", "TSTOP \(stop) s is before the last GTI stop \(last) s"))
            }
            return out
        case .timesWithinGTI:
            guard (try? f.moveTo(hdu: hdu + 1)) != nil, let cols = try? f.columns(), let time = cols.first(where: { $0.spec.name.uppercased() == "TIME" }),
                  let rows = try? f.rowCount, rows > 0, let t = (try? f.read(column: time, rows: rows))?.doubles else { return [] }
            let sorted = gti.sorted { $0.0 < $1.0 }
            var outside = 0
            var worst = 0.0
            for v in t {
                // Distance to the nearest interval; zero inside one.
                var d = Double.infinity
                for (a, b) in sorted { d = min(d, v < a ? a - v : (v > b ? v - b : 0)); if d == 0 { break } }
                if d > tol { outside += 1; worst = max(worst, d) }
            }
            return outside > 0 ? [("TIME", "\(outside) of \(t.count) event(s) lie outside the GTI, up to \(String(format: "%.6g", worst)) s")] : []
        case .livetimeWithinOntime:
            return []
        }
    }

    /// The file's GTI intervals, if it holds a GTI HDU (by class, not by name).
    static func readGTI(_ f: FITSFile, headers: [(Int, [HeaderCard])]) -> [(Double, Double)]? {
        guard let (index, _) = headers.first(where: { $0.1[key: "HDUCLAS1"]?.stringValue?.uppercased() == "GTI" }),
              (try? f.moveTo(hdu: index + 1)) != nil, let cols = try? f.columns(), let rows = try? f.rowCount,
              let start = cols.first(where: { $0.spec.name.uppercased() == "START" }), let stop = cols.first(where: { $0.spec.name.uppercased() == "STOP" }),
              let a = (try? f.read(column: start, rows: rows))?.doubles, let b = (try? f.read(column: stop, rows: rows))?.doubles else { return nil }
        return Array(zip(a, b))
    }
}
