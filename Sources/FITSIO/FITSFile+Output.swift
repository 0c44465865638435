import FileOutput
import Foundation

extension FITSFile {
    /// Writes a FITS file all-or-nothing (`AtomicOutput`): built in memory, written in one piece
    /// into a temporary file beside the target, then renamed. A name ending in .gz is written
    /// gzip-compressed (GADF's hdu-index.fits.gz). `durable` false leaves the fsyncs of the file and
    /// its directory to the caller, who then makes a whole batch durable at once (a release build:
    /// one sync instead of two per file, which on 2 cores cost a fifth of the build's time).
    public static func write(_ tables: [Table], primary: [HeaderCard], to path: String, durable: Bool = true) throws {
        try AtomicOutput.write(to: path, durable: durable) { tmp in
            do {
                let f = try FITSFile.createInMemory(name: tmp)
                try f.createPrimaryHDU()
                for c in primary { try f.write(c) }
                try f.writeChecksum()
                for t in tables { try f.append(t) }
                try f.close(writingTo: tmp, gzip: path.hasSuffix(".gz"), sync: durable)
            } catch let e as FITSError {
                // Name the target, not the temporary file the user never asked for.
                let detail = e.detail.replacingOccurrences(of: tmp, with: path)
                throw OutputError(path: path, reason: detail.isEmpty ? e.context : "\(e.context): \(detail)")
            }
        }
    }
}

extension FITSFile {
    /// The numbers (1-based, as `moveTo(hdu:)` takes them) of the extensions after the primary
    /// HDU, counted once: each count walks cfitsio's HDU list, so counting per HDU was quadratic.
    public var extensionNumbers: [Int] {
        get throws {
            let count = try hduCount
            return count >= 2 ? Array(2...count) : []
        }
    }

    /// The binary table whose EXTNAME is `name` (blanks trimmed, any case), read whole; nil when
    /// the file has none.
    public func readTable(named name: String) throws -> Table? {
        for i in try extensionNumbers {
            guard try moveTo(hdu: i) == .binaryTable else { continue }
            if try readKey("EXTNAME")?.stringValue?.trimmedBlanks.uppercased() == name.uppercased() {
                return try readTable()
            }
        }
        return nil
    }

    /// Whether a file name is one of the FITS files a directory is searched for (`.fits`, `.fit`,
    /// `.fits.gz`, `.fits.fz`): the one list `validate`, `release check`, `release index` and
    /// `release upgrade` use.
    public static func isFITSName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return [".fits", ".fit", ".fits.gz", ".fits.fz"].contains { lower.hasSuffix($0) }
    }
}
