import Foundation

/// The binners of directions: zenith angle (uniform in cos zenith) and the RAD angle between the
/// reconstructed and true directions, both numpy-exact without acos per event.
extension MCIRFBuilder {
    /// Zenith bins for edges uniform in cos(zenith) (km3irf's theta bins): the cosine's cell among
    /// 2048 equal cells gives the bin directly, except in the cells within reach of an edge. There
    /// the exact cosine w = -z / |r| (km3pipe's) is compared with the values of w where acos(w)
    /// crosses each edge, found once by bisection: numpy's bin of the acos zenith, without acos.
    struct ZenithBinner: @unchecked Sendable {
        let angleEdges: [Double]
        private let owners: (table: Storage<Int8>, edges: Storage<Double>, crossings: Storage<Double>?)
        let kernel: Kernel // see LogBinner.kernel
        /// The bins of the cells `parts` uses (centred on multiples of 1/4096), -2 for "decide
        /// exactly": made once with the binner, so a build only scales them.
        private let centredBins: [Int8]
        static let cellsPerUnit = 4096.0

        init(angleEdges: [Double]) {
            self.angleEdges = angleEdges
            let negCos = angleEdges.map { -cos($0) }
            let n = Int(2 * Self.cellsPerUnit)
            // Cell i holds v = -cos in [i, i+1) / 4096 - 1 (8 KB of table: the few cells near an edge,
            // which take the exact path, hold 0.4% of the events for 12 bins). The computed cell may
            // be one off (rounding of v + 1 and of the cosine), so a cell is direct only when no edge
            // is within two cells.
            let table = Storage(
                (0...n).map { i in
                    let centre = (Double(i) + 0.5) / Self.cellsPerUnit - 1
                    if negCos.contains(where: { abs($0 - centre) < 2.5 / Self.cellsPerUnit }) { return Int8(-2) }
                    return Int8(MCIRFBuilder.bin(negCos, centre))
                })
            // crossings[j]: w < crossings[j] exactly when acos(w) > angleEdges[j]. None if some acos
            // near a crossing is not monotone; the exact path then takes acos.
            let found = angleEdges.map { edge in MCIRFBuilder.transition(in: -1, 1, where: { edge < acos($0) }) }
            let crossings = found.contains(where: { $0 == nil }) ? nil : Storage(found.map { $0! })
            owners = (table, Storage(angleEdges), crossings)
            kernel = Kernel(
                table: UnsafePointer(table.base), crossings: crossings.map { UnsafePointer($0.base) },
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
            let cells =
                [Int16.min]
                + centredBins.map { k -> Int16 in
                    k == -2 ? Int16.min : Int16(PartCell.part(Int(k), n: n, stride: stride))
                }
            let (owner, context) = (Storage(cells), Storage([ExactContext(binner: kernel, n: n, stride: stride)]))
            // The exact path reads this binner's tables through raw pointers: the part table keeps
            // them alive, since the binner itself may be released once `parts` returns (a test that
            // built one as a temporary read freed memory, one run in three).
            let binner: [AnyObject] = [owners.table, owners.edges] + (owners.crossings.map { [$0] } ?? [])
            return PartTable(
                owners: [owner, context] + binner,
                kernel: Kernel.Parts(table: UnsafePointer(owner.base), context: UnsafePointer(context.base)))
        }

        struct Kernel: @unchecked Sendable {
            let table: UnsafePointer<Int8> // the bin, or -2: decide exactly
            let crossings: UnsafePointer<Double>?
            let edges: UnsafePointer<Double>, count: Int

            @inline(__always) func bin(_ x: Double, _ y: Double, _ z: Double) -> Int {
                // Directions are unit vectors: for |r^2 - 1| < 1e-6, -z is -z / r to 5e-7, far inside
                // the two cells (5e-4) kept around each edge. Other vectors take the exact path out of
                // line, so the compiler cannot turn this into a select that computes a sqrt and a
                // division for every event.
                let r2 = x * x + y * y + z * z
                guard abs(r2 - 1) < 1e-6 else { return exact(x, y, z) }
                let cell = MCIRFBuilder.roundedIndex(
                    (1 + z) * ZenithBinner.cellsPerUnit - 0.5, limit: Int(2 * ZenithBinner.cellsPerUnit))
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
                    return abs(r2 - 1) < 1e-6 ? e : 0 // NaN is not of unit length
                }
                @inline(never) static func exact(
                    _ c: UnsafePointer<ExactContext<Kernel>>, _ x: Double, _ y: Double, _ z: Double
                ) -> Int32 {
                    PartCell.part(c.pointee.binner.exact(x, y, z), n: c.pointee.n, stride: c.pointee.stride)
                }
            }

            /// km3pipe's cosine w = -z / |r| against the crossings: numpy's bin of acos(w).
            @inline(never) func exact(_ x: Double, _ y: Double, _ z: Double) -> Int {
                guard let crossings else { return MCIRFBuilder.bin(edges, count: count, MCIRFBuilder.zenith(x, y, z)) }
                // Clamped as `zenith` clamps it (a NaN becomes 1, zenith 0).
                let w = Swift.max(-1, Swift.min(1, -z / (x * x + y * y + z * z).squareRoot()))
                var above = 0
                for j in 0..<count { above &+= w < crossings[j] ? 1 : 0 } // no branch per edge
                return above - 1
            }
        }
    }

