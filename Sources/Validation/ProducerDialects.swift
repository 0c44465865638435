import FITSIO
import Foundation
import Readers

/// The GADF dialects of today's DL3 producers: how a file shows which producer wrote it, what that
/// producer writes differently from the GADF text, and what gammapy 2.1 does with it (measured in the
/// producers matrix, `Tests/oracle/test_producers.py`, or seen in the producer's code, cited). The
/// validator names the dialect of each file it recognises (not its own: vodfkit writes the profile asked for) (an info finding, `producer:dialect`), and
/// the findings a dialect explains carry its name.
public struct ProducerDialect: Sendable {
    public let id: String
    public let title: String
    /// Whether a file's headers (index 0 the primary) show this producer.
    let recognises: @Sendable ([[HeaderCard]]) -> Bool
    /// What it writes differently from GADF.
    public let habits: String
    /// What gammapy 2.1 does with its files.
    public let gammapy: String
    /// Parts of the rule ids whose findings this dialect explains.
    let explains: [String]
}

public enum ProducerDialects {
    static func creator(_ headers: [[HeaderCard]], hasPrefix prefix: String) -> Bool {
        headers.contains { ($0[key: "CREATOR"]?.stringValue?.trimmedBlanks ?? "").hasPrefix(prefix) }
    }

    static func any(_ headers: [[HeaderCard]], _ key: String, _ value: String) -> Bool {
        headers.dropFirst().contains { $0[key: key]?.stringValue?.trimmedBlanks.uppercased() == value.uppercased() }
    }

    /// An HDU with one of these names and no class keywords (as gammapy writes its parametric PSFs).
    static func classless(_ headers: [[HeaderCard]], _ names: Set<String>) -> Bool {
        headers.dropFirst().contains {
            names.contains($0[key: "EXTNAME"]?.stringValue?.trimmedBlanks.uppercased() ?? "")
                && $0[key: "HDUCLASS"] == nil && $0[key: "HDUCLAS1"] == nil
        }
    }

    /// In the order they are tried: the most specific first.
    public static let all: [ProducerDialect] = [
        ProducerDialect(
            id: "hess-sash", title: "H.E.S.S. DR1 (SASH FITS::EventListWriter)",
            recognises: { creator($0, hasPrefix: ProducerMarks.hessSASH) },
            habits: "GADF 0.2; BKG_3D stored with the field-of-view longitude reversed; negative bins in some IRFs",
            gammapy:
                "reads it; its Observation applies REVERSE_LON_RADEC to the background (CREATOR and HDUVERS 0.2); a converted or upgraded file holds the background mirrored in GADF's alignment",
            explains: ["negative", "normalisation"]),
        ProducerDialect(
            id: "magic-dl3", title: "MAGIC DL3 (MAGIC_DL3)", recognises: { creator($0, hasPrefix: "MAGIC_DL3") },
            habits: "point-like IRFs with RAD_MAX_2D under HDUVERS 0.2 (RAD_MAX_2D is GADF 0.3)",
            gammapy: "reads it (point-like: DataStore.obs(..., required_irf=\"point-like\"))",
            explains: ["spec:version-fallback"]),
        ProducerDialect(
            id: "lstchain", title: "cta-lstchain (hdu_table)", recognises: { creator($0, hasPrefix: "lstchain") },
            habits:
                "HDUVERS '0.3'; TIMESYS UTC, TIMEREF TOPOCENTER; OBS_MODE POINTING; no EQUINOX/RADECSYS; a POINTING HDU; the HDU index named 'HDU INDEX' with an absolute BASE_DIR",
            gammapy: "reads it (point-like: required_irf=\"point-like\")",
            explains: ["keyword:EQUINOX", "keyword:RADECSYS", "ontime-matches-gti"]),
        ProducerDialect(
            id: "pyirf", title: "pyirf (pyirf.io.gadf)", recognises: { creator($0, hasPrefix: "pyirf") },
            habits: "IRFs only; HDUVERS '0.2'; PSF HDUCLAS2 'PSF' (GADF says RPSF); CREFn keywords",
            gammapy: "reads it", explains: ["HDUCLAS2"]),
        ProducerDialect(
            id: "ctapipe-dl3", title: "ctapipe DL3 writer (PR #2979, under review)",
            recognises: { any($0, "HDUVERS", "v0.3") },
            habits:
                "HDUVERS 'v0.3'; TIMESYS TAI, TIMEREF TOPOCENTER; both RADESYS and RADECSYS; FOVALIGN ALTAZ on EVENTS",
            gammapy: "reads it (gammapy does not read HDUVERS)", explains: ["HDUVERS", "version-unknown"]),
        ProducerDialect(
            id: "ctao-gadf", title: "CTAO-GADF (ctao-datamodel 1.4)",
            recognises: {
                any($0, "HDUCLASS", "CTAO-GADF")
                    || $0.dropFirst().contains {
                        $0[key: "TREFPOS"] != nil && $0[key: "HDUCLASS"]?.stringValue?.trimmedBlanks == "GADF"
                    }
            },
            habits:
                "HDUCLASS 'CTAO-GADF' or 'GADF', HDUVERS exactly '0.3'; TREFPOS (default TOPOCENTER) for TIMEREF; TIMESYS TAI by default",
            gammapy: "reads what is GADF 0.3 in it", explains: ["HDUCLASS", "TREFPOS", "TIMEREF"]),
        ProducerDialect(
            id: "gammapy", title: "gammapy 2.x (Observation.write, the IRF writers, the event sampler)",
            recognises: {
                creator($0, hasPrefix: "Gammapy") || classless($0, ["PSF_2D_GAUSS", "PSF_2D_KING"])
                    || any($0, "EQUINOX", "J2000")
            },
            habits:
                "HDUVERS '0.2'; EQUINOX 'J2000' as text and RADESYSa (event sampler); PSF_3GAUSS/PSF_KING (PSF_2D_GAUSS, PSF_2D_KING) and GTI without class keywords; DataStore.from_events_files writes absolute FILE_DIRs, N_TELS '' and names a 3-Gauss PSF 'POINT SPREAD FUNCTION'",
            gammapy:
                "reads the events and each IRF by its name; Observation.read and load_irf_dict_from_file leave out the PSF without class keywords, and its own data store finds no PSF ('release upgrade' repairs it)",
            explains: [
                "keyword:EQUINOX", "keyword:RADECSYS", "spec:class-missing", "N_TELS", "index-links", "dates-match",
            ]),
    ]

    /// The dialect a file's headers show, if any.
    public static func of(_ headers: [[HeaderCard]]) -> ProducerDialect? {
        all.first { $0.recognises(headers) }
    }

    /// The finding that names the dialect, and the file's findings with the ones it explains marked.
    static func annotate(_ findings: [Finding], headers: [[HeaderCard]], file: String) -> [Finding] {
        guard let d = of(headers) else { return findings }
        let marked = findings.map { f -> Finding in
            guard f.severity != .info, d.explains.contains(where: { f.rule.contains($0) }) else { return f }
            var g = f
            g.message += " [\(d.id): \(d.title) writes it so]"
            return g
        }
        let named = Finding(
            severity: .info, rule: "producer:dialect", file: file, hdu: nil, hduName: nil, target: d.id,
            message: "written in the \(d.id) dialect, \(d.title): \(d.habits). gammapy 2.1: \(d.gammapy)",
            reference: nil)
        return [named] + marked
    }
}
