import CFITSIO
import Foundation

/// One open FITS file. Not shareable across threads: cfitsio handles are per-thread
/// (Debian's cfitsio is reentrant, so separate handles on separate tasks are fine).
public final class FITSFile {
    public let path: String
    private var fptr: UnsafeMutablePointer<fitsfile>?
    /// Set when an HDU holds CONTINUE cards, so LONGSTRN is written once in it (fitsverify warns otherwise).
    private var longStringsInHDU = false
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
        FITSFile.memoryDriver.withLock { _ = ffimem(&f, memory.buffer, memory.size, 2880 * 64, zeroingRealloc, &status) }
        if status != 0 {
            throw FITSError(file: name, hdu: nil, context: "cannot create file", status: status, detail: FITSError.cfitsioText(status))
        }
        let file = FITSFile(path: name, fptr: f)
        file.memory = memory
        return file
    }

    /// realloc for cfitsio's memory files, with what it adds zeroed, as `MemoryFile.emptyBuffer` is.
    private static let zeroingRealloc: @convention(c) (UnsafeMutableRawPointer?, Int) -> UnsafeMutableRawPointer? = { p, n in
        let old = p.map { malloc_usable_size($0) } ?? 0
        guard let q = realloc(p, n) else { return nil }
        if n > old { memset(q + old, 0, n - old) }
        return q
    }

    /// Closes a file made by `createInMemory`, whose current HDU is its last, and writes its bytes
    /// to `path` (created; it must not exist), in one write.
    public func close(writingTo path: String) throws {
        guard let memory else { throw FITSError(file: self.path, hdu: nil, context: "not an in-memory file") }
        // The file ends where the data (padded to 2880 bytes) of its last HDU, the one written last,
        // ends; the buffer is larger (cfitsio grows it in steps), so its size says nothing.
        var status: Int32 = 0
        ffflus(try handle(), &status)
        try check(status, "flushing the file")
        let size = try byteRange().dataEnd
        try close()
        guard let bytes = memory.buffer.pointee, size <= memory.size.pointee else {
            throw FITSError(file: path, hdu: nil, context: "cannot write the file", detail: "in-memory file of \(memory.size.pointee) bytes, \(size) expected")
        }
        if Reproducible.epoch != nil {
            Reproducible.restampChecksums(bytes, size: size, stamp: Reproducible.utcTimestamp(Reproducible.now))
        }
        let fd = Foundation.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FITSError(file: path, hdu: nil, context: "cannot create file", detail: String(cString: strerror(errno))) }
        defer { Foundation.close(fd) }
        var written = 0
        while written < size {
            let n = Foundation.write(fd, bytes + written, size - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw FITSError(file: path, hdu: nil, context: "cannot write the file", detail: String(cString: strerror(errno))) }
            written += n
        }
        // On disk before the caller renames it into place: a crash then leaves the old file or the
        // new one, never a name pointing at blocks not yet written.
        guard fsync(fd) == 0 else { throw FITSError(file: path, hdu: nil, context: "cannot write the file", detail: "fsync: \(String(cString: strerror(errno)))") }
    }

    /// Creates a new file. Fails if `path` exists: callers write to a temporary name and rename.
    public static func create(path: String) throws -> FITSFile {
        var f: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        ffdkinit(&f, path, &status)          // literally this name (no '!' clobber, no extended syntax)
        if status != 0 {
            throw FITSError(file: path, hdu: nil, context: "cannot create file", status: status,
                            detail: FITSError.cfitsioText(status))
        }
        return FITSFile(path: path, fptr: f)
    }

    /// Opens `path`. A truncated file (or one whose header declares more than it holds) is an
    /// error, unless `keepingCompleteHDUs`: the HDUs before the damage are then readable and
    /// `damage` says what follows them (for `convert --skip-damaged`).
    public static func open(path: String, mode: Mode = .readOnly, keepingCompleteHDUs: Bool = false) throws -> FITSFile {
        // cfitsio's network drivers are not linked in (see CNetworkStubs): say so, instead of the
        // driver's own message about a libcurl without SSL.
        if let scheme = Self.remoteScheme(path) {
            throw FITSError(file: path, hdu: nil, context: "cannot open as FITS",
                            detail: "\(scheme):// URLs are not read; download the file and give its local path")
        }
        var f: UnsafeMutablePointer<fitsfile>?
        var status: Int32 = 0
        // A file:// URL is the one form read as a URL: its path is the name.
        let name = path.hasPrefix("file://") ? String(path.dropFirst(7)) : path
        var info = stat()
        guard stat(name, &info) == 0 else {
            throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", status: Int32(FILE_NOT_OPENED), detail: "no such file")
        }
        // Only regular files: a FIFO would block the open, a device would be read without end.
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "not a regular file")
        }
        if mode == .readOnly, let gz = try MemoryFile.inflate(path: name) {
            // ffomem parses its name argument with the extended file-name syntax (a '[1]' in it would
            // select an HDU), so the user's path is not passed; messages name the path themselves.
            if let bytes = gz.buffer.pointee {
                let head = [UInt8](UnsafeRawBufferPointer(start: bytes, count: min(4096, gz.size.pointee)))
                if !ContentSniff.isFITS(head) {
                    throw FITSError(file: path, hdu: nil, context: "not a FITS file",
                                    detail: "the gzip file inflates to \(gz.size.pointee) bytes that are not FITS (it looks like \(ContentSniff.describe(head)))")
                }
            }
            // cfitsio's memory driver reads past the buffer of a truncated file (SIGSEGV): the
            // headers are measured against the inflated size first, and missing padding is added.
            var layout = gz.layout()
            if let problem = layout.problem {
                guard keepingCompleteHDUs, let last = layout.extents.last else {
                    throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "inflated content of \(gz.size.pointee) bytes: \(problem)")
                }
                // cfitsio is shown only the complete HDUs: the buffer ends where the last one does.
                layout.problem = "inflated content of \(gz.size.pointee) bytes: \(problem)"
                gz.cut(at: min(last.paddedEnd, gz.size.pointee))
            }
            if layout.missingPadding || layout.problem != nil, let last = layout.extents.last {
                guard gz.pad(to: last.paddedEnd) else { throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: "out of memory") }
            }
            FITSFile.memoryDriver.withLock { _ = ffomem(&f, "inflated", READONLY, gz.buffer, gz.size, 0, nil, &status) }
            if status != 0 {
                throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", status: status,
                                detail: "the gzip file inflates to \(gz.size.pointee) bytes that are not FITS (\(FITSError.cfitsioText(status)))")
            }
            let file = FITSFile(path: path, fptr: f)
            file.memory = gz
            file.layout = layout
            return file
        }
        // A file name is only a name: the disk driver takes it literally, without cfitsio's extended
        // file-name syntax (brackets, commas, '+n', a leading '!' or '-', 'mem://', compressed-file guesses).
        // Something else entirely (XML, JSON, HDF5, ...) is named, not handed to cfitsio, whose
        // complaint about the "primary array header" would say less and may quote the bytes.
        if let head = ContentSniff.head(path: name), !head.isEmpty, !ContentSniff.isFITS(head) {
            throw FITSError(file: path, hdu: nil, context: "not a FITS file", detail: "it looks like \(ContentSniff.describe(head))")
        }
        let layout = mode == .readOnly ? HDULayout.walk(path: name, size: Int(info.st_size)) : HDULayout()
        if let problem = layout.problem, !keepingCompleteHDUs || layout.extents.isEmpty {
            throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", detail: problem)
        }
        ffdkopn(&f, name, mode == .readOnly ? READONLY : READWRITE, &status)
        if status != 0 {
            throw FITSError(file: path, hdu: nil, context: "cannot open as FITS", status: status,
                            detail: FITSError.cfitsioText(status))
        }
        let file = FITSFile(path: path, fptr: f)
        file.layout = layout
        return file
    }

    /// The scheme of a remote URL (http, https, ftp, ftps, s3, ...); nil for local paths and file://.
    static func remoteScheme(_ path: String) -> String? {
        guard let r = path.range(of: "://") else { return nil }
        let scheme = path[..<r.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme != "file", scheme.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "+" }) else { return nil }
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

    private func check(_ status: Int32, _ context: @autoclosure () -> String) throws {
        guard status != 0 else { return }
        throw FITSError(file: path, hdu: currentHDUOrNil, context: context(), status: status,
                        detail: FITSError.cfitsioText(status))
    }

    private func handle() throws -> UnsafeMutablePointer<fitsfile> {
        guard let f = fptr else { throw FITSError(file: path, hdu: nil, context: "file is closed") }
        return f
    }

    private var currentHDUOrNil: Int? {
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
            throw FITSError(file: path, hdu: nil, context: "HDU \(number - 1) cannot be read", status: status, detail: FITSError.cfitsioText(status))
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

    // MARK: - Creating HDUs

    /// Writes an empty primary HDU (NAXIS = 0), the usual first HDU of a table file.
    public func createPrimaryHDU() throws {
        var status: Int32 = 0
        var axes: [Int] = []
        ffcrim(try handle(), BYTE_IMG, 0, &axes, &status)
        try check(status, "creating primary HDU")
        longStringsInHDU = false
    }

    /// Appends a BINTABLE with these columns and `rows` rows (zero-filled until written).
    public func createBinaryTable(name: String, columns: [ColumnSpec], rows: Int) throws {
        let f = try handle()
        var status: Int32 = 0
        var ttype = columns.map { strdup($0.name) }
        var tform = columns.map { strdup($0.tform) }
        var tunit = columns.map { strdup($0.unit ?? "") }
        var extname = Array(name.utf8CString)
        defer { (ttype + tform + tunit).forEach { free($0) } }
        ffcrtb(f, BINARY_TBL, Int64(rows), Int32(columns.count), &ttype, &tform, &tunit, &extname, &status)
        try check(status, "creating table \(name)")
        longStringsInHDU = false
        for (i, c) in columns.enumerated() {
            // An empty TUNIT says nothing; drop it so readers do not see a blank unit.
            if c.unit == nil || c.unit == "" {
                ffdkey(f, "TUNIT\(i + 1)", &status)
                if status == KEY_NO_EXIST { status = 0; ffcmsg() }
            }
            if let dims = c.dims {
                var d = dims
                ffptdm(f, Int32(i + 1), Int32(d.count), &d, &status)
            }
            try check(status, "declaring column \(c.name)")
        }
    }

    // MARK: - Writing keywords

    public func write(_ card: HeaderCard) throws {
        try write(card.name, card.value, comment: card.comment)
    }

    public func write(_ name: String, _ value: HeaderValue?, comment: String = "") throws {
        let f = try handle()
        var status: Int32 = 0
        var key = Array(name.utf8CString)
        var com = Array(comment.utf8CString)
        switch value {
        case nil:
            // Wrap at word boundaries (cfitsio would split long text mid-word across cards).
            for line in Self.wrap(comment, width: 70) {
                if name == "HISTORY" { ffphis(f, line, &status) } else { ffpcom(f, line, &status) }
            }
        case .string(let s):
            var v = Array(s.utf8CString)
            if s.utf8.count > 68 {
                // Long strings need the OGIP CONTINUE convention, declared once per HDU.
                if !longStringsInHDU {
                    ffplsw(f, &status)
                    longStringsInHDU = true
                }
                ffpkls(f, &key, &v, &com, &status)
            } else {
                ffpkys(f, &key, &v, &com, &status)
            }
        case .int(let i):
            ffpkyj(f, &key, i, &com, &status)
        case .double(let d):
            ffpkyd(f, &key, d, Self.shortestDecimals(d), &com, &status)
        case .bool(let b):
            ffpkyl(f, &key, b ? 1 : 0, &com, &status)
        }
        try check(status, "writing keyword \(name)")
    }

    /// Splits text into lines of at most `width` characters, breaking at spaces where possible.
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            var w = Substring(word)
            while w.count > width {                       // a single over-long word is cut
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(w.prefix(width)))
                w = w.dropFirst(width)
            }
            if current.isEmpty { current = String(w) } else if current.count + 1 + w.count <= width { current += " " + w } else {
                lines.append(current)
                current = String(w)
            }
        }
        lines.append(current)
        return lines
    }

    /// cfitsio's `decimals < 0` means %G with that many significant digits. Use the fewest
    /// that still round-trip exactly, so 2000.0 stays "2000.0" and 1/3 keeps all 17 digits.
    static func shortestDecimals(_ d: Double) -> Int32 {
        guard d.isFinite else { return -17 }
        for digits in 1...17 {
            let s = String(format: "%.\(digits)G", d)
            if Double(s) == d { return Int32(-digits) }
        }
        return -17
    }

    /// Writes CHECKSUM and DATASUM for the current HDU. Call last, after all keywords and data.
    public func writeChecksum() throws {
        var status: Int32 = 0
        ffpcks(try handle(), &status)
        try check(status, "writing CHECKSUM/DATASUM")
    }

    public enum ChecksumState: Sendable, Equatable { case valid, invalid, absent }

    /// Verifies CHECKSUM (whole HDU) and DATASUM (data part) of the current HDU.
    public func verifyChecksum() throws -> (hdu: ChecksumState, data: ChecksumState) {
        var dataok: Int32 = 0
        var hduok: Int32 = 0
        var status: Int32 = 0
        ffvcks(try handle(), &dataok, &hduok, &status)
        try check(status, "verifying checksums")
        func state(_ v: Int32) -> ChecksumState { v == 1 ? .valid : (v == 0 ? .absent : .invalid) }
        return (state(hduok), state(dataok))
    }

    // MARK: - Reading keywords

    /// Every card of the current HDU, with long (CONTINUE) strings joined.
    public func readHeader() throws -> [HeaderCard] {
        let f = try handle()
        var status: Int32 = 0
        var nkeys: Int32 = 0
        var more: Int32 = 0
        ffghsp(f, &nkeys, &more, &status)
        try check(status, "reading header size")
        var cards: [HeaderCard] = []
        cards.reserveCapacity(Int(nkeys))
        var name = [CChar](repeating: 0, count: Int(FLEN_KEYWORD))
        var value = [CChar](repeating: 0, count: Int(FLEN_VALUE))
        var comment = [CChar](repeating: 0, count: Int(FLEN_COMMENT))
        var record = [CChar](repeating: 0, count: Int(FLEN_CARD))
        // The string card that a CONTINUE card would extend (its value ended in '&').
        var open: (card: Int, text: String)? = nil
        for i in 1...max(nkeys, 1) where nkeys > 0 {
            ffgkyn(f, i, &name, &value, &comment, &status)
            try check(status, "reading header card \(i)")
            let key = Self.string(name)
            let com = Self.string(comment)
            if key == "CONTINUE" {
                // Long strings (the CONTINUE convention): the quoted text from column 11 on. Joined
                // here, card by card, rather than by asking cfitsio for the keyword by name, which
                // searches the header again for every string (quadratic in the header's length).
                ffgrec(f, i, &record, &status)
                try check(status, "reading header card \(i)")
                if let o = open, case .string(let head)? = cards[o.card].value {
                    let part = Self.unquote(String(Self.string(record).dropFirst(10)).trimmedBlanks) ?? ""
                    let joined = String(head.dropLast()) + part
                    cards[o.card].value = .string(joined)
                    open = part.hasSuffix("&") ? (o.card, joined) : nil
                }
                continue
            }
            open = nil
            if key == "COMMENT" || key == "HISTORY" || key.isEmpty {
                // ffgkyn puts a value-less card's text in `comment`.
                cards.append(HeaderCard(key.isEmpty ? "COMMENT" : key, nil, comment: com))
                continue
            }
            let raw = Self.string(value)
            let parsed = try parseValue(raw, key: key)
            cards.append(HeaderCard(key, parsed, comment: com))
            if case .string(let text)? = parsed, text.hasSuffix("&") { open = (cards.count - 1, text) }
        }
        return cards
    }

    /// The text of a FITS string value `'...'` ('' is a quote; trailing blanks are not significant).
    /// Works on the bytes: headers hold hundreds of these per file.
    static func unquote(_ raw: String) -> String? {
        var raw = raw
        return raw.withUTF8 { b -> String? in
            guard b.first == UInt8(ascii: "'") else { return nil }
            let quote = UInt8(ascii: "'")
            var out: [UInt8] = []
            out.reserveCapacity(b.count)
            var i = 1
            while i < b.count {
                if b[i] == quote {
                    guard i + 1 < b.count, b[i + 1] == quote else { break }
                    out.append(quote)
                    i += 2
                } else {
                    out.append(b[i])
                    i += 1
                }
            }
            while out.last == UInt8(ascii: " ") { out.removeLast() }
            return String(decoding: out, as: UTF8.self)
        }
    }

    private func parseValue(_ raw: String, key: String) throws -> HeaderValue? {
        if raw.isEmpty { return nil }
        if let text = Self.unquote(raw) { return .string(text) }
        if raw == "T" { return .bool(true) }
        if raw == "F" { return .bool(false) }
        if let i = Int64(raw) { return .int(i) }
        // FITS allows D as exponent letter.
        if let d = Double(raw) ?? (raw.contains("D") ? Double(raw.replacingOccurrences(of: "D", with: "E")) : nil) { return .double(d) }
        return .string(raw)
    }

    public func readKey(_ name: String) throws -> HeaderValue? {
        try readHeader()[key: name]
    }

    static func string(_ buf: [CChar]) -> String {
        String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: - Table structure

    public var rowCount: Int {
        get throws {
            var n: Int64 = 0
            var status: Int32 = 0
            ffgnrwll(try handle(), &n, &status)
            try check(status, "counting rows")
            return Int(n)
        }
    }

    /// Columns of the current BINTABLE, with TUNIT and TDIM; `header` is the HDU's, when the caller
    /// has read it already.
    public func columns(header given: [HeaderCard]? = nil) throws -> [ColumnInfo] {
        let f = try handle()
        var status: Int32 = 0
        var ncols: Int32 = 0
        ffgncl(f, &ncols, &status)
        try check(status, "counting columns")
        let header = try given ?? readHeader()
        var out: [ColumnInfo] = []
        for i in 1...max(ncols, 1) where ncols > 0 {
            guard let tform = header[key: "TFORM\(i)"]?.stringValue,
                  let letter = tform.trimmedBlanks.last(where: { $0.isLetter }),
                  let type = ColumnType(tformLetter: letter) else {
                throw FITSError(file: path, hdu: currentHDU, context: "column \(i) has an unsupported TFORM")
            }
            var typecode: Int32 = 0
            var rep: Int64 = 0
            var width: Int64 = 0
            ffgtclll(f, i, &typecode, &rep, &width, &status)
            try check(status, "reading type of column \(i)")
            let name = header[key: "TTYPE\(i)"]?.stringValue ?? "COL\(i)"
            let unit = header[key: "TUNIT\(i)"]?.stringValue
            var dims: [Int]? = nil
            if header[key: "TDIM\(i)"] != nil {
                var naxis: Int32 = 0
                var naxes = [Int64](repeating: 0, count: 8)
                ffgtdmll(f, i, 8, &naxis, &naxes, &status)
                try check(status, "reading TDIM of column \(name)")
                dims = naxes.prefix(Int(naxis)).map { Int($0) }
            }
            let repeatCount = type == .string ? Int(width == 0 ? rep : rep) : Int(rep)
            out.append(ColumnInfo(spec: ColumnSpec(name, type, repeatCount: repeatCount, unit: unit, dims: dims),
                                  number: Int(i)))
        }
        return out
    }

    // MARK: - Column data

    /// Writes `data` into column `number` (1-based) starting at row `firstRow` (1-based).
    public func write(column number: Int, spec: ColumnSpec, firstRow: Int, data: ColumnData) throws {
        let f = try handle()
        guard data.matches(spec.type) else {
            throw FITSError(file: path, hdu: currentHDU, context: "column \(spec.name): data type does not match TFORM \(spec.tform)")
        }
        var status: Int32 = 0
        let col = Int32(number)
        let row = Int64(firstRow)
        func put<T>(_ type: Int32, _ values: [T]) {
            var v = values
            _ = v.withUnsafeMutableBytes { buf in
                ffpcl(f, type, col, row, 1, Int64(values.count), buf.baseAddress, &status)
            }
        }
        switch data {
        case .int64(let v): put(TLONGLONG, v)
        case .int32(let v): put(TINT, v)
        case .int16(let v): put(TSHORT, v)
        case .uint8(let v): put(TBYTE, v)
        case .float32(let v): put(TFLOAT, v)
        case .float64(let v): put(TDOUBLE, v)
        case .logical(let v): put(TLOGICAL, v.map { CChar($0 ? 1 : 0) })
        case .bits(let v):
            // X columns: cfitsio maps each TBYTE value to 8 bits of the field.
            put(TBYTE, v)
        case .string(let v):
            var ptrs = v.map { strdup($0) }
            defer { ptrs.forEach { free($0) } }
            ffpcls(f, col, row, 1, Int64(v.count), &ptrs, &status)
        }
        try check(status, "writing column \(spec.name) at row \(firstRow)")
    }

    /// Reads `rows` rows of column `info` starting at `firstRow` (1-based).
    public func read(column info: ColumnInfo, firstRow: Int = 1, rows: Int) throws -> ColumnData {
        let f = try handle()
        var status: Int32 = 0
        var anynul: Int32 = 0
        let col = Int32(info.number)
        let n = rows * info.spec.valuesPerRow
        func get<T>(_ type: Int32, _ zero: T) -> [T] {
            var out = [T](repeating: zero, count: n)
            if n > 0 {
                _ = out.withUnsafeMutableBytes { buf in
                    ffgcv(f, type, col, Int64(firstRow), 1, Int64(n), nil, buf.baseAddress, &anynul, &status)
                }
            }
            return out
        }
        let result: ColumnData
        switch info.spec.type {
        case .int64: result = .int64(get(TLONGLONG, Int64(0)))
        case .int32: result = .int32(get(TINT, Int32(0)))
        case .int16: result = .int16(get(TSHORT, Int16(0)))
        case .uint8: result = .uint8(get(TBYTE, UInt8(0)))
        case .float32: result = .float32(get(TFLOAT, Float(0)))
        case .float64: result = .float64(get(TDOUBLE, Double(0)))
        case .logical: result = .logical(get(TLOGICAL, CChar(0)).map { $0 != 0 })
        case .bits: result = .bits(get(TBYTE, UInt8(0)))
        case .string:
            let width = info.spec.repeatCount + 1
            let bufs = (0..<rows).map { _ in UnsafeMutablePointer<CChar>.allocate(capacity: width) }
            defer { bufs.forEach { $0.deallocate() } }
            var ptrs: [UnsafeMutablePointer<CChar>?] = bufs
            if rows > 0 {
                var nul = Array("".utf8CString)
                ffgcvs(f, col, Int64(firstRow), 1, Int64(rows), &nul, &ptrs, &anynul, &status)
            }
            result = .string(status == 0 ? ptrs.map { String(cString: $0!) } : [])
        }
        try check(status, "reading column \(info.spec.name) rows \(firstRow)...\(firstRow + rows - 1)")
        return result
    }

    /// Rows per cfitsio I/O buffer: the natural chunk for row-wise writes.
    public var optimalRowChunk: Int {
        get throws {
            var n: Int = 0
            var status: Int32 = 0
            ffgrsz(try handle(), &n, &status)
            try check(status, "querying optimal row chunk")
            return max(n, 1)
        }
    }
}
