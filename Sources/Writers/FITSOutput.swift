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

    public static func write(_ tables: [Table], primary: [HeaderCard], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw OutputError(path: path, reason: "output directory \(dir) does not exist")
        }
        guard FileManager.default.isWritableFile(atPath: dir) else {
            throw OutputError(path: path, reason: "output directory \(dir) is not writable")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            throw OutputError(path: path, reason: "output path is a directory")
        }
        let tmp = dir + "/." + url.lastPathComponent + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
        try? FileManager.default.removeItem(atPath: tmp)
        do {
            // Built in memory and written in one piece, then moved into place.
            let f = try FITSFile.createInMemory(name: tmp)
            try f.createPrimaryHDU()
            for c in primary { try f.write(c) }
            try f.writeChecksum()
            for t in tables { try f.append(t) }
            try f.close(writingTo: tmp)
            if rename(tmp, path) != 0 {
                throw OutputError(path: path, reason: "cannot move the finished file into place: \(String(cString: strerror(errno)))")
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

    /// Primary-HDU cards: who wrote the file and when.
    public static func primaryCards(creator: String, origin: String?, telescope: String?) -> [HeaderCard] {
        var cards = [HeaderCard("CREATOR", .string(creator), comment: "software that wrote this file")]
        if let origin { cards.append(HeaderCard("ORIGIN", .string(origin))) }
        if let telescope { cards.append(HeaderCard("TELESCOP", .string(telescope))) }
        cards.append(HeaderCard("DATE", .string(utcTimestamp(Date())), comment: "file creation date (UTC)"))
        return cards
    }

    /// yyyy-mm-ddThh:mm:ss in UTC (FITS 4.0 section 4.4.2.1). Formatted from gmtime: a Foundation
    /// date formatter sets up ICU on each use, which cost more than writing a small IRF file.
    static func utcTimestamp(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))"
    }
}
