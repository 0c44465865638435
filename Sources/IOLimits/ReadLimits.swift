/// Limits on what a size read from a file may make a reader allocate. Every IO layer (FITS,
/// ROOT, HDF5, gzip) checks a declared length against the bytes the file can hold first, and
/// against `maxBytes` for what it cannot bound that way (inflated data, decompressed baskets):
/// a flipped bit in NAXIS2 or a ROOT key length then gives a one-line error, not a 2 GB
/// allocation or a trap.
public enum ReadLimits {
    /// The largest single buffer a reader allocates on a size taken from a file (`--max-memory`).
    /// 256 MiB: fifteen times the largest input of the corpora (a 17 MB ROOT file), and small
    /// enough that a decompression bomb ends with peak memory under 500 MB.
    nonisolated(unsafe) public static var maxBytes: Int = 256 << 20

    /// Deflate's own ceiling is 1032:1; no honest member inflates further.
    public static let maxInflateRatio = 1032

    /// nil when `bytes` fits the budget, else why not (for the caller's error).
    public static func refusal(_ bytes: Int, for what: String) -> String? {
        guard bytes > maxBytes || bytes < 0 else { return nil }
        return
            "\(what) needs \(describe(bytes)), more than the memory limit of \(describe(maxBytes)) (--max-memory raises it)"
    }

    /// "1.5 GiB", "256 MiB", "12 KiB": the units `--max-memory` takes.
    public static func describe(_ bytes: Int) -> String {
        let b = Double(bytes)
        if b >= 0x1p30 { return "\((b / 0x1p30 * 10).rounded() / 10) GiB" }
        if b >= 0x1p20 { return "\(Int((b / 0x1p20).rounded())) MiB" }
        if b >= 0x1p10 { return "\(Int((b / 0x1p10).rounded())) KiB" }
        return "\(bytes) bytes"
    }

    /// "384M", "2G", "512000" -> bytes; nil when not a size.
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingPrefixSpaces().uppercased()
        let units: [(String, Int)] = [
            ("GB", 1 << 30), ("G", 1 << 30), ("MB", 1 << 20), ("M", 1 << 20), ("KB", 1 << 10), ("K", 1 << 10),
        ]
        for (suffix, scale) in units where t.hasSuffix(suffix) {
            guard let v = Double(t.dropLast(suffix.count)), v > 0, v * Double(scale) < 9e18 else { return nil }
            return Int(v * Double(scale))
        }
        return Int(t).flatMap { $0 > 0 ? $0 : nil }
    }
}

extension String {
    fileprivate func trimmingPrefixSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
