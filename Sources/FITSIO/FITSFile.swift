import CDeflate
import CFITSIO
import Foundation

/// One open FITS file. Not shareable across threads: cfitsio handles are per-thread
/// (Debian's cfitsio is reentrant, so separate handles on separate tasks are fine).
public final class FITSFile {
    public let path: String
    var fptr: UnsafeMutablePointer<fitsfile>?
    /// Set when an HDU holds CONTINUE cards, so LONGSTRN is written once in it (fitsverify warns otherwise).
    var longStringsInHDU = false
    /// The bytes of a file cfitsio keeps in memory (an inflated gzip file, or one being written);
    /// freed after the handle.
    private var memory: MemoryFile?
    /// Where the HDUs lie, from the headers (files opened for reading).
    public private(set) var layout = HDULayout()
    /// Why the file ends early, when it was opened with `keepingCompleteHDUs` and does: only the
    /// HDUs before the damage are then offered (`hduCount`).
    public var damage: String? { layout.problem }

    public enum Mode { case readOnly, readWrite }

    private init(path: String, fptr: UnsafeMutablePointer<fitsfile>?) {
        self.path = path
        self.fptr = fptr
    }

    /// cfitsio's memory driver claims a slot of its global file table without a lock (drvrmem.c,
    /// mem_openmem), so two threads opening memory files at once could share one: our opens of
    /// memory files take turns.
    static let memoryDriver = NSLock()

    /// Creates a new file in memory, written to disk by `close(writingTo:)`. cfitsio writes a
    /// file on disk record by record (an lseek and a write per 2880 bytes: ~135 system calls for a
    /// 140 KB IRF file); from memory it is one write. `name` is used in messages only.
    public static func createInMemory(name: String) throws -> FITSFile {
        let memory = MemoryFile.emptyBuffer()
        var f: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        FITSFile.memoryDriver.withLock {
            _ = ffimem(&f, memory.buffer, memory.size, 2880 * 64, zeroingRealloc, &status)
        }
        if status != 0 {
            throw FITSError(
                file: name, hdu: nil, context: "cannot create file", status: status,
                detail: FITSError.cfitsioText(status))
        }
        let file = FITSFile(path: name, fptr: f)
        file.memory = memory
        return file
    }

    /// realloc for cfitsio's memory files, with what it adds zeroed, as `MemoryFile.emptyBuffer` is.
    private static let zeroingRealloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = {
        p, n in
        let old = p.map { malloc_usable_size($0) } ?? 0
        guard let q = realloc(p, n) else { return nil }
        if n > old { memset(q + old, 0, n - old) }
        return q
    }

    /// Closes a file made by `createInMemory`, whose current HDU is its last, and writes its bytes
    /// to `path` (created; it must not exist), in one write.
    /// The in-memory file and writes its bytes to `path` (created, never replaced), fsync'd;
    /// `gzip` writes one gzip member (libdeflate at `gzipLevel`; its header carries no time or name, so
    /// one content gives one file).
    /// With `sync` false the fsync is left to the caller, who makes a whole batch durable at once
    /// (`FileSystemSync`).
    public func close(writingTo path: String, gzip: Bool = false, sync: Bool = true) throws {
        guard let memory else { throw FITSError(file: self.path, hdu: nil, context: "not an in-memory file") }
        // The file ends where the data (padded to 2880 bytes) of its last HDU, the one written last,
        // ends; the buffer is larger (cfitsio grows it in steps), so its size says nothing.
        var status: Int32 = 0
        ffflus(try handle(), &status)
        try check(status, "flushing the file")
        let size = try byteRange().dataEnd
        try close()
        guard let bytes = memory.buffer.pointee, size <= memory.size.pointee else {
            throw FITSError(
                file: path, hdu: nil, context: "cannot write the file",
                detail: "in-memory file of \(memory.size.pointee) bytes, \(size) expected")
        }
        if Reproducible.epoch != nil {
            Reproducible.restampChecksums(bytes, size: size, stamp: Reproducible.utcTimestamp(Reproducible.now))
        }
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw FITSError(
                file: path, hdu: nil, context: "cannot create file", detail: String(cString: strerror(errno)))
        }
        defer { Foundation.close(fd) }
        if gzip {
            let member = try Self.gzipped(bytes, size, path: path)
            try member.withUnsafeBufferPointer { try Self.writeAll(fd, $0.baseAddress!, $0.count, path: path) }
        } else {
            try Self.writeAll(fd, bytes, size, path: path)
        }
        // On disk before the caller renames it into place: a crash then leaves the old file or the
        // new one, never a name pointing at blocks not yet written.
        guard !sync || fsync(fd) == 0 else {
            throw FITSError(
                file: path, hdu: nil, context: "cannot write the file",
                detail: "fsync: \(String(cString: strerror(errno)))")
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawPointer, _ size: Int, path: String) throws {
        var written = 0
        while written < size {
            let n = Foundation.write(fd, bytes + written, size - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw FITSError(
                    file: path, hdu: nil, context: "cannot write the file", detail: String(cString: strerror(errno)))
            }
            written += n
        }
    }

