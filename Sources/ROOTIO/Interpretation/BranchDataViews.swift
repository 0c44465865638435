import Foundation

// Views of decoded branch data that readers of event files share: the values flattened, and the
// per-entry and per-track layouts of jagged branches (Evt.w, trks.rec_stages, trks.fitinf, T/bdt).

extension BranchData {
    /// Innermost numbers widened to Double (jagged structure flattened).
    public var flat: [Double] {
        switch self {
        case .numbers(let n), .fixed(let n, _): return n.doubles
        case .jagged(_, let inner): return inner.flat
        default: return []
        }
    }

    public var int64s: [Int64] {
        switch self {
        case .numbers(let n), .fixed(let n, _): return n.int64s
        case .jagged(_, let inner): return inner.int64s
        default: return []
        }
    }

    /// Per-entry lists of doubles (top-level vector<double> such as Evt.w).
    public func jaggedDoubles() throws -> [[Double]] {
        guard case .jagged(let o, let inner) = self else { return [] }
        let v = inner.flat
        return (0..<(o.count - 1)).map { Array(v[o[$0]..<o[$0 + 1]]) }
    }

    /// (entry -> track offsets, track -> value offsets, values) for vector<int> members of trks.
    public func doublyJaggedInt32() throws -> ([Int], [Int], [Int32]) {
        guard case .jagged(let outer, .jagged(let inner, .numbers(let n))) = self else {
            throw ROOTError(file: "", object: "rec_stages", offset: 0, reason: "unexpected layout")
        }
        return (outer, inner, n.int64s.map { Int32(truncatingIfNeeded: $0) })
    }

    public func doublyJaggedDouble() throws -> ([Int], [Int], [Double]) {
        guard case .jagged(let outer, .jagged(let inner, .numbers(let n))) = self else {
            throw ROOTError(file: "", object: "fitinf", offset: 0, reason: "unexpected layout")
        }
        return (outer, inner, n.doubles)
    }
}

extension Tree {
    /// Per-entry fixed-size values (e.g. T/bdt float[2]) as [[Double]].
    public func readFixed(_ b: Branch, _ r: Range<Int>) throws -> [[Double]] {
        let d = try BranchReader(tree: self).read(b, entries: r)
        switch d {
        case .fixed(let n, let w):
            let v = n.doubles
            return (0..<r.count).map { Array(v[($0 * w)..<(($0 + 1) * w)]) }
        case .numbers(let n): return n.doubles.map { [$0] }
        default: return Array(repeating: [], count: r.count)
        }
    }
}
