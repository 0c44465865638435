import Foundation
import Testing
@testable import FITSIO
import Readers
import Writers

@Suite("FITS layer")
struct FITSIOTests {
    /// Writes every supported column type, scalar and vector with TDIM, in more rows than one
    /// cfitsio buffer chunk, then reads it all back bit for bit.
    @Test func roundTripAllColumnTypes() throws {
        let path = try Paths.scratch() + "/all.fits"
        let rows = 20_011  // not a multiple of the chunk size, several chunks
        // Trailing blanks are insignificant in FITS strings, so the value ends in a non-blank.
        let long = String(repeating: "long string value with CONTINUE cards; ", count: 6) + "end"
        let specs = [
            ColumnSpec("K", .int64, unit: "s"),
            ColumnSpec("J", .int32),
            ColumnSpec("I", .int16),
            ColumnSpec("B", .uint8),
            ColumnSpec("E", .float32, unit: "deg"),
            ColumnSpec("D", .float64, unit: "TeV"),
            ColumnSpec("A", .string, repeatCount: 9),
            ColumnSpec("X", .bits, repeatCount: 12),
            ColumnSpec("L", .logical),
            ColumnSpec("V", .float64, repeatCount: 6, unit: "m2", dims: [3, 2]),
        ]
        let data: [ColumnData] = [
            .int64((0..<rows).map { Int64($0) * 1_000_000_007 - 5 }),
            .int32((0..<rows).map { Int32($0) - 10_000 }),
            .int16((0..<rows).map { Int16(truncatingIfNeeded: $0 * 3) }),
            .uint8((0..<rows).map { UInt8(truncatingIfNeeded: $0) }),
            .float32((0..<rows).map { Float($0) * 0.1 }),
            .float64((0..<rows).map { Double($0) / 3.0 }),
            .string((0..<rows).map { "ev\($0 % 1000)" }),
            .bits((0..<rows).flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(($0 % 16) << 4)] }),
            .logical((0..<rows).map { $0 % 3 == 0 }),
            .float64((0..<(rows * 6)).map { Double($0).squareRoot() }),
        ]
        let header = [
            HeaderCard("OBS_ID", .int(42), comment: "an id"),
            HeaderCard("RATIO", .double(1.0 / 3.0)),
            HeaderCard("EQUINOX", .double(2000.0)),
            HeaderCard("FLAG", .bool(true)),
            HeaderCard("SHORT", .string("abc")),
            HeaderCard("LONGSTR", .string(long)),
            HeaderCard("DATE-BEG", .string("2009-01-01T00:00:00.000")),
            .comment("a comment"),
            .history("a history line"),
        ]
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        try f.writeChecksum()
        try f.append(Table(name: "DATA", header: header, columns: specs, data: data))
        try f.close()

        let r = try FITSFile.open(path: path)
        #expect(try r.hduCount == 2)
        let sums0 = try r.verifyChecksum()
        #expect(sums0.hdu == .valid)
        #expect(try r.moveTo(hdu: 2) == .binaryTable)
        let sums = try r.verifyChecksum()
        #expect(sums.hdu == .valid && sums.data == .valid)
        let t = try r.readTable()
        #expect(t.name == "DATA")
        #expect(t.rowCount == rows)
        #expect(t.columns == specs)
        for (a, b) in zip(t.data, data) { #expect(a == b) }
        #expect(t.header[key: "OBS_ID"] == .int(42))
        #expect(t.header[key: "RATIO"] == .double(1.0 / 3.0))
        #expect(t.header[key: "EQUINOX"] == .double(2000.0))
        #expect(t.header[key: "FLAG"] == .bool(true))
        #expect(t.header[key: "LONGSTR"] == .string(long))
        #expect(t.header[key: "DATE-BEG"] == .string("2009-01-01T00:00:00.000"))
        #expect(t.header[key: "LONGSTRN"] == .string("OGIP 1.0"))
        #expect(t.header.contains { $0.name == "COMMENT" && $0.comment == "a comment" })
        #expect(t.header.contains { $0.name == "HISTORY" && $0.comment == "a history line" })
        #expect(t.header.first { $0.name == "OBS_ID" }?.comment == "an id")
    }

    @Test func partialRowRangeRead() throws {
        let path = try Paths.scratch() + "/part.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        try f.append(Table(name: "T", columns: [ColumnSpec("X", .float64, repeatCount: 2)],
                           data: [.float64((0..<20).map(Double.init))]))
        try f.close()
        let r = try FITSFile.open(path: path)
        try r.moveTo(hdu: 2)
        let col = try r.columns()[0]
        #expect(try r.read(column: col, firstRow: 4, rows: 2) == .float64([6, 7, 8, 9]))
    }

    @Test func checksumDetectsCorruption() throws {
        let path = try Paths.scratch() + "/corrupt.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        try f.writeChecksum()
        try f.append(Table(name: "T", columns: [ColumnSpec("X", .float64)], data: [.float64([1, 2, 3])]))
        try f.close()
        // Flip one byte of the table data: the last 2880-byte block of the file is HDU 2's data.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let dataStart = bytes.count - 2880
        bytes[dataStart + 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: path))
        let r = try FITSFile.open(path: path)
        try r.moveTo(hdu: 2)
        let sums = try r.verifyChecksum()
        #expect(sums.data == .invalid)
        #expect(sums.hdu == .invalid)
    }

    @Test func errorsNameFileAndHDU() throws {
        let missing = "/nonexistent-dir/none.fits"
        let e1 = #expect(throws: FITSError.self) { try FITSFile.open(path: missing) }
        #expect(e1?.description.contains(missing) == true)
        #expect(e1?.status != 0)

        let path = try Paths.scratch() + "/one.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        try f.close()
        let r = try FITSFile.open(path: path)
        let e2 = #expect(throws: FITSError.self) { try r.moveTo(hdu: 5) }
        #expect(e2?.description.contains("HDU 5") == true)
        #expect(e2?.description.contains(path) == true)

        // Creating over an existing file is refused (callers write a temporary file and rename).
        #expect(throws: FITSError.self) { try FITSFile.create(path: path) }
    }

    @Test func mismatchedColumnLengthsAreRejected() throws {
        let path = try Paths.scratch() + "/bad.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        let e = #expect(throws: FITSError.self) {
            try f.append(Table(name: "T", columns: [ColumnSpec("A", .float64), ColumnSpec("B", .float64)],
                               data: [.float64([1, 2]), .float64([1])]))
        }
        #expect(e?.description.contains("column B") == true)
    }

    @Test(arguments: [2000.0, 1.0 / 3.0, 0.1, 51544.5, 1e-300, -123456.789, 6.0 + 10.0 / 60.0])
    func doubleKeywordsRoundTripExactly(_ v: Double) throws {
        let path = try Paths.scratch() + "/kw.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        try f.write("VALUE", .double(v))
        try f.close()
        let r = try FITSFile.open(path: path)
        #expect(try r.readKey("VALUE") == .double(v))
    }
}

