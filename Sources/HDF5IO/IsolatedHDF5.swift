import Foundation
import IOLimits

/// km3pipe HDF5 read in a child process.
///
/// libhdf5 is not hardened against crafted files: a corruption sweep of km3pipe files found
/// single-bit flips that crash it inside H5Dread's type conversion (SIGSEGV) and H5Dopen2
/// (SIGFPE), and one that makes it loop with memory growing past 2 GB. No check made before the
/// call catches these (the damage is in B-tree and datatype messages that only the library
/// decodes), so the library runs in a forked child: a crash, a runaway allocation (the child's
/// address space is capped) or a loop (the child has a time limit) becomes an `HDF5Error` naming
/// the file, and the parent never holds libhdf5 state. Values come back over a pipe.
///
/// One child per file: it lists what is there and reads the fields the reader chooses from that.
public enum IsolatedHDF5 {
    /// What a file holds: its root attributes of string type and each dataset's shape.
    public struct Catalog: Codable, Sendable {
        public var stringAttributes: [String: String]
        public var datasets: [String: Dataset]
    }

    public struct Dataset: Codable, Sendable {
        public var rows: Int
        public var fields: [String]
        /// Filters of the dataset's pipeline that this libhdf5 cannot apply, as "name (id)".
        public var unavailableFilters: [String]
    }

    public enum ValueType: UInt8, Sendable { case double = 0, int64 = 1 }

    public struct Request: Sendable {
        public let dataset: String
        public let field: String
        public let type: ValueType
        public init(_ dataset: String, _ field: String, _ type: ValueType) {
            self.dataset = dataset
            self.field = field
            self.type = type
        }
    }

    /// One column read: doubles or 64-bit integers.
    public enum Column: Sendable {
        case double([Double])
        case int64([Int64])
        public var doubles: [Double] {
            if case .double(let v) = self { return v }
            return []
        }
        public var int64s: [Int64] {
            if case .int64(let v) = self { return v }
            return []
        }
        public var count: Int {
            switch self {
            case .double(let v): v.count
            case .int64(let v): v.count
            }
        }
    }

    /// What a file holds and the columns chosen from it, read by one child process.
    ///
    /// `choose` picks the columns from the catalog. It runs twice: in the child, to know what to
    /// read (an error there only means nothing is read), and in the caller on the returned
    /// catalog, where its errors are thrown as they are. So it must be a pure function of the
    /// catalog. One child per file, not one per step: a fork is most of the cost of a small file.
    public static func read(
        path: String, attributes: [String],
        choose: (Catalog) throws -> [Request]
    ) throws -> (Catalog, [Column]) {
        let bytes = try ChildProcess.run(path: path) {
            let f = try HDF5File(path: path)
            let catalog = try catalog(of: f, attributes: attributes)
            let json = Array(try JSONEncoder().encode(catalog))
            var out = frame(json)
            if let requests = try? choose(catalog) { out += try columnFrames(of: f, requests) }
            return out
        }
        var at = 0
        guard let json = nextFrame(bytes, &at), let catalog = try? JSONDecoder().decode(Catalog.self, from: Data(json))
        else {
            throw HDF5Error(file: path, object: "file", reason: "the reading process returned an unreadable catalog")
        }
        let requests = try choose(catalog)
        var result: [Column] = []
        for r in requests {
            guard let column = nextFrame(bytes, &at), column.count % 8 == 0 else {
                throw HDF5Error(file: path, object: r.dataset, reason: "the reading process returned too little data")
            }
            switch r.type {
            case .double: result.append(.double(column.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }))
            case .int64: result.append(.int64(column.withUnsafeBytes { Array($0.bindMemory(to: Int64.self)) }))
            }
        }
        return (catalog, result)
    }

    private static func catalog(of f: HDF5File, attributes: [String]) throws -> Catalog {
        var attrs: [String: String] = [:]
        for a in attributes { if let v = f.rootStringAttribute(a) { attrs[a] = v } }
        var sets: [String: Dataset] = [:]
        for name in f.datasets() {
            let d = try f.dataset(name)
            sets[name] = Dataset(rows: d.rowCount, fields: d.fields, unavailableFilters: d.unavailableFilters)
        }
        return Catalog(stringAttributes: attrs, datasets: sets)
    }

    /// The requested columns, each as one frame. Each dataset's declared extent is checked
    /// against the bytes the file stores for it, and against the memory limit, before anything
    /// is allocated.
    private static func columnFrames(of f: HDF5File, _ requests: [Request]) throws -> [UInt8] {
        var out = [UInt8]()
        for r in requests {
            let d = try f.dataset(r.dataset)
            try d.checkExtent()
            switch r.type {
            case .double: out += frame(try d.doubles(r.field).withUnsafeBytes { Array($0) })
            case .int64: out += frame(try d.int64s(r.field).withUnsafeBytes { Array($0) })
            }
        }
        return out
    }

    /// A length (bytes, 8 little-endian) and the bytes.
    private static func frame(_ bytes: [UInt8]) -> [UInt8] {
        withUnsafeBytes(of: UInt64(bytes.count).littleEndian) { Array($0) } + bytes
    }

    private static func nextFrame(_ bytes: [UInt8], _ at: inout Int) -> ArraySlice<UInt8>? {
        guard at + 8 <= bytes.count else { return nil }
        let n = bytes[at..<at + 8].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
        guard n <= UInt64(bytes.count - at - 8) else { return nil }
        let slice = bytes[(at + 8)..<(at + 8 + Int(n))]
        at += 8 + Int(n)
        return slice
    }
}

