import Alerts
import Foundation
import JSONIO
import Model
import Readers
import XMLIO

/// Alerts validated as FITS files are: a VOEvent against the XSD of its version (libxml2), a GCN
/// notice against the KM3NeT notice JSON Schema, then the checks a schema cannot make (an error
/// circle that is there and positive, times that parse and are not in the future, coordinates in
/// range, a known coordinate system). Findings carry the line and the element or JSON pointer.
public struct AlertChecks: Sendable {
    public let standards: Standards?
    public let profile: Profile
    /// "Now", for the not-in-the-future check (a test fixes it).
    public var now = UTCInstant(unixSeconds: Date().timeIntervalSince1970)

    public init(standards: Standards?, profile: Profile) {
        self.standards = standards
        self.profile = profile
    }

    /// The alert kind (`.voevent` or `.gcnNotice`) of a file the validator is given, from its first
    /// bytes (`InputKind.alertKind`, the one sniffing of alerts); nil for anything else (FITS, ...).
    /// Only .xml, .json and .voevent files are looked at, and a .json or VOEvent-naming .xml file
    /// that does not parse is still checked as one, so that it is reported rather than skipped.
    public static func kind(_ path: String) -> InputKind? {
        let lower = path.lowercased()
        guard lower.hasSuffix(".xml") || lower.hasSuffix(".json") || lower.hasSuffix(".voevent") else { return nil }
        guard let h = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? h.close() }
        let head = String(decoding: (try? h.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
        if let kind = InputKind.alertKind(head) { return kind }
        return lower.hasSuffix(".json")
            ? .gcnNotice : (lower.hasSuffix(".xml") && head.contains("VOEvent") ? .voevent : nil)
    }

    static let voeventReference = "IVOA VOEvent 2.0 (REC 2011-07-11), section 3; VOEvent 2.1 (draft)"
    static let gcnReference =
        "nasa-gcn/gcn-schema v7.2.1: the notice's $schema (default gcn/notices/km3net/alert.schema.json)"

    func finding(
        _ severity: Severity, _ rule: String, _ file: String, _ target: String?, _ message: String, _ reference: String
    ) -> Finding {
        // Lenient keeps schema errors, and turns the semantic ones into warnings.
        let s = profile == .lenient && severity == .error && !rule.hasSuffix(":schema") ? Severity.warning : severity
        return Finding(
            severity: s, rule: rule, file: file, hdu: nil, hduName: nil, target: target, message: message,
            reference: reference)
    }

    public func validate(path: String, kind: InputKind) throws -> [Finding] {
        kind == .voevent ? try voevent(path) : try gcnNotice(path)
    }

    // MARK: - VOEvent

    func voevent(_ path: String) throws -> [Finding] {
        let data: Data
        let doc: XMLDocument
        do {
            guard let d = FileManager.default.contents(atPath: path) else {
                throw XMLError(file: path, reason: "cannot read file")
            }
            data = d
            doc = try XMLDocument.parse(d, file: path)
        } catch let e as XMLError {
            return [
                finding(.error, "voevent:schema", path, e.line.map { "line \($0)" }, e.reason, Self.voeventReference)
            ]
        }
        var out: [Finding] = []
        let version = doc.rootNamespace.flatMap { VOEventVersion(namespace: $0.uri) }
        if doc.root.name != "VOEvent" || version == nil {
            let ns = doc.rootNamespace?.uri ?? "no namespace"
            out.append(
                finding(
                    .error, "voevent:version", path, "line \(doc.root.line): \(doc.root.name)",
                    "not a VOEvent 2.0 or 2.1 document (root <\(doc.root.name)> in \(ns))", Self.voeventReference))
        }
        if let version {
            if let standards {
                for v in try standards.schema(version).violations(of: data, file: path) {
                    out.append(
                        finding(
                            .error, "voevent:schema", path, "line \(v.line)" + (v.element.map { ": \($0)" } ?? ""),
                            "VOEvent \(version.rawValue) XSD: " + v.message, Self.voeventReference))
                }
            } else {
                out.append(
                    finding(
                        .error, "voevent:schema", path, nil,
                        "not checked against the VOEvent XSD: the standards directory was not found (--standards DIR or VODF_STANDARDS)",
                        Self.voeventReference))
            }
        }
        out += voeventSemantics(doc, path: path)
        return out
    }

    func voeventSemantics(_ doc: XMLDocument, path: String) -> [Finding] {
        var out: [Finding] = []
        let ref = Self.voeventReference
        func at(_ e: XMLElement) -> String { "line \(e.line): \(e.name)" }
        guard let location = doc.root.find(["WhereWhen", "ObsDataLocation", "ObservationLocation"]) else {
            return [
                finding(
                    .error, "alert:position", path, "line \(doc.root.line): VOEvent",
                    "no WhereWhen/ObsDataLocation/ObservationLocation: the alert has no position", ref)
            ]
        }
        let system = location.child("AstroCoordSystem")
        let id = system?.attribute("id") ?? location.child("AstroCoords")?.attribute("coord_system_id")
        if let id, !VOEventVersion.coordinateSystems.contains(id) {
            out.append(
                finding(
                    .error, "alert:coordinate-system", path, at(system ?? location),
                    "coordinate system '\(id)' is not one VOEvent knows (\(VOEventVersion.coordinateSystems.sorted().prefix(4).joined(separator: ", ")), ...)",
                    ref))
        } else if id == nil {
            out.append(
                finding(
                    .error, "alert:coordinate-system", path, at(system ?? location),
                    "no coordinate system (AstroCoordSystem id)", ref))
        }
        if let position = location.find(["AstroCoords", "Position2D"]) {
            if let r = position.child("Error2Radius") {
                if let v = r.trimmedText.flatMap(Double.init), !(v > 0) {
                    out.append(
                        finding(
                            .error, "alert:error-radius", path, at(r),
                            "the error radius \(r.trimmedText ?? "") is not positive", ref))
                }
            } else {
                out.append(
                    finding(
                        .error, "alert:error-radius", path, at(position),
                        "Position2D has no Error2Radius: the alert gives no error circle", ref))
            }
            let unit = position.attribute("unit") ?? "deg"
            let scale = unit.lowercased().hasPrefix("rad") ? 180 / Double.pi : 1
            if let c1 = position.find(["Value2", "C1"]), let ra = c1.trimmedText.flatMap(Double.init),
                !(0..<360).contains(ra * scale)
            {
                out.append(
                    finding(
                        .error, "alert:coordinates", path, at(c1),
                        "RA \(c1.trimmedText!) \(unit) is outside [0, 360) deg", ref))
            }
            if let c2 = position.find(["Value2", "C2"]), let dec = c2.trimmedText.flatMap(Double.init),
                !(-90...90).contains(dec * scale)
            {
                out.append(
                    finding(
                        .error, "alert:coordinates", path, at(c2),
                        "Dec \(c2.trimmedText!) \(unit) is outside [-90, 90] deg", ref))
            }
        } else {
            out.append(
                finding(
                    .error, "alert:position", path, at(location),
                    "no AstroCoords/Position2D: the alert has no sky position", ref))
        }
        var times: [XMLElement] = []
        if let t = location.find(["AstroCoords", "Time", "TimeInstant", "ISOTime"]) {
            times.append(t)
        } else {
            out.append(
                finding(
                    .error, "alert:time", path, at(location),
                    "no AstroCoords/Time/TimeInstant/ISOTime: the alert has no time", ref))
        }
        if let d = doc.root.find(["Who", "Date"]) { times.append(d) }
        for t in times {
            out += timeCheck(t.trimmedText ?? "", path: path, target: at(t), rule: "alert:time", reference: ref)
        }
        return out
    }

    func timeCheck(_ text: String, path: String, target: String, rule: String, reference: String) -> [Finding] {
        guard let t = UTCInstant(iso: text) else {
            return [finding(.error, rule, path, target, "'\(text)' is not an ISO 8601 date and time", reference)]
        }
        // A minute of slack for clocks that disagree.
        if t.unixSeconds > now.unixSeconds + 60 {
            return [
                finding(.error, rule, path, target, "\(text) is in the future (now \(now.iso(digits: 0)))", reference)
            ]
        }
        return []
    }

    // MARK: - GCN notice

    func gcnNotice(_ path: String) throws -> [Finding] {
        let doc: JSONNode
        do { doc = try JSONNode.read(path: path) } catch let e as JSONError {
            return [finding(.error, "gcn:schema", path, e.line.map { "line \($0)" }, e.reason, Self.gcnReference)]
        }
        var out: [Finding] = []
        if let standards {
            let schema: JSONSchema
            do { schema = try standards.gcnSchema(named: doc["$schema"]?.string) } catch let e as Standards.Missing {
                return [
                    finding(
                        .error, "gcn:schema", path, "line \(doc["$schema"]?.line ?? 1): /$schema", e.description,
                        Self.gcnReference)
                ]
                    + gcnSemantics(doc, pointer: "", path: path, top: true)
            }
            for v in schema.violations(of: doc) {
                out.append(
                    finding(
                        .error, "gcn:schema", path, "line \(v.line): \(v.pointer.isEmpty ? "/" : v.pointer)", v.message,
                        Self.gcnReference))
            }
        } else {
            out.append(
                finding(
                    .error, "gcn:schema", path, nil,
                    "not checked against the GCN notice schema: the standards directory was not found (--standards DIR or VODF_STANDARDS)",
                    Self.gcnReference))
        }
        out += gcnSemantics(doc, pointer: "", path: path, top: true)
        for (i, e) in (doc["event_details"]?.array ?? []).enumerated() {
            out += gcnSemantics(e, pointer: "/event_details/\(i)", path: path, top: false)
        }
        return out
    }

    func gcnSemantics(_ n: JSONNode, pointer: String, path: String, top: Bool) -> [Finding] {
        var out: [Finding] = []
        let ref = Self.gcnReference
        func at(_ key: String) -> String { "line \(n[key]?.line ?? n.line): \(pointer)/\(key)" }
        if let ra = n["ra"]?.number, !(0..<360).contains(ra) {
            out.append(finding(.error, "alert:coordinates", path, at("ra"), "ra \(ra) deg is outside [0, 360)", ref))
        }
        if let dec = n["dec"]?.number, !(-90...90).contains(dec) {
            out.append(
                finding(.error, "alert:coordinates", path, at("dec"), "dec \(dec) deg is outside [-90, 90]", ref))
        }
        if n["ra"] == nil || n["dec"] == nil {
            out.append(
                finding(
                    .error, "alert:position", path, "line \(n.line): \(pointer.isEmpty ? "/" : pointer)",
                    "no ra and dec: no sky position", ref))
        }
        if let e = n["ra_dec_error"] {
            let values = e.number.map { [$0] } ?? e.array?.compactMap(\.number) ?? []
            if let bad = values.first(where: { !($0 > 0) }) {
                out.append(
                    finding(
                        .error, "alert:error-radius", path, at("ra_dec_error"), "the error \(bad) deg is not positive",
                        ref))
            }
        } else if top || n["ra"] != nil {
            out.append(
                finding(
                    .error, "alert:error-radius", path, "line \(n.line): \(pointer.isEmpty ? "/" : pointer)",
                    "no ra_dec_error: no error circle", ref))
        }
        if let c = n["cos_zenith"]?.number, !(-1...1).contains(c) {
            out.append(
                finding(.error, "alert:coordinates", path, at("cos_zenith"), "cos_zenith \(c) is outside [-1, 1]", ref))
        }
        if let e = n["energy_measured"]?.number, !(e > 0) {
            out.append(
                finding(
                    .error, "alert:energy", path, at("energy_measured"), "energy_measured \(e) GeV is not positive", ref
                ))
        }
        for key in ["trigger_time", "alert_datetime"] {
            if let s = n[key]?.string {
                out += timeCheck(s, path: path, target: at(key), rule: "alert:time", reference: ref)
            }
        }
        if top, n["trigger_time"] == nil {
            out.append(
                finding(.error, "alert:time", path, "line \(n.line): /", "no trigger_time: the alert has no time", ref))
        }
        return out
    }
}
