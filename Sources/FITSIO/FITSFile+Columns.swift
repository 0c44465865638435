import CFITSIO
import Foundation

/// Binary-table structure and column data.
extension FITSFile {
    // MARK: - Table structure

    public var rowCount: Int {
        get throws {
            var n: Int64 = 0
            var status: Int32 = 0
            ffgnrwll(try handle(), &n, &status)
            try check(status, "counting rows")
            return Int(n)
        }
    }

    /// Columns of the current BINTABLE, with TUNIT and TDIM; `header` is the HDU's, when the caller
    /// has read it already.
    public func columns(header given: [HeaderCard]? = nil) throws -> [ColumnInfo] {
        let f = try handle()
        var status: Int32 = 0
        var ncols: Int32 = 0
        ffgncl(f, &ncols, &status)
        try check(status, "counting columns")
        let header = try given ?? readHeader()
        var out: [ColumnInfo] = []
        for i in 1...max(ncols, 1) where ncols > 0 {
            guard let tform = header[key: "TFORM\(i)"]?.stringValue,
                let letter = tform.trimmedBlanks.last(where: { $0.isLetter }),
                let type = ColumnType(tformLetter: letter)
            else {
                throw FITSError(file: path, hdu: currentHDU, context: "column \(i) has an unsupported TFORM")
            }
            var typecode: Int32 = 0
            var rep: Int64 = 0
            var width: Int64 = 0
            ffgtclll(f, i, &typecode, &rep, &width, &status)
            try check(status, "reading type of column \(i)")
            let name = header[key: "TTYPE\(i)"]?.stringValue ?? "COL\(i)"
            let unit = header[key: "TUNIT\(i)"]?.stringValue
            var dims: [Int]? = nil
            if header[key: "TDIM\(i)"] != nil {
                var naxis: Int32 = 0
                var naxes = [Int64](repeating: 0, count: 8)
                ffgtdmll(f, i, 8, &naxis, &naxes, &status)
                try check(status, "reading TDIM of column \(name)")
                dims = naxes.prefix(Int(naxis)).map { Int($0) }
            }
            let repeatCount = type == .string ? Int(width == 0 ? rep : rep) : Int(rep)
            out.append(
                ColumnInfo(
                    spec: ColumnSpec(name, type, repeatCount: repeatCount, unit: unit, dims: dims),
                    number: Int(i)))
        }
        return out
    }

    // MARK: - Column data

    /// Writes `data` into column `number` (1-based) starting at row `firstRow` (1-based).
    public func write(column number: Int, spec: ColumnSpec, firstRow: Int, data: ColumnData) throws {
        let f = try handle()
        guard data.matches(spec.type) else {
            throw FITSError(
                file: path, hdu: currentHDU,
                context: "column \(spec.name): data type does not match TFORM \(spec.tform)")
        }
        var status: Int32 = 0
        let col = Int32(number)
        let row = Int64(firstRow)
        func put<T>(_ type: Int32, _ values: [T]) {
            var v = values
            _ = v.withUnsafeMutableBytes { buf in
                ffpcl(f, type, col, row, 1, Int64(values.count), buf.baseAddress, &status)
            }
        }
        switch data {
        case .int64(let v): put(TLONGLONG, v)
        case .int32(let v): put(TINT, v)
        case .int16(let v): put(TSHORT, v)
        case .uint8(let v): put(TBYTE, v)
        case .float32(let v): put(TFLOAT, v)
        case .float64(let v): put(TDOUBLE, v)
        case .logical(let v): put(TLOGICAL, v.map { CChar($0 ? 1 : 0) })
        case .bits(let v):
            // X columns: cfitsio maps each TBYTE value to 8 bits of the field.
            put(TBYTE, v)
        case .string(let v):
            var ptrs = v.map { strdup($0) }
            defer { ptrs.forEach { free($0) } }
            ffpcls(f, col, row, 1, Int64(v.count), &ptrs, &status)
        }
        try check(status, "writing column \(spec.name) at row \(firstRow)")
    }

    /// Reads `rows` rows of column `info` starting at `firstRow` (1-based).
    public func read(column info: ColumnInfo, firstRow: Int = 1, rows: Int) throws -> ColumnData {
        let f = try handle()
        var status: Int32 = 0
        var anynul: Int32 = 0
        let col = Int32(info.number)
        let n = rows * info.spec.valuesPerRow
        func get<T>(_ type: Int32, _ zero: T) -> [T] {
            var out = [T](repeating: zero, count: n)
            if n > 0 {
                _ = out.withUnsafeMutableBytes { buf in
                    ffgcv(f, type, col, Int64(firstRow), 1, Int64(n), nil, buf.baseAddress, &anynul, &status)
                }
            }
            return out
        }
        let result: ColumnData
        switch info.spec.type {
        case .int64: result = .int64(get(TLONGLONG, Int64(0)))
        case .int32: result = .int32(get(TINT, Int32(0)))
        case .int16: result = .int16(get(TSHORT, Int16(0)))
        case .uint8: result = .uint8(get(TBYTE, UInt8(0)))
        case .float32: result = .float32(get(TFLOAT, Float(0)))
        case .float64: result = .float64(get(TDOUBLE, Double(0)))
        case .logical: result = .logical(get(TLOGICAL, CChar(0)).map { $0 != 0 })
        case .bits: result = .bits(get(TBYTE, UInt8(0)))
        case .string:
            let width = info.spec.repeatCount + 1
            let bufs = (0..<rows).map { _ in UnsafeMutablePointer<CChar>.allocate(capacity: width) }
            defer { bufs.forEach { $0.deallocate() } }
            var ptrs: [UnsafeMutablePointer<CChar>?] = bufs
            if rows > 0 {
                var nul = Array("".utf8CString)
                ffgcvs(f, col, Int64(firstRow), 1, Int64(rows), &nul, &ptrs, &anynul, &status)
            }
            result = .string(status == 0 ? ptrs.map { String(cString: $0!) } : [])
        }
        try check(status, "reading column \(info.spec.name) rows \(firstRow)...\(firstRow + rows - 1)")
        return result
    }

    /// Rows per cfitsio I/O buffer: the natural chunk for row-wise writes.
    public var optimalRowChunk: Int {
        get throws {
            var n: Int = 0
            var status: Int32 = 0
            ffgrsz(try handle(), &n, &status)
            try check(status, "querying optimal row chunk")
            return max(n, 1)
        }
    }
}
