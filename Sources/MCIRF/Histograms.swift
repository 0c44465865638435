import Foundation
import Parallel

extension MCIRFBuilder {
    /// Read-only event columns as raw pointers for the histogram loops.
    struct Columns: @unchecked Sendable {
        let pointers: [UnsafePointer<Double>]
        @inline(__always) subscript(i: Int) -> UnsafePointer<Double> { pointers[i] }
    }

    /// Runs `body(range, columns, histogram)` on all cores over parts of 0..<n (n = the columns'
    /// length) and adds the partial histograms.
    static func parallelHistogram(
        _ columns: [[Double]], size: Int,
        _ body: @escaping @Sendable (Range<Int>, Columns, UnsafeMutablePointer<Double>) -> Void
    ) -> [Double] {
        partialHistograms(
            columns, size: size,
            { next, cols, h in
                while let r = next() { body(r, cols, h) }
            }
        ) { $0 }
    }

    /// The same for histograms of event counts, counted in 2-byte cells and added up before any
    /// cell could pass 65535 events: the often-hit part of the PSF and EDISP histograms then stays
    /// in the L1 cache with the bin tables.
    static func parallelCounts(
        _ columns: [[Double]], size: Int,
        _ body: @escaping @Sendable (Range<Int>, Columns, UnsafeMutablePointer<UInt16>) -> Void
    ) -> [Double] {
        partialHistograms(
            columns, size: size,
            { next, cols, total in
                let counts = UnsafeMutablePointer<UInt16>.allocate(capacity: size)
                defer { counts.deallocate() }
                counts.initialize(repeating: 0, count: size)
                var pending = 0
                func flush() {
                    for i in 0..<size { total[i] += Double(counts[i]) }
                    counts.update(repeating: 0, count: size)
                    pending = 0
                }
                while let r = next() {
                    if pending + r.count > Int(UInt16.max) { flush() }
                    body(r, cols, counts)
                    pending += r.count
                }
                if pending > 0 { flush() }
            }
        ) { $0 }
    }

    /// Hands out consecutive chunks of 0..<n to the workers: a core slowed by a busy neighbour
    /// takes fewer of them instead of holding up the build with a fixed half.
    private final class Chunks: @unchecked Sendable {
        private let lock = NSLock()
        private var start = 0
        let n: Int, size: Int
        init(n: Int, size: Int) { (self.n, self.size) = (n, size) }
        func next() -> Range<Int>? {
            lock.lock()
            defer { lock.unlock() }
            guard start < n else { return nil }
            defer { start = min(n, start + size) }
            return start..<min(n, start + size)
        }
    }