/// Runs `body` in a forked child and returns the bytes it produced, or throws what it threw; a
/// child that dies (signal), runs out of its address space or overruns its time becomes an
/// `HDF5Error` naming the file.
enum ChildProcess {
    static func run(path: String, _ body: () throws -> [UInt8]) throws -> [UInt8] {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw HDF5Error(
                file: path, object: "file", reason: "cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        // Seconds: generous for an honest file (km3pipe files of 100 MB read in about 1 s).
        let seconds = UInt32(10 + size / 20_000_000)
        let pid = fork()
        if pid == 0 {
            close(fds[0])
            // A crash ends the child at once (no crash handler, no backtrace on the user's
            // terminal), and nothing it might print reaches stderr: the parent reports.
            for s in [SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGTRAP] { signal(s, SIG_DFL) }
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 {
                dup2(null, 2)
                close(null)
            }
            limitAddressSpace(extra: ReadLimits.maxBytes * 2 + (256 << 20))
            alarm(seconds)
            var frame: [UInt8]
            do { frame = [0] + (try body()) } catch { frame = [1] + Array("\(error)".utf8) }
            var at = 0
            while at < frame.count {
                let w = frame[at...].withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
                if w <= 0 { _exit(3) }
                at += w
            }
            _exit(0)
        }
        close(fds[1])
        guard pid > 0 else {
            close(fds[0])
            throw HDF5Error(
                file: path, object: "file",
                reason: "cannot start the reading process: \(String(cString: strerror(errno)))")
        }
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
            if n > 0 {
                data += buf[0..<n]
                continue
            }
            if n < 0 && errno == EINTR { continue }
            break
        }
        close(fds[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return try outcome(status: status, data: data, path: path, seconds: seconds)
    }

    /// What the child's exit status and its bytes mean: its result, its error, or how it died.
    private static func outcome(status: Int32, data: [UInt8], path: String, seconds: UInt32) throws -> [UInt8] {
        let signal = status & 0x7f
        let code = (status >> 8) & 0xff
        if signal == SIGALRM {
            throw HDF5Error(
                file: path, object: "file",
                reason: "libhdf5 did not finish reading it in \(seconds) s (a damaged file makes it loop)")
        }
        if signal != 0 {
            throw HDF5Error(
                file: path, object: "file",
                reason: "libhdf5 failed on this file (signal \(signal) in the reading process): the file is damaged")
        }
        guard code == 0, let tag = data.first else {
            throw HDF5Error(
                file: path, object: "file",
                reason:
                    "libhdf5 failed on this file (the reading process ended with code \(code), out of memory or damaged)"
            )
        }
        if tag == 1 {
            // The child's error, already a one-line description; pass its reason on.
            let text = String(decoding: data.dropFirst(), as: UTF8.self)
            let prefix = path + ": "
            let rest = text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
            if let colon = rest.range(of: ": ") {
                throw HDF5Error(
                    file: path, object: String(rest[..<colon.lowerBound]), reason: String(rest[colon.upperBound...]))
            }
            throw HDF5Error(file: path, object: "file", reason: rest)
        }
        return Array(data.dropFirst())
    }

    /// Caps the child's address space at what it uses now plus `extra` bytes: a damaged file that
    /// makes libhdf5 allocate without end then fails in the child, not on the machine.
    private static func limitAddressSpace(extra: Int) {
        var used = 0
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = Int(statm.split(separator: " ").first ?? "")
        {
            used = pages * Int(sysconf(Int32(_SC_PAGESIZE)))
        }
        var limit = rlimit(rlim_cur: rlim_t(used + extra), rlim_max: rlim_t(used + extra))
        _ = setrlimit(Int32(RLIMIT_AS.rawValue), &limit)
    }
}
