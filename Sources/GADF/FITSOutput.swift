import FITSIO
import FileOutput
import Foundation

/// Writes a FITS file all-or-nothing: into a temporary file beside the target, renamed on success.
/// A failure at any step leaves nothing at the target path (and removes the temporary file).
public enum FITSOutput {
    public typealias OutputError = FileOutput.OutputError

    /// All-or-nothing (`FITSFile.write(_:primary:to:durable:)`).
    public static func write(_ tables: [Table], primary: [HeaderCard], to path: String, durable: Bool = true) throws {
        try FITSFile.write(tables, primary: primary, to: path, durable: durable)
    }

    /// Primary-HDU cards: who wrote the file and when.
    public static func primaryCards(creator: String, origin: String?, telescope: String?) -> [HeaderCard] {
        var cards = [HeaderCard("CREATOR", .string(creator), comment: "software that wrote this file")]
        if let origin { cards.append(HeaderCard("ORIGIN", .string(origin))) }
        if let telescope { cards.append(HeaderCard("TELESCOP", .string(telescope))) }
        // SOURCE_DATE_EPOCH, when set, is "now": outputs are then byte-identical across runs.
        cards.append(
            HeaderCard(
                "DATE", .string(Reproducible.utcTimestamp(Reproducible.now)), comment: "file creation date (UTC)"))
        return cards
    }
}

/// Makes everything written so far durable at once: the closing step of a batch written with
/// `durable: false`. sync(2), since Glibc's module does not show syncfs(2); on Linux it returns
/// once the data is on disk.
public enum FileSystemSync {
    public static func sync() { Glibc.sync() }
}
