import Foundation

/// Where each HDU of a FITS file lies, worked out from the header cards alone, before cfitsio is
/// given the file.
///
/// cfitsio trusts NAXISn: a truncated memory file (an inflated `.fits.gz` cut short) made its
/// memory driver copy past the buffer (SIGSEGV), and a header claiming NAXIS2 = 10^12, or a
/// TFORM of 10^9 floats, made readers allocate gigabytes for a file of a few kilobytes. Every size
/// a header declares is checked here against the bytes the file holds, so such a file is an error
/// that names the HDU and the byte offsets.
public struct HDULayout: Sendable, Equatable {
    public struct Extent: Sendable, Equatable {
        public let headerStart: Int
        public let dataStart: Int
        /// The end of the declared data, without the padding to 2880.
        public let dataEnd: Int
        public var paddedEnd: Int { (dataEnd + 2879) / 2880 * 2880 }
    }

    public var extents: [Extent] = []
    /// Why the file is unusable as FITS, if it is (truncated, or declaring more than it holds).
    public var problem: String?
    /// Set when the last HDU's data is complete but the file stops before its padding.
    public var missingPadding = false

    /// Walks the headers of a file of `size` bytes; `read(offset, count)` returns up to `count`
    /// bytes there. Stops at the first problem, or at bytes after the last HDU that do not start
    /// an extension (trailing bytes that cfitsio ignores too).
    public static func walk(size: Int, read: (Int, Int) -> [UInt8]) -> HDULayout {
        var layout = HDULayout()
        var pos = 0
        while pos < size {
            let index = layout.extents.count
            let first = read(pos, 8)
            if index > 0, first != Array("XTENSION".utf8) { break }
            guard let header = headerSize(at: pos, size: size, read: read) else {
                layout.problem =
                    "truncated: the header of HDU \(index) starting at byte \(pos) is incomplete (the file has \(size) bytes)"
                return layout
            }
            if let card = header.unholdable {
                layout.problem =
                    "HDU \(index): the value of \(card) is longer than any FITS value and not a quoted string (a damaged card; cfitsio would overrun a buffer reading it)"
                return layout
            }
            let dataStart = pos + header.bytes
            guard let dataBytes = header.dataBytes,
                case (let end, let overflow) = dataStart.addingReportingOverflow(dataBytes), !overflow
            else {
                layout.problem =
                    "HDU \(index) declares a data size that no file can hold (NAXISn, PCOUNT or GCOUNT damaged)"
                return layout
            }
            if end > size {
                layout.problem = "truncated: HDU \(index) declares data up to byte \(end), the file has \(size) bytes"
                return layout
            }
            let extent = Extent(headerStart: pos, dataStart: dataStart, dataEnd: end)
            layout.extents.append(extent)
            if extent.paddedEnd > size { layout.missingPadding = true }
            pos = extent.paddedEnd
        }
        if layout.extents.isEmpty { layout.problem = "no complete primary header" }
        return layout
    }

    /// Bytes of the header starting at `pos` (whole 2880-byte blocks up to END), the data size its
    /// cards declare (nil when that size overflows), and the first card whose value cfitsio cannot
    /// hold. nil when END is not in the file.
    private static func headerSize(at pos: Int, size: Int, read: (Int, Int) -> [UInt8]) -> (
        bytes: Int, dataBytes: Int?, unholdable: String?
    )? {
        var cards = Cards()
        var at = pos
        while at + 2880 <= size {
            let block = read(at, 2880)
            guard block.count == 2880 else { return nil }
            at += 2880
            for c in 0..<36 {
                let card = block[(c * 80)..<(c * 80 + 80)]
                if card.starts(with: endCard) {
                    return (at - pos, cards.dataBytes, cards.unholdable)
                }
                cards.take(card)
            }
        }
        return nil
    }

    private static let endCard = Array("END     ".utf8)

    /// The cards that fix a data unit's size (FITS 4.0 sections 4.4.1 and 6).
    private struct Cards {
        var bitpix = 8, naxis = 0, pcount = 0, gcount = 1, groups = false
        var axes: [Int: Int] = [:]
        /// The first card with an unquoted value of 69 or more characters. No number or logical is
        /// that long, and cfitsio copies such a value into 70-byte column fields (TTYPEn, TUNITn)
        /// with strcpy: a fuzzed `TTYPE2  =AAA...` overran one and aborted the process.
        var unholdable: String?

