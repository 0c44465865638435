import CLZ4
import CLZMA
import CXXHash
import CZlib
import CZstd
import IOLimits

/// ROOT's compressed-object framing: a sequence of blocks, each with a 9-byte header
/// `algo[2] method[1] csize[3 LE] usize[3 LE]`. Algorithms: ZL (zlib), XZ (lzma), ZS (zstd),
/// L4 (lz4, preceded by a big-endian xxh64 of the compressed block, counted in csize).
enum Decompression {
    static func decompress(_ src: ArraySlice<UInt8>, expectedSize: Int, cursor: Cursor) throws -> [UInt8] {
        guard expectedSize >= 0, expectedSize < 1 << 31 else {
            throw cursor.error("implausible uncompressed size \(expectedSize)")
        }
        // The block headers must add up to the key's size before that size is allocated: a
        // damaged key claiming 2^31 bytes for a few stored kilobytes is an error, not 2 GB.
        let declared = try declaredSize(src, cursor: cursor)
        guard declared == expectedSize else {
            throw cursor.error("compression blocks declare \(declared) bytes, the key says \(expectedSize)")
        }
        if let why = ReadLimits.refusal(expectedSize, for: "decompressing this object") { throw cursor.error(why) }
        var out = [UInt8](repeating: 0, count: expectedSize)
        var written = 0
        var i = src.startIndex
        while i < src.endIndex {
            guard src.endIndex - i >= 9 else { throw cursor.error("truncated compression block header") }
            let a0 = src[i]
            let a1 = src[i + 1]
            let csize = Int(src[i + 3]) | Int(src[i + 4]) << 8 | Int(src[i + 5]) << 16
            let usize = Int(src[i + 6]) | Int(src[i + 7]) << 8 | Int(src[i + 8]) << 16
            let body = i + 9
            guard csize <= src.endIndex - body else {
                throw cursor.error("compressed block of \(csize) bytes runs past the end of the object")
            }
            guard usize <= expectedSize - written else {
                throw cursor.error("block would inflate past the declared object size \(expectedSize)")
            }
            let block = src[body..<(body + csize)]
            let got: Int
            switch (a0, a1) {
            case (0x5A, 0x4C): got = try inflate(block, into: &out, at: written, size: usize, cursor: cursor) // "ZL"
            case (0x58, 0x5A): got = try unxz(block, into: &out, at: written, size: usize, cursor: cursor) // "XZ"
            case (0x5A, 0x53): got = try unzstd(block, into: &out, at: written, size: usize, cursor: cursor) // "ZS"
            case (0x4C, 0x34): got = try unlz4(block, into: &out, at: written, size: usize, cursor: cursor) // "L4"
            case (0x43, 0x53): throw cursor.error("ROOT's pre-2000 'CS' compression is not supported")
            default:
                throw cursor.error("unknown compression algorithm '\(String(decoding: [a0, a1], as: UTF8.self))'")
            }
            guard got == usize else { throw cursor.error("block inflated to \(got) bytes, header says \(usize)") }
            written += usize
            i = body + csize
        }
        guard written == expectedSize else {
            throw cursor.error("object inflated to \(written) bytes, key says \(expectedSize)")
        }
        return out
    }

    /// The sum of the blocks' uncompressed sizes, walking the 9-byte block headers only.
    private static func declaredSize(_ src: ArraySlice<UInt8>, cursor: Cursor) throws -> Int {
        var total = 0
        var i = src.startIndex
        while i < src.endIndex {
            guard src.endIndex - i >= 9 else { throw cursor.error("truncated compression block header") }
            let csize = Int(src[i + 3]) | Int(src[i + 4]) << 8 | Int(src[i + 5]) << 16
            total += Int(src[i + 6]) | Int(src[i + 7]) << 8 | Int(src[i + 8]) << 16
            guard csize <= src.endIndex - i - 9 else {
                throw cursor.error("compressed block of \(csize) bytes runs past the end of the object")
            }
            i += 9 + csize
        }
        return total
    }

    private static func inflate(
        _ block: ArraySlice<UInt8>, into out: inout [UInt8], at offset: Int, size: Int, cursor: Cursor
    ) throws -> Int {
        var destLen = uLongf(size)
        let rc = block.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                uncompress(dst.baseAddress! + offset, &destLen, src.baseAddress!, uLong(src.count))
            }
        }
        guard rc == Z_OK else { throw cursor.error("corrupt zlib stream (zlib error \(rc))") }
        return Int(destLen)
    }

    private static func unxz(
        _ block: ArraySlice<UInt8>, into out: inout [UInt8], at offset: Int, size: Int, cursor: Cursor
    ) throws -> Int {
        var memlimit: UInt64 = UInt64.max
        var inPos = 0
        var outPos = 0
        let rc = block.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                lzma_stream_buffer_decode(
                    &memlimit, 0, nil, src.baseAddress!, &inPos, src.count,
                    dst.baseAddress! + offset, &outPos, size)
            }
        }
        guard rc == LZMA_OK else { throw cursor.error("corrupt xz stream (lzma error \(rc.rawValue))") }
        return outPos
    }

    private static func unzstd(
        _ block: ArraySlice<UInt8>, into out: inout [UInt8], at offset: Int, size: Int, cursor: Cursor
    ) throws -> Int {
        let rc = block.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                ZSTD_decompress(dst.baseAddress! + offset, size, src.baseAddress!, src.count)
            }
        }
        guard ZSTD_isError(rc) == 0 else {
            throw cursor.error("corrupt zstd frame (\(String(cString: ZSTD_getErrorName(rc))))")
        }
        return rc
    }

    private static func unlz4(
        _ block: ArraySlice<UInt8>, into out: inout [UInt8], at offset: Int, size: Int, cursor: Cursor
    ) throws -> Int {
        guard block.count >= 8 else { throw cursor.error("LZ4 block shorter than its checksum") }
        let s = block.startIndex
        var stored: UInt64 = 0
        for k in 0..<8 { stored = stored << 8 | UInt64(block[s + k]) }
        let payload = block[(s + 8)...]
        let actual = payload.withUnsafeBufferPointer { XXH64($0.baseAddress, $0.count, 0) }
        guard actual == stored else { throw cursor.error("LZ4 block checksum mismatch (xxh64)") }
        let rc = payload.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                src.baseAddress!.withMemoryRebound(to: CChar.self, capacity: src.count) { s in
                    (dst.baseAddress! + offset).withMemoryRebound(to: CChar.self, capacity: size) { d in
                        LZ4_decompress_safe(s, d, Int32(src.count), Int32(size))
                    }
                }
            }
        }
        guard rc >= 0 else { throw cursor.error("corrupt LZ4 block") }
        return Int(rc)
    }
}
