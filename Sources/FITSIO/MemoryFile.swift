import CDeflate
import Foundation
import IOLimits

/// A FITS file's bytes in memory for cfitsio's memory driver: a gzip-compressed file inflated with
/// libdeflate, or (`emptyBuffer`) a file being written.
/// cfitsio inflates `.fits.gz` itself with zlib, in pieces, which took a quarter of validating a
/// HESS DL3 run; libdeflate inflates a whole member in one call at about twice zlib's speed.
/// cfitsio keeps the addresses of the buffer pointer and size (ffomem), so both live here, on the
/// heap, for as long as the file is open.
final class MemoryFile {
    let buffer: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let size: UnsafeMutablePointer<Int>
    /// Set for inflated files: the buffer's capacity, and it goes back to `BufferPool` when closed.
    private var pooledCapacity: Int?

    /// A zeroed buffer for a file cfitsio writes in memory (it grows it with realloc). Zeroed:
    /// cfitsio takes the whole buffer as the file, and recycled memory can hold an old FITS file.
    static func emptyBuffer() -> MemoryFile { MemoryFile(bytes: calloc(64, 2880)!, count: 2880 * 64) }

    private init(bytes: UnsafeMutableRawPointer, count: Int) {
        buffer = .allocate(capacity: 1)
        buffer.initialize(to: bytes)
        size = .allocate(capacity: 1)
        size.initialize(to: count)
    }

    deinit {
        if let c = pooledCapacity, let p = buffer.pointee {
            BufferPool.shared.give(p, capacity: c)
        } else {
            free(buffer.pointee)
        }
        buffer.deallocate()
        size.deallocate()
    }

    /// Where the HDUs lie in the inflated bytes.
    func layout() -> HDULayout {
        guard let base = buffer.pointee else { return HDULayout(problem: "no data") }
        let n = size.pointee
        return HDULayout.walk(size: n) { at, count in
            Array(UnsafeRawBufferPointer(start: base + at, count: max(0, min(count, n - at))))
        }
    }

    /// Drops the bytes from `end` on (a truncated file's incomplete last HDU).
    func cut(at end: Int) {
        if end < size.pointee { size.pointee = max(0, end) }
    }

    /// Zero bytes added up to `total` (a last HDU written without its padding). False when out of memory.
    func pad(to total: Int) -> Bool {
        let n = size.pointee
        guard total > n, let base = buffer.pointee else { return true }
        if let c = pooledCapacity, c < total {
            guard let grown = realloc(base, total) else { return false }
            buffer.pointee = grown
            pooledCapacity = total
        }
        memset(buffer.pointee! + n, 0, total - n)
        size.pointee = total
        return true
    }

