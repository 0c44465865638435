/// A whole BINTABLE in memory: header cards, column declarations and their data.
public struct Table: Sendable {
    public var name: String
    public var header: [HeaderCard]
    public var columns: [ColumnSpec]
    public var data: [ColumnData]

    public init(name: String, header: [HeaderCard] = [], columns: [ColumnSpec], data: [ColumnData]) {
        self.name = name
        self.header = header
        self.columns = columns
        self.data = data
    }

    public var rowCount: Int {
        guard let first = columns.first, let d = data.first else { return 0 }
        return d.count / max(first.valuesPerRow, 1)
    }

    public func column(_ name: String) -> ColumnData? {
        guard let i = columns.firstIndex(where: { $0.name.uppercased() == name.uppercased() }) else { return nil }
        return data[i]
    }

    public func spec(_ name: String) -> ColumnSpec? {
        columns.first { $0.name.uppercased() == name.uppercased() }
    }

    /// The table with only `rows` (0-based), in that order; vector columns keep their rows whole.
    public func selectingRows(_ rows: [Int]) -> Table {
        var t = self
        t.data = zip(columns, data).map { spec, d in
            d.selecting(rows: rows, perRow: max(spec.valuesPerRow, 1))
        }
        return t
    }
}

extension FITSFile {
    /// Appends `table` as a BINTABLE, writing data in row chunks of cfitsio's buffer size,
    /// then the header cards, then CHECKSUM/DATASUM.
    public func append(_ table: Table) throws {
        let rows = table.rowCount
        for (spec, d) in zip(table.columns, table.data) where d.count != rows * spec.valuesPerRow {
            throw FITSError(
                file: path, hdu: nil,
                context:
                    "table \(table.name): column \(spec.name) has \(d.count) values, expected \(rows * spec.valuesPerRow)"
            )
        }
        try createBinaryTable(name: table.name, columns: table.columns, rows: rows)
        let chunk = try optimalRowChunk
        var start = 0
        while start < rows {
            let end = min(start + chunk, rows)
            for (i, (spec, d)) in zip(table.columns, table.data).enumerated() {
                try write(
                    column: i + 1, spec: spec, firstRow: start + 1,
                    data: d.rows(start..<end, perRow: spec.valuesPerRow))
            }
            start = end
        }
        for card in table.header { try write(card) }
        try writeChecksum()
    }

    /// Reads the current BINTABLE whole.
    public func readTable() throws -> Table {
        let header = try readHeader()
        let cols = try columns()
        let rows = try rowCount
        let data = try cols.map { try read(column: $0, rows: rows) }
        return Table(
            name: header[key: "EXTNAME"]?.stringValue ?? "", header: header,
            columns: cols.map(\.spec), data: data)
    }
}
