import CXXHash
import Diagnostics
import FileOutput
import Foundation

/// What a finished build item was made from and what it wrote, one small JSON file per item in
/// `DIR/.vodf-state/`: a rerun skips an item whose inputs, settings and outputs are unchanged and
/// redoes the rest (an item killed midway has no state file). Per item, so that parallel workers
/// and shards never write one file together; written after the item's outputs, atomically.
struct BuildState: Codable, Equatable {
    /// The input files and their XXH3-64 digests (hex).
    var inputs: [String: String]
    /// Everything else the outputs depend on (formats, cuts, reconstruction, vodf's version,
    /// SOURCE_DATE_EPOCH), as one text.
    var settings: String
    /// The files written, relative to the release directory, with their sizes.
    var outputs: [String: Int]

    static func directory(_ release: String) -> String { release + "/.vodf-state" }
    static func path(_ release: String, item: String) -> String { directory(release) + "/" + item + ".json" }

    static func load(_ release: String, item: String) -> BuildState? {
        guard let data = FileManager.default.contents(atPath: path(release, item: item)) else { return nil }
        return try? JSONDecoder().decode(BuildState.self, from: data)
    }

    /// True when the item need not be redone: same inputs and settings, and every output still
    /// there with its size.
    func isCurrent(in release: String, inputs: [String: String], settings: String) -> Bool {
        guard inputs == self.inputs, settings == self.settings else { return false }
        return outputs.allSatisfy { name, size in
            ((try? FileManager.default.attributesOfItem(atPath: release + "/" + name))?[.size] as? Int) == size
        }
    }

    func save(_ release: String, item: String) throws {
        try AtomicOutput.makeDirectory(Self.directory(release))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try AtomicOutput.write(try encoder.encode(self), to: Self.path(release, item: item), durable: false)
    }

    /// XXH3-64 of a file's bytes, read in 4 MB pieces with read(2) (FileHandle.readData read
    /// 4 KB at a time: 325 system calls for a 1.3 MB run, and a tenth of a 200-run build).
    static func digest(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ReleaseError("\(path): cannot be read: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard let state = XXH3_createState() else { throw ReleaseError("cannot start a hash") }
        defer { XXH3_freeState(state) }
        XXH3_64bits_reset(state)
        let size = 4 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer, size)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw ReleaseError("\(path): cannot be read: \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            _ = XXH3_64bits_update(state, buffer, n)
        }
        return String(format: "%016llx", XXH3_64bits_digest(state))
    }
}

/// A release problem that is not the manifest's: one line, naming the file.
public struct ReleaseError: Error, CustomStringConvertible, CategorizedError, Sendable {
    public let description: String
    public let category: ErrorCategory
    public init(_ d: String, _ category: ErrorCategory = .badInput) {
        description = d
        self.category = category
    }
}
