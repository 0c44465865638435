import FITSIO
import Foundation
import Model
import Readers

/// What producers write differently from the GADF text and how their consumers read it anyway: the
/// habits a reader must know to read their numbers right, each with its source.
public enum ProducerDialects {
    /// H.E.S.S. DR1 (written by SASH, GADF 0.2) stores its BKG_3D with the field-of-view longitude
    /// reversed. gammapy 2.1 knows it by the events' CREATOR and HDUVERS and then reads the background
    /// as FoVAlignment.REVERSE_LON_RADEC (gammapy/data/observations.py, `Observation.bkg`; PR #4667).
    /// A file that no longer says SASH and 0.2 (every converted or upgraded one) must hold it mirrored.
    public static func reversesBackgroundLongitude(events header: [HeaderCard]) -> Bool {
        header[key: "CREATOR"]?.stringValue?.trimmedBlanks == ProducerMarks.hessSASH
            && header[key: "HDUVERS"]?.stringValue?.trimmedBlanks == "0.2"
    }

    static let mirroredNote =
        "\(IRFNotes.repaired)the field-of-view longitude of this BKG_3D was stored reversed (H.E.S.S. SASH, GADF 0.2; gammapy reads such files with REVERSE_LON_RADEC): written mirrored (DETX -> -DETX), in GADF's alignment."

    /// The responses of an observation whose events header is `events`, as GADF means them.
    public static func repaired(_ responses: [Response], events header: [HeaderCard]) throws -> [Response] {
        guard reversesBackgroundLongitude(events: header) else { return responses }
        return try responses.map { r in
            guard let bkg = r.component as? Background3D else { return r }
            var out = r
            out.component = try bkg.mirroringFoVLongitude(note: mirroredNote)
            return out
        }
    }
}
