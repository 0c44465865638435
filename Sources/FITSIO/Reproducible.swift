import Foundation

/// Timestamps written into files, from `SOURCE_DATE_EPOCH` when it is set
/// (reproducible-builds.org): DATE and the checksum comments then carry that instant, so two
/// conversions of the same input are byte-identical.
///
/// cfitsio stamps the comments of CHECKSUM and DATASUM ("HDU checksum updated <now>") from the
/// wall clock, with no way to pass a time. So a finished file has those 19-character stamps
/// replaced, and each CHECKSUM recomputed (the data, and so DATASUM, are unchanged).
public enum Reproducible {
    /// SOURCE_DATE_EPOCH as seconds, when set to an integer.
    public static var epoch: Int? {
        guard let text = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"], let v = Int(text), v >= 0 else {
            return nil
        }
        return v
    }

    /// The instant to write as "now".
    public static var now: Date { epoch.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date() }

    /// yyyy-mm-ddThh:mm:ss in UTC (FITS 4.0 section 4.4.2.1), from gmtime: a Foundation date
    /// formatter sets up ICU on each use, which cost more than writing a small IRF file.
    public static func utcTimestamp(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }

    /// Re-stamps the checksum comments of every HDU in `bytes` (a whole FITS file) with `stamp`
    /// and recomputes CHECKSUM where present.
    static func restampChecksums(_ bytes: UnsafeMutableRawPointer, size: Int, stamp: String) {
        let layout = HDULayout.walk(size: size) { at, n in
            Array(UnsafeRawBufferPointer(start: bytes + at, count: max(0, min(n, size - at))))
        }
        let newStamp = Array(stamp.utf8)
        guard newStamp.count == 19 else { return }
        for e in layout.extents {
            var checksumCard: Int?
            var datasum: UInt32?
            var card = e.headerStart
            while card < e.dataStart {
                let name = String(decoding: UnsafeRawBufferPointer(start: bytes + card, count: 8), as: UTF8.self)
                if name == "CHECKSUM" || name == "DATASUM " {
                    restamp(bytes + card, newStamp)
                    if name == "CHECKSUM" { checksumCard = card }
                    if name == "DATASUM " {
                        let value = String(
                            decoding: UnsafeRawBufferPointer(start: bytes + card + 10, count: 20), as: UTF8.self)
                        datasum = UInt32(value.filter { $0.isNumber })
                    }
                }
                card += 80
            }
            guard let c = checksumCard else { continue }
            // CHECKSUM: the header summed with '0000000000000000' in its place, plus the data sum,
            // encoded as the complement (so the whole HDU sums to -0).
            let zeros = Array("0000000000000000".utf8)
            for (i, z) in zeros.enumerated() { bytes.storeBytes(of: z, toByteOffset: c + 11 + i, as: UInt8.self) }
            let data = datasum ?? onesComplementSum(bytes + e.dataStart, count: e.paddedEnd - e.dataStart)
            let sum = add(onesComplementSum(bytes + e.headerStart, count: e.dataStart - e.headerStart), data)
            for (i, ch) in encode(~sum).enumerated() {
                bytes.storeBytes(of: ch, toByteOffset: c + 11 + i, as: UInt8.self)
            }
        }
    }

    /// Replaces the first yyyy-mm-ddThh:mm:ss in the card's comment.
    private static func restamp(_ card: UnsafeMutableRawPointer, _ stamp: [UInt8]) {
        let text = Array(UnsafeRawBufferPointer(start: card, count: 80))
        guard let slash = text.firstIndex(of: UInt8(ascii: "/")) else { return }
        var i = slash
        while i + 19 <= 80 {
            let s = text[i..<i + 19]
            let isStamp = s.enumerated().allSatisfy { k, b in
                switch k {
                case 4, 7: b == UInt8(ascii: "-")
                case 10: b == UInt8(ascii: "T")
                case 13, 16: b == UInt8(ascii: ":")
                default: b >= 48 && b <= 57
                }
            }
            if isStamp {
                for (k, b) in stamp.enumerated() { card.storeBytes(of: b, toByteOffset: i + k, as: UInt8.self) }
                return
            }
            i += 1
        }
    }

    /// The 32-bit ones' complement sum of big-endian words (FITS 4.0 Appendix J).
    static func onesComplementSum(_ p: UnsafeRawPointer, count: Int) -> UInt32 {
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        var i = 0
        while i + 4 <= count {
            hi +=
                UInt64(p.load(fromByteOffset: i, as: UInt8.self)) << 8
                | UInt64(p.load(fromByteOffset: i + 1, as: UInt8.self))
            lo +=
                UInt64(p.load(fromByteOffset: i + 2, as: UInt8.self)) << 8
                | UInt64(p.load(fromByteOffset: i + 3, as: UInt8.self))
            i += 4
        }
        var h = hi
        var l = lo
        while (h >> 16) != 0 || (l >> 16) != 0 {
            let hc = h >> 16
            let lc = l >> 16
            h = (h & 0xffff) + lc
            l = (l & 0xffff) + hc
        }
        return UInt32(h << 16 | l)
    }

    static func add(_ a: UInt32, _ b: UInt32) -> UInt32 {
        let (s, overflow) = a.addingReportingOverflow(b)
        return overflow ? s &+ 1 : s
    }

    /// The checksum proposal's ASCII encoding of a 32-bit value (16 characters, 0-9 A-Z a-z).
    static func encode(_ value: UInt32) -> [UInt8] {
        let excluded: Set<UInt8> = [0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x40, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f, 0x60]
        var ascii = [UInt8](repeating: 0, count: 16)
        for i in 0..<4 {
            let byte = Int((value >> (24 - 8 * UInt32(i))) & 0xff)
            var ch = [Int](repeating: byte / 4 + 0x30, count: 4)
            ch[0] += byte % 4
            var changed = true
            while changed {
                changed = false
                for k in stride(from: 0, to: 4, by: 2)
                where excluded.contains(UInt8(ch[k])) || excluded.contains(UInt8(ch[k + 1])) {
                    ch[k] += 1
                    ch[k + 1] -= 1
                    changed = true
                }
            }
            for j in 0..<4 { ascii[4 * j + i] = UInt8(ch[j]) }
        }
        return (0..<16).map { ascii[($0 + 15) % 16] }
    }
}
