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
        var lo = 0, hi = count
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
            while mantissaBits < 20 && zip(edges, edges.dropFirst()).contains(where: { cell($0) == cell($1) }) { mantissaBits += 2 }
            let (shift, first, last) = (52 - mantissaBits, cell(edges[0]), cell(edges[edges.count - 1]) + 1)
            // table[c - first]: the bin of the smallest double in cell c.
            owner = Storage((first...last).map { Int8(MCIRFBuilder.bin(edges, Double(bitPattern: $0 << shift))) })
            kernel = Kernel(table: UnsafePointer(owner.base), edges: self.edges.base, count: edges.count, shift: shift, first: first, last: last)
        }

        @inline(__always) func bin(_ x: Double) -> Int { kernel.bin(x) }

        /// The cells as histogram index parts of an axis of `n` bins with index stride `stride`
        /// (see PartTable): each cell holds the edge it contains, if any, as its threshold.
        func parts(n: Int, stride: Int) -> PartTable<Kernel.Parts> {
            let k = kernel, span = Int(k.last - k.first) + 1
            var cells: [PartCell] = (0..<span).map { i in
                let bin = Int(k.table[i]), next = k.edges[bin + 1]
                // The next edge is inside this cell exactly when it names this cell.
                let inside = bin + 1 < k.count && next.bitPattern >> k.shift == k.first + UInt64(i)
                return PartCell(below: bin, above: bin + 1, threshold: inside ? next.bitPattern : .max, n: n, stride: stride)
            }
            cells.append(PartCell(below: -1, above: -1, threshold: .max, n: n, stride: stride))   // outside the cells: no bin
            let owner = Storage(cells)
            return PartTable(owners: [owner], kernel: Kernel.Parts(cells: UnsafePointer(owner.base), shift: k.shift, first: k.first, span: UInt64(span)))
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
                let c = x.bitPattern &>> shift    // +inf lands above the last cell: bin count - 1, as numpy
                let k = Int(table[Int(truncatingIfNeeded: c < first ? 0 : (c > last ? last &- first : c &- first))])
                return k &+ (x > edges[k &+ 1] ? 1 : 0)   // an add, not a select: a select becomes a branch that mispredicts in edge cells
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
        while b - a > 1 {                           // holds(a), !holds(b)
            let m = a + (b - a) / 2
            if holds(fromOrderedKey(m)) { a = m } else { b = m }
        }
        let window = max(orderedKey(lo), b - 256)...min(orderedKey(hi), b + 256)
        for k in window where holds(fromOrderedKey(k)) != (k < b) { return nil }
        return fromOrderedKey(b)
    }

    /// Zenith bins for edges uniform in cos(zenith) (km3irf's theta bins): the cosine's cell among
    /// 2048 equal cells gives the bin directly, except in the cells within reach of an edge. There
    /// the exact cosine w = -z / |r| (km3pipe's) is compared with the values of w where acos(w)
    /// crosses each edge, found once by bisection: numpy's bin of the acos zenith, without acos.
    struct ZenithBinner: @unchecked Sendable {
        let angleEdges: [Double]
        private let owners: (table: Storage<Int8>, edges: Storage<Double>, crossings: Storage<Double>?)
        let kernel: Kernel                          // see LogBinner.kernel
        /// The bins of the cells `parts` uses (centred on multiples of 1/4096), -2 for "decide
        /// exactly": made once with the binner, so a build only scales them.
        private let centredBins: [Int8]
        fileprivate static let cellsPerUnit = 4096.0

        init(angleEdges: [Double]) {
            self.angleEdges = angleEdges
            let negCos = angleEdges.map { -cos($0) }
            let n = Int(2 * Self.cellsPerUnit)
            // Cell i holds v = -cos in [i, i+1) / 4096 - 1 (8 KB of table: the few cells near an edge,
            // which take the exact path, hold 0.4% of the events for 12 bins). The computed cell may
            // be one off (rounding of v + 1 and of the cosine), so a cell is direct only when no edge
            // is within two cells.
            let table = Storage((0...n).map { i in
                let centre = (Double(i) + 0.5) / Self.cellsPerUnit - 1
                if negCos.contains(where: { abs($0 - centre) < 2.5 / Self.cellsPerUnit }) { return Int8(-2) }
                return Int8(MCIRFBuilder.bin(negCos, centre))
            })
            // crossings[j]: w < crossings[j] exactly when acos(w) > angleEdges[j]. None if some acos
            // near a crossing is not monotone; the exact path then takes acos.
            let found = angleEdges.map { edge in MCIRFBuilder.transition(in: -1, 1, where: { edge < acos($0) }) }
            let crossings = found.contains(where: { $0 == nil }) ? nil : Storage(found.map { $0! })
            owners = (table, Storage(angleEdges), crossings)
            kernel = Kernel(table: UnsafePointer(table.base), crossings: crossings.map { UnsafePointer($0.base) },
                            edges: UnsafePointer(owners.edges.base), count: angleEdges.count)
            centredBins = (0...n).map { i in
                let centre = Double(i) / Self.cellsPerUnit - 1
                if negCos.contains(where: { abs($0 - centre) < 2.5 / Self.cellsPerUnit }) { return Int8(-2) }
                return Int8(MCIRFBuilder.bin(negCos, centre))
            }
        }

        /// The bin of the zenith of (x, y, z).
        @inline(__always) func bin(_ x: Double, _ y: Double, _ z: Double) -> Int { kernel.bin(x, y, z) }

        /// The table as histogram index parts of an axis of `n` bins with index stride `stride`.
        /// Its cell i holds v within half a cell of i / 4096 - 1 (those of `table` start there), so
        /// that the cell of a z is one rounding (see Parts.part); a cell within 2.5 cells of an
        /// edge is decided exactly, as in `table`.
        func parts(n: Int, stride: Int) -> PartTable<Kernel.Parts> {
            // Int16 parts (DumpShape keeps cell indices below Int16.max): the table is read at
            // random and shares the L1 cache with the histogram and the other tables.
            // Entry 0: "decide exactly", for directions that are not of unit length; then cell i at i + 1.
            let cells = [Int16.min] + centredBins.map { k -> Int16 in k == -2 ? Int16.min : Int16(PartCell.part(Int(k), n: n, stride: stride)) }
            let (owner, context) = (Storage(cells), Storage([ExactContext(binner: kernel, n: n, stride: stride)]))
            // The exact path reads this binner's tables through raw pointers: the part table keeps
            // them alive, since the binner itself may be released once `parts` returns (a test that
            // built one as a temporary read freed memory, one run in three).
            let binner: [AnyObject] = [owners.table, owners.edges] + (owners.crossings.map { [$0] } ?? [])
            return PartTable(owners: [owner, context] + binner, kernel: Kernel.Parts(table: UnsafePointer(owner.base), context: UnsafePointer(context.base)))
        }

        struct Kernel: @unchecked Sendable {
            let table: UnsafePointer<Int8>           // the bin, or -2: decide exactly
            let crossings: UnsafePointer<Double>?
            let edges: UnsafePointer<Double>, count: Int

            @inline(__always) func bin(_ x: Double, _ y: Double, _ z: Double) -> Int {
                // Directions are unit vectors: for |r^2 - 1| < 1e-6, -z is -z / r to 5e-7, far inside
                // the two cells (5e-4) kept around each edge. Other vectors take the exact path out of
                // line, so the compiler cannot turn this into a select that computes a sqrt and a
                // division for every event.
                let r2 = x * x + y * y + z * z
                guard abs(r2 - 1) < 1e-6 else { return exact(x, y, z) }
                let cell = MCIRFBuilder.roundedIndex((1 + z) * ZenithBinner.cellsPerUnit - 0.5, limit: Int(2 * ZenithBinner.cellsPerUnit))
                let k = table[cell < 0 ? 0 : cell]
                return k >= -1 ? Int(k) : exact(x, y, z)
            }

            /// `bin` as a histogram index part (see PartTable).
            struct Parts: @unchecked Sendable {
                let table: UnsafePointer<Int16>, context: UnsafePointer<ExactContext<Kernel>>
                @inline(__always) func part(_ x: Double, _ y: Double, _ z: Double) -> Int32 {
                    let p = table[Self.entry(x, y, z)]
                    return p >= 0 ? Int32(p) : Self.exact(context, x, y, z)
                }

                /// The table entry of a direction, without branches (the block passes compute it
                /// for a block at a time, vectorised): its cell + 1 for a direction of unit length
                /// to 1e-6 (as `bin` checks), else 0, the entry that says "decide exactly".
                @inline(__always) static func entry(_ x: Double, _ y: Double, _ z: Double) -> Int {
                    let r2 = x * x + y * y + z * z
                    // z * 4096 is exact, so adding 4096 + 1 + 1.5 * 2^52 rounds once, to the integer
                    // nearest (1 + z) * 4096, plus 1. For a unit direction |z| <= 1 + 5e-7, so that
                    // is 1...8193 and needs no clamping (`bin` clamps, for any z).
                    let magic = 6_755_399_441_055_744.0
                    let t = z * ZenithBinner.cellsPerUnit + (ZenithBinner.cellsPerUnit + 1 + magic)
                    let e = Int(truncatingIfNeeded: t.bitPattern &- magic.bitPattern)
                    return abs(r2 - 1) < 1e-6 ? e : 0          // NaN is not of unit length
                }
                @inline(never) static func exact(_ c: UnsafePointer<ExactContext<Kernel>>, _ x: Double, _ y: Double, _ z: Double) -> Int32 {
                    PartCell.part(c.pointee.binner.exact(x, y, z), n: c.pointee.n, stride: c.pointee.stride)
                }
            }

            /// km3pipe's cosine w = -z / |r| against the crossings: numpy's bin of acos(w).
            @inline(never) func exact(_ x: Double, _ y: Double, _ z: Double) -> Int {
                guard let crossings else { return MCIRFBuilder.bin(edges, count: count, MCIRFBuilder.zenith(x, y, z)) }
                // Clamped as `zenith` clamps it (a NaN becomes 1, zenith 0).
                let w = Swift.max(-1, Swift.min(1, -z / (x * x + y * y + z * z).squareRoot()))
                var above = 0
                for j in 0..<count { above &+= w < crossings[j] ? 1 : 0 }   // no branch per edge
                return above - 1
            }
        }
    }

    /// km3irf's RAD edges in degrees: 0.05 steps to 1, 0.1 to 5, 0.5 to 30, then 180.
    static let radEdgesDegrees = linspace(0, 1, 20, endpoint: false) + linspace(1, 5, 40, endpoint: false) + linspace(5, 30, 51) + [180]

    /// km3irf's RAD bins (degrees) of the angle between two unit vectors, from their dot product d.
    /// The cell of u = 1 - d is named by its bits (exponent and 6 mantissa bits: cells 1.1% wide in
    /// u, 0.55% in angle, narrower than the closest crossings, 3.3% apart in u at 30 deg; a small
    /// table stays in the L1 cache) and gives the bin k of its smallest u; one comparison with the next edge's
    /// crossing (the u above which acos(1 - u) in degrees passes that edge, found once by
    /// bisection) adds 1 in the cells that hold an edge. For d >= 0.5, u = 1 - d is exact, so this
    /// is numpy's bin of acos(d) in degrees without acos. Crossings at d < 0.5 (u is rounded there)
    /// or where acos is not monotone leave their cell to the exact path.
    struct RadBinner: @unchecked Sendable {
        let degreeEdges: [Double]
        private let owners: (table: Storage<Int8>, crossings: Storage<Double>, edges: Storage<Double>)
        let kernel: Kernel                            // see LogBinner.kernel
        fileprivate static let shift: UInt64 = 52 - 6

        init(degreeEdges: [Double] = MCIRFBuilder.radEdgesDegrees) {
            self.degreeEdges = degreeEdges
            func cell(_ u: Double) -> UInt64 { u.bitPattern >> Self.shift }
            func degrees(_ d: Double) -> Double { acos(Swift.max(-1, Swift.min(1, d))) * 180 / .pi }
            // An edge's crossing: the d where "angle > edge" stops holding, as u = 1 - d.
            var exactCells = Set<UInt64>()
            let crossingsU: [Double] = degreeEdges.map { edge in
                guard let d = MCIRFBuilder.transition(in: -1, 1, where: { edge < degrees($0) }) else {
                    let c = cell(1 - cos(edge * .pi / 180))                 // not monotone: decide exactly
                    exactCells.formUnion([c - 1, c, c + 1])
                    return 1 - cos(edge * .pi / 180)
                }
                if d == .infinity { return .infinity }
                if d < 0.5 { exactCells.insert(cell(1 - d)) }               // 1 - d rounded: decide exactly
                return 1 - d
            }
            let firstEdge = degreeEdges.first(where: { $0 > 0 })!
            let first = cell(1 - cos(firstEdge * .pi / 180)) - 1, last = cell(2) + 1
            // The bin of the smallest u of a cell counts the crossings below it; a cell holding two
            // crossings would need two comparisons, so it is decided exactly.
            var bins: [Int8] = [0]                     // 0 < u below the first cell: under the first positive edge
            for c in first...last {
                let lo = Double(bitPattern: c << Self.shift), hi = Double(bitPattern: (c + 1) << Self.shift)
                let below = crossingsU.filter { $0 < lo }.count, inside = crossingsU.filter { $0 >= lo && $0 < hi }.count
                bins.append(inside > 1 || exactCells.contains(c) ? -2 : Int8(below - 1))
            }
            owners = (Storage(bins), Storage([-.infinity] + crossingsU + [.infinity]), Storage(degreeEdges))
            kernel = Kernel(table: UnsafePointer(owners.table.base), crossings: UnsafePointer(owners.crossings.base + 1),
                            first: first, last: last, edges: UnsafePointer(owners.edges.base), count: degreeEdges.count)
        }

        @inline(__always) func bin(dot d: Double) -> Int { kernel.bin(dot: d) }

        /// The table as histogram index parts of an axis of `n` bins with index stride `stride`:
        /// each cell holds the crossing above its first bin as its threshold.
        func parts(n: Int, stride: Int) -> PartTable<Kernel.Parts> {
            let k = kernel
            var cells = (0...Int(k.last - k.first + 1)).map { i -> PartCell in
                let bin = Int(k.table[i])
                guard bin != -2 else { return PartCell(exactFor: ()) }
                // Crossings are u values >= 0 (or +inf), and u > 0 here: bits order as values.
                return PartCell(below: bin, above: bin + 1, threshold: k.crossings[bin + 1].bitPattern, n: n, stride: stride)
            }
            cells.append(cells[cells.count - 1])         // above the last cell: as the last (see Parts)
            let (owner, context) = (Storage(cells), Storage([ExactContext(binner: k, n: n, stride: stride)]))
            // As ZenithBinner.parts: the binner's own tables live as long as the part table.
            return PartTable(owners: [owner, context, owners.table, owners.crossings, owners.edges],
                             kernel: Kernel.Parts(cells: UnsafePointer(owner.base), first: k.first, last: k.last, context: UnsafePointer(context.base)))
        }

        struct Kernel: @unchecked Sendable {
            let table: UnsafePointer<Int8>           // [0]: below the first cell; then the bin, or -2: decide exactly
            let crossings: UnsafePointer<Double>     // in u, indexed by edge, with a -inf and a +inf sentinel around
            let first: UInt64, last: UInt64
            let edges: UnsafePointer<Double>, count: Int

            @inline(__always) func bin(dot d: Double) -> Int {
                let u = 1 - d
                guard u > 0 else { return exact(d) }        // angle 0 (an edge) and NaN
                let c = u.bitPattern &>> RadBinner.shift
                let k = Int(table[Int(truncatingIfNeeded: c < first ? 0 : (c > last ? last &- first &+ 1 : c &- first &+ 1))])
                guard k >= -1 else { return exact(d) }
                return k &+ (u > crossings[k &+ 1] ? 1 : 0)
            }

            /// `bin` as a histogram index part (see PartTable).
            struct Parts: @unchecked Sendable {
                let cells: UnsafePointer<PartCell>, first: UInt64, last: UInt64, context: UnsafePointer<ExactContext<Kernel>>
                @inline(__always) func part(dot d: Double) -> Int32 { part(u: 1 - d, dot: d) }

                /// `part(dot:)` with u = 1 - d already computed (the dot product `d` itself is
                /// evaluated only on the exact path, where it is needed).
                @inline(__always) func part(u: Double, dot d: @autoclosure () -> Double) -> Int32 {
                    guard u > 0 else { return Self.exact(context, d()) }
                    // Clamped to one cell below the first and one above the last (a copy of it),
                    // with min and max: no branches.
                    let c = Swift.min(Swift.max(u.bitPattern &>> RadBinner.shift, first &- 1), last &+ 1)
                    let cell = cells[Int(truncatingIfNeeded: c &- (first &- 1))]
                    return cell.below >= 0 ? cell.part(u.bitPattern) : Self.exact(context, d())
                }
                @inline(never) static func exact(_ c: UnsafePointer<ExactContext<Kernel>>, _ d: Double) -> Int32 {
                    PartCell.part(c.pointee.binner.exact(d), n: c.pointee.n, stride: c.pointee.stride)
                }
            }

            /// d is clamped to [-1, 1] here only: outside it, u is <= 0 or lands in the cell of 180 deg.
            @inline(never) func exact(_ d: Double) -> Int {
                MCIRFBuilder.bin(edges, count: count, acos(Swift.max(-1, Swift.min(1, d))) * 180 / .pi)
            }
        }
    }

    /// One cell of a part table: the histogram index part (a bin times its axis's stride; the
    /// dump bin's part outside the axis, see DumpShape) of the cell's values up to `threshold`
    /// (compared as bits, for values whose bits order as they do), and the step above it.
    struct PartCell: Sendable {
        let threshold: UInt64
        let below: Int32, step: Int32
        static let exact = Int32.min             // "decide exactly", where a part is expected

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
