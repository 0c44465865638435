import Foundation

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
        guard fstat(fd, &st) == 0, st.st_size >= 2880, pread(fd, &first, 1, 0) == 1, first == UInt8(ascii: "S") else {   // "SIMPLE": not gzip etc.
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
        let start = offset / page * page, skew = offset - start
        guard let p = mmap(nil, count + skew, PROT_READ, MAP_PRIVATE, fd, off_t(start)), p != MAP_FAILED else { return false }
        body(UnsafeRawPointer(p) + skew)
        munmap(p, count + skew)
        return true
    }

    /// The FITS checksum (32-bit ones' complement sum of big-endian words, FITS 4.0 Appendix J) of
    /// bytes `range`, whose bounds are multiples of 4 inside the file; nil otherwise.
    public func onesComplementSum(_ range: Range<Int>) -> UInt32? {
        guard range.lowerBound >= 0, range.upperBound <= size, range.lowerBound % 4 == 0, range.count % 4 == 0 else { return nil }
        // Large data: one part per core, each reading its own blocks.
        let parts = range.count > 8 * Self.blockBytes ? max(1, min(4, ProcessInfo.processInfo.activeProcessorCount)) : 1
        let words = range.count / 4
        let sums = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: parts)
        sums.initialize(repeating: 0)
        defer { sums.deallocate() }
        let failed = UnsafeMutableBufferPointer<Bool>.allocate(capacity: parts)
        failed.initialize(repeating: false)
        defer { failed.deallocate() }
        let shared = SumParts(sums: sums, failed: failed)
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let lo = range.lowerBound + 4 * (words * p / parts), hi = range.lowerBound + 4 * (words * (p + 1) / parts)
            var total: UInt64 = 0
            for start in stride(from: lo, to: hi, by: Self.blockBytes) {
                let n = min(Self.blockBytes, hi - start)
                let ok = self.withWindow(offset: start, count: n) { w in
                    // The window starts at a multiple of 4 past a page boundary: words are aligned.
                    total = UInt64(Self.fold(total, Self.partialSum(w.assumingMemoryBound(to: UInt32.self), n / 4)))
                }
                guard ok else { shared.failed[p] = true; return }
            }
            shared.sums[p] = total
        }
        if failed.contains(true) { return nil }
        return Self.fold(sums.reduce(0) { UInt64(Self.fold($0, $1)) })
    }

    private struct SumParts: @unchecked Sendable {
        let sums: UnsafeMutableBufferPointer<UInt64>
        let failed: UnsafeMutableBufferPointer<Bool>
    }

    /// The sum of `count` big-endian words in a 64-bit integer (fold it for the ones' complement sum).
    static func partialSum(_ words: UnsafePointer<UInt32>, _ count: Int) -> UInt64 {
        // A 64-bit sum with the carries folded back at the end equals the end-around-carry sum
        // (2^32 = 1 mod 2^32 - 1); it cannot overflow for fewer than 2^32 words. Four lanes let
        // the compiler vectorise the loop.
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
        var i = 0
        while i + 4 <= count {
            a &+= UInt64(UInt32(bigEndian: words[i])); b &+= UInt64(UInt32(bigEndian: words[i + 1]))
            c &+= UInt64(UInt32(bigEndian: words[i + 2])); d &+= UInt64(UInt32(bigEndian: words[i + 3]))
            i += 4
        }
        while i < count { a &+= UInt64(UInt32(bigEndian: words[i])); i += 1 }
        return UInt64(fold(a, b, c, d))
    }

    /// Adds 32-bit ones' complement partial sums held in 64-bit integers.
    static func fold(_ parts: UInt64...) -> UInt32 {
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
    /// to -0 (all ones). nil when the HDU lies (partly) outside the file.
    public func verifyChecksum(header: [HeaderCard], bytes: (headerStart: Int, dataStart: Int, dataEnd: Int)) -> (hdu: FITSFile.ChecksumState, data: FITSFile.ChecksumState)? {
        guard let headSum = onesComplementSum(bytes.headerStart..<bytes.dataStart),
              let dataSum = onesComplementSum(bytes.dataStart..<bytes.dataEnd) else { return nil }
        var data = FITSFile.ChecksumState.absent
        if let text = header[key: "DATASUM"]?.stringValue?.trimmingCharacters(in: .whitespaces) {
            data = UInt32(text) == dataSum ? .valid : .invalid
        }
        var hdu = FITSFile.ChecksumState.absent
        if header[key: "CHECKSUM"] != nil {
            hdu = Self.fold(UInt64(headSum), UInt64(dataSum)) == 0xffff_ffff ? .valid : .invalid
        }
        return (hdu, data)
    }

    /// Values of a scalar float64 column into a caller's buffer of at least `rows.count` values
    /// (reused across blocks): `rows` (0-based) of a table whose data starts at `dataStart`, `rowWidth`
    /// bytes per row, the column `offset` bytes into the row. false when the rows cannot be read.
    public func float64Column(dataStart: Int, rowWidth: Int, offset: Int, rows: Range<Int>, into out: UnsafeMutableBufferPointer<Double>) -> Bool {
        guard rows.lowerBound >= 0, offset >= 0, offset + 8 <= rowWidth, rowWidth > 0, out.count >= rows.count,
              dataStart + rows.upperBound * rowWidth <= size else { return false }
        let perBlock = max(1, Self.blockBytes / rowWidth)
        var i = 0
        for first in stride(from: rows.lowerBound, to: rows.upperBound, by: perBlock) {
            let n = min(perBlock, rows.upperBound - first)
            let ok = withWindow(offset: dataStart + first * rowWidth, count: n * rowWidth) { w in
                var at = w + offset
                for _ in 0..<n {
                    out[i] = Double(bitPattern: UInt64(bigEndian: at.loadUnaligned(as: UInt64.self)))
                    at += rowWidth
                    i += 1
                }
            }
            guard ok else { return false }
        }
        return true
    }
}
