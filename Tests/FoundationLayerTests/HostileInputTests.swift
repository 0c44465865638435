import Foundation
import IOLimits
import Model
import TestSupport
import Testing

@testable import FITSIO
@testable import HDF5IO

/// Issue 12: sizes declared by a file are checked before anything trusts them.
struct HostileInputTests {
    /// A primary header and one binary table of `rows` rows of 8 bytes, as FITS bytes.
    func fits(rows: Int, declaredRows: Int? = nil, extraCards: [String] = []) -> [UInt8] {
        func block(_ cards: [String]) -> [UInt8] {
            var b =
                cards.flatMap { Array($0.padding(toLength: 80, withPad: " ", startingAt: 0).utf8) }
                + Array("END".padding(toLength: 80, withPad: " ", startingAt: 0).utf8)
            b += [UInt8](repeating: 0x20, count: (2880 - b.count % 2880) % 2880)
            return b
        }
        func card(_ k: String, _ v: String) -> String {
            k.padding(toLength: 8, withPad: " ", startingAt: 0) + "= "
                + String(repeating: " ", count: max(0, 20 - v.count)) + v
        }
        var out = block([card("SIMPLE", "T"), card("BITPIX", "8"), card("NAXIS", "0")])
        out += block(
            [
                card("XTENSION", "'BINTABLE'"), card("BITPIX", "8"), card("NAXIS", "2"), card("NAXIS1", "8"),
                card("NAXIS2", "\(declaredRows ?? rows)"), card("PCOUNT", "0"), card("GCOUNT", "1"),
                card("TFIELDS", "1"), card("TFORM1", "'D'"),
            ] + extraCards)
        let data = rows * 8
        out += [UInt8](repeating: 0, count: data + (2880 - data % 2880) % 2880)
        return out
    }

    func layout(_ bytes: [UInt8]) -> HDULayout {
        HDULayout.walk(size: bytes.count) { at, n in Array(bytes[at..<min(at + n, bytes.count)]) }
    }

    @Test func layoutOfAnIntactFile() {
        let l = layout(fits(rows: 10))
        #expect(l.problem == nil)
        #expect(l.extents.count == 2)
        #expect(l.extents[1].dataEnd - l.extents[1].dataStart == 80)
    }

