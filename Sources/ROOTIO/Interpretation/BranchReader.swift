/// Reads a branch's values over an entry range, basket by basket: each basket is decompressed
/// once, decoded, and only the requested entries are kept, so memory follows the range read.
import Foundation
import Parallel

public struct BranchReader: @unchecked Sendable {
    public let tree: Tree
    public init(tree: Tree) { self.tree = tree }
    /// Below this many compressed bytes a read stays on one thread (thread start-up would dominate).
    static let parallelThreshold = 256 * 1024

    public func interpretation(_ b: Branch) throws -> Interpretation {
        try Interpretation.of(b, registry: tree.registry)
    }

    public func read(_ b: Branch, entries: Range<Int>? = nil) throws -> BranchData {
        let range = entries ?? 0..<b.entries
        let interp = try interpretation(b)
        if case .group = interp {
            throw ROOTError(
                file: tree.file.path, object: "branch \(b.path)", offset: 0,
                reason: "has no data of its own (a group); read its sub-branches")
        }
        guard range.lowerBound >= 0, range.upperBound <= b.entries else {
            throw ROOTError(
                file: tree.file.path, object: "branch \(b.path)", offset: 0,
                reason: "entries \(range) outside 0..<\(b.entries)")
        }
        if b.hasEmbeddedBaskets {
            throw ROOTError(
                file: tree.file.path, object: "branch \(b.path)", offset: 0,
                reason: "baskets stored inside the branch record (file not closed properly) are not supported")
        }
        let indices = b.baskets(overlapping: range.lowerBound, range.upperBound)
        let work: @Sendable (Int) throws -> BranchData = { i in
            let basket = try b.readBasket(i, file: self.tree.file)
            var chunk = try self.decode(basket, interp, branch: b)
            let lo = max(range.lowerBound - basket.firstEntry, 0)
            let hi = min(range.upperBound - basket.firstEntry, basket.entryCount)
            if lo > 0 || hi < basket.entryCount { chunk = chunk.slice(lo..<hi) }
            return chunk
        }
        var chunks: [BranchData] = []
        let onDisk = indices.reduce(0) { $0 + b.basketBytes[$1] }
        if indices.count > 1, onDisk > Self.parallelThreshold, ProcessInfo.processInfo.activeProcessorCount > 1 {
            // Baskets are independent: inflate and decode them on all cores, keep basket order,
            // and report the first failure in that order.
            chunks = try Parallel.map(indices.count) { j in try work(indices[j]) }.map { try $0.get() }
        } else {
            chunks = try indices.map(work)
        }
        if !chunks.isEmpty {
            let out = BranchData.concat(chunks)
            guard out.count == range.count else {
                throw ROOTError(
                    file: tree.file.path, object: "branch \(b.path)", offset: 0,
                    reason: "baskets hold \(out.count) entries, expected \(range.count)")
            }
            return out
        }
        guard range.isEmpty else {
            throw ROOTError(
                file: tree.file.path, object: "branch \(b.path)", offset: 0, reason: "no basket holds entries \(range)")
        }
        return Self.empty(interp)
    }

    static func empty(_ interp: Interpretation) -> BranchData {
        switch interp {
        case .numbers(let code, let w): return w == 1 ? .numbers(.empty(code)) : .fixed(.empty(code), width: w)
        case .jagged(let element, _): return .jagged([0], empty(element))
        case .strings: return .strings([])
        case .pointers: return .jagged([0], .numbers(.u32([])))
        case .memberSTL(let t): return .jagged([0], emptyElement(t))
        default: return .values([])
        }
    }

    static func emptyElement(_ t: STLType) -> BranchData {
        switch t {
        case .string: return .strings([])
        case .sequence(.basic(let c)): return .jagged([0], .numbers(.empty(c)))
        case .sequence(.string): return .jagged([0], .strings([]))
        default: return .values([])
        }
    }

