import Foundation
import TestSupport
import Testing

@testable import ROOTIO

/// What a reader asks for: trees with their data branches, and keyed objects, by name.
struct Inventory {
    var trees: [(String, [String])] = []
    var objects: [String] = []

    /// Taken from the intact file.
    init(_ path: String) throws {
        let f = try ROOTFile(path: path)
        for (name, key) in try f.root.walk() {
            if key.className == "TTree" {
                let t = try f.tree(name)
                let r = BranchReader(tree: t)
                let paths = try t.allBranches.filter {
                    if case .group = try r.interpretation($0) { return false }
                    return true
                }.map(\.path)
                trees.append((name, paths))
            } else if key.className.hasPrefix("Head") || key.className == "MultiHead" {
                objects.append(name)
            }
        }
    }
}

struct MissingByName: Error {}

/// Reads everything in `inventory` from `path`, by name, as one canonical text. A name that is
/// not found is an error, as it is for a user asking for it.
func readEverything(_ path: String, _ inventory: Inventory) throws -> String {
    let f = try ROOTFile(path: path)
    var out = ""
    for (name, branches) in inventory.trees {
        let t = try f.tree(name)
        let reader = BranchReader(tree: t)
        for p in branches {
            guard let b = t.branch(p), b.path == p else { throw MissingByName() }
            out += "\(name)/\(p): \(describe(try reader.read(b)))\n"
        }
    }
    for name in inventory.objects {
        out += "\(name): \(describeValue(try f.object(name)))\n"
    }
    return out
}

func describe(_ d: BranchData) -> String {
    switch d {
    case .numbers(let n): return n.doubles.map { String($0.bitPattern) }.joined(separator: ",")
    case .fixed(let n, let w): return "w\(w):" + n.doubles.map { String($0.bitPattern) }.joined(separator: ",")
    case .jagged(let o, let inner): return "o" + o.map(String.init).joined(separator: ",") + "{" + describe(inner) + "}"
    case .strings(let s): return s.joined(separator: "|")
    case .values(let v): return v.map(describeValue).joined(separator: ";")
    }
}

func describeValue(_ v: RValue) -> String {
    switch v {
    case .null: return "null"
    case .int(let i): return String(i)
    case .uint(let u): return String(u)
    case .double(let d): return String(d.bitPattern)
    case .bool(let b): return String(b)
    case .string(let s): return s
    case .ints(let a): return a.map(String.init).joined(separator: ",")
    case .doubles(let a): return a.map { String($0.bitPattern) }.joined(separator: ",")
    case .array(let a): return "[" + a.map(describeValue).joined(separator: ",") + "]"
    case .map(let p):
        return "{" + p.map { describeValue($0.0) + "=" + describeValue($0.1) }.joined(separator: ",") + "}"
    case .object(let o):
        return o.className + "(" + o.members.map { $0.0 + ":" + describeValue($0.1) }.joined(separator: ",") + ")"
    }
}

@Suite("ROOT reader")
struct ROOTIOTests {
    let zlib = Paths.testData + "/root/small_zlib.root"
    let plain = Paths.testData + "/root/small_uncompressed.root"

    /// The fixtures follow formulas (scripts/make_root_fixtures.py), so values are known exactly.
    @Test(arguments: ["small_zlib.root", "small_uncompressed.root"])
    func fixtureValues(_ name: String) throws {
        let f = try ROOTFile(path: Paths.testData + "/root/" + name)
        let t = try f.tree("t")
        #expect(t.entries == 120)
        let r = BranchReader(tree: t)
        #expect(t.branch("x")!.basketCount == 3)
        guard case .numbers(.f64(let x)) = try r.read(t.branch("x")!),
            case .numbers(.i32(let n)) = try r.read(t.branch("n")!),
            case .jagged(let offs, .numbers(.f32(let v))) = try r.read(t.branch("v")!)
        else {
            Issue.record("unexpected shapes")
            return
        }
        let wantX: [Double] = (0..<120).map { (i: Int) -> Double in Double(i) * 0.5 + 1.0 / 3.0 }
        let wantN: [Int32] = (0..<120).map { (i: Int) -> Int32 in Int32(i - 50) }
        #expect(x == wantX)
        #expect(n == wantN)
        let expected: [[Float]] = (0..<120).map { (i: Int) -> [Float] in
            (0..<(i % 5)).map { (k: Int) -> Float in Float(Double(i) + Double(k) / 7) }
        }
        var cumulative = [0]
        for e in expected { cumulative.append(cumulative.last! + e.count) }
        #expect(offs == cumulative)
        let flat: [Float] = expected.flatMap { $0 }
        #expect(v == flat)
        // An entry range that starts and ends inside baskets.
        guard case .jagged(let o2, .numbers(.f32(let v2))) = try r.read(t.branch("v")!, entries: 38..<93) else {
            return
        }
        #expect(o2.count == 56)
        let flat2: [Float] = expected[38..<93].flatMap { $0 }
        #expect(v2 == flat2)
    }

