import Foundation

/// Binning for the Monte Carlo builds. Every bin is numpy's `searchsorted(edges, x) - 1` (what
/// km3irf's histograms use), read from a table of cells indexed by the value's bits or by a cosine
/// cell; a cell that holds an edge is decided by one comparison or by the exact acos path. The
/// tables replace a binary search, whose unpredictable branches (and the log10/acos per event)
/// dominated the build time.
extension MCIRFBuilder {
    static func linspace(_ a: Double, _ b: Double, _ n: Int, endpoint: Bool = true) -> [Double] {
        let div = Double(endpoint ? n - 1 : n)
        let step = (b - a) / div
        return (0..<n).map { a + Double($0) * step }
    }

    static func logspace(_ a: Double, _ b: Double, _ n: Int) -> [Double] { linspace(a, b, n).map { pow(10, $0) } }

    /// numpy `searchsorted(edges, x) - 1` (side 'left'): bins are open on the left. The reference
    /// the fast binners are tested against.
    static func bin(_ edges: [Double], _ x: Double) -> Int {
        edges.withUnsafeBufferPointer { bin($0.baseAddress ?? UnsafePointer(bitPattern: 8)!, count: $0.count, x) }
    }

    static func bin(_ edges: UnsafePointer<Double>, count: Int, _ x: Double) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo - 1
    }

    /// Memory that lives as long as the binners using it (they hold raw pointers into it, so the
    /// event loops load no class fields and do no reference counting).
    final class Storage<Element>: @unchecked Sendable {
        let base: UnsafeMutablePointer<Element>
        init(_ values: [Element]) {
            base = .allocate(capacity: max(1, values.count))
            base.initialize(from: values, count: values.count)
        }
        deinit { base.deallocate() }
    }

    /// Increasing edges with -inf and +inf sentinels around them (at index -1 and count), so the
    /// per-event comparisons need no bounds checks and no tests for the ends.
    struct SortedEdges: @unchecked Sendable {
        private let owner: Storage<Double>
        let base: UnsafePointer<Double>
        let count: Int
        init(_ edges: [Double]) {
            owner = Storage([-.infinity] + edges + [.infinity])
            base = UnsafePointer(owner.base + 1)
            count = edges.count
        }
    }

    /// round(t) as an Int for t clamped to -2...limit (NaN to limit), by the 1.5 * 2^52 trick: a
    /// conversion without Swift's range check, which costs more than the rest of a guess.
    @inline(__always) static func roundedIndex(_ t: Double, limit: Int) -> Int {
        let clamped = t < Double(limit) ? (t > -2 ? t : -2) : Double(limit)
        let magic = 6_755_399_441_055_744.0
        return Int(truncatingIfNeeded: (clamped + magic).bitPattern &- magic.bitPattern)
    }

    /// numpy's bin for increasing positive edges (km3irf's log-spaced ones), exactly, from the bits
    /// of x alone: positive doubles order as their bit patterns, so the exponent and the first few
    /// mantissa bits name a cell. Cells are made narrower than the bins, so a cell holds at most one
    /// edge and the bin is the cell's first bin, or the next one if x is above that edge.
    struct LogBinner: @unchecked Sendable {
        let edges: SortedEdges
        private let owner: Storage<Int8>
        /// What the event loops use. Binners are copied into a loop as their kernels: raw pointers
        /// and integers only, which stay in registers, where a struct holding class references
        /// stays in memory and is reloaded after every store the loop makes through a pointer.
        let kernel: Kernel

        init(edges: [Double]) {
            precondition(edges.count >= 2 && edges[0] > 0, "LogBinner needs positive edges")
            self.edges = SortedEdges(edges)
            var mantissaBits: UInt64 = 4
            func cell(_ x: Double) -> UInt64 { x.bitPattern >> (52 - mantissaBits) }
            while mantissaBits < 20 && zip(edges, edges.dropFirst()).contains(where: { cell($0) == cell($1) }) {
                mantissaBits += 2
            }
            let (shift, first, last) = (52 - mantissaBits, cell(edges[0]), cell(edges[edges.count - 1]) + 1)
            // table[c - first]: the bin of the smallest double in cell c.
            owner = Storage((first...last).map { Int8(MCIRFBuilder.bin(edges, Double(bitPattern: $0 << shift))) })
            kernel = Kernel(
                table: UnsafePointer(owner.base), edges: self.edges.base, count: edges.count, shift: shift,
                first: first, last: last)
        }

        @inline(__always) func bin(_ x: Double) -> Int { kernel.bin(x) }

        /// The cells as histogram index parts of an axis of `n` bins with index stride `stride`
        /// (see PartTable): each cell holds the edge it contains, if any, as its threshold.
        func parts(n: Int, stride: Int) -> PartTable<Kernel.Parts> {
            let k = kernel
            let span = Int(k.last - k.first) + 1
            var cells: [PartCell] = (0..<span).map { i in
                let bin = Int(k.table[i])
                let next = k.edges[bin + 1]
                // The next edge is inside this cell exactly when it names this cell.
                let inside = bin + 1 < k.count && next.bitPattern >> k.shift == k.first + UInt64(i)
                return PartCell(
                    below: bin, above: bin + 1, threshold: inside ? next.bitPattern : .max, n: n, stride: stride)
            }
            // Outside the cells: no bin.
            cells.append(PartCell(below: -1, above: -1, threshold: .max, n: n, stride: stride))
            let owner = Storage(cells)
            return PartTable(
                owners: [owner],
                kernel: Kernel.Parts(
                    cells: UnsafePointer(owner.base), shift: k.shift, first: k.first, span: UInt64(span)))
        }

        struct Kernel: @unchecked Sendable {
            let table: UnsafePointer<Int8>, edges: UnsafePointer<Double>, count: Int
            let shift: UInt64, first: UInt64, last: UInt64

            /// The part of a value's cell, from its bits: values below the first cell (zero and
            /// negative ones too: their bits are larger than any positive double's) and above the
            /// last land in the extra cell after them, of the dump bin.
            struct Parts: @unchecked Sendable {
                let cells: UnsafePointer<PartCell>, shift: UInt64, first: UInt64, span: UInt64
                @inline(__always) func part(_ x: Double) -> Int32 {
                    let b = x.bitPattern
                    return cells[Int(truncatingIfNeeded: Swift.min((b &>> shift) &- first, span))].part(b)
                }

                /// `part` for cells of 4 mantissa bits (shift 48, km3irf's bins): an immediate shift
                /// instead of one by a register, which x86 does in three micro-operations.
                @inline(__always) func part4(_ x: Double) -> Int32 {
                    let b = x.bitPattern
                    return cells[Int(truncatingIfNeeded: Swift.min((b &>> 48) &- first, span))].part(b)
                }
            }

            @inline(__always) func bin(_ x: Double) -> Int {
                guard x > 0 else { return x.isNaN ? count - 1 : -1 }
                let c = x.bitPattern &>> shift // +inf lands above the last cell: bin count - 1, as numpy
                let k = Int(table[Int(truncatingIfNeeded: c < first ? 0 : (c > last ? last &- first : c &- first))])
                // An add, not a select: a select becomes a branch that mispredicts in edge cells.
                return k &+ (x > edges[k &+ 1] ? 1 : 0)
            }
        }
    }

    /// Doubles as integers in the same order (-0 and +0 both 0), so a bisection can run over
    /// every representable value between two doubles.
    static func orderedKey(_ x: Double) -> Int64 {
        let b = Int64(bitPattern: x.bitPattern)
        return b >= 0 ? b : -(b & Int64.max)
    }

    static func fromOrderedKey(_ k: Int64) -> Double {
        k >= 0 ? Double(bitPattern: UInt64(k)) : Double(bitPattern: UInt64(-k) | (1 << 63))
    }

    /// The smallest x in lo...hi where `holds` turns false, for a predicate that holds below some
    /// point and not above it; +inf if it holds on all of lo...hi. nil when the predicate is not
    /// monotone within 256 values of the point (an acos that rounds unevenly there), in which
    /// case the caller keeps the exact path.
    static func transition(in lo: Double, _ hi: Double, where holds: (Double) -> Bool) -> Double? {
        var (a, b) = (orderedKey(lo), orderedKey(hi))
        if holds(hi) { return .infinity }
        if !holds(lo) { return lo }
        while b - a > 1 { // holds(a), !holds(b)
            let m = a + (b - a) / 2
            if holds(fromOrderedKey(m)) { a = m } else { b = m }
        }
        let window = max(orderedKey(lo), b - 256)...min(orderedKey(hi), b + 256)
        for k in window where holds(fromOrderedKey(k)) != (k < b) { return nil }
        return fromOrderedKey(b)
    }

    /// One cell of a part table: the histogram index part (a bin times its axis's stride; the
    /// dump bin's part outside the axis, see DumpShape) of the cell's values up to `threshold`
    /// (compared as bits, for values whose bits order as they do), and the step above it.
    struct PartCell: Sendable {
        let threshold: UInt64
        let below: Int32, step: Int32
        static let exact = Int32.min // "decide exactly", where a part is expected

        static func part(_ bin: Int, n: Int, stride: Int) -> Int32 { Int32((bin >= 0 && bin < n ? bin : n) * stride) }

        init(below: Int, above: Int, threshold: UInt64, n: Int, stride: Int) {
            self.threshold = threshold
            self.below = Self.part(below, n: n, stride: stride)
            self.step = threshold == .max ? 0 : Self.part(above, n: n, stride: stride) - self.below
        }
        init(exactFor: Void) { (threshold, below, step) = (.max, Self.exact, 0) }

        /// An integer compare and an add (the compiler's select here is a conditional move: both
        /// operands are at hand).
        @inline(__always) func part(_ bits: UInt64) -> Int32 { below &+ (bits > threshold ? step : 0) }
    }

    /// A binner's table turned into histogram index parts for one axis of one histogram: the PSF
    /// and EDISP loops then take each axis's share of an event's cell index with one load (no
    /// dependent edge load, no range test, no multiply). Tests hold every part to the binner's
    /// bin times the axis stride (`PartCell.part`).
    struct PartTable<Kernel: Sendable>: @unchecked Sendable {
        let owners: [AnyObject]
        let kernel: Kernel
    }

    /// What a part kernel needs only on its exact path, behind one pointer: the kernels then are
    /// two to four words, which the passes keep in registers (a larger struct lives in memory and
    /// is read again for every event).
    struct ExactContext<Binner> {
        let binner: Binner, n: Int, stride: Int
    }

    /// A 3-axis histogram (axis 0 fastest) with one extra "dump" bin per axis: a bin outside its
    /// axis counts into the dump bin, and `strip` drops those cells afterwards, so the event loops
    /// need no range tests. Cell indices fit in Int16 (the zenith part tables hold 2-byte parts).
    struct DumpShape: Sendable {
        let n0: Int, n1: Int, n2: Int
        init(_ n0: Int, _ n1: Int, _ n2: Int) {
            (self.n0, self.n1, self.n2) = (n0, n1, n2)
            precondition(size <= Int(Int16.max), "histogram too large for 2-byte cell indices")
        }
        var size: Int { (n0 + 1) * (n1 + 1) * (n2 + 1) }
        /// The index strides of the three axes.
        var strides: (Int, Int, Int) { (1, n0 + 1, (n0 + 1) * (n1 + 1)) }
        /// The n0 x n1 x n2 cells without the dump bins.
        func strip(_ padded: [Double]) -> [Double] {
            var out: [Double] = []
            out.reserveCapacity(n0 * n1 * n2)
            for k in 0..<n2 { for j in 0..<n1 { out += padded[((j + (n1 + 1) * k) * (n0 + 1))...].prefix(n0) } }
            return out
        }
    }
}