    /// Found by the fits fuzzer: cfitsio strcpy's an unquoted column-keyword value into a 70-byte
    /// field, and a 71-character one aborted the process (fortify). Such a card is refused first;
    /// a commentary card or an ordinary long string is not.
    @Test func anOverlongUnquotedColumnValueIsRefused() throws {
        let bad = layout(fits(rows: 1, extraCards: ["TTYPE1  =" + String(repeating: "A", count: 71)]))
        #expect(
            bad.problem?.contains("HDU 1: the value of TTYPE1 is longer than any FITS value") == true,
            "\(bad.problem ?? "nil")")
        let fine = layout(
            fits(
                rows: 1,
                extraCards: [
                    "TTYPE1  = '" + String(repeating: "B", count: 68) + "'",
                    "HISTORY =" + String(repeating: "=", count: 71), "COMMENT " + String(repeating: "x", count: 72),
                ]))
        #expect(fine.problem == nil, "\(fine.problem ?? "")")
        // And the file is refused before cfitsio reads it.
        let path = try Paths.scratch() + "/overlong.fits"
        try Data(fits(rows: 1, extraCards: ["TUNIT1  =" + String(repeating: "A", count: 71)])).write(
            to: URL(fileURLWithPath: path))
        #expect(throws: FITSError.self) { _ = try FITSFile.open(path: path) }
    }

    @Test func declaredRowsBeyondTheFileAreTruncation() {
        let l = layout(fits(rows: 10, declaredRows: 1_000_000_000_000))
        #expect(l.problem?.contains("HDU 1 declares data up to byte 8000000005760") == true, "\(l.problem ?? "nil")")
    }

    @Test func aCutHeaderIsNamed() {
        let bytes = Array(fits(rows: 10).prefix(2880 + 1000))
        #expect(layout(bytes).problem?.contains("the header of HDU 1 starting at byte 2880 is incomplete") == true)
    }

    @Test func missingPaddingIsNotAnError() {
        let bytes = Array(fits(rows: 10).prefix(2 * 2880 + 80))
        let l = layout(bytes)
        #expect(l.problem == nil && l.missingPadding)
    }

    @Test func overflowingProductIsRefused() {
        var b = fits(rows: 1)
        // NAXIS1 = 9e18 times NAXIS2 = 1e6 overflows Int.
        let text = String(decoding: b, as: UTF8.self)
        let r = text.range(of: "NAXIS1  =                    8")!
        let at = text.distance(from: text.startIndex, to: r.lowerBound)
        b.replaceSubrange(at..<at + 30, with: Array("NAXIS1  =  9000000000000000000".utf8))
        let r2 = text.range(of: "NAXIS2  =                    1")!
        let at2 = text.distance(from: text.startIndex, to: r2.lowerBound)
        b.replaceSubrange(at2..<at2 + 30, with: Array("NAXIS2  =              1000000".utf8))
        #expect(layout(b).problem?.contains("no file can hold") == true, "\(layout(b).problem ?? "nil")")
    }

    @Test func aTruncatedFileOffersOnlyItsCompleteHDUsWhenAskedTo() throws {
        let path = try Paths.scratch() + "/cut.fits"
        // The primary HDU is complete; the table's data stops after 40 of its 80 bytes.
        _ = FileManager.default.createFile(atPath: path, contents: Data(fits(rows: 10).prefix(2 * 2880 + 40)))
        #expect(throws: FITSError.self) { try FITSFile.open(path: path) }
        let f = try FITSFile.open(path: path, keepingCompleteHDUs: true)
        #expect(try f.hduCount == 1)
        #expect(f.damage?.contains("truncated: HDU 1 declares data up to byte 5840") == true, "\(f.damage ?? "nil")")
    }

    @Test func messagesEscapeInputBytes() {
        #expect(MessageText.quoted("0.\u{10}5") == "'0.\\x105'")
        #expect(MessageText.quoted("a\nb") == "'a\\x0ab'")
        #expect(MessageText.quoted(String(repeating: "x", count: 100), limit: 5) == "'xxxxx...'")
        #expect(MessageText.escaped("bad \u{FFFD}") == "bad \\u{FFFD}")
    }

    @Test func memorySizesParse() {
        #expect(ReadLimits.parse("256M") == 256 << 20)
        #expect(ReadLimits.parse("2G") == 2 << 30)
        #expect(ReadLimits.parse("lots") == nil)
        #expect(ReadLimits.describe(256 << 20) == "256 MiB")
    }

    /// The checksum proposal's encoding: 16 characters from 0-9 A-Z a-z whose four words, less the
    /// 0x30 offsets, sum (ones' complement) to the value encoded. (astropy verifies our files' sums
    /// in the oracle tests.)
    @Test func checksumEncodingRoundTrips() {
        for v: UInt32 in [0, 1, 0xdead_beef, 0xffff_ffff, 123_456_789] {
            let ascii = Reproducible.encode(v)
            #expect(ascii.count == 16)
            #expect(
                ascii.allSatisfy {
                    ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5a) || ($0 >= 0x61 && $0 <= 0x7a)
                })
            // Decoding: the encoded string, summed as four words minus the 0x30 offsets, is v.
            var words = [UInt32](repeating: 0, count: 4)
            let unrotated = (0..<16).map { ascii[($0 + 1) % 16] }
            for j in 0..<4 { for i in 0..<4 { words[j] |= UInt32(unrotated[4 * j + i]) << (24 - 8 * UInt32(i)) } }
            var sum: UInt32 = 0
            for w in words { sum = Reproducible.add(sum, w) }
            let offsets = Reproducible.add(
                Reproducible.add(0x3030_3030, 0x3030_3030), Reproducible.add(0x3030_3030, 0x3030_3030))
            #expect(sum == Reproducible.add(v, offsets), "\(v)")
        }
    }

    @Test func aCrashInTheHDF5ChildIsATypedError() {
        #expect {
            _ = try ChildProcess.run(path: "x.h5") {
                raise(SIGSEGV)
                return []
            }
        } throws: { e in "\(e)".contains("signal 11") && "\(e)".hasPrefix("x.h5") }
        #expect {
            _ = try ChildProcess.run(path: "y.h5") {
                throw HDF5Error(file: "y.h5", object: "/event_info", reason: "no field 'x'")
            }
        } throws: { e in "\(e)" == "y.h5: /event_info: no field 'x'" }
        let bytes = try? ChildProcess.run(path: "z.h5") { Array(repeating: 7, count: 300_000) }
        #expect(bytes?.count == 300_000)
    }

    @Test func aRunawayAllocationInTheChildEnds() {
        #expect {
            _ = try ChildProcess.run(path: "w.h5") {
                var hoard: [[UInt8]] = []
                while true { hoard.append([UInt8](repeating: 1, count: 64 << 20)) }
            }
        } throws: { e in "\(e)".contains("w.h5") }
    }
}
