/// A TTree: its entry count and its branches (as a tree, and flattened with '/'-joined paths).
/// Immutable once read, so it can be shared by concurrent basket readers.
public final class Tree: @unchecked Sendable {
    public let name: String
    public let entries: Int
    public let branches: [Branch]
    public let file: ROOTFile
    public let registry: StreamerRegistry

    init(name: String, object o: RObject, file: ROOTFile, registry: StreamerRegistry) throws {
        self.name = name
        self.file = file
        self.registry = registry
        entries = o["fEntries"]?.int ?? 0
        var top: [Branch] = []
        for b in o["fBranches"]?.array ?? [] {
            if let bo = b.object { top.append(try Branch(object: bo, parent: nil, tree: name)) }
        }
        branches = top
    }

    /// Every branch, depth first, as uproot's recursive listing orders them.
    public var allBranches: [Branch] {
        var out: [Branch] = []
        func walk(_ b: Branch) {
            out.append(b)
            b.children.forEach(walk)
        }
        branches.forEach(walk)
        return out
    }

    /// A branch by full path ("Evt/trks/trks.E") or, failing that, by its own name ("trks.E").
    public func branch(_ name: String) -> Branch? {
        let all = allBranches
        return all.first { $0.path == name } ?? all.first { $0.name == name }
    }
}

extension ROOTFile {
    /// The TTree at `path` (e.g. "E", or "dir/tree"); highest cycle.
    public func tree(_ path: String) throws -> Tree {
        var dir = root!
        let parts = path.split(separator: "/").map(String.init)
        for p in parts.dropLast() {
            guard let sub = try dir.subdirectory(p) else {
                throw ROOTError(file: self.path, object: "tree \(path)", offset: 0, reason: "no directory '\(p)'")
            }
            dir = sub
        }
        guard let name = parts.last, let key = dir.key(name) else {
            throw ROOTError(file: self.path, object: "tree \(path)", offset: 0, reason: "no such key")
        }
        guard key.className == "TTree" || key.className == "TNtuple" else {
            throw ROOTError(
                file: self.path, object: "key \(path)", offset: key.seekKey,
                reason: "is a \(key.className), not a TTree")
        }
        let registry = try streamers()
        var c = try payload(of: key)
        var reader = ObjectReader(registry: registry)
        guard case .object(let o) = try reader.readClass("TTree", &c) else {
            throw c.error("TTree record could not be read")
        }
        return try Tree(name: name, object: o, file: self, registry: registry)
    }

    /// Reads any keyed object through the streamer-driven reader (e.g. `Head`, `MultiHead`).
    public func object(_ path: String) throws -> RValue {
        var dir = root!
        let parts = path.split(separator: "/").map(String.init)
        for p in parts.dropLast() {
            guard let sub = try dir.subdirectory(p) else {
                throw ROOTError(file: self.path, object: path, offset: 0, reason: "no directory '\(p)'")
            }
            dir = sub
        }
        guard let name = parts.last, let key = dir.key(name) else {
            throw ROOTError(file: self.path, object: path, offset: 0, reason: "no such key")
        }
        var c = try payload(of: key)
        var reader = ObjectReader(registry: try streamers())
        return try reader.readClass(key.className, &c)
    }
}

extension Tree {
    /// Entry ranges of at least `minEntries` entries (except the last) that start on basket
    /// boundaries shared by all `branches`. Reading those branches range by range keeps memory
    /// bounded by the range and still decompresses each basket exactly once (none straddles two ranges).
    public func clusterRanges(for branches: [Branch], minEntries: Int) -> [Range<Int>] {
        guard entries > 0 else { return [] }
        var shared: Set<Int>? = nil
        for b in branches {
            let starts = Set(b.basketEntry.prefix(b.basketCount)).union([b.entries])
            shared = shared.map { $0.intersection(starts) } ?? starts
        }
        let cuts = (shared ?? [0, entries]).union([0, entries]).filter { $0 >= 0 && $0 <= entries }.sorted()
        var out: [Range<Int>] = []
        var start = 0
        for c in cuts.dropFirst() where c - start >= minEntries || c == entries {
            out.append(start..<c)
            start = c
        }
        return out
    }
}