    /// Entry byte ranges of a basket: from its offset table, or equal slices when there is none.
    func entryRanges(_ k: Basket, branch b: Branch) throws -> [Range<Int>] {
        if let offs = k.offsets { return (0..<k.entryCount).map { offs[$0]..<offs[$0 + 1] } }
        guard k.entryCount > 0 else { return [] }
        guard k.data.count % k.entryCount == 0 else {
            throw ROOTError(
                file: tree.file.path, object: "branch \(b.path) basket \(k.index)", offset: k.seek,
                reason: "\(k.data.count) bytes do not split into \(k.entryCount) equal entries")
        }
        let size = k.data.count / k.entryCount
        return (0..<k.entryCount).map { ($0 * size)..<(($0 + 1) * size) }
    }

    func decode(_ k: Basket, _ interp: Interpretation, branch b: Branch) throws -> BranchData {
        let what = "branch \(b.path) basket \(k.index)"
        func err(_ reason: String, entry: Int) -> ROOTError { entryError(k, what, reason, entry: entry) }
        switch interp {
        case .group:
            return .values([])
        case .numbers(let code, let width):
            let need = k.entryCount * width * code.size
            guard k.data.count >= need else {
                throw ROOTError(
                    file: tree.file.path, object: what, offset: k.seek,
                    reason: "\(k.data.count) bytes for \(k.entryCount) entries of \(width) values (need \(need))")
            }
            var ranges = [0..<need]
            if k.offsets != nil, width * code.size * k.entryCount != k.data.count {
                ranges = try entryRanges(k, branch: b)
                for (j, r) in ranges.enumerated() where r.count != width * code.size {
                    throw err("\(r.count) bytes, expected \(width * code.size)", entry: j)
                }
            }
            let n = NumberArray.decode(code, k.data, ranges)
            return width == 1 ? .numbers(n) : .fixed(n, width: width)
        case .jagged(.numbers(let code, let width), let header):
            return try decodeJagged(k, code: code, width: width, header: header, branch: b, what: what)
        case .jagged(let element, _):
            // Only jagged arrays of a dtype are stored this way; deeper nesting comes as memberSTL.
            throw Interpretation.Unsupported(reason: "branch \(b.path): jagged \(element) is not supported")
        case .pointers:
            var offsets = [0]
            let ranges = try entryRanges(k, branch: b)
            for (j, r) in ranges.enumerated() {
                guard r.count % 4 == 0 else { throw err("pointer tags not a multiple of 4 bytes", entry: j) }
                offsets.append(offsets.last! + r.count / 4)
            }
            return .jagged(offsets, .numbers(NumberArray.decode(.uint, k.data, ranges)))
        case .strings(let header):
            var out: [String] = []
            for r in try entryRanges(k, branch: b) {
                var c = cursor(k, r, what)
                try c.skip(min(header, r.count))
                out.append(r.count > header ? try c.string() : "")
            }
            return .strings(out)
        case .memberSTL(let t):
            return try decodeMemberSTL(k, t, branch: b, what: what)
        case .object(let t):
            var out: [RValue] = []
            var reader = ObjectReader(registry: tree.registry)
            for r in try entryRanges(k, branch: b) {
                var c = cursor(k, r, what)
                out.append(try reader.readSTL(t.typeName, header: true, &c))
                guard c.pos == r.upperBound else {
                    throw c.error("object ended at \(c.pos), entry ends at \(r.upperBound)")
                }
            }
            return .values(out)
        }
    }

    /// An error in one entry of a basket, naming the entry in the tree.
    func entryError(_ k: Basket, _ what: String, _ reason: String, entry: Int) -> ROOTError {
        ROOTError(
            file: tree.file.path, object: what, offset: k.seek, reason: "entry \(k.firstEntry + entry): \(reason)")
    }

    /// Jagged arrays of numbers: each entry's bytes after its header hold whole elements.
    func decodeJagged(
        _ k: Basket, code: BasicType, width: Int, header: Int, branch b: Branch, what: String
    ) throws -> BranchData {
        let item = code.size * width
        var offsets = [0]
        offsets.reserveCapacity(k.entryCount + 1)
        var ranges: [Range<Int>] = []
        var total = 0
        for (j, r) in try entryRanges(k, branch: b).enumerated() {
            if r.isEmpty {
                offsets.append(total)
                continue
            }
            guard r.count >= header, (r.count - header) % item == 0 else {
                throw entryError(
                    k, what, "\(r.count) bytes do not hold whole \(item)-byte elements after a \(header)-byte header",
                    entry: j)
            }
            ranges.append((r.lowerBound + header)..<r.upperBound)
            total += (r.count - header) / item
            offsets.append(total)
        }
        // Without per-entry headers the values are one contiguous run.
        if header == 0, let f = ranges.first, let l = ranges.last { ranges = [f.lowerBound..<l.upperBound] }
        let n = NumberArray.decode(code, k.data, ranges)
        return .jagged(offsets, width == 1 ? .numbers(n) : .fixed(n, width: width))
    }