    /// The inflated content of the file at `path` (every gzip member, in order); nil when the file
    /// is not gzip. Throws when it is gzip but damaged or truncated.
    static func inflate(path: String) throws -> MemoryFile? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        var magic: (UInt8, UInt8) = (0, 0)
        guard fstat(fd, &st) == 0, st.st_size >= 18, pread(fd, &magic, 2, 0) == 2, magic == (0x1f, 0x8b) else {
            return nil
        }
        let n = Int(st.st_size)
        guard let (input, inputCapacity) = BufferPool.shared.take(atLeast: n) else {
            throw FITSError(
                file: path, hdu: nil, context: "cannot open as FITS", detail: "out of memory reading \(n) bytes")
        }
        defer { BufferPool.shared.give(input, capacity: inputCapacity) }
        var got = 0
        while got < n {
            let r = pread(fd, input + got, n - got, off_t(got))
            guard r > 0 else {
                throw FITSError(
                    file: path, hdu: nil, context: "cannot open as FITS", detail: "cannot read the gzip file")
            }
            got += r
        }
        // The last member's trailer gives its size modulo 2^32: the whole size for the usual one
        // member under 4 GB, and a start otherwise (the buffer grows as needed).
        let trailer = input.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self).littleEndian
        // No member inflates beyond deflate's ratio, and none beyond the memory limit: a damaged
        // trailer or a bomb stops there with an error instead of taking the machine's memory.
        let ceiling = min(
            n.multipliedReportingOverflow(by: ReadLimits.maxInflateRatio).partialValue, ReadLimits.maxBytes)
        guard var (out, capacity) = BufferPool.shared.take(atLeast: max(min(Int(trailer), ceiling), 2880)) else {
            throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "out of memory inflating")
        }
        guard let d = libdeflate_alloc_decompressor() else {
            BufferPool.shared.give(out, capacity: capacity)
            throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "out of memory inflating")
        }
        defer { libdeflate_free_decompressor(d) }
        var (inAt, outAt) = (0, 0)
        while inAt < n {
            // Some writers pad the file after the last member with zeros.
            if input.load(fromByteOffset: inAt, as: UInt8.self) == 0,
                (inAt..<n).allSatisfy({ input.load(fromByteOffset: $0, as: UInt8.self) == 0 })
            {
                break
            }
            var (used, made) = (0, 0)
            let r = libdeflate_gzip_decompress_ex(
                d, input + inAt, n - inAt, out + outAt, capacity - outAt, &used, &made)
            if r == LIBDEFLATE_INSUFFICIENT_SPACE {
                guard capacity < ceiling else {
                    BufferPool.shared.give(out, capacity: capacity)
                    let why =
                        ceiling == ReadLimits.maxBytes
                        ? "it inflates to more than the memory limit of \(ReadLimits.describe(ReadLimits.maxBytes)) (--max-memory raises it)"
                        : "it inflates more than deflate allows (\(ReadLimits.maxInflateRatio):1): damaged"
                    throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: why)
                }
                capacity = min(capacity * 2, ceiling)
                guard let grown = realloc(out, capacity) else {
                    BufferPool.shared.give(out, capacity: capacity / 2)
                    throw FITSError(
                        file: path, hdu: nil, context: "cannot open as FITS", detail: "out of memory inflating")
                }
                out = grown
                continue // the member again, into the larger buffer
            }
            guard r == LIBDEFLATE_SUCCESS else {
                BufferPool.shared.give(out, capacity: capacity)
                let why = r == LIBDEFLATE_SHORT_OUTPUT ? "short output" : "damaged or truncated data"
                throw FITSError(
                    file: path, hdu: nil, context: "cannot open as FITS", detail: "gzip member at byte \(inAt): \(why)")
            }
            inAt += used
            outAt += made
        }
        let file = MemoryFile(bytes: out, count: outAt)
        file.pooledCapacity = capacity
        return file
    }
}

/// Buffers of inflated files, kept when a file closes, so that the next one (validating a release:
/// a hundred files of about 1 MB each) reuses pages already mapped instead of faulting fresh ones
/// in (page faults were 6% of validating the H.E.S.S. release). A few are kept; more are freed.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    private var idle: [(pointer: UnsafeMutableRawPointer, capacity: Int)] = []
    private let lock = NSLock()
    private let keep = 8

    /// A buffer of at least `n` bytes (the smallest idle one that fits, else a new one), and its capacity.
    func take(atLeast n: Int) -> (UnsafeMutableRawPointer, Int)? {
        lock.lock()
        if let i = idle.indices.filter({ idle[$0].capacity >= n }).min(by: { idle[$0].capacity < idle[$1].capacity }) {
            let b = idle.remove(at: i)
            lock.unlock()
            return (b.pointer, b.capacity)
        }
        lock.unlock()
        return malloc(n).map { ($0, n) }
    }

    func give(_ p: UnsafeMutableRawPointer, capacity: Int) {
        lock.lock()
        if idle.count < keep {
            idle.append((p, capacity))
            lock.unlock()
            return
        }
        // Keep the largest ones: they fit every later file.
        if let i = idle.indices.min(by: { idle[$0].capacity < idle[$1].capacity }), idle[i].capacity < capacity {
            let small = idle[i].pointer
            idle[i] = (p, capacity)
            lock.unlock()
            free(small)
            return
        }
        lock.unlock()
        free(p)
    }
}
