import ANTARES
import Foundation
import GADF
import Readers
import TestSupport
import Testing

@testable import FITSIO

@Suite("FITS layer")
struct FITSIOTests {
    /// Writes every supported column type, scalar and vector with TDIM, in more rows than one
    /// cfitsio buffer chunk, then reads it all back bit for bit.
    @Test func roundTripAllColumnTypes() throws {
        let path = try Paths.scratch() + "/all.fits"
        let rows = 20_011 // not a multiple of the chunk size, several chunks
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

    /// Remote URLs are refused with a reason of our own: the network drivers of the static cfitsio
    /// are stubs, whose failure would otherwise surface as cfitsio's "libcurl without SSL" text.
    @Test func remoteURLsAreRefusedClearly() throws {
        for url in ["https://example.org/run.fits", "ftp://example.org/run.fits.gz", "S3://bucket/run.fits"] {
            do {
                _ = try FITSFile.open(path: url)
                Issue.record("\(url) opened")
            } catch let e as FITSError {
                #expect(e.description.contains("URLs are not read"), "\(e)")
                #expect(e.description.hasPrefix(url))
            }
        }
        #expect(FITSFile.remoteScheme("file:///tmp/a.fits") == nil)
        #expect(FITSFile.remoteScheme("/data/run://x.fits") == nil)
        // A local file named with file:// still opens.
        let path = try Paths.scratch() + "/local.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        try f.close()
        #expect(try FITSFile.open(path: "file://" + path).hduCount == 1)
    }

    /// gzip inputs are inflated by libdeflate and read from memory: one member, several members
    /// (the first larger than the size the last one's trailer gives, so the buffer grows), zero
    /// padding after the last member. A truncated file is an error that says so.
    @Test func gzipInputsReadLikeThePlainFile() throws {
        let dir = try Paths.scratch()
        let plain = dir + "/plain.fits"
        let rows = 30_000
        let values = (0..<rows).map { Double($0) * 1.25 }
        let f = try FITSFile.create(path: plain)
        try f.createPrimaryHDU()
        try f.append(Table(name: "DATA", header: [], columns: [ColumnSpec("X", .float64)], data: [.float64(values)]))
        try f.close()
        func gzip(_ bytes: Data) throws -> Data {
            let src = dir + "/part.bin"
            try bytes.write(to: URL(fileURLWithPath: src))
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/gzip")
            p.arguments = ["-c", "-n", src]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return data
        }
        let whole = try Data(contentsOf: URL(fileURLWithPath: plain))
        let cut = whole.count * 7 / 8
        let cases: [(String, Data)] = [
            ("one", try gzip(whole)),
            ("two", try gzip(whole.prefix(cut)) + gzip(whole.suffix(from: cut))),
            ("padded", try gzip(whole) + Data(count: 512)),
        ]
        for (name, bytes) in cases {
            let path = dir + "/\(name).fits.gz"
            try bytes.write(to: URL(fileURLWithPath: path))
            let r = try FITSFile.open(path: path)
            #expect(try r.hduCount == 2, "\(name)")
            try r.moveTo(hdu: 2)
            let col = try #require(try r.columns().first)
            #expect(try r.read(column: col, rows: rows).doubles == values, "\(name)")
        }
        let truncated = dir + "/truncated.fits.gz"
        let full = try gzip(whole)
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect {
            _ = try FITSFile.open(path: truncated)
        } throws: { error in
            "\(error)".hasPrefix(truncated) && "\(error)".contains("damaged or truncated")
        }
        // gzip that holds no FITS says so.
        let text = dir + "/text.fits.gz"
        try gzip(Data("hello\n".utf8)).write(to: URL(fileURLWithPath: text))
        #expect {
            _ = try FITSFile.open(path: text)
        } throws: { error in
            "\(error)".contains("inflates to 6 bytes that are not FITS")
        }
    }

