import FITSIO
import Foundation
import GADF
import Model
import Readers

/// A GADF or VODF event file of any producer, read into the model: the alert maker and the
/// ObsCore rows of a release read event files through this.
public enum EventFile {
    /// The observation of a GADF or VODF event file: its EVENTS (event-list) and GTI tables.
    public static func read(_ path: String) throws -> Observation {
        let f: FITSFile
        do { f = try FITSFile.open(path: path) } catch { throw ConversionError("\(error)", .badInput) }
        defer { try? f.close() }
        var events: Table?
        var gti: Table?
        for i in 2...max(2, try f.hduCount) where i <= (try f.hduCount) {
            guard try f.moveTo(hdu: i) == .binaryTable else { continue }
            let h = try f.readHeader()
            let c1 = h[key: "HDUCLAS1"]?.stringValue?.trimmedBlanks.uppercased()
            let c2 = h[key: "HDUCLAS2"]?.stringValue?.trimmedBlanks.uppercased()
            if events == nil, c1 == "EVENTS" || (c1 == "OGIP" && c2 == "EVENTS") { events = try f.readTable() }
            if gti == nil, c1 == "GTI" || (c1 == "OGIP" && c2 == "GTI") { gti = try f.readTable() }
        }
        guard let events else {
            throw ConversionError("\(path): no EVENTS table (HDUCLAS1 = EVENTS) in the file", .badInput)
        }
        guard let gti else { throw ConversionError("\(path): no GTI table (HDUCLAS1 = GTI) in the file", .badInput) }
        do { return try GADFEventReader.read(events: events, gti: gti, path: path).observation } catch {
            throw ConversionError.from(error, input: path)
        }
    }
}