    private static func partialHistograms<Cell: AdditiveArithmetic & Sendable>(
        _ columns: [[Double]], size: Int,
        _ work: @escaping @Sendable (() -> Range<Int>?, Columns, UnsafeMutablePointer<Cell>) -> Void,
        toDouble: (Cell) -> Double
    ) -> [Double] {
        let n = columns.first?.count ?? 0
        // One worker per core, each with its own histogram; chunks of 16384 events (fewer than
        // 65535, the limit of parallelCounts' 2-byte cells).
        let workers = n > 50_000 ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1
        let chunks = Chunks(n: n, size: 16_384)
        let partial = UnsafeMutableBufferPointer<Cell>.allocate(capacity: workers * size)
        partial.initialize(repeating: .zero)
        defer { partial.deallocate() }
        let shared = SharedBuffer(partial)
        withPointers(
            columns, [],
            { pointers in
                let cols = Columns(pointers: pointers)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    work(chunks.next, cols, shared.buffer.baseAddress! + w * size)
                }
            })
        // Parts are added as doubles (a count part holds fewer than 2^32 events).
        var out = partial[0..<size].map(toDouble)
        for w in 1..<workers { for i in 0..<size { out[i] += toDouble(partial[w * size + i]) } }
        return out
    }

    /// The per-axis passes over one block of events: each adds its axis's part to the block's cell
    /// indices (or sets them, for the first axis). One function each, not inlined into the block
    /// loop: there too many values are live across the passes, so the register allocator kept the
    /// column pointers and table fields on the stack and reloaded them for every event (a dozen
    /// loads of ~100 instructions per PSF event, counted with callgrind). Here each pass has only
    /// its own values, copied into locals, in registers.
    enum BlockPass {
        @inline(never) static func energy(
            _ k: LogBinner.Kernel.Parts, _ e: UnsafePointer<Double>, _ n: Int, set cell: UnsafeMutablePointer<Int32>
        ) {
            let k = k
            if k.shift == 48 {
                for j in 0..<n { cell[j] = k.part4(e[j]) }
            } else {
                for j in 0..<n { cell[j] = k.part(e[j]) }
            }
        }

        /// Energy and migration (reco / true energy) in one pass: both read the true energy.
        @inline(never) static func energyAndMigration(
            _ ek: LogBinner.Kernel.Parts, _ mk: LogBinner.Kernel.Parts, _ eTrue: UnsafePointer<Double>,
            _ eReco: UnsafePointer<Double>, _ n: Int, set cell: UnsafeMutablePointer<Int32>
        ) {
            let (ek, mk) = (ek, mk)
            if ek.shift == 48 && mk.shift == 48 {
                for j in 0..<n { cell[j] = ek.part4(eTrue[j]) &+ mk.part4(eReco[j] / eTrue[j]) }
            } else {
                for j in 0..<n { cell[j] = ek.part(eTrue[j]) &+ mk.part(eReco[j] / eTrue[j]) }
            }
        }

        /// In two loops: the table entries of the block (plain arithmetic, which the compiler
        /// vectorises), then the lookups, with few values live. `scratch` holds `n` integers.
        @inline(never) static func zenith(
            _ k: ZenithBinner.Kernel.Parts, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
            _ z: UnsafePointer<Double>,
            _ n: Int, add cell: UnsafeMutablePointer<Int32>, scratch entries: UnsafeMutablePointer<Int>
        ) {
            for j in 0..<n { entries[j] = ZenithBinner.Kernel.Parts.entry(x[j], y[j], z[j]) }
            let k = k
            for j in 0..<n {
                let p = k.table[entries[j]]
                cell[j] &+= p >= 0 ? Int32(p) : ZenithBinner.Kernel.Parts.exact(k.context, x[j], y[j], z[j])
            }
        }

        /// The RAD angle between the reconstructed (r) and true (t) directions, in two loops as
        /// `zenith`: u = 1 - r.t for the block (vectorised), then the lookups (the exact path, in a
        /// few cells, computes r.t again). `scratch` holds `n` doubles.
        @inline(never) static func rad(
            _ k: RadBinner.Kernel.Parts, _ rx: UnsafePointer<Double>, _ ry: UnsafePointer<Double>,
            _ rz: UnsafePointer<Double>,
            _ tx: UnsafePointer<Double>, _ ty: UnsafePointer<Double>, _ tz: UnsafePointer<Double>,
            _ n: Int, add cell: UnsafeMutablePointer<Int32>, scratch dots: UnsafeMutablePointer<Double>
        ) {
            for j in 0..<n { dots[j] = 1 - (rx[j] * tx[j] + ry[j] * ty[j] + rz[j] * tz[j]) }
            let k = k
            for j in 0..<n { cell[j] &+= k.part(u: dots[j], dot: rx[j] * tx[j] + ry[j] * ty[j] + rz[j] * tz[j]) }
        }

        @inline(never) static func count(_ cell: UnsafePointer<Int32>, _ n: Int, into f: UnsafeMutablePointer<UInt16>) {
            for j in 0..<n { f[Int(cell[j])] &+= 1 }
        }
    }

    /// Calls `body(start, count, cells)` for consecutive blocks of `range` (256 events), with a
    /// buffer of the block's length for the events' cell indices (cells[j] for event start + j).
    @inline(__always) static func withBinBlocks(
        _ range: Range<Int>, _ body: (Int, Int, UnsafeMutablePointer<Int32>, Scratch) -> Void
    ) {
        let blockSize = 256
        let cells = UnsafeMutablePointer<Int32>.allocate(capacity: blockSize)
        let scratch = Scratch(integers: .allocate(capacity: blockSize), doubles: .allocate(capacity: blockSize))
        defer {
            cells.deallocate()
            scratch.integers.deallocate()
            scratch.doubles.deallocate()
        }
        for start in stride(from: range.lowerBound, to: range.upperBound, by: blockSize) {
            body(start, min(blockSize, range.upperBound - start), cells, scratch)
        }
    }

    /// Per-block buffers of the passes' first loops.
    struct Scratch {
        let integers: UnsafeMutablePointer<Int>, doubles: UnsafeMutablePointer<Double>
    }

    /// The histogram parts, each written by one worker only.
    private struct SharedBuffer<Cell>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Cell>
        init(_ b: UnsafeMutableBufferPointer<Cell>) { buffer = b }
    }

    private static func withPointers(
        _ arrays: [[Double]], _ acc: [UnsafePointer<Double>], _ body: ([UnsafePointer<Double>]) -> Void
    ) {
        guard acc.count < arrays.count else { return body(acc) }
        arrays[acc.count].withUnsafeBufferPointer { b in
            // An empty column has no base address; no events are read from it then.
            withPointers(arrays, acc + [b.baseAddress ?? UnsafePointer(bitPattern: 8)!], body)
        }
    }

    /// E^-gamma, exactly as pow for every gamma but faster for km3irf's default 2.5.
    @inline(__always) static func weight(_ e: Double, gamma: Double) -> Double {
        gamma == 2.5 ? 1 / (e * e * e.squareRoot()) : pow(e, -gamma)
    }

    /// km3pipe `zenith`: the angle to (0, 0, -1), so 0 is a down-going particle.
    static func zenith(_ x: Double, _ y: Double, _ z: Double) -> Double {
        let n = (x * x + y * y + z * z).squareRoot()
        return acos(max(-1, min(1, -z / n)))
    }

}
