import Foundation
import Parallel

/// Direct reads of a plain (uncompressed) FITS file, through read-only mapped windows of 4 MB.
/// Checksums and column scans of big tables go through here: through cfitsio every byte passes its
/// small buffers, which made the CHECKSUM/DATASUM verification of a 52 MB table cost more than the
/// rest of `vodf validate`. Windows, not one mapping of the whole file: mapped pages count as
/// resident memory, so the peak would grow with the file.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let size: Int
    private let fd: Int32
    static let blockBytes = 4 << 20

    /// nil when the file cannot be opened or is compressed (cfitsio inflates those in memory).
    public init?(path: String) {
        let fd = Foundation.open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        var st = stat()
        var first: UInt8 = 0
        // "SIMPLE": not gzip etc.
        guard fstat(fd, &st) == 0, st.st_size >= 2880, pread(fd, &first, 1, 0) == 1, first == UInt8(ascii: "S") else {
            close(fd)
            return nil
        }
        self.path = path
        self.size = Int(st.st_size)
        self.fd = fd
    }

    deinit { close(fd) }

    /// Calls `body` with bytes [offset, offset + count) mapped read-only, then unmaps them: the pages
    /// are the page cache's own (no copy), and unmapping after each window keeps the resident size
    /// flat however large the file. false when the bytes cannot be mapped.
    private func withWindow(offset: Int, count: Int, _ body: (UnsafeRawPointer) -> Void) -> Bool {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = offset / page * page
        let skew = offset - start
        guard let p = mmap(nil, count + skew, PROT_READ, MAP_PRIVATE, fd, off_t(start)), p != MAP_FAILED else {
            return false
        }
        body(UnsafeRawPointer(p) + skew)
        munmap(p, count + skew)
        return true
    }

    /// The FITS checksum (32-bit ones' complement sum of big-endian words, FITS 4.0 Appendix J) of
    /// bytes `range`, whose bounds are multiples of 4 inside the file; nil otherwise.
    public func onesComplementSum(_ range: Range<Int>) -> UInt32? {
        guard range.lowerBound >= 0, range.upperBound <= size, range.lowerBound % 4 == 0, range.count % 4 == 0 else {
            return nil
        }
        // Large data: one part per core, each reading its own blocks.
        let parts = range.count > 8 * Self.blockBytes ? max(1, min(4, ProcessInfo.processInfo.activeProcessorCount)) : 1
        let words = range.count / 4
        // Each part's sum, or nil when a window of it could not be read.
        let sums = Parallel.map(parts) { p -> UInt64? in
            let lo = range.lowerBound + 4 * (words * p / parts)
            let hi = range.lowerBound + 4 * (words * (p + 1) / parts)
            var total: UInt64 = 0
            for start in stride(from: lo, to: hi, by: Self.blockBytes) {
                let n = min(Self.blockBytes, hi - start)
                let ok = self.withWindow(offset: start, count: n) { w in
                    // The window starts at a multiple of 4 past a page boundary: words are aligned.
                    total = UInt64(Self.fold(total, Self.partialSum(w.assumingMemoryBound(to: UInt32.self), n / 4)))
                }
                guard ok else { return nil }
            }
            return total
        }
        guard sums.allSatisfy({ $0 != nil }) else { return nil }
        return Self.fold(sums.reduce(0) { UInt64(Self.fold($0, $1!)) })
    }

    /// The sum of `count` big-endian words, as a 64-bit integer congruent to it modulo 2^32 - 1
    /// (fold it for the ones' complement sum; 2^32 = 1 mod 2^32 - 1, so carries fold back).
    static func partialSum(_ words: UnsafePointer<UInt32>, _ count: Int) -> UInt64 {
        #if _endian(little)
            // No byte swaps, which the compiler does not vectorise for baseline x86-64. For file bytes
            // B0..B3, W = 2^24 B0 + 2^16 B1 + 2^8 B2 + B3, and with x the same bytes read natively,
            // E = x & 0x00FF00FF = B0 + 2^16 B2 and O = (x >> 8) & 0x00FF00FF = B1 + 2^16 B3, so
            // W = 2^24 E + 2^16 O mod 2^32 - 1 (2^40 = 2^8, 2^32 = 1). The sums of E and O are plain
            // masked adds; 256 of them fit in 32-bit lanes (each 16-bit half stays below 2^16).
            var sumE: UInt64 = 0
            var sumO: UInt64 = 0
            var i = 0
            while i < count {
                let n = min(256, count - i)
                var e: UInt32 = 0
                var o: UInt32 = 0
                for x in UnsafeBufferPointer(start: words + i, count: n) {
                    e &+= x & 0x00FF_00FF
                    o &+= (x &>> 8) & 0x00FF_00FF
                }
                sumE &+= UInt64(e)
                sumO &+= UInt64(o)
                i += n
            }
            // Multiplying by 2^k modulo 2^32 - 1 rotates left by k.
            let (e, o) = (fold(sumE), fold(sumO))
            return UInt64((e &<< 24) | (e &>> 8)) + UInt64((o &<< 16) | (o &>> 16))
        #else
            var s: UInt64 = 0
            for w in UnsafeBufferPointer(start: words, count: count) { s &+= UInt64(w) }
            return s
        #endif
    }

    /// The same sum word by word with byte swaps: the reference `partialSum` is tested against.
    static func partialSumBySwapping(_ words: UnsafePointer<UInt32>, _ count: Int) -> UInt64 {
        var s: UInt64 = 0
        for w in UnsafeBufferPointer(start: words, count: count) { s &+= UInt64(UInt32(bigEndian: w)) }
        return s
    }

    /// Adds 32-bit ones' complement partial sums held in 64-bit integers.
    public static func fold(_ parts: UInt64...) -> UInt32 {
        var s: UInt64 = 0
        for p in parts {
            var v = p
            while v >> 32 != 0 { v = (v & 0xffff_ffff) + (v >> 32) }
            s += v
        }
        while s >> 32 != 0 { s = (s & 0xffff_ffff) + (s >> 32) }
        return UInt32(s)
    }

    /// CHECKSUM and DATASUM of one HDU: the data sum must equal DATASUM and the whole HDU must sum
    /// to -0 (all ones). `dataSum`, when given, is the data unit's sum already taken (in the same read
    /// as a column scan). nil when the HDU lies (partly) outside the file.
    public func verifyChecksum(
        header: [HeaderCard], bytes: (headerStart: Int, dataStart: Int, dataEnd: Int),
        dataSum known: UInt32? = nil
    ) -> (hdu: FITSFile.ChecksumState, data: FITSFile.ChecksumState)? {
        guard let headSum = onesComplementSum(bytes.headerStart..<bytes.dataStart),
            let dataSum = known ?? onesComplementSum(bytes.dataStart..<bytes.dataEnd)
        else { return nil }
        var data = FITSFile.ChecksumState.absent
        if let text = header[key: "DATASUM"]?.stringValue?.trimmedBlanks {
            data = UInt32(text) == dataSum ? .valid : .invalid
        }
        var hdu = FITSFile.ChecksumState.absent
        if header[key: "CHECKSUM"] != nil {
            hdu = Self.fold(UInt64(headSum), UInt64(dataSum)) == 0xffff_ffff ? .valid : .invalid
        }
        return (hdu, data)
    }

    /// Values of a scalar float64 column, handed to `body` in blocks of a few hundred: `rows`
    /// (0-based) of a table whose data starts at `dataStart`, `rowWidth` bytes per row, the column
    /// `offset` bytes into the row. false when the rows cannot be read.
    ///
    /// With `checksum`, the bytes of these rows below `checksum.below` are also added to
    /// `checksum.sum` (a ones' complement partial sum, see `fold`): the DATASUM check and the column
    /// scan then share one read of memory, which costs as much as the work on either (these machines
    /// stream a mapped file at ~6 GB/s per core). `rows` must then start on a multiple of 4 rows.
    /// Each block's bytes are summed, decoded and handed over while they are in the L1 cache.
    public func forEachFloat64Block(
        dataStart: Int, rowWidth: Int, offset: Int, rows: Range<Int>,
        checksum: UnsafeMutablePointer<(below: Int, sum: UInt32)>? = nil,
        _ body: (UnsafeBufferPointer<Double>) -> Void
    ) -> Bool {
        guard rows.lowerBound >= 0, offset >= 0, offset + 8 <= rowWidth, rowWidth > 0,
            dataStart + rows.upperBound * rowWidth <= size
        else { return false }
        if checksum != nil && ((rows.lowerBound * rowWidth) % 4 != 0 || dataStart % 4 != 0) { return false }
        // Blocks of whole rows, a multiple of 4 of them (so each block starts on a checksum word),
        // about 32 KB; windows of whole blocks, about blockBytes.
        let blockRows = max(4, min(512, (32 << 10) / rowWidth / 4 * 4))
        let windowRows = max(1, Self.blockBytes / (blockRows * rowWidth)) * blockRows
        let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: blockRows)
        defer { values.deallocate() }
        for first in stride(from: rows.lowerBound, to: rows.upperBound, by: windowRows) {
            let n = min(windowRows, rows.upperBound - first)
            let ok = withWindow(offset: dataStart + first * rowWidth, count: n * rowWidth) { w in
                for b in stride(from: 0, to: n, by: blockRows) {
                    let m = min(blockRows, n - b)
                    let block = w + b * rowWidth
                    if let checksum {
                        // Every block starts on a word; only the table's last one can end inside a
                        // word, and `below` stops the sum before that word.
                        let start = dataStart + (first + b) * rowWidth
                        let words = (min(start + m * rowWidth, checksum.pointee.below) - start) / 4
                        if words > 0 {
                            checksum.pointee.sum = Self.fold(
                                UInt64(checksum.pointee.sum),
                                Self.partialSum(block.assumingMemoryBound(to: UInt32.self), words))
                        }
                    }
                    var at = block + offset
                    for i in 0..<m {
                        values[i] = Double(bitPattern: UInt64(bigEndian: at.loadUnaligned(as: UInt64.self)))
                        at += rowWidth
                    }
                    body(UnsafeBufferPointer(rebasing: values[0..<m]))
                }
            }
            guard ok else { return false }
        }
        return true
    }
}
