/// One basket's entries: the data bytes and, when entries vary in size, where each starts.
struct Basket {
    let index: Int
    let firstEntry: Int
    let entryCount: Int
    /// The basket's data (the entry-offset table removed).
    let data: [UInt8]
    /// entryCount + 1 positions into `data`, or nil when every entry has the same size.
    let offsets: [Int]?
    /// Size of the basket's key header: ReadObjectAny displacements count from the key start.
    let keylen: Int
    /// File offset of the basket key, for error messages.
    let seek: Int
}

extension Branch {
    /// Reads and decompresses basket `i` (once) and splits off its entry-offset table.
    func readBasket(_ i: Int, file: ROOTFile) throws -> Basket {
        let seek = basketSeek[i]
        let what = "branch \(path) basket \(i)"
        guard basketBytes[i] > 0 else {
            throw ROOTError(file: file.path, object: what, offset: seek, reason: "basket has no bytes on disk")
        }
        var c = try file.readKeyCursor(at: seek, object: what)
        let key = try Key(cursor: &c, file: file)
        // TBasket fields follow the TKey strings: version, buffer size, entry size, entries, last.
        _ = try c.u16()
        _ = try c.i32() // fBufferSize
        let nevBufSize = Int(try c.i32())
        let nevBuf = Int(try c.i32())
        let last = Int(try c.i32())
        _ = try c.u8()
        let firstEntry = basketEntry[i]
        let nextEntry = i + 1 < basketEntry.count && i + 1 < basketCount ? basketEntry[i + 1] : entries
        guard nevBuf >= 0, nevBuf == nextEntry - firstEntry else {
            throw ROOTError(
                file: file.path, object: what, offset: seek,
                reason: "basket holds \(nevBuf) entries, the branch index says \(nextEntry - firstEntry)")
        }
        let stored = try file.slice(seek + key.keylen, key.nbytes - key.keylen, object: what)
        let payload: [UInt8]
        if key.nbytes - key.keylen == key.objlen {
            payload = stored
        } else {
            let pc = Cursor(bytes: [], base: seek + key.keylen, file: file.path, object: what)
            payload = try Decompression.decompress(stored[...], expectedSize: key.objlen, cursor: pc)
        }
        let dataLen = last - key.keylen
        guard dataLen >= 0, dataLen <= payload.count else {
            throw ROOTError(
                file: file.path, object: what, offset: seek,
                reason: "fLast \(last) is outside the basket's \(payload.count) bytes")
        }
        var offsets: [Int]? = nil
        if payload.count > dataLen {
            // Entry-offset table: count, then one offset per entry (counted from the key start), then 0.
            var t = Cursor(
                bytes: payload, pos: dataLen, inObject: true, file: file.path, object: what + " offset table")
            let n = Int(try t.i32())
            guard n >= nevBuf, nevBuf <= t.remaining / 4 else {
                throw t.error("offset table has \(n) entries for \(nevBuf) in the basket")
            }
            var offs = [Int]()
            offs.reserveCapacity(nevBuf + 1)
            for _ in 0..<nevBuf { offs.append(Int(try t.i32()) - key.keylen) }
            offs.append(dataLen)
            for k in 0..<nevBuf where offs[k] < 0 || offs[k] > offs[k + 1] {
                throw t.error("entry \(firstEntry + k) has offset \(offs[k]) outside 0...\(offs[k + 1])")
            }
            offsets = offs
        }
        _ = nevBufSize
        return Basket(
            index: i, firstEntry: firstEntry, entryCount: nevBuf, data: Array(payload[0..<dataLen]),
            offsets: offsets, keylen: key.keylen, seek: seek)
    }

    /// Baskets overlapping entries [start, stop).
    func baskets(overlapping start: Int, _ stop: Int) -> [Int] {
        (0..<basketCount).filter { i in
            let lo = basketEntry[i]
            let hi = i + 1 < basketCount ? basketEntry[i + 1] : entries
            return lo < stop && hi > start
        }
    }
}

extension ROOTFile {
    func readKeyCursor(at offset: Int, object: String) throws -> Cursor {
        guard offset >= 0, offset < size else {
            throw ROOTError(
                file: path, object: object, offset: offset,
                reason: "basket points past the end of the file (\(size) bytes)")
        }
        return window(offset, min(4096, size - offset), object: object)
    }
}

extension Branch {
    /// Reads and decompresses every basket of this branch and returns the decompressed byte count.
    /// Does no decoding: the benchmark uses it as the inflate floor of a read.
    public func inflateAllBaskets(file: ROOTFile) throws -> Int {
        try (0..<basketCount).reduce(0) { $0 + (try readBasket($1, file: file)).data.count }
    }
}
