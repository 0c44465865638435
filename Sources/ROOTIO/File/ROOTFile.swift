import Foundation

/// A ROOT file opened read-only. The bytes are memory-mapped, so only what is read is paged in.
public final class ROOTFile: @unchecked Sendable {
    public let path: String
    /// Memory-mapped; only the windows we read are copied out.
    let data: Data
    public var size: Int { data.count }
    public let version: Int
    public let begin: Int
    public let end: Int
    public let seekInfo: Int
    public let nbytesInfo: Int
    public let compression: Int
    /// The top directory.
    public private(set) var root: Directory!
    private var cachedStreamers: StreamerRegistry?

    public init(path: String) throws {
        self.path = path
        let d: Data
        do {
            d = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        } catch {
            throw ROOTError(file: path, object: "file", offset: 0, reason: "cannot read: \(error.localizedDescription)")
        }
        data = d
        var c = Cursor(bytes: [UInt8](d.prefix(128)), file: path, object: "file header")
        guard data.count >= 4, Array(data.prefix(4)) == Array("root".utf8) else {
            throw c.error("not a ROOT file (wrong magic number)", at: 0)
        }
        try c.skip(4)
        version = Int(try c.i32())
        begin = Int(try c.i32())
        let big = version >= 1_000_000
        if big {
            end = Int(try c.i64())
            _ = try c.i64()
        } else {
            end = Int(try c.i32())
            _ = try c.i32()
        }
        _ = try c.i32()
        _ = try c.i32() // fNbytesFree, nfree
        let nbytesName = Int(try c.i32())
        _ = try c.u8() // fUnits
        compression = Int(try c.i32())
        seekInfo = big ? Int(try c.i64()) : Int(try c.i32())
        nbytesInfo = Int(try c.i32())
        guard begin > 0, begin < data.count else { throw c.error("fBEGIN \(begin) outside the file", at: 8) }
        if end > data.count {
            throw c.error("file is truncated: header says it ends at \(end) but it has \(data.count) bytes", at: 12)
        }
        // The top directory record follows the file's own key and name.
        root = try Directory(file: self, name: "", at: begin + nbytesName, path: "")
    }

    /// The TStreamerInfo records of this file (read once).
    public func streamers() throws -> StreamerRegistry {
        if let s = cachedStreamers { return s }
        let key = try readKey(at: seekInfo, context: "streamer info")
        let s = try StreamerRegistry(file: self, key: key)
        cachedStreamers = s
        return s
    }

    /// Reads the TKey header at `offset`.
    func readKey(at offset: Int, context: String) throws -> Key {
        guard offset >= 0, offset < data.count else {
            throw ROOTError(
                file: path, object: context, offset: offset,
                reason: "key points past the end of the file (\(data.count) bytes)")
        }
        // A key header is at most 26 + 3 strings; a 2 KiB window covers it unless names are huge.
        var c = window(offset, min(2048, data.count - offset), object: context)
        return try Key(cursor: &c, file: self)
    }

    /// A cursor over bytes [start, start+count) of the file, with file offsets in its errors.
    func window(_ start: Int, _ count: Int, object: String) -> Cursor {
        let lo = max(0, min(start, data.count))
        let hi = max(lo, min(start + max(count, 0), data.count))
        return Cursor(bytes: [UInt8](data[lo..<hi]), base: lo, file: path, object: object)
    }

    /// The key's object bytes, decompressed if needed. Returned cursor positions are
    /// relative to the object start; displacement counts from the key start (as ROOT's refs do).
    func payload(of key: Key) throws -> Cursor {
        let start = key.seekKey + key.keylen
        let stored = key.nbytes - key.keylen
        let ctx = "\(key.className) \(key.name);\(key.cycle)"
        var c = window(start, stored, object: ctx)
        guard stored >= 0, start >= 0 else {
            throw c.error("key sizes are inconsistent (nbytes \(key.nbytes), keylen \(key.keylen))")
        }
        let raw = try c.take(stored)
        if stored == key.objlen {
            return Cursor(bytes: Array(raw), base: start, originShift: key.keylen, file: path, object: ctx)
        }
        let bytes = try Decompression.decompress(raw, expectedSize: key.objlen, cursor: c)
        return Cursor(bytes: bytes, inObject: true, originShift: key.keylen, file: path, object: ctx)
    }

    /// Raw byte range of the file, for baskets; an error if it is not all inside the file.
    func slice(_ start: Int, _ count: Int, object: String) throws -> [UInt8] {
        guard start >= 0, count >= 0, start <= data.count, count <= data.count - start else {
            throw ROOTError(
                file: path, object: object, offset: start,
                reason: "\(count) bytes at \(start) run past the end of the file (\(data.count) bytes)")
        }
        return [UInt8](data[start..<(start + count)])
    }
}

