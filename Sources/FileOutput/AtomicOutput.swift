import Diagnostics
import Foundation

/// Why an output could not be written, naming the path the user gave.
public struct OutputError: Error, CustomStringConvertible, CategorizedError, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
    public var category: ErrorCategory { .output }
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
}

/// Every file vodf writes is written all-or-nothing through here: into a temporary file beside the
/// target, made durable, then renamed over it. A failure at any step leaves the target as it was
/// and removes the temporary file. Devices, FIFOs, sockets, directories and symlinks are never
/// replaced (`-o /dev/full` once left a regular file where the device node was).
public enum AtomicOutput {
    /// Writes `data` to `path`.
    public static func write(_ data: Data, to path: String, durable: Bool = true) throws {
        try write(to: path, durable: durable) { tmp in
            let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw OutputError(path: path, reason: "cannot be created: \(String(cString: strerror(errno)))")
            }
            defer { close(fd) }
            try data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else {
                        throw OutputError(path: path, reason: "cannot be written: \(String(cString: strerror(errno)))")
                    }
                    offset += n
                }
            }
            if durable, fsync(fd) != 0 {
                throw OutputError(path: path, reason: "cannot be written: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Runs `body` with the temporary path to fill, then moves it into place. `durable` false
    /// leaves the directory's fsync to the caller, who syncs a whole batch at once (a release).
    public static func write(to path: String, durable: Bool = true, _ body: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw OutputError(path: path, reason: "output directory \(dir) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw OutputError(path: path, reason: "output directory \(dir) is not writable")
        }
        try checkTarget(path)
        removeStaleTemporaries(dir: dir, name: url.lastPathComponent)
        let tmp = dir + "/" + temporaryName(url.lastPathComponent, pid: ProcessInfo.processInfo.processIdentifier)
        try? FileManager.default.removeItem(atPath: tmp)
        do {
            try body(tmp)
            try checkTarget(path) // again: something may have appeared meanwhile
            if rename(tmp, path) != 0 {
                throw OutputError(
                    path: path, reason: "cannot move the finished file into place: \(String(cString: strerror(errno)))")
            }
            // The rename itself is durable once the directory is.
            if durable {
                let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if dfd >= 0 {
                    _ = fsync(dfd)
                    close(dfd)
                }
            }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }

    /// Creates a directory (and its parents) for output; a failure is an output error naming it.
    public static func makeDirectory(_ path: String) throws {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw OutputError(path: path, reason: "exists and is not a directory") }
            return
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            let blocker = firstNonDirectory(above: path)
            throw OutputError(
                path: path, reason: blocker.map { "cannot be created: \($0) is not a directory" } ?? "cannot be created"
            )
        }
    }

    /// The nearest existing ancestor of `path` that is not a directory, if any.
    static func firstNonDirectory(above path: String) -> String? {
        var p = (path as NSString).deletingLastPathComponent
        while !p.isEmpty, p != "/" {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir) { return isDir.boolValue ? nil : p }
            p = (p as NSString).deletingLastPathComponent
        }
        return nil
    }

    /// What may be at the target: nothing, or a regular file (replaced). A symlink is refused:
    /// replacing it would cut the link, writing through it would put the file somewhere the user
    /// did not name; give the path it points to.
    public static func checkTarget(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFLNK:
            throw OutputError(path: path, reason: "output path is a symlink; not replaced (give the path it points to)")
        case S_IFDIR: throw OutputError(path: path, reason: "output path is a directory")
        default:
            throw OutputError(
                path: path, reason: "output path is not a regular file (a device, FIFO or socket); not replaced")
        }
    }

    /// `.NAME.PID.tmp`, beside the target.
    public static func temporaryName(_ name: String, pid: Int32) -> String { ".\(name).\(pid).tmp" }

    /// Removes temporaries of this target left by runs that were killed (kill -9, a crash): those
    /// whose process no longer exists. A live process's temporary is left alone.
    static func removeStaleTemporaries(dir: String, name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        let prefix = "." + name + "."
        for entry in entries where entry.hasPrefix(prefix) && entry.hasSuffix(".tmp") {
            let middle = entry.dropFirst(prefix.count).dropLast(4)
            guard let pid = Int32(middle), pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { try? FileManager.default.removeItem(atPath: dir + "/" + entry) }
        }
    }
}
