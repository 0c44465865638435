import FITSIO
import Foundation

/// Writes a FITS file all-or-nothing: into a temporary file beside the target, renamed on success.
/// A failure at any step leaves nothing at the target path (and removes the temporary file).
public enum FITSOutput {
    public struct OutputError: Error, CustomStringConvertible {
        public let path: String
        public let reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// What may be at the target: nothing, or a regular file (replaced). A symlink is refused:
    /// replacing it would cut the link, writing through it would put the file somewhere the user
    /// did not name; give the path it points to. A device, FIFO or directory is never replaced
    /// (`-o /dev/full` once left a regular file where the device node was).
    static func checkTarget(_ path: String) throws {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFLNK: throw OutputError(path: path, reason: "output path is a symlink; not replaced (give the path it points to)")
        case S_IFDIR: throw OutputError(path: path, reason: "output path is a directory")
        default: throw OutputError(path: path, reason: "output path is not a regular file (a device, FIFO or socket); not replaced")
        }
    }

    /// `durable` false leaves the fsyncs of the file and its directory to the caller, who then
    /// makes a whole batch durable with one `FileSystemSync.sync` (a release build: one call
    /// instead of two per file, which on 2 cores cost a fifth of the build's time).
    public static func write(_ tables: [Table], primary: [HeaderCard], to path: String, durable: Bool = true) throws {
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
            // Built in memory and written in one piece (fsync'd), then moved into place.
            let f = try FITSFile.createInMemory(name: tmp)
            try f.createPrimaryHDU()
            for c in primary { try f.write(c) }
            try f.writeChecksum()
            for t in tables { try f.append(t) }
            // A name ending in .gz is written gzip-compressed (GADF's hdu-index.fits.gz).
            try f.close(writingTo: tmp, gzip: path.hasSuffix(".gz"), sync: durable)
            try checkTarget(path)                  // again: something may have appeared meanwhile
            if rename(tmp, path) != 0 {
                throw OutputError(path: path, reason: "cannot move the finished file into place: \(String(cString: strerror(errno)))")
            }
            // The rename itself is durable once the directory is.
            if durable {
                let dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                if dfd >= 0 { _ = fsync(dfd); close(dfd) }
            }
        } catch let e as OutputError {
            try? FileManager.default.removeItem(atPath: tmp)
            throw e
        } catch let e as FITSError {
            try? FileManager.default.removeItem(atPath: tmp)
            // Name the target, not the temporary file the user never asked for.
            let detail = e.detail.replacingOccurrences(of: tmp, with: path)
            throw OutputError(path: path, reason: detail.isEmpty ? e.context : "\(e.context): \(detail)")
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            throw error
        }
    }

    /// `.NAME.PID.tmp`, beside the target.
    static func temporaryName(_ name: String, pid: Int32) -> String { ".\(name).\(pid).tmp" }

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

    /// Primary-HDU cards: who wrote the file and when.
    public static func primaryCards(creator: String, origin: String?, telescope: String?) -> [HeaderCard] {
        var cards = [HeaderCard("CREATOR", .string(creator), comment: "software that wrote this file")]
        if let origin { cards.append(HeaderCard("ORIGIN", .string(origin))) }
        if let telescope { cards.append(HeaderCard("TELESCOP", .string(telescope))) }
        // SOURCE_DATE_EPOCH, when set, is "now": outputs are then byte-identical across runs.
        cards.append(HeaderCard("DATE", .string(Reproducible.utcTimestamp(Reproducible.now)), comment: "file creation date (UTC)"))
        return cards
    }
}

/// Makes everything written so far durable at once: the closing step of a batch written with
/// `durable: false`. sync(2), since Glibc's module does not show syncfs(2); on Linux it returns
/// once the data is on disk.
public enum FileSystemSync {
    public static func sync() { Glibc.sync() }
}