        /// Works on the card's bytes: every card of every header passes through here on each
        /// open, and only the size keywords need any decoding.
        mutating func take(_ card: ArraySlice<UInt8>) {
            guard card.count >= 30, card[card.startIndex + 8] == 0x3d else { return }
            if unholdable == nil, Self.isColumnKeyword(card.prefix(8)) {
                // The value as cfitsio takes it: after '=', up to a comment's '/', blanks trimmed.
                let field = Self.trimmed(card.dropFirst(9))
                if field.first != 0x27, Self.trimmed(field.prefix { $0 != 0x2f }).count >= 69 { // ' and /
                    unholdable = String(decoding: Self.trimmed(card.prefix(8)), as: UTF8.self)
                }
            }
            let name = Self.trimmed(card.prefix(8))
            guard let first = name.first, first == 0x42 || first == 0x47 || first == 0x4e || first == 0x50 else {
                return
            } // B G N P
            let value = Array(Self.trimmed(card.dropFirst(10).prefix(20)))
            let key = String(decoding: name, as: UTF8.self)
            if key == "GROUPS" {
                groups = value == [0x54]
                return
            } // T
            guard let v = Self.integer(value) else { return }
            switch key {
            case "BITPIX": bitpix = v
            case "NAXIS": naxis = v
            case "PCOUNT": pcount = v
            case "GCOUNT": gcount = v
            default:
                if key.hasPrefix("NAXIS"), let n = Int(key.dropFirst(5)) { axes[n] = v }
            }
        }

        /// TTYPEn, TUNITn, TFORMn, ...: "T", 2 to 5 letters, a column number.
        private static func isColumnKeyword(_ name: ArraySlice<UInt8>) -> Bool {
            let n = trimmed(name)
            guard n.first == 0x54 else { return false } // T
            let letters = n.dropFirst().prefix { $0 >= 0x41 && $0 <= 0x5a }
            let digits = n.dropFirst(1 + letters.count)
            return (2...5).contains(letters.count) && !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }

        private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var lo = bytes.startIndex
            var hi = bytes.endIndex
            while lo < hi, bytes[lo] == 0x20 { lo += 1 }
            while hi > lo, bytes[hi - 1] == 0x20 { hi -= 1 }
            return bytes[lo..<hi]
        }

        /// A FITS integer value (optional sign, digits); nil for anything else or an overflow.
        private static func integer(_ bytes: [UInt8]) -> Int? {
            guard !bytes.isEmpty, bytes.count <= 20 else { return nil }
            return Int(String(decoding: bytes, as: UTF8.self))
        }

        /// |BITPIX|/8 * GCOUNT * (PCOUNT + NAXIS1 * ... * NAXISn); random groups skip NAXIS1.
        var dataBytes: Int? {
            guard naxis > 0 else { return 0 }
            guard naxis <= 999, [8, 16, 32, 64, -32, -64].contains(bitpix), pcount >= 0, gcount >= 0 else { return nil }
            var product = 1
            for n in 1...naxis {
                if groups && n == 1 && axes[1] == 0 { continue }
                guard let a = axes[n], a >= 0 else { return nil }
                let (p, o) = product.multipliedReportingOverflow(by: a)
                if o { return nil }
                product = p
            }
            let (sum, o1) = product.addingReportingOverflow(pcount)
            let (groupsBytes, o2) = sum.multipliedReportingOverflow(by: gcount)
            let (bytes, o3) = groupsBytes.multipliedReportingOverflow(by: abs(bitpix) / 8)
            return o1 || o2 || o3 ? nil : bytes
        }
    }
}

extension HDULayout {
    init(problem: String) { self.problem = problem }

    /// The layout of a file on disk, its headers read with pread (the data is skipped).
    static func walk(path: String, size: Int) -> HDULayout {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return HDULayout() } // cfitsio's open then says why
        defer { close(fd) }
        return walk(size: size) { at, count in
            var out = [UInt8](repeating: 0, count: count)
            let got = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(at)) }
            return got > 0 ? Array(out.prefix(got)) : []
        }
    }
}
