import Astrometry
import Foundation
import Model
import Readers

/// What KM3NeT files say about where they were taken: det_ids and detx headers. The sites themselves
/// are declared once, in Astrometry's `DetectorSites`.
extension DetectorSites {
    /// Detector ids seen in KM3NeT files, with their site. Negative ids are Monte Carlo geometries
    /// (KM3NeT_-00000001 is the ARCA115 reference; KM3NeT_-00000043 the ORCA4 one).
    public static let byDetectorID: [Int: (DetectorLocation, String)] = [
        43: (orca, "det_id 43: ORCA (detx KM3NeT_-00000043 in the file's Head)"),
        -43: (orca, "det_id -43: ORCA Monte Carlo geometry"),
        44: (orca, "det_id 44: ORCA4"),
        49: (orca, "det_id 49: ORCA6 (detx D_ORCA006)"),
        133: (arca, "det_id 133: ARCA (detx KM3NeT_00000133)"),
        -1: (arca, "det_id -1: ARCA115 Monte Carlo geometry (detx KM3NeT_-00000001, UTM 33N)"),
    ]

    /// The site to use: the one given (--detx/--site), else the det_id's; with a note of where it came from.
    public static func resolve(detectorID: Int64, given: DetectorLocation?, file: String) throws -> (
        DetectorLocation, String
    ) {
        if let given { return (given, given.site.reference) }
        if let (loc, why) = byDetectorID[Int(detectorID)] { return (loc, why + "; " + loc.site.reference) }
        throw InputError(
            file: file, column: "det_id",
            reason:
                "det_id \(detectorID) is not in the built-in site table (\(byDetectorID.keys.sorted().map(String.init).joined(separator: ", "))); pass --detx FILE or --site orca|arca|antares"
        )
    }

    /// The site from a detx file's header line `UTM WGS84 33N 587600.0 4016800.0 -3450.0`
    /// (detx v2 and later; v1 files have no header and cannot say where they are).
    public static func fromDetx(path: String) throws -> DetectorLocation {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw InputError(file: path, reason: "cannot read detx file")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for (i, raw) in lines.prefix(40).enumerated() {
            let fields = raw.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard fields.first == "UTM" else { continue }
            guard fields.count >= 6, fields[1].uppercased() == "WGS84",
                let zoneNumber = Int(fields[2].dropLast()), let hemi = fields[2].last,
                let e = Double(fields[3]), let n = Double(fields[4]), let h = Double(fields[5]),
                (1...60).contains(zoneNumber), "NSns".contains(hemi)
            else {
                throw InputError(
                    file: path, line: i + 1,
                    reason:
                        "malformed UTM line '\(raw.trimmingCharacters(in: .whitespaces))' (expected: UTM WGS84 33N easting northing height)"
                )
            }
            // "N"/"S" name the hemisphere (as KM3NeT writes it); other letters are MGRS bands.
            let u = String(hemi).uppercased()
            let north = u == "N" || (u != "S" && u >= "N")
            let name = (path as NSString).lastPathComponent
            return DetectorLocation(
                name: name, utm: UTMPosition(zone: zoneNumber, north: north, easting: e, northing: n, height: h),
                reference: "detx header of \(name)")
        }
        throw InputError(
            file: path,
            reason:
                "detx file has no header with a UTM position (detx v1 files have none); pass --site orca|arca|antares")
    }
}
