import CFITSIO
import Foundation

/// Creating HDUs, writing keywords and checksums.
extension FITSFile {
    // MARK: - Creating HDUs

    /// Writes an empty primary HDU (NAXIS = 0), the usual first HDU of a table file.
    public func createPrimaryHDU() throws {
        var status: Int32 = 0
        var axes: [Int] = []
        ffcrim(try handle(), BYTE_IMG, 0, &axes, &status)
        try check(status, "creating primary HDU")
        longStringsInHDU = false
    }

    /// Appends a BINTABLE with these columns and `rows` rows (zero-filled until written).
    public func createBinaryTable(name: String, columns: [ColumnSpec], rows: Int) throws {
        let f = try handle()
        var status: Int32 = 0
        var ttype = columns.map { strdup($0.name) }
        var tform = columns.map { strdup($0.tform) }
        var tunit = columns.map { strdup($0.unit ?? "") }
        var extname = Array(name.utf8CString)
        defer { (ttype + tform + tunit).forEach { free($0) } }
        ffcrtb(f, BINARY_TBL, Int64(rows), Int32(columns.count), &ttype, &tform, &tunit, &extname, &status)
        try check(status, "creating table \(name)")
        longStringsInHDU = false
        for (i, c) in columns.enumerated() {
            // An empty TUNIT says nothing; drop it so readers do not see a blank unit.
            if c.unit == nil || c.unit == "" {
                ffdkey(f, "TUNIT\(i + 1)", &status)
                if status == KEY_NO_EXIST {
                    status = 0
                    ffcmsg()
                }
            }
            if let dims = c.dims {
                var d = dims
                ffptdm(f, Int32(i + 1), Int32(d.count), &d, &status)
            }
            try check(status, "declaring column \(c.name)")
        }
    }

    // MARK: - Writing keywords

    public func write(_ card: HeaderCard) throws {
        try write(card.name, card.value, comment: card.comment)
    }

    public func write(_ name: String, _ value: HeaderValue?, comment: String = "") throws {
        let f = try handle()
        var status: Int32 = 0
        var key = Array(name.utf8CString)
        var com = Array(comment.utf8CString)
        switch value {
        case nil:
            // Wrap at word boundaries (cfitsio would split long text mid-word across cards).
            for line in Self.wrap(comment, width: 70) {
                if name == "HISTORY" { ffphis(f, line, &status) } else { ffpcom(f, line, &status) }
            }
        case .string(let s):
            var v = Array(s.utf8CString)
            if s.utf8.count > 68 {
                // Long strings need the OGIP CONTINUE convention, declared once per HDU.
                if !longStringsInHDU {
                    ffplsw(f, &status)
                    longStringsInHDU = true
                }
                ffpkls(f, &key, &v, &com, &status)
            } else {
                ffpkys(f, &key, &v, &com, &status)
            }
        case .int(let i):
            ffpkyj(f, &key, i, &com, &status)
        case .double(let d):
            ffpkyd(f, &key, d, Self.shortestDecimals(d), &com, &status)
        case .bool(let b):
            ffpkyl(f, &key, b ? 1 : 0, &com, &status)
        }
        try check(status, "writing keyword \(name)")
    }

    /// Splits text into lines of at most `width` characters, breaking at spaces where possible.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var w = Substring(word)
            while w.count > width { // a single over-long word is cut
                if !current.isEmpty {
                    lines.append(current)
                    current = ""
                }
                lines.append(String(w.prefix(width)))
                w = w.dropFirst(width)
            }
            if current.isEmpty {
                current = String(w)
            } else if current.count + 1 + w.count <= width {
                current += " " + w
            } else {
                lines.append(current)
                current = String(w)
            }
        }
        lines.append(current)
        return lines
    }

    /// cfitsio's `decimals < 0` means %G with that many significant digits. Use the fewest
    /// that still round-trip exactly, so 2000.0 stays "2000.0" and 1/3 keeps all 17 digits.
    static func shortestDecimals(_ d: Double) -> Int32 {
        guard d.isFinite else { return -17 }
        for digits in 1...17 {
            let s = String(format: "%.\(digits)G", d)
            if Double(s) == d { return Int32(-digits) }
        }
        return -17
    }

    /// Writes CHECKSUM and DATASUM for the current HDU. Call last, after all keywords and data.
    public func writeChecksum() throws {
        var status: Int32 = 0
        ffpcks(try handle(), &status)
        try check(status, "writing CHECKSUM/DATASUM")
    }

    public enum ChecksumState: Sendable, Equatable { case valid, invalid, absent }

    /// Verifies CHECKSUM (whole HDU) and DATASUM (data part) of the current HDU.
    public func verifyChecksum() throws -> (hdu: ChecksumState, data: ChecksumState) {
        var dataok: Int32 = 0
        var hduok: Int32 = 0
        var status: Int32 = 0
        ffvcks(try handle(), &dataok, &hduok, &status)
        try check(status, "verifying checksums")
        func state(_ v: Int32) -> ChecksumState { v == 1 ? .valid : (v == 0 ? .absent : .invalid) }
        return (state(hduok), state(dataok))
    }
}