@Suite("In-place checksums")
struct MappedChecksumTests {
    /// Every HDU of every plain FITS file at hand: the in-place sums agree with cfitsio's ffvcks, and a
    /// flipped payload byte or a wrong DATASUM is caught.
    @Test func mappedChecksumsAgreeWithCfitsio() throws {
        var files: [String] = []
        for dir in [Paths.testData, Paths.repo.appendingPathComponent(".testdata").path, Paths.corpus + "/gadf"] {
            guard let e = FileManager.default.enumerator(atPath: dir) else { continue }
            for case let f as String in e where f.hasSuffix(".fits") { files.append(dir + "/" + f) }
        }
        // Our own output too, so at least one file with sums is always checked.
        let obs = try ANTARESEventList.read(path: Paths.testData + "/antares/sample_public.dat", kind: .antaresPublicList)
        let own = try Paths.scratch() + "/own.fits"
        try FITSOutput.write(try ObservationWriter(flavor: .gadf03).tables(for: obs), primary: [], to: own)
        files.append(own)
        var compared = 0
        for path in files {
            guard let m = MappedFile(path: path), let f = try? FITSFile.open(path: path) else { continue }
            for i in 1...(try f.hduCount) {
                try f.moveTo(hdu: i)
                let h = try f.readHeader()
                guard h[key: "CHECKSUM"] != nil || h[key: "DATASUM"] != nil else { continue }
                let fast = m.verifyChecksum(header: h, bytes: try f.byteRange())
                let slow = try f.verifyChecksum()
                #expect(fast.map { [$0.hdu, $0.data] } == [slow.hdu, slow.data], "\(path) HDU \(i)")
                compared += 1
            }
        }
        #expect(compared >= 3)
        // One byte of the event table changed, DATASUM not: both sums must fail.
        let bad = try Paths.scratch() + "/flipped.fits"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: own))
        let f = try FITSFile.open(path: own)
        try f.moveTo(hdu: 2)
        let r = try f.byteRange(), header = try f.readHeader()
        bytes[r.dataStart + 3] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: bad))
        let m = try #require(MappedFile(path: bad))
        let sums = try #require(m.verifyChecksum(header: header, bytes: r))
        #expect(sums.hdu == .invalid && sums.data == .invalid)
    }
}
