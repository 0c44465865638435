import FITSIO
import FileOutput
import Foundation

/// Writes a FITS file all-or-nothing: into a temporary file beside the target, renamed on success.
/// A failure at any step leaves nothing at the target path (and removes the temporary file).
public enum FITSOutput {
    public typealias OutputError = FileOutput.OutputError

    /// `durable` false leaves the fsyncs of the file and its directory to the caller, who then
    /// makes a whole batch durable with one `FileSystemSync.sync` (a release build: one call
    /// instead of two per file, which on 2 cores cost a fifth of the build's time).
    public static func write(_ tables: [Table], primary: [HeaderCard], to path: String, durable: Bool = true) throws {
        try AtomicOutput.write(to: path, durable: durable) { tmp in
            do {
                // Built in memory and written in one piece (fsync'd), then moved into place.
                let f = try FITSFile.createInMemory(name: tmp)
                try f.createPrimaryHDU()
                for c in primary { try f.write(c) }
                try f.writeChecksum()
                for t in tables { try f.append(t) }
                // A name ending in .gz is written gzip-compressed (GADF's hdu-index.fits.gz).
                try f.close(writingTo: tmp, gzip: path.hasSuffix(".gz"), sync: durable)
            } catch let e as FITSError {
                // Name the target, not the temporary file the user never asked for.
                let detail = e.detail.replacingOccurrences(of: tmp, with: path)
                throw OutputError(path: path, reason: detail.isEmpty ? e.context : "\(e.context): \(detail)")
            }
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