    func damaged(_ src: String, _ name: String = #function, _ edit: (inout [UInt8]) throws -> Void) throws -> String {
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: src)))
        try edit(&bytes)
        let path = try Paths.scratch(name) + "/damaged.root"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func wrongMagic() throws {
        let p = try damaged(zlib) { $0[0] = UInt8(ascii: "R") }
        let e = #expect(throws: ROOTError.self) { try ROOTFile(path: p) }
        #expect(e?.reason.contains("wrong magic") == true && e?.file == p && e?.offset == 0)
    }

    @Test func truncatedFile() throws {
        let p = try damaged(zlib) { $0.removeLast($0.count / 2) }
        let e = #expect(throws: ROOTError.self) { _ = try readEverything(p, try Inventory(zlib)) }
        #expect(e?.reason.contains("truncated") == true, "\(String(describing: e))")
    }

    @Test func corruptZlibStream() throws {
        let f = try ROOTFile(path: zlib)
        let b = try f.tree("t").branch("x")!
        let basket = try b.readBasket(1, file: f)
        let p = try damaged(zlib) { bytes in
            // Inside the deflate data: after the key header and the 9-byte ROOT block header.
            for k in 0..<8 { bytes[b.basketSeek[1] + basket.keylen + 9 + 4 + k] ^= 0x5A }
        }
        let t = try ROOTFile(path: p).tree("t")
        let e = #expect(throws: ROOTError.self) { _ = try BranchReader(tree: t).read(t.branch("x")!) }
        #expect(e?.reason.contains("corrupt zlib stream") == true)
        #expect(e?.object == "branch x basket 1")
        #expect(e?.offset == b.basketSeek[1] + basket.keylen)
    }

    @Test func keyPastEndOfFile() throws {
        // fSeekInfo (small-file header, bytes 37..40) pointing beyond the file.
        let p = try damaged(plain) { bytes in
            let far = UInt32(bytes.count + 1000)
            for k in 0..<4 { bytes[37 + k] = UInt8((far >> (8 * (3 - UInt32(k)))) & 0xFF) }
        }
        let e = #expect(throws: ROOTError.self) { _ = try ROOTFile(path: p).streamers() }
        #expect(e?.reason.contains("past the end of the file") == true, "\(String(describing: e))")
        #expect(e?.object == "streamer info")
    }

    @Test func byteCountLargerThanBuffer() throws {
        let f = try ROOTFile(path: plain)
        let key = f.root.key("t")!
        let start = key.seekKey + key.keylen
        let p = try damaged(plain) { bytes in
            // The TTree record's leading byte count, made far larger than the object.
            bytes[start] = 0x40
            bytes[start + 1] = 0xFF
            bytes[start + 2] = 0xFF
            bytes[start + 3] = 0xF0
        }
        let e = #expect(throws: ROOTError.self) { _ = try ROOTFile(path: p).tree("t") }
        #expect(e?.reason.contains("byte count") == true, "\(String(describing: e))")
        #expect(e?.object == "TTree t;1")
        #expect(e?.offset == start)
    }

    @Test func missingBranchAndTree() throws {
        let f = try ROOTFile(path: zlib)
        #expect(throws: ROOTError.self) { try f.tree("nope") }
        #expect(try f.tree("t").branch("nope") == nil)
        let t = try f.tree("t")
        #expect(throws: ROOTError.self) { try BranchReader(tree: t).read(t.branch("x")!, entries: 100..<130) }
    }

    /// Truncating at many offsets: every read either fails with a ROOTError or returns exactly
    /// the intact file's values; it never crashes or hangs.
    @Test func truncationFuzzOnFixture() throws {
        try fuzzTruncation(zlib, step: 37)
    }

    /// Flipping bits in a compressed file: an error or the intact values (zlib's adler32 and our
    /// size checks catch damage in the data; damage elsewhere must not change values silently).
    @Test func bitFlipFuzzOnFixture() throws {
        try fuzzBitFlips(zlib, count: 400, seed: 7)
    }

    @Test(.enabled(if: Paths.km3netDataAvailable, "needs km3net-testdata in .testdata/ (scripts/testdata.sh)"))
    func truncationFuzzOnRealFile() throws {
        try fuzzTruncation(Paths.km3netData + "/offline/km3net_offline.root", step: 613)
    }

    @Test(.enabled(if: Paths.km3netDataAvailable, "needs km3net-testdata in .testdata/ (scripts/testdata.sh)"))
    func bitFlipFuzzOnRealFile() throws {
        try fuzzBitFlips(
            Paths.km3netData + "/offline/km3net_offline.root",
            count: Int(ProcessInfo.processInfo.environment["VODF_FUZZ_FLIPS"] ?? "") ?? 250, seed: 11)
    }

    func fuzzTruncation(_ src: String, step: Int) throws {
        let inventory = try Inventory(src)
        let reference = try readEverything(src, inventory)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: src)))
        let dir = try Paths.scratch()
        var errors = 0
        var intact = 0
        for cut in stride(from: 0, to: bytes.count, by: step) {
            let p = dir + "/cut.root"
            try Data(bytes[0..<cut]).write(to: URL(fileURLWithPath: p))
            do {
                let got = try readEverything(p, inventory)
                #expect(got == reference, "truncated at \(cut): values differ without an error")
                intact += 1
            } catch is ROOTError { errors += 1 } catch is Interpretation.Unsupported {
                errors += 1
            } catch is MissingByName { errors += 1 }
        }
        #expect(errors > 0)
        _ = intact
    }

    /// Byte ranges of objects ROOT stored without compression (small baskets and keys where
    /// compression did not pay). The format has no checksum for these bytes: a flipped bit there is
    /// a different, valid file (e.g. a changed event id), which no reader can tell from the original.
    /// Compressed payloads are covered by zlib's adler32, and everything else by our structural checks.
    func uncheckedRanges(_ path: String) throws -> [Range<Int>] {
        let f = try ROOTFile(path: path)
        var out: [Range<Int>] = []
        func add(_ k: Key) {
            if k.nbytes - k.keylen == k.objlen { out.append((k.seekKey + k.keylen)..<(k.seekKey + k.nbytes)) }
        }
        for (name, key) in try f.root.walk() {
            add(key)
            guard key.className == "TTree" else { continue }
            for b in try f.tree(name).allBranches {
                for i in 0..<b.basketCount {
                    add(try f.readKey(at: b.basketSeek[i], context: "basket"))
                }
            }
        }
        return out
    }

    func fuzzBitFlips(_ src: String, count: Int, seed: UInt64) throws {
        let inventory = try Inventory(src)
        let reference = try readEverything(src, inventory)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: src)))
        let unchecked = try uncheckedRanges(src)
        let dir = try Paths.scratch()
        var rng = SplitMix(seed: seed)
        var errors = 0
        for _ in 0..<count {
            var b = bytes
            var at = Int(rng.next() % UInt64(b.count))
            while unchecked.contains(where: { $0.contains(at) }) { at = Int(rng.next() % UInt64(b.count)) }
            b[at] ^= UInt8(1 << (rng.next() % 8))
            let p = dir + "/flip.root"
            try Data(b).write(to: URL(fileURLWithPath: p))
            do {
                let got = try readEverything(p, inventory)
                #expect(
                    got.prefix(200) == reference.prefix(200) && got == reference,
                    "bit flip at byte \(at) changed values without an error")
            } catch is ROOTError { errors += 1 } catch is Interpretation.Unsupported {
                errors += 1
            } catch is MissingByName { errors += 1 }
        }
        #expect(errors > 0)
    }
}

