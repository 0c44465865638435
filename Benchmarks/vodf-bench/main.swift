import CDeflate
import FITSIO
import Foundation
import GADF
import MCIRF
import ROOTIO
import Readers

// In-process timings for `make bench`: reading branches with the native reader, against the
// floor of only inflating the same baskets. Usage: vodf-bench FILE TREE BRANCH... [--repeat N]
var args = Array(CommandLine.arguments.dropFirst())
var repeats = 7
if let i = args.firstIndex(of: "--repeat"), i + 1 < args.count {
    repeats = Int(args[i + 1]) ?? 7
    args.removeSubrange(i...(i + 1))
}
// vodf-bench irf FILE N: times the km3irf-compatible builds on N synthetic events from FILE (raw >f8 columns).
if args.first == "irf", args.count >= 3, let n = Int(args[2]) {
    let raw = try! Data(contentsOf: URL(fileURLWithPath: args[1]))
    var v = [Double](repeating: 0, count: raw.count / 8)
    raw.withUnsafeBytes { b in
        for i in v.indices {
            v[i] = Double(bitPattern: UInt64(bigEndian: b.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))
        }
    }
    func events(_ m: Int) -> MCIRFBuilder.Events {
        var ev = MCIRFBuilder.Events()
        ev.reserveCapacity(m) // as readEvents does
        for i in 0..<m {
            let r = v[(9 * i)..<(9 * i + 9)].map { $0 }
            ev.e.append(r[0])
            ev.dx.append(r[1])
            ev.dy.append(r[2])
            ev.dz.append(r[3])
            ev.eMC.append(r[4])
            ev.dxMC.append(r[5])
            ev.dyMC.append(r[6])
            ev.dzMC.append(r[7])
            ev.w2.append(r[8])
        }
        return ev
    }
    let all = events(n)
    let tenth = events(n / 10)
    let opts = MCIRFBuilder.Options()
    // Each build is timed with the writing of its FITS file, as km3irf's build_* calls write theirs
    // (`vodf irf build` writes the same tables).
    let writer = IRFWriter(flavor: .gadf03)
    let ctx = IRFContext(telescope: "KM3NeT", instrument: "KM3NeT", origin: "KM3NeT", creator: "vodf-bench")
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vodf-bench-\(getpid())").path
    try! FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    func written(_ name: String, _ table: () throws -> Table) {
        let path = dir + "/" + name + ".fits"
        try? FileManager.default.removeItem(atPath: path)
        try! FITSOutput.write(
            [try! table()],
            primary: FITSOutput.primaryCards(creator: "vodf-bench", origin: "KM3NeT", telescope: "KM3NeT"), to: path)
    }
    let aeff = median(repeats) {
        written("aeff") { try writer.table(for: try MCIRFBuilder.effectiveArea(all, options: opts), context: ctx) }
    }
    // Linearity is a property of the build alone: timed without the (fixed-cost) write.
    let aeffBuild = median(repeats) { _ = try! MCIRFBuilder.effectiveArea(all, options: opts) }
    let aeffBuild10 = median(repeats) { _ = try! MCIRFBuilder.effectiveArea(tenth, options: opts) }
    let psf = median(repeats) {
        written("psf") { try writer.table(for: try MCIRFBuilder.psf(all, options: opts), context: ctx) }
    }
    let edisp = median(repeats) {
        written("edisp") { try writer.table(for: try MCIRFBuilder.energyDispersion(all, options: opts), context: ctx) }
    }
    print(
        String(
            format: "aeff_s=%.5f aeff_build_s=%.5f aeff_build_tenth_s=%.5f psf_s=%.5f edisp_s=%.5f", aeff, aeffBuild,
            aeffBuild10, psf, edisp))
    exit(0)
}
// vodf-bench inflate FILE...: the floor of validating a gzipped release: every file read and its
// gzip members inflated once with libdeflate, the files shared out to all cores (as `vodf validate`
// shares them). Prints the best of --repeat runs.
if args.first == "inflate" {
    let files = Array(args.dropFirst())
    final class Next: @unchecked Sendable {
        var i = 0, bytes = 0
        let lock = NSLock()
        func take() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            i += 1
            return i - 1
        }
        func add(_ n: Int) {
            lock.lock()
            bytes += n
            lock.unlock()
        }
    }
    var best = Double.infinity
    var total = 0
    for _ in 0..<repeats {
        let t0 = Date()
        let next = Next()
        DispatchQueue.concurrentPerform(iterations: ProcessInfo.processInfo.activeProcessorCount) { _ in
            guard let d = libdeflate_alloc_decompressor() else { return }
            defer { libdeflate_free_decompressor(d) }
            var out = [UInt8](repeating: 0, count: 1 << 24)
            while let k = next.take(), k < files.count {
                guard let data = FileManager.default.contents(atPath: files[k]) else { continue }
                data.withUnsafeBytes { (inp: UnsafeRawBufferPointer) in
                    var offset = 0
                    while offset < inp.count {
                        var used = 0
                        var produced = 0
                        var r = LIBDEFLATE_INSUFFICIENT_SPACE
                        while true {
                            r = out.withUnsafeMutableBytes { o in
                                libdeflate_gzip_decompress_ex(
                                    d, inp.baseAddress! + offset, inp.count - offset, o.baseAddress!, o.count, &used,
                                    &produced)
                            }
                            if r == LIBDEFLATE_INSUFFICIENT_SPACE {
                                out = [UInt8](repeating: 0, count: out.count * 2)
                                continue
                            }
                            break
                        }
                        guard r == LIBDEFLATE_SUCCESS, used > 0 else { break }
                        next.add(produced)
                        offset += used
                    }
                }
            }
        }
        best = min(best, Date().timeIntervalSince(t0))
        total = next.bytes
    }
    print(String(format: "inflate_s=%.5f inflated_MB=%.2f", best, Double(total) / 1e6))
    exit(0)
}
guard args.count >= 3 else {
    FileHandle.standardError.write(Data("usage: vodf-bench FILE TREE BRANCH... [--repeat N]\n".utf8))
    exit(2)
}
let (path, treeName, names) = (args[0], args[1], Array(args[2...]))

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

func median(_ repeats: Int, _ f: () throws -> Void) rethrows -> Double {
    var times: [Double] = []
    for _ in 0..<repeats {
        let t0 = now()
        try f()
        times.append(now() - t0)
    }
    return times.sorted()[times.count / 2]
}

do {
    var decompressed = 0
    let read = try median(repeats) {
        let f = try ROOTFile(path: path)
        let t = try f.tree(treeName)
        let r = BranchReader(tree: t)
        for n in names {
            guard let b = t.branch(n) else {
                throw ROOTError(file: path, object: n, offset: 0, reason: "no such branch")
            }
            _ = try r.read(b)
        }
    }
    let floor = try median(repeats) {
        let f = try ROOTFile(path: path)
        let t = try f.tree(treeName)
        decompressed = 0
        for n in names { decompressed += try t.branch(n)!.inflateAllBaskets(file: f) }
    }
    print(
        String(format: "read_s=%.5f inflate_floor_s=%.5f decompressed_MB=%.2f", read, floor, Double(decompressed) / 1e6)
    )
} catch {
    FileHandle.standardError.write(Data("vodf-bench: \(error)\n".utf8))
    exit(1)
}