/// A TKey header: where an object is stored and how big it is.
public struct Key: Sendable {
    public let nbytes: Int
    public let keyVersion: Int
    public let objlen: Int
    public let keylen: Int
    public let cycle: Int
    public let seekKey: Int
    public let seekPdir: Int
    public let className: String
    public let name: String
    public let title: String

    init(cursor c: inout Cursor, file: ROOTFile) throws {
        let at = c.pos
        nbytes = Int(try c.i32())
        keyVersion = Int(try c.i16())
        objlen = Int(try c.i32())
        _ = try c.u32() // fDatime
        keylen = Int(try c.i16())
        cycle = Int(try c.i16())
        // 64-bit seeks are a property of the key (version > 1000), not of the file.
        if keyVersion > 1000 {
            seekKey = Int(try c.i64())
            seekPdir = Int(try c.i64())
        } else {
            seekKey = Int(try c.i32())
            seekPdir = Int(try c.i32())
        }
        className = try c.string()
        name = try c.string()
        title = try c.string()
        guard nbytes >= keylen, keylen > 0, objlen >= 0 else {
            throw c.error(
                "key '\(name)' has inconsistent sizes (nbytes \(nbytes), keylen \(keylen), objlen \(objlen))", at: at)
        }
        guard seekKey >= 0, seekKey + nbytes <= file.size else {
            throw c.error(
                "key '\(name)' points past the end of the file (seek \(seekKey) + \(nbytes) > \(file.size))", at: at)
        }
    }
}

/// A TDirectory: its keys, with subdirectories read on demand.
public struct Directory: Sendable {
    public let name: String
    public let path: String
    public let keys: [Key]
    unowned(unsafe) let file: ROOTFile

    init(file: ROOTFile, name: String, at offset: Int, path: String) throws {
        self.file = file
        self.name = name
        self.path = path
        let what = "directory '\(path.isEmpty ? "/" : path)'"
        guard offset >= 0, offset < file.size else {
            throw ROOTError(file: file.path, object: what, offset: offset, reason: "directory record outside the file")
        }
        var c = file.window(offset, 64, object: what)
        let version = Int(try c.i16())
        _ = try c.u32()
        _ = try c.u32() // fDatimeC, fDatimeM
        let nbytesKeys = Int(try c.i32())
        _ = try c.i32() // fNbytesName
        let seekKeys: Int
        if version > 1000 {
            _ = try c.i64()
            _ = try c.i64()
            seekKeys = Int(try c.i64())
        } else {
            _ = try c.i32()
            _ = try c.i32()
            seekKeys = Int(try c.i32())
        }
        guard seekKeys > 0 else {
            keys = []
            return
        }
        guard seekKeys < file.size, nbytesKeys > 0, nbytesKeys <= file.size - seekKeys else {
            throw ROOTError(
                file: file.path, object: what + " key list", offset: seekKeys,
                reason: "key list (\(nbytesKeys) bytes) points past the end of the file")
        }
        var k = file.window(seekKeys, nbytesKeys, object: what + " key list")
        _ = try Key(cursor: &k, file: file) // the directory's own key, repeated
        let n = Int(try k.i32())
        guard n >= 0, n <= k.remaining / 26 else { throw k.error("implausible key count \(n)") }
        var list: [Key] = []
        list.reserveCapacity(n)
        for _ in 0..<n { list.append(try Key(cursor: &k, file: file)) }
        keys = list
    }

    /// The highest cycle of the key named `name`, if any.
    public func key(_ name: String) -> Key? {
        keys.filter { $0.name == name }.max { $0.cycle < $1.cycle }
    }

    public func subdirectory(_ name: String) throws -> Directory? {
        guard let k = key(name), k.className == "TDirectoryFile" || k.className == "TDirectory" else { return nil }
        return try Directory(
            file: file, name: name, at: k.seekKey + k.keylen, path: path.isEmpty ? name : path + "/" + name)
    }

    /// Every key below this directory, as (path, key), with subdirectories expanded.
    public func walk() throws -> [(String, Key)] {
        var out: [(String, Key)] = []
        for k in keys {
            let p = path.isEmpty ? k.name : path + "/" + k.name
            out.append((p, k))
            if k.className == "TDirectoryFile" || k.className == "TDirectory", let sub = try subdirectory(k.name) {
                out += try sub.walk()
            }
        }
        return out
    }
}