@Suite("ROOT chunked reading")
struct ROOTChunkTests {
    /// Ranges cover every entry once, no basket straddles two ranges, and reading range by range
    /// gives the same values as one read.
    @Test(arguments: [1, 7, 50, 1000])
    func clusterRangesOnFixture(_ minEntries: Int) throws {
        let f = try ROOTFile(path: Paths.testData + "/root/small_zlib.root")
        let t = try f.tree("t")
        let branches = [t.branch("x")!, t.branch("v")!]
        let ranges = t.clusterRanges(for: branches, minEntries: minEntries)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == 120)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        for b in branches {
            for i in 0..<b.basketCount {
                let lo = b.basketEntry[i]
                let hi = i + 1 < b.basketCount ? b.basketEntry[i + 1] : b.entries
                #expect(
                    ranges.contains { $0.lowerBound <= lo && hi <= $0.upperBound },
                    "basket \(i) of \(b.name) straddles ranges")
            }
        }
        let r = BranchReader(tree: t)
        let whole = describe(try r.read(t.branch("v")!))
        let parts = try ranges.map { try r.read(t.branch("v")!, entries: $0) }
        #expect(describe(BranchData.concat(parts)) == whole)
    }

    @Test(.enabled(if: Paths.km3netDataAvailable, "needs km3net-testdata in .testdata/ (scripts/testdata.sh)"))
    func clusterRangesOnRealFile() throws {
        let f = try ROOTFile(
            path: Paths.km3netData
                + "/offline/mcv5.11r2.gsg_muonCChigherE-CC_50-5000GeV.km3_AAv1.jterbr00004695.jchain.aanet.498.root")
        let t = try f.tree("E")
        let names = ["trks.E", "trks.rec_stages", "trks.fitinf", "t.fSec"]
        let branches = names.map { t.branch($0)! }
        let ranges = t.clusterRanges(for: branches, minEntries: 20)
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == t.entries)
        // This ROOT 5 file has no boundaries shared by all four (t.fSec is one basket), so fewer,
        // larger ranges; trks-only selections share some and split further.
        #expect(t.clusterRanges(for: Array(branches.prefix(1)), minEntries: 20).count > 1)
        for b in branches {
            for i in 0..<b.basketCount {
                let lo = b.basketEntry[i]
                let hi = i + 1 < b.basketCount ? b.basketEntry[i + 1] : b.entries
                #expect(
                    ranges.contains { $0.lowerBound <= lo && hi <= $0.upperBound },
                    "basket \(i) of \(b.name) straddles ranges")
            }
        }
        let r = BranchReader(tree: t)
        for b in branches {
            let parts = try ranges.map { try r.read(b, entries: $0) }
            #expect(describe(BranchData.concat(parts)) == describe(try r.read(b)))
        }
    }
}

