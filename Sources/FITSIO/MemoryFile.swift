import CDeflate
import Foundation

/// A FITS file's bytes in memory for cfitsio's memory driver: a gzip-compressed file inflated with
/// libdeflate, or (`emptyBuffer`) a file being written.
/// cfitsio inflates `.fits.gz` itself with zlib, in pieces, which took a quarter of validating a
/// HESS DL3 run; libdeflate inflates a whole member in one call at about twice zlib's speed.
/// cfitsio keeps the addresses of the buffer pointer and size (ffomem), so both live here, on the
/// heap, for as long as the file is open.
final class MemoryFile {
    let buffer: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let size: UnsafeMutablePointer<Int>

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
        free(buffer.pointee)
        buffer.deallocate()
        size.deallocate()
    }

    /// The inflated content of the file at `path` (every gzip member, in order); nil when the file
    /// is not gzip. Throws when it is gzip but damaged or truncated.
    static func inflate(path: String) throws -> MemoryFile? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        var magic: (UInt8, UInt8) = (0, 0)
        guard fstat(fd, &st) == 0, st.st_size >= 18, pread(fd, &magic, 2, 0) == 2, magic == (0x1f, 0x8b) else { return nil }
        let n = Int(st.st_size)
        let input = UnsafeMutableRawPointer.allocate(byteCount: n, alignment: 16)
        defer { input.deallocate() }
        var got = 0
        while got < n {
            let r = pread(fd, input + got, n - got, off_t(got))
            guard r > 0 else { throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "cannot read the gzip file") }
            got += r
        }
        // The last member's trailer gives its size modulo 2^32: the whole size for the usual one
        // member under 4 GB, and a start otherwise (the buffer grows as needed).
        let trailer = input.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self).littleEndian
        var capacity = max(Int(trailer), 2880)
        guard var out = malloc(capacity) else { throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "out of memory inflating") }
        guard let d = libdeflate_alloc_decompressor() else {
            free(out)
            throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "out of memory inflating")
        }
        defer { libdeflate_free_decompressor(d) }
        var (inAt, outAt) = (0, 0)
        while inAt < n {
            // Some writers pad the file after the last member with zeros.
            if input.load(fromByteOffset: inAt, as: UInt8.self) == 0, (inAt..<n).allSatisfy({ input.load(fromByteOffset: $0, as: UInt8.self) == 0 }) { break }
            var (used, made) = (0, 0)
            let r = libdeflate_gzip_decompress_ex(d, input + inAt, n - inAt, out + outAt, capacity - outAt, &used, &made)
            if r == LIBDEFLATE_INSUFFICIENT_SPACE {
                capacity *= 2
                guard let grown = realloc(out, capacity) else {
                    free(out)
                    throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "out of memory inflating")
                }
                out = grown
                continue                            // the member again, into the larger buffer
            }
            guard r == LIBDEFLATE_SUCCESS else {
                free(out)
                let why = r == LIBDEFLATE_SHORT_OUTPUT ? "short output" : "damaged or truncated data"
                throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "gzip member at byte \(inAt): \(why)")
            }
            inAt += used
            outAt += made
        }
        return MemoryFile(bytes: out, count: outAt)
    }
}