    func cursor(_ k: Basket, _ r: Range<Int>, _ what: String) -> Cursor {
        // Limited to the entry, so a corrupt length cannot read into the next one (shares the bytes).
        Cursor(
            bytes: k.data, pos: r.lowerBound, limit: r.upperBound, inObject: true, originShift: k.keylen,
            file: tree.file.path, object: what)
    }

    /// The jagged frame of a split collection member, written once for every element type: per
    /// entry, after its 6-byte header, `read` takes one element at a time until the entry's end
    /// (its second argument). Returns the entry offsets (elements per entry, accumulated).
    func elements(_ k: Basket, branch b: Branch, what: String, _ read: (inout Cursor, Int) throws -> Void) throws
        -> [Int]
    {
        var offsets = [0]
        for r in try entryRanges(k, branch: b) {
            var c = cursor(k, r, what)
            if !r.isEmpty { _ = try c.byteCountAndVersion() }
            var n = 0
            while c.pos < r.upperBound {
                try read(&c, r.upperBound)
                n += 1
            }
            offsets.append(offsets.last! + n)
        }
        return offsets
    }

    /// Per entry: a 6-byte header, then one container (or string) per element of the parent collection.
    func decodeMemberSTL(_ k: Basket, _ t: STLType, branch b: Branch, what: String) throws -> BranchData {
        var entryOffsets = [0]
        var reader = ObjectReader(registry: tree.registry)
        switch t {
        case .sequence(.basic(let code)):
            var inner = [0]
            var ranges: [Range<Int>] = []
            let size = code.size
            let offsets = try elements(k, branch: b, what: what) { c, end in
                let m = Int(try c.i32())
                guard m >= 0, m <= (end - c.pos) / size else {
                    throw c.error("vector of \(m) values overruns its entry")
                }
                ranges.append(c.pos..<(c.pos + m * size))
                c.pos += m * size
                inner.append(inner.last! + m)
            }
            return .jagged(offsets, .jagged(inner, .numbers(NumberArray.decode(code, k.data, ranges))))
        case .string:
            var strings: [String] = []
            let offsets = try elements(k, branch: b, what: what) { c, _ in strings.append(try c.string()) }
            return .jagged(offsets, .strings(strings))
        case .sequence(.string):
            var inner = [0]
            var strings: [String] = []
            let offsets = try elements(k, branch: b, what: what) { c, end in
                let m = Int(try c.i32())
                guard m >= 0, m <= end - c.pos else { throw c.error("vector of \(m) strings overruns its entry") }
                for _ in 0..<m { strings.append(try c.string()) }
                inner.append(inner.last! + m)
            }
            return .jagged(offsets, .jagged(inner, .strings(strings)))
        default:
            // Anything else (e.g. vector<AAny>, possibly member-wise): read generically per element,
            // with the entry header deciding object-wise or member-wise layout.
            var values: [RValue] = []
            for r in try entryRanges(k, branch: b) {
                var c = cursor(k, r, what)
                var elements = 0
                if !r.isEmpty {
                    // One header per entry; member-wise, the element class version follows it once.
                    let (_, version) = try c.byteCountAndVersion()
                    let memberwise = version & ObjectReader.kStreamedMemberWise != 0
                    let ev = memberwise ? try reader.readVersionForMemberWise(&c) : nil
                    while c.pos < r.upperBound {
                        values.append(try reader.readSTLContent(t, memberwise: memberwise, elementVersion: ev, &c))
                        elements += 1
                    }
                }
                entryOffsets.append(entryOffsets.last! + elements)
            }
            return .jagged(entryOffsets, .values(values))
        }
    }
}
