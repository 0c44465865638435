import ArgumentParser
import FITSIO
import Foundation

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a FITS file's HDUs, classes, keywords and column summaries.",
        discussion: """
        For each HDU: its type, EXTNAME, HDUCLASS/HDUCLAS1-4, row count, checksum state, and each
        column's type, unit, TDIM and value range. --json prints everything, including all keywords.

        Examples:
          vodf inspect out/antares.fits
          vodf inspect out/aeff.fits --json | jq '.hdus[1].columns'
        """)

    @Argument(help: "FITS file to inspect.")
    var file: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @OptionGroup(title: "Limits") var limits: ReadOptions

    func run() throws {
        limits.apply()
        let report: [[String: Any]]
        do { report = try Self.describe(path: file) } catch {
            throw Failure(message: "\(error)", code: Exit.badInput)
        }
        if json {
            let doc: [String: Any] = ["file": file, "hdus": report]
            let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print(file)
        for h in report {
            let classes = (h["classes"] as? [String] ?? []).joined(separator: " / ")
            var line = "HDU \(h["index"]!): \(h["type"]!) \(h["extname"] as? String ?? "")"
            if !classes.isEmpty { line += "  [\(classes)]" }
            if let rows = h["rows"] { line += "  rows=\(rows)" }
            line += "  keywords=\(h["keyword_count"]!)  checksum=\(h["checksum"]!)/\(h["datasum"]!)"
            print(line)
            for c in h["columns"] as? [[String: Any]] ?? [] {
                var l = "    \(c["name"]!)  \(c["tform"]!)"
                if let u = c["unit"] as? String, !u.isEmpty { l += "  [\(u)]" }
                if let d = c["tdim"] as? [Int] { l += "  TDIM=(\(d.map(String.init).joined(separator: ",")))" }
                if let mn = c["min"], let mx = c["max"] { l += "  range \(mn) .. \(mx)" }
                print(l)
            }
        }
    }

    /// Reads every HDU; numeric columns get min/max over all values (NaN ignored).
    static func describe(path: String) throws -> [[String: Any]] {
        let f = try FITSFile.open(path: path)
        var out: [[String: Any]] = []
        for i in 1...(try f.hduCount) {
            let type = try f.moveTo(hdu: i)
            let header = try f.readHeader()
            var h: [String: Any] = ["index": i - 1]
            h["type"] = i == 1 ? "PRIMARY" : (type == .binaryTable ? "BINTABLE" : (type == .asciiTable ? "TABLE" : "IMAGE"))
            h["extname"] = header[key: "EXTNAME"]?.stringValue ?? ""
            h["classes"] = ["HDUCLASS", "HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4"].compactMap { header[key: $0]?.stringValue }
            h["keyword_count"] = header.count
            var kw: [[String: Any]] = []
            for c in header {
                var k: [String: Any] = ["name": c.name]
                switch c.value {
                case .string(let s): k["value"] = s
                case .int(let v): k["value"] = v
                case .double(let v): k["value"] = v.isFinite ? v : String(v)
                case .bool(let v): k["value"] = v
                case nil: break
                }
                if !c.comment.isEmpty { k["comment"] = c.comment }
                kw.append(k)
            }
            h["keywords"] = kw
            let sums = try f.verifyChecksum()
            h["checksum"] = "\(sums.hdu)"
            h["datasum"] = "\(sums.data)"
            if type == .binaryTable {
                let rows = try f.rowCount
                h["rows"] = rows
                var cols: [[String: Any]] = []
                for c in try f.columns() {
                    var d: [String: Any] = ["name": c.spec.name, "tform": c.spec.tform]
                    if let u = c.spec.unit { d["unit"] = u }
                    if let dims = c.spec.dims { d["tdim"] = dims }
                    if rows > 0, let values = try f.read(column: c, rows: rows).doubles {
                        let finite = values.filter { $0.isFinite }
                        if let mn = finite.min(), let mx = finite.max() {
                            d["min"] = mn
                            d["max"] = mx
                        }
                    }
                    cols.append(d)
                }
                h["columns"] = cols
            }
            out.append(h)
        }
        try f.close()
        return out
    }
}
