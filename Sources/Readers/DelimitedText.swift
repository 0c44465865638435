import Foundation

/// A delimited text table (CSV or tab-separated) with 1-based line numbers kept for errors.
struct DelimitedText {
    let file: String
    let header: [String]
    let headerLine: Int
    /// (line number, cells)
    let rows: [(line: Int, cells: [String])]

    /// Reads `path`; the header is the first non-empty line at or after `headerLine`
    /// (1-based). Blank lines are skipped. Rows must have as many cells as the header.
    init(path: String, separator: Character, headerAtOrAfter: Int = 1) throws {
        file = path
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, reason: "cannot read file")
        }
        guard !data.isEmpty else { throw InputError(file: path, reason: "file is empty") }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, reason: "not UTF-8 text")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var hdr: [String]? = nil
        var hdrLine = 0
        var out: [(Int, [String])] = []
        for (i, raw) in lines.enumerated() {
            let n = i + 1
            if n < headerAtOrAfter { continue }
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let cells = line.split(separator: separator, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
            if hdr == nil {
                hdr = cells
                hdrLine = n
                continue
            }
            guard cells.count == hdr!.count else {
                throw InputError(file: path, line: n, reason: "expected \(hdr!.count) cells, found \(cells.count)")
            }
            out.append((n, cells))
        }
        guard let h = hdr else { throw InputError(file: path, reason: "no header line") }
        header = h
        self.headerLine = hdrLine
        rows = out
    }

    /// Index of the header cell matching `predicate`, or an error naming the column.
    func column(_ name: String, where predicate: (String) -> Bool) throws -> Int {
        guard let i = header.firstIndex(where: { predicate($0.lowercased()) }) else {
            throw InputError(file: file, line: headerLine, column: name, reason: "missing column (header is: \(header.joined(separator: ", ")))")
        }
        return i
    }

    func double(_ row: (line: Int, cells: [String]), _ col: Int) throws -> Double {
        let cell = row.cells[col]
        guard let v = Double(cell), v.isFinite else {
            throw InputError(file: file, line: row.line, column: header[col], reason: "'\(cell)' is not a finite number")
        }
        return v
    }

    func int(_ row: (line: Int, cells: [String]), _ col: Int) throws -> Int64 {
        let cell = row.cells[col]
        if let v = Int64(cell) { return v }
        // Some exports write counts as "24.0".
        if let d = Double(cell), d.isFinite, d == d.rounded(), abs(d) < 9e15 { return Int64(d) }
        throw InputError(file: file, line: row.line, column: header[col], reason: "'\(cell)' is not an integer")
    }
}