    /// libdeflate's level for `.gz` outputs. 6 (its default): on the H.E.S.S. DR1 runs level 9
    /// took 95% of an upgrade for files a few per cent smaller.
    static let gzipLevel: Int32 = 6

    /// One gzip member of `size` bytes (libdeflate, `gzipLevel`).
    private static func gzipped(_ bytes: UnsafeRawPointer, _ size: Int, path: String) throws -> [UInt8] {
        guard let c = libdeflate_alloc_compressor(Self.gzipLevel) else {
            throw FITSError(file: path, hdu: nil, context: "cannot start the gzip compressor")
        }
        defer { libdeflate_free_compressor(c) }
        let bound = libdeflate_gzip_compress_bound(c, size)
        var out = [UInt8](repeating: 0, count: bound)
        let n = out.withUnsafeMutableBufferPointer { libdeflate_gzip_compress(c, bytes, size, $0.baseAddress, bound) }
        guard n > 0 else {
            throw FITSError(file: path, hdu: nil, context: "cannot write the file", detail: "gzip compression failed")
        }
        out.removeSubrange(n...)
        return out
    }

    /// Creates a new file. Fails if `path` exists: callers write to a temporary name and rename.
    public static func create(path: String) throws -> FITSFile {
        var f: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        ffdkinit(&f, path, &status) // literally this name (no '!' clobber, no extended syntax)
        if status != 0 {
            throw FITSError(
                file: path, hdu: nil, context: "cannot create file", status: status,
                detail: FITSError.cfitsioText(status))
        }
        return FITSFile(path: path, fptr: f)
    }

