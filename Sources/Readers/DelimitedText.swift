import Foundation

/// A delimited text table (CSV or tab-separated) with 1-based line numbers kept for errors; or the
/// rows of another tabular source (a VOTable), whose errors then name the row instead of a line.
struct DelimitedText {
    let file: String
    let header: [String]
    let headerLine: Int
    /// (line number, cells); the row number for a table that is not text.
    let rows: [(line: Int, cells: [String])]
    /// Set for tables that are not lines of text: errors say "row N" instead of a line number.
    var numbersAreRows = false

    /// A table of cells from elsewhere (a VOTable's fields and rows); `line` is the row number.
    init(file: String, header: [String], rows: [[String]]) {
        self.file = file
        self.header = header
        self.headerLine = 0
        self.rows = rows.enumerated().map { ($0.offset + 1, $0.element) }
        self.numbersAreRows = true
    }

    /// An error at a row (and column) of this table, located as the table can be.
    func error(_ row: (line: Int, cells: [String]), _ col: Int?, _ reason: String) -> InputError {
        numbersAreRows
            ? InputError(file: file, column: col.map { header[$0] }, part: "row \(row.line)", reason: reason)
            : InputError(file: file, line: row.line, column: col.map { header[$0] }, reason: reason)
    }

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
            // DaCHS's CSV quotes text cells ("ANT4536"); no cell of these tables holds the separator.
            let cells = line.split(separator: separator, omittingEmptySubsequences: false)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .map { $0.count >= 2 && $0.hasPrefix("\"") && $0.hasSuffix("\"") ? String($0.dropFirst().dropLast()) : $0 }
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
            throw error(row, col, "'\(cell)' is not a finite number")
        }
        return v
    }

    func int(_ row: (line: Int, cells: [String]), _ col: Int) throws -> Int64 {
        let cell = row.cells[col]
        if let v = Int64(cell) { return v }
        // Some exports write counts as "24.0".
        if let d = Double(cell), d.isFinite, d == d.rounded(), abs(d) < 9e15 { return Int64(d) }
        throw error(row, col, "'\(cell)' is not an integer")
    }
}