    /// km3irf's RAD edges in degrees: 0.05 steps to 1, 0.1 to 5, 0.5 to 30, then 180.
    static let radEdgesDegrees =
        linspace(0, 1, 20, endpoint: false) + linspace(1, 5, 40, endpoint: false) + linspace(5, 30, 51) + [180]

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
        let kernel: Kernel // see LogBinner.kernel
        static let shift: UInt64 = 52 - 6

        init(degreeEdges: [Double] = MCIRFBuilder.radEdgesDegrees) {
            self.degreeEdges = degreeEdges
            func cell(_ u: Double) -> UInt64 { u.bitPattern >> Self.shift }
            func degrees(_ d: Double) -> Double { acos(Swift.max(-1, Swift.min(1, d))) * 180 / .pi }
            // An edge's crossing: the d where "angle > edge" stops holding, as u = 1 - d.
            var exactCells = Set<UInt64>()
            let crossingsU: [Double] = degreeEdges.map { edge in
                guard let d = MCIRFBuilder.transition(in: -1, 1, where: { edge < degrees($0) }) else {
                    let c = cell(1 - cos(edge * .pi / 180)) // not monotone: decide exactly
                    exactCells.formUnion([c - 1, c, c + 1])
                    return 1 - cos(edge * .pi / 180)
                }
                if d == .infinity { return .infinity }
                if d < 0.5 { exactCells.insert(cell(1 - d)) } // 1 - d rounded: decide exactly
                return 1 - d
            }
            let firstEdge = degreeEdges.first(where: { $0 > 0 })!
            let first = cell(1 - cos(firstEdge * .pi / 180)) - 1
            let last = cell(2) + 1
            // The bin of the smallest u of a cell counts the crossings below it; a cell holding two
            // crossings would need two comparisons, so it is decided exactly.
            var bins: [Int8] = [0] // 0 < u below the first cell: under the first positive edge
            for c in first...last {
                let lo = Double(bitPattern: c << Self.shift)
                let hi = Double(bitPattern: (c + 1) << Self.shift)
                let below = crossingsU.filter { $0 < lo }.count
                let inside = crossingsU.filter { $0 >= lo && $0 < hi }.count
                bins.append(inside > 1 || exactCells.contains(c) ? -2 : Int8(below - 1))
            }
            owners = (Storage(bins), Storage([-.infinity] + crossingsU + [.infinity]), Storage(degreeEdges))
            kernel = Kernel(
                table: UnsafePointer(owners.table.base), crossings: UnsafePointer(owners.crossings.base + 1),
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
                return PartCell(
                    below: bin, above: bin + 1, threshold: k.crossings[bin + 1].bitPattern, n: n, stride: stride)
            }
            cells.append(cells[cells.count - 1]) // above the last cell: as the last (see Parts)
            let (owner, context) = (Storage(cells), Storage([ExactContext(binner: k, n: n, stride: stride)]))
            // As ZenithBinner.parts: the binner's own tables live as long as the part table.
            return PartTable(
                owners: [owner, context, owners.table, owners.crossings, owners.edges],
                kernel: Kernel.Parts(
                    cells: UnsafePointer(owner.base), first: k.first, last: k.last, context: UnsafePointer(context.base)
                ))
        }

        struct Kernel: @unchecked Sendable {
            let table: UnsafePointer<Int8> // [0]: below the first cell; then the bin, or -2: decide exactly
            let crossings: UnsafePointer<Double> // in u, indexed by edge, with a -inf and a +inf sentinel around
            let first: UInt64, last: UInt64
            let edges: UnsafePointer<Double>, count: Int

            @inline(__always) func bin(dot d: Double) -> Int {
                let u = 1 - d
                guard u > 0 else { return exact(d) } // angle 0 (an edge) and NaN
                let c = u.bitPattern &>> RadBinner.shift
                let k = Int(
                    table[Int(truncatingIfNeeded: c < first ? 0 : (c > last ? last &- first &+ 1 : c &- first &+ 1))])
                guard k >= -1 else { return exact(d) }
                return k &+ (u > crossings[k &+ 1] ? 1 : 0)
            }

            /// `bin` as a histogram index part (see PartTable).
            struct Parts: @unchecked Sendable {
                let cells: UnsafePointer<PartCell>, first: UInt64, last: UInt64,
                    context: UnsafePointer<ExactContext<Kernel>>
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
}