    /// Opens `path`. A truncated file (or one whose header declares more than it holds) is an
    /// error, unless `keepingCompleteHDUs`: the HDUs before the damage are then readable and
    /// `damage` says what follows them (for `convert --skip-damaged`).
    public static func open(path: String, mode: Mode = .readOnly, keepingCompleteHDUs: Bool = false) throws -> FITSFile
    {
        // cfitsio's network drivers are not linked in (see CNetworkStubs): say so, instead of the
        // driver's own message about a libcurl without SSL.
        if let scheme = Self.remoteScheme(path) {
            throw FITSError(
                file: path, hdu: nil, context: "cannot open as FITS",
                detail: "\(scheme):// URLs are not read; download the file and give its local path")
        }
        var f: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        // A file:// URL is the one form read as a URL: its path is the name.
        let name = path.hasPrefix("file://") ? String(path.dropFirst(7)) : path
        var info = stat()
        guard stat(name, &info) == 0 else {
            throw FITSError(
                file: path, hdu: nil, context: "cannot open as FITS", status: Int32(FILE_NOT_OPENED),
                detail: "no such file")
        }
        // Only regular files: a FIFO would block the open, a device would be read without end.
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "not a regular file")
        }
        if mode == .readOnly, let gz = try MemoryFile.inflate(path: name) {
            return try openInflated(gz, path: path, keepingCompleteHDUs: keepingCompleteHDUs)
        }
        // A file name is only a name: the disk driver takes it literally, without cfitsio's extended
        // file-name syntax (brackets, commas, '+n', a leading '!' or '-', 'mem://', compressed-file guesses).
        // Something else entirely (XML, JSON, HDF5, ...) is named, not handed to cfitsio, whose
        // complaint about the "primary array header" would say less and may quote the bytes.
        if let head = ContentSniff.head(path: name), !head.isEmpty, !ContentSniff.isFITS(head) {
            throw FITSError(
                file: path, hdu: nil, context: "not a FITS file", detail: "it looks like \(ContentSniff.describe(head))"
            )
        }
        let layout = mode == .readOnly ? HDULayout.walk(path: name, size: Int(info.st_size)) : HDULayout()
        if let problem = layout.problem, !keepingCompleteHDUs || layout.extents.isEmpty {
            throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: problem)
        }
        ffdkopn(&f, name, mode == .readOnly ? READONLY : READWRITE, &status)
        if status != 0 {
            throw FITSError(
                file: path, hdu: nil, context: "cannot open as FITS", status: status,
                detail: FITSError.cfitsioText(status))
        }
        let file = FITSFile(path: path, fptr: f)
        file.layout = layout
        return file
    }

    /// A gzip file, inflated in memory and opened with cfitsio's memory driver.
    static func openInflated(_ gz: MemoryFile, path: String, keepingCompleteHDUs: Bool) throws -> FITSFile {
        var f: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        // ffomem parses its name argument with the extended file-name syntax (a '[1]' in it would
        // select an HDU), so the user's path is not passed; messages name the path themselves.
        if let bytes = gz.buffer.pointee {
            let head = [UInt8](UnsafeRawBufferPointer(start: bytes, count: min(4096, gz.size.pointee)))
            if !ContentSniff.isFITS(head) {
                throw FITSError(
                    file: path, hdu: nil, context: "not a FITS file",
                    detail:
                        "the gzip file inflates to \(gz.size.pointee) bytes that are not FITS (it looks like \(ContentSniff.describe(head)))"
                )
            }
        }
        // cfitsio's memory driver reads past the buffer of a truncated file (SIGSEGV): the
        // headers are measured against the inflated size first, and missing padding is added.
        var layout = gz.layout()
        if let problem = layout.problem {
            guard keepingCompleteHDUs, let last = layout.extents.last else {
                throw FITSError(
                    file: path, hdu: nil, context: "cannot open as FITS",
                    detail: "inflated content of \(gz.size.pointee) bytes: \(problem)")
            }
            // cfitsio is shown only the complete HDUs: the buffer ends where the last one does.
            layout.problem = "inflated content of \(gz.size.pointee) bytes: \(problem)"
            gz.cut(at: min(last.paddedEnd, gz.size.pointee))
        }
        if layout.missingPadding || layout.problem != nil, let last = layout.extents.last {
            guard gz.pad(to: last.paddedEnd) else {
                throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "out of memory")
            }
        }
        FITSFile.memoryDriver.withLock { _ = ffomem(&f, "inflated", READONLY, gz.buffer, gz.size, 0, nil, &status) }
        if status != 0 {
            throw FITSError(
                file: path, hdu: nil, context: "cannot open as FITS", status: status,
                detail:
                    "the gzip file inflates to \(gz.size.pointee) bytes that are not FITS (\(FITSError.cfitsioText(status)))"
            )
        }
        let file = FITSFile(path: path, fptr: f)
        file.memory = gz
        file.layout = layout
        return file
    }

    /// The scheme of a remote URL (http, https, ftp, ftps, s3, ...); nil for local paths and file://.
    static func remoteScheme(_ path: String) -> String? {
        guard let r = path.range(of: "://") else { return nil }
        let scheme = path[..<r.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme != "file", scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" }) else {
            return nil
        }
        return scheme
    }

    deinit {
        if fptr != nil {
            var status: Int32 = 0
            ffclos(fptr, &status)
        }
    }

    /// Closes the file, flushing what was written. Errors on flush are reported.
    public func close() throws {
        guard fptr != nil else { return }
        var status: Int32 = 0
        ffclos(fptr, &status)
        fptr = nil
        try check(status, "closing file")
    }

    // MARK: - Errors

    func check(_ status: Int32, _ context: @autoclosure () -> String) throws {
        guard status != 0 else { return }
        throw FITSError(
            file: path, hdu: currentHDUOrNil, context: context(), status: status,
            detail: FITSError.cfitsioText(status))
    }

    func handle() throws -> UnsafeMutablePointer<fitsfile> {
        guard let f = fptr else { throw FITSError(file: path, hdu: nil, context: "file is closed") }
        return f
    }

    var currentHDUOrNil: Int? {
        guard let f = fptr else { return nil }
        var n: Int32 = 0
        ffghdn(f, &n)
        return Int(n)
    }

    // MARK: - HDU navigation

    public var hduCount: Int {
        get throws {
            var n: Int32 = 0
            var status: Int32 = 0
            ffthdu(try handle(), &n, &status)
            try check(status, "counting HDUs")
            // cfitsio counts the HDUs it could open and stops at one it cannot (a TFORM that does
            // not fit NAXIS1): the layout's count is what the file holds, so moving to that HDU
            // then fails with cfitsio's reason instead of the file seeming shorter than it is.
            // A damaged file opened for its complete HDUs offers those only.
            return layout.problem != nil ? layout.extents.count : max(Int(n), layout.extents.count)
        }
    }

    /// 1-based number of the current HDU.
    public var currentHDU: Int { currentHDUOrNil ?? 0 }

    public enum HDUType: Sendable { case image, asciiTable, binaryTable }

    /// Moves to HDU `number` (1-based; 1 is the primary HDU).
    @discardableResult
    public func moveTo(hdu number: Int) throws -> HDUType {
        var type: Int32 = 0
        var status: Int32 = 0
        ffmahd(try handle(), Int32(number), &type, &status)
        if status != 0 {
            // Named 0-based, as `inspect` lists HDUs and the validator reports them.
            throw FITSError(
                file: path, hdu: nil, context: "HDU \(number - 1) cannot be read", status: status,
                detail: FITSError.cfitsioText(status))
        }
        switch type {
        case Int32(BINARY_TBL): return .binaryTable
        case Int32(ASCII_TBL): return .asciiTable
        default: return .image
        }
    }

    /// Byte offsets of the current HDU: header start, data start, and the end of its data
    /// (padded to 2880). A file shorter than `dataEnd` of its last HDU is truncated.
    public func byteRange() throws -> (headerStart: Int, dataStart: Int, dataEnd: Int) {
        var head: LONGLONG = 0
        var data: LONGLONG = 0
        var end: LONGLONG = 0
        var status: Int32 = 0
        ffghadll(try handle(), &head, &data, &end, &status)
        try check(status, "reading the HDU's byte offsets")
        return (Int(head), Int(data), Int(end))
    }
}