    @Test func partialRowRangeRead() throws {
        let path = try Paths.scratch() + "/part.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        try f.append(
            Table(
                name: "T", columns: [ColumnSpec("X", .float64, repeatCount: 2)],
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
        // HDUs are named 0-based in messages, as inspect lists them: the fifth is HDU 4.
        #expect(e2?.description.contains("HDU 4 cannot be read") == true)
        #expect(e2?.description.contains(path) == true)

        // Creating over an existing file is refused (callers write a temporary file and rename).
        #expect(throws: FITSError.self) { try FITSFile.create(path: path) }
    }

    @Test func mismatchedColumnLengthsAreRejected() throws {
        let path = try Paths.scratch() + "/bad.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        let e = #expect(throws: FITSError.self) {
            try f.append(
                Table(
                    name: "T", columns: [ColumnSpec("A", .float64), ColumnSpec("B", .float64)],
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
    /// The checksum's word sum without byte swaps (masked byte pairs, rotated) equals the sum of
    /// the byte-swapped words modulo 2^32 - 1, as ones' complement sums, for random words, all-ones
    /// words (whose sum is -0) and zeros, across the 256-word inner blocks.
    @Test func wordSumWithoutByteSwapsEqualsTheSwappedSum() {
        var rng = SplitMix(seed: 7)
        for count in [0, 1, 3, 4, 255, 256, 257, 1000, 70_001] {
            for fill in [nil, 0xFFFF_FFFF, 0] as [UInt32?] {
                let words = (0..<count).map { _ in fill ?? UInt32(truncatingIfNeeded: rng.next()) }
                words.withUnsafeBufferPointer { b in
                    let base = b.baseAddress ?? UnsafePointer(bitPattern: 4)!
                    #expect(
                        MappedFile.fold(MappedFile.partialSum(base, count))
                            == MappedFile.fold(MappedFile.partialSumBySwapping(base, count)),
                        "\(count) words, fill \(String(describing: fill))")
                }
            }
        }
    }

    /// A row scan that also sums the data unit: with 13-byte rows (a float64 and a 5-character
    /// string) rows straddle checksum words, and the table ends inside one. The parts' sums plus
    /// the rest of the unit equal the sum of the whole unit; the column comes back exact.
    @Test func rowScanSumsTheDataUnitAsItReadsTheColumn() throws {
        let rows = 70_003
        let times = (0..<rows).map { 1e8 + Double($0) * 0.37 }
        let path = try Paths.scratch() + "/rows13.fits"
        let f = try FITSFile.create(path: path)
        try f.createPrimaryHDU()
        try f.append(
            Table(
                name: "EVENTS", header: [],
                columns: [ColumnSpec("TIME", .float64), ColumnSpec("TAG", .string, repeatCount: 5)],
                data: [.float64(times), .string((0..<rows).map { "t\($0 % 997)" })]))
        try f.close()
        let r = try FITSFile.open(path: path)
        try r.moveTo(hdu: 2)
        let bytes = try r.byteRange()
        let m = try #require(MappedFile(path: path))
        let whole = try #require(m.onesComplementSum(bytes.dataStart..<bytes.dataEnd))
        let below = bytes.dataStart + rows * 13 / 4 * 4
        var total: UInt64 = 0
        var got: [Double] = []
        for part in [0..<4096, 4096..<rows] { // parts start on multiples of 4 rows
            var c = (below: below, sum: UInt32(0))
            #expect(
                m.forEachFloat64Block(dataStart: bytes.dataStart, rowWidth: 13, offset: 0, rows: part, checksum: &c) {
                    got += $0
                })
            total = UInt64(MappedFile.fold(total, UInt64(c.sum)))
        }
        let rest = try #require(m.onesComplementSum(below..<bytes.dataEnd))
        #expect(MappedFile.fold(total, UInt64(rest)) == whole)
        #expect(got == times)
        // A part that starts off a checksum word cannot be summed, so it is refused.
        var c = (below: below, sum: UInt32(0))
        #expect(
            !m.forEachFloat64Block(dataStart: bytes.dataStart, rowWidth: 13, offset: 0, rows: 1..<10, checksum: &c) {
                _ in
            })
    }

    @Test func mappedChecksumsAgreeWithCfitsio() throws {
        var files: [String] = []
        for dir in [Paths.testData, Paths.repo.appendingPathComponent(".testdata").path, Paths.corpus + "/gadf"] {
            guard let e = FileManager.default.enumerator(atPath: dir) else { continue }
            for case let f as String in e where f.hasSuffix(".fits") { files.append(dir + "/" + f) }
        }
        // Our own output too, so at least one file with sums is always checked.
        let obs = try ANTARESEventList.read(
            path: Paths.testData + "/antares/sample_public.dat", kind: .antaresPublicList)
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
        let r = try f.byteRange()
        let header = try f.readHeader()
        bytes[r.dataStart + 3] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: bad))
        let m = try #require(MappedFile(path: bad))
        let sums = try #require(m.verifyChecksum(header: header, bytes: r))
        #expect(sums.hdu == .invalid && sums.data == .invalid)
    }
}
