import Foundation

/// What a file that is not FITS looks like, from its first bytes, so that an error can say
/// "it looks like JSON" instead of a FITS parser's complaint (which may quote the bytes).
public enum ContentSniff {
    /// The first bytes of a FITS file: a primary header's first card.
    static let fitsMagic = Array("SIMPLE  =".utf8)

    /// Whether `head` (the file's first bytes) starts like FITS.
    public static func isFITS(_ head: [UInt8]) -> Bool { head.starts(with: fitsMagic) }

    /// A short description of what `head` looks like: "XML (a VOEvent)", "JSON", "HDF5", "ROOT",
    /// "PNG", "gzip", "text", "binary data". Never the bytes themselves.
    public static func describe(_ head: [UInt8]) -> String {
        if head.isEmpty { return "an empty file" }
        let magics: [([UInt8], String)] = [
            ([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a], "an HDF5 file"),
            (Array("root".utf8), "a ROOT file"),
            ([0x89, 0x50, 0x4e, 0x47], "a PNG image"),
            ([0xff, 0xd8, 0xff], "a JPEG image"),
            (Array("%PDF".utf8), "a PDF document"),
            ([0x1f, 0x8b], "a gzip file"),
            (Array("BZh".utf8), "a bzip2 file"),
            ([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "an xz file"),
            ([0x28, 0xb5, 0x2f, 0xfd], "a zstd file"),
            (Array("PK\u{03}\u{04}".utf8), "a zip archive"),
            (Array("XTENSION=".utf8), "a FITS extension without its primary HDU"),
        ]
        for (m, name) in magics where head.starts(with: m) { return name }
        // Text: skip a byte-order mark and leading blanks, then look at the first character.
        var body = head[...]
        if body.starts(with: [0xef, 0xbb, 0xbf]) { body = body.dropFirst(3) }
        body = body.drop { $0 == 0x20 || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d }
        let printable = head.prefix(512).allSatisfy {
            $0 >= 0x20 || $0 == 0x09 || $0 == 0x0a || $0 == 0x0d || $0 >= 0x80
        }
        guard printable, let first = body.first else { return "binary data" }
        let text = String(decoding: body.prefix(4096), as: UTF8.self)
        if first == UInt8(ascii: "<") {
            if text.contains("<voe:VOEvent") || text.contains("<VOEvent") { return "XML (a VOEvent)" }
            if text.contains("<VOTABLE") { return "XML (a VOTable)" }
            if text.lowercased().contains("<html") { return "HTML" }
            return "XML"
        }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") { return "JSON" }
        return "text"
    }

    /// The first bytes of the file at `path` (up to `count`), or nil if it cannot be read.
    public static func head(path: String, count: Int = 4096) -> [UInt8]? {
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        return (try? h.read(upToCount: count)).map { [UInt8]($0) } ?? []
    }
}
