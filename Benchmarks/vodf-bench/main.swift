import Foundation
import ROOTIO

// In-process timings for `make bench`: reading branches with the native reader, against the
// floor of only inflating the same baskets. Usage: vodf-bench FILE TREE BRANCH... [--repeat N]
var args = Array(CommandLine.arguments.dropFirst())
var repeats = 7
if let i = args.firstIndex(of: "--repeat"), i + 1 < args.count {
    repeats = Int(args[i + 1]) ?? 7
    args.removeSubrange(i...(i + 1))
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
            guard let b = t.branch(n) else { throw ROOTError(file: path, object: n, offset: 0, reason: "no such branch") }
            _ = try r.read(b)
        }
    }
    let floor = try median(repeats) {
        let f = try ROOTFile(path: path)
        let t = try f.tree(treeName)
        decompressed = 0
        for n in names { decompressed += try t.branch(n)!.inflateAllBaskets(file: f) }
    }
    print(String(format: "read_s=%.5f inflate_floor_s=%.5f decompressed_MB=%.2f", read, floor, Double(decompressed) / 1e6))
} catch {
    FileHandle.standardError.write(Data("vodf-bench: \(error)\n".utf8))
    exit(1)
}
