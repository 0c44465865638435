import Foundation
import Model

/// A delimited text table (CSV or tab-separated) with 1-based line numbers kept for errors; or the
/// rows of another tabular source (a VOTable), whose errors then name the row instead of a line.
/// Text tables are streamed: the header is read up front, the rows one by one in `forEachRow`.
public struct DelimitedText {
    public typealias Row = (line: Int, cells: [String])
    public let file: String
    public let header: [String]
    public let headerLine: Int
    /// Set for tables that are not lines of text: errors say "row N" instead of a line number.
    public var numbersAreRows = false
    private let source: Source

    private enum Source {
        case text(TextLines, separator: Character?)
        case cells([[String]])
    }

    /// A table of cells from elsewhere (a VOTable's fields and rows); `line` is the row number.
    public init(file: String, header: [String], rows: [[String]]) {
        self.file = file
        self.header = header
        self.headerLine = 0
        self.source = .cells(rows)
        self.numbersAreRows = true
    }

    /// An error at a row (and column) of this table, located as the table can be.
    public func error(_ row: Row, _ col: Int?, _ reason: String) -> InputError {
        numbersAreRows
            ? InputError(file: file, column: col.map { header[$0] }, part: "row \(row.line)", reason: reason)
            : InputError(file: file, line: row.line, column: col.map { header[$0] }, reason: reason)
    }

    /// Reads the header of `path`: the first non-empty line at or after `headerAtOrAfter`
    /// (1-based). Rows are read later, by `forEachRow`.
    public init(path: String, separator: Character, headerAtOrAfter: Int = 1) throws {
        try self.init(path: path, separator: separator) { n, _ in n >= headerAtOrAfter }
    }

    /// Reads the header of `path`: the first non-empty line that `isHeader` accepts (given its
    /// number and text). `separator` nil splits on runs of spaces and tabs (tables aligned by hand).
    public init(path: String, separator: Character?, isHeader: (Int, Substring) -> Bool) throws {
        file = path
        var st = stat()
        guard stat(path, &st) == 0 else { throw InputError(file: path, reason: "cannot read file") }
        guard st.st_size > 0 else { throw InputError(file: path, reason: "file is empty") }
        var found: (cells: [String], line: Int, end: Int)?
        try TextLines(path: path).forEach { n, line, end in
            guard !Self.isBlank(line), isHeader(n, line) else { return true }
            found = (Self.cells(line, separator), n, end)
            return false
        }
        guard let found else { throw InputError(file: path, reason: "no header line") }
        header = found.cells
        headerLine = found.line
        source = .text(TextLines(path: path, start: (found.end, found.line)), separator: separator)
    }

    /// Calls `body` with every row after the header, in order; blank lines are skipped. Rows must
    /// have as many cells as the header. Returns the number of rows.
    @discardableResult
    public func forEachRow(_ body: (Row) throws -> Void) throws -> Int {
        var count = 0
        switch source {
        case .cells(let rows):
            for (i, cells) in rows.enumerated() {
                try body((i + 1, cells))
                count += 1
            }
        case .text(let lines, let separator):
            try lines.forEach { n, line, _ in
                if Self.isBlank(line) { return true }
                let cells = Self.cells(line, separator)
                guard cells.count == header.count else {
                    throw InputError(
                        file: file, line: n, reason: "expected \(header.count) cells, found \(cells.count)")
                }
                try body((n, cells))
                count += 1
                return true
            }
        }
        return count
    }

    private static func isBlank(_ line: Substring) -> Bool { line.allSatisfy { $0 == " " || $0 == "\t" } }

    /// DaCHS's CSV quotes text cells ("ANT4536"); no cell of these tables holds the separator.
    private static func cells(_ line: Substring, _ separator: Character?) -> [String] {
        guard let separator else {
            return line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        return line.split(separator: separator, omittingEmptySubsequences: false)
            .map(trimmed)
            .map { $0.count >= 2 && $0.hasPrefix("\"") && $0.hasSuffix("\"") ? String($0.dropFirst().dropLast()) : $0 }
    }

    /// Without leading and trailing whitespace, as Foundation's `.whitespaces` defines it. Most cells
    /// are ASCII and take the fast path: Foundation's trim bridges through NSString and was a third
    /// of the time spent on a table.
    private static func trimmed(_ cell: Substring) -> String {
        guard cell.utf8.allSatisfy({ $0 < 0x80 }) else { return cell.trimmingCharacters(in: .whitespaces) }
        let u = cell.utf8
        guard let first = u.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) else { return "" }
        let last = u.lastIndex(where: { $0 != 0x20 && $0 != 0x09 })!
        return String(cell[first...last])
    }

    /// Index of the header cell matching `predicate`, or an error naming the column.
    public func column(_ name: String, where predicate: (String) -> Bool) throws -> Int {
        guard let i = header.firstIndex(where: { predicate($0.lowercased()) }) else {
            throw InputError(
                file: file, line: headerLine, column: name,
                reason: "missing column (header is: \(header.joined(separator: ", ")))")
        }
        return i
    }

    public func double(_ row: Row, _ col: Int) throws -> Double {
        let cell = row.cells[col]
        guard let v = Double(cell), v.isFinite else {
            throw error(row, col, "\(MessageText.quoted(cell)) is not a finite number")
        }
        return v
    }

    public func int(_ row: Row, _ col: Int) throws -> Int64 {
        let cell = row.cells[col]
        if let v = Int64(cell) { return v }
        // Some exports write counts as "24.0".
        if let d = Double(cell), d.isFinite, d == d.rounded(), abs(d) < 9e15 { return Int64(d) }
        throw error(row, col, "\(MessageText.quoted(cell)) is not an integer")
    }
}