/// Issue 13: ROOT's basic type codes have names; each owns its size and spelling.
@Suite("ROOT basic types")
struct BasicTypeTests {
    @Test func codesSizesAndNames() {
        // TDataType codes (kChar_t = 1 ... kFloat16_t = 19), and their sizes on disk.
        let sizes: [BasicType: Int] = [
            .char: 1, .short: 2, .int: 4, .long: 8, .float: 4, .counter: 4, .double: 8, .double32: 4,
            .uchar: 1, .ushort: 2, .uint: 4, .ulong: 8, .bits: 4, .long64: 8, .ulong64: 8, .bool: 1, .float16: 4,
        ]
        for (t, size) in sizes { #expect(t.size == size, "\(t)") }
        #expect(BasicType(rawValue: 3) == .int && BasicType(rawValue: 18) == .bool && BasicType(rawValue: 20) == nil)
        #expect(Interpretation.numbers(.double32, width: 1).description == "float32 (Double32)")
        #expect(Interpretation.jaggedNumbers(.int, width: 3, header: 0).description == "int32[3][]")
        // Interpretations compose: a jagged array of a dtype is .jagged(.numbers(...)).
        #expect(Interpretation.jagged(.numbers(.double, width: 1), header: 10).description == "float64[] (header 10)")
        guard case .jagged(.numbers(.float, 2), 0) = Interpretation.jaggedNumbers(.float, width: 2, header: 0) else {
            Issue.record("jaggedNumbers does not compose .jagged(.numbers)")
            return
        }
    }

    /// Every C++ spelling of a type prints as one name: the old name table was a dictionary, and
    /// `vodf root ls` printed vector<Int_t>, vector<int32_t> or vector<int> from one run to the next.
    @Test func spellingsPrintOneName() {
        for name in ["int", "Int_t", "int32_t"] { #expect(STLType.parse("vector<\(name)>").typeName == "vector<int>") }
        for name in ["double", "Double_t"] {
            #expect(STLType.parse("std::vector<\(name)>").typeName == "vector<double>")
        }
        #expect(STLType.parse("vector<Long64_t>") == .sequence(.basic(.long64)))
    }
}
