import FITSIO
import Foundation
import Model

/// Which spec an HDU is checked against: family from HDUCLASS, version from HDUVERS (or --spec),
/// kind from HDUCLASn, with the fallbacks real files need (no HDUCLASS, mislabelled or legacy class
/// values, newer kinds under an older HDUVERS). Its own type, apart from running the spec's rules
/// (`RuleChecks`); what it decides is reported as `spec:*` findings.
struct SpecMatcher {
    /// The specs of a family (read on first use).
    let library: (String) throws -> SpecLibrary
    let profile: Profile
    /// e.g. "gadf-0.3"; nil: take the version from each HDU's HDUVERS.
    let forcedSpec: String?

    /// Without HDUVERS nothing says which version an HDU follows; readers that ignore HDUVERS
    /// (gammapy) read it as any of them. Checked against the version of its kind it fits best (fewest
    /// errors; the earliest on a tie), so that a DRIFT event list of GADF 0.3 is not held to 0.2's
    /// RA_PNT, nor a 0.2 one to 0.3's OBS_MODE.
    func bestFitting(
        _ spec: Spec, header: [HeaderCard], columns: [ColumnInfo], file: String, hdu: Int, classes4: Set<String>
    ) throws -> Spec {
        let library = try self.library(spec.family)
        let name = spec.kindName
        let candidates = library.versions(spec.family).compactMap { library.specs["\(spec.family)-\($0)/\(name)"] }
        guard candidates.count > 1 else { return spec }
        func errors(_ s: Spec) -> Int {
            RuleChecks.errors(
                s, profile: profile, header: header, columns: columns, file: file, hdu: hdu, classes4: classes4
            ).count
        }
        return candidates.min { errors($0) < errors($1) } ?? spec
    }

    /// Where drafts compete (dialect files) and a file's HDUs name none by HDUVERS: the version whose
    /// specs give the fewest errors over all those HDUs (the earliest on a tie); nil for other families.
    func bestFittingFileVersion(_ hdus: [(Spec, [HeaderCard], [ColumnInfo], Int)], file: String) throws -> String? {
        guard let family = hdus.first?.0.family, hdus.allSatisfy({ $0.0.family == family }) else { return nil }
        let library = try self.library(family)
        guard library.hasDialects(family) else { return nil }
        var best: (version: String, errors: Int)?
        for version in library.versions(family) {
            var errors = 0
            for (spec, header, columns, hdu) in hdus {
                guard let s = library.specs["\(family)-\(version)/\(spec.kindName)"] else {
                    errors += 1000
                    continue
                }
                errors +=
                    RuleChecks.errors(s, profile: profile, header: header, columns: columns, file: file, hdu: hdu).count
            }
            if best == nil || errors < best!.errors { best = (version, errors) }
        }
        return best?.version
    }

    /// Whether a spec's `select` (class keyword -> accepted values) holds for this header; values
    /// compare without case and surrounding blanks.
    static func selects(_ select: [String: [String]], _ header: [HeaderCard]) -> Bool {
        !select.isEmpty
            && select.allSatisfy { key, values in
                header[key: key]?.stringValue.map { v in
                    let have = v.trimmedBlanks.uppercased()
                    return values.contains { $0.uppercased() == have }
                } ?? false
            }
    }

    /// HDUVERS as text; a number written as a float (HDUVERS = 0.3) still names its version (the
    /// type is its own finding).
    static func versionText(_ v: HeaderValue?) -> String {
        switch v {
        case .string(let s)?: return s.trimmedBlanks
        case .double(let d)?: return String(d)
        case .int(let i)?: return String(i)
        default: return ""
        }
    }

    /// Missing or mislabelled class keywords: an error in strict, and in the gammapy profile for the
    /// kinds gammapy finds by their class keywords (IRFs); a warning where it finds them by name.
    /// What gammapy 2.1 does with an IRF HDU whose class keywords are missing or wrong (measured: producers
    /// matrix and harness, issue 27).
    static let classRoutes =
        "; gammapy 2.1 reads it by its name (its IRF class's read(file, hdu=EXTNAME), or a data store's HDU index), but Observation.read and load_irf_dict_from_file go by HDUCLAS1/2/4 and leave it out or take it for another kind"

    /// Wrong class keywords: an error in strict. gammapy reads an IRF HDU by its class keywords
    /// (`load_irf_dict_from_file`) or by its name with its class's reader, so wrong ones are a warning
    /// in its profile (the finding says which of gammapy's readers go wrong).
    func classSeverity(_ spec: Spec) -> Severity {
        profile == .strict ? .error : .warning
    }

    /// Whether some spec of `family`-`version` selects this header only through its legacy class values.
    func matchesLegacyClass(_ header: [HeaderCard], library: SpecLibrary, family: String, version: String) -> Bool {
        func selects(_ select: [String: [String]]) -> Bool { Self.selects(select, header) }
        return library.specs(family, version).contains {
            !$0.legacySelect.isEmpty
                && selects($0.select.merging($0.legacySelect) { _, l in l })
        }
    }

    /// An HDU without HDUCLASS: the GADF index tables are recognised by their columns (gammapy reads
    /// them by name and needs no class keywords), so they are checked, and the missing class
    /// keywords are one finding. Anything else has no spec.
    func specByContent(header: [HeaderCard], columns: [ColumnInfo], file: String, hdu: Int, findings: inout [Finding])
        throws -> Spec?
    {
        let forced = forcedSpec.flatMap(SpecVersionName.split)
        // Which family it is: the forced one, else the one HDUDOC or HDUVERS points at first.
        let hints = (header[key: "HDUDOC"]?.stringValue ?? "").lowercased()
        let families = forced.map { [$0.family] } ?? (hints.contains("vodf") ? ["vodf", "gadf"] : ["gadf", "vodf"])
        for family in families {
            if let spec = try specByContent(
                family: family, header: header, columns: columns, file: file, hdu: hdu, findings: &findings)
            {
                return spec
            }
        }
        return nil
    }

    func specByContent(
        family: String, header: [HeaderCard], columns: [ColumnInfo], file: String, hdu: Int, findings: inout [Finding]
    ) throws -> Spec? {
        let library = try self.library(family)
        let known = library.versions(family)
        guard !known.isEmpty else { return nil }
        let declared = Self.versionText(header[key: "HDUVERS"])
        var version =
            forcedSpec.flatMap(SpecVersionName.split)?.version ?? library.version(family, declaredBy: declared)
            ?? declared
        // Without HDUVERS, the first version: 0.2 is what most real index tables follow (HESS, MAGIC,
        // gammapy's own writer), and 0.3 only adds requirements.
        if !known.contains(version) { version = known.first! }
        // HDUCLASS alone is missing: the other class keywords still say what it is (gammapy goes by
        // HDUCLAS1/2/4, not HDUCLASS).
        func selects(_ select: [String: [String]]) -> Bool { Self.selects(select, header) }
        let laterOrSame = known.filter { $0.compare(version, options: .numeric) != .orderedAscending }
        if let spec = laterOrSame.lazy.compactMap({ v in library.specs(family, v).first { selects($0.select) } }).first
        {
            findings.append(
                Finding(
                    severity: profile == .strict ? .error : .warning, rule: "spec:class-missing", file: file, hdu: hdu,
                    hduName: header[key: "EXTNAME"]?.stringValue, target: "HDUCLASS",
                    message:
                        "no HDUCLASS; its other class keywords make this a \(spec.id.split(separator: "/").last!) HDU; checked as \(spec.id)",
                    reference: spec.reference))
            return spec
        }
        let present = Set(columns.map { $0.spec.name.uppercased() })
        // By its columns, else by the name gammapy reads it by (its own PSF_2D_GAUSS, a GTI named GTI), so
        // that a column gammapy needs and the HDU lacks is an error, not "nothing checked".
        let name = header[key: "EXTNAME"]?.stringValue?.trimmedBlanks.uppercased() ?? ""
        guard
            let spec = laterOrSame.lazy.compactMap({ v in
                library.specs(family, v).first(where: { $0.isRecognised(byColumns: present) })
            }).first
                ?? laterOrSame.lazy.compactMap({ v in
                    library.specs(family, v).first(where: { !name.isEmpty && $0.gammapy?.extname?.uppercased() == name }
                    )
                }).first
        else { return nil }
        let expected = spec.select.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.joined(separator: "|"))" }
            .joined(separator: " ")
        // A spec that only recommends HDUCLASS (vodf_schema's grouping table) makes its absence a warning.
        // gammapy reads such an HDU by its name (gammapy writes PSF_3GAUSS and PSF_KING HDUs so), so in
        // its profile the finding says what gammapy will and will not do with it rather than failing it.
        let required = spec.keywords["HDUCLASS"].map { $0.level == .required } ?? true
        // ...unless its reader needs one of them (RAD_MAX_2D's HDUCLAS2 decides what its ENERG means).
        let needed = spec.keywords.filter { $0.key.hasPrefix("HDUCLAS") && $0.value.gammapy == .required }.keys.sorted()
        let byName =
            !needed.isEmpty
            ? "; gammapy 2.1 cannot read it without \(needed.joined(separator: ", "))"
            : spec.gammapy?.reads_by == "class" ? Self.classRoutes : ""
        // Without class keywords gammapy finds an IRF HDU only by its name: with none, it cannot read it.
        let unnamed = header[key: "EXTNAME"] == nil && spec.gammapy?.reads_by == "class"
        let fails = profile == .strict || (profile == .gammapy && (!needed.isEmpty || unnamed))
        findings.append(
            Finding(
                severity: required && fails ? .error : .warning, rule: "spec:class-missing", file: file,
                hdu: hdu, hduName: header[key: "EXTNAME"]?.stringValue, target: "HDUCLASS",
                message:
                    "no HDUCLASS: the columns make this a \(spec.id.split(separator: "/").last!) HDU (expected HDUCLASS=\(family.uppercased()) \(expected)); checked as \(spec.id)\(byName)",
                reference: spec.reference))
        return spec
    }

    /// The spec for an HDU: family from HDUCLASS, version from HDUVERS (or --spec), kind from HDUCLASn.
    func spec(for header: [HeaderCard], columns: [ColumnInfo], file: String, hdu: Int, findings: inout [Finding]) throws
        -> Spec?
    {
        guard let hduclass = header[key: "HDUCLASS"]?.stringValue?.uppercased().trimmedBlanks else {
            return try specByContent(header: header, columns: columns, file: file, hdu: hdu, findings: &findings)
        }
        guard
            let (family, version, library) = try familyAndVersion(
                hduclass, header: header, file: file, hdu: hdu, findings: &findings)
        else { return nil }
        return kind(
            in: library, family: family, version: version, header: header, columns: columns, file: file, hdu: hdu,
            findings: &findings)
    }

    /// The family and version an HDU is checked against, with a finding when they are guessed;
    /// nil when it is not checked at all (no specs of the family, an OGIP HDU of another format).
    func familyAndVersion(_ hduclass: String, header: [HeaderCard], file: String, hdu: Int, findings: inout [Finding])
        throws
        -> (family: String, version: String, library: SpecLibrary)?
    {
        let family: String
        var version: String
        if let forced = forcedSpec.flatMap(SpecVersionName.split) {
            (family, version) = forced
        } else {
            family = hduclass == "VODF" ? "vodf" : "gadf"
            version = Self.versionText(header[key: "HDUVERS"])
            if version.lowercased().hasPrefix("v") { version.removeFirst() }
        }
        let library = try self.library(family)
        let known = library.versions(family)
        // Competing drafts declare themselves by HDUVERS (vodf-mock-0.1 by '0.1').
        if forcedSpec == nil, let declared = library.version(family, declaredBy: version) { version = declared }
        guard !known.isEmpty else {
            findings.append(
                Finding(
                    severity: profile == .strict ? .warning : .info, rule: "spec:no-match", file: file, hdu: hdu,
                    hduName: header[key: "EXTNAME"]?.stringValue, target: "HDUCLASS",
                    message: "no \(family) specs exist yet in \(library.root); not checked", reference: nil))
            return nil
        }
        // OGIP HDUs (Fermi-LAT events, spectra, responses) are another format, not an unknown GADF
        // version. An OGIP HDU is taken as GADF when its HDUDOC points at GADF, or when it is one of the
        // legacy IRF layouts a GADF spec knows (CTA-1DC's HDUCLAS4 = '2D').
        let meantAsGADF =
            (header[key: "HDUDOC"]?.stringValue ?? "").lowercased().contains("gamma-astro-data-formats")
            || matchesLegacyClass(header, library: library, family: family, version: known.last ?? "")
        if hduclass == "OGIP", !known.contains(version), !meantAsGADF {
            // OGIP HDUs (Fermi-LAT events, spectra, responses) are another format, not an unknown GADF version.
            let classes = ["HDUCLAS1", "HDUCLAS2"].compactMap { k in header[key: k]?.stringValue.map { "\(k)=\($0)" } }
                .joined(separator: " ")
            findings.append(
                Finding(
                    severity: .info, rule: "spec:not-gadf", file: file, hdu: hdu,
                    hduName: header[key: "EXTNAME"]?.stringValue,
                    target: "HDUCLASS", message: "an OGIP HDU (\(classes)), not GADF or VODF; not checked",
                    reference: nil))
            return nil
        }
        // No usable HDUVERS (missing, blank, not text): the first version here, and the check then
        // takes the version the HDU fits best (bestFitting); an unknown version number: the latest.
        if version.isEmpty, forcedSpec == nil, let first = known.first {
            findings.append(
                Finding(
                    severity: .warning, rule: "spec:version-unknown", file: file, hdu: hdu,
                    hduName: header[key: "EXTNAME"]?.stringValue,
                    target: "HDUVERS",
                    message: "no HDUVERS; checked against the \(family) version it fits best (the rule ids name it)",
                    reference: nil))
            version = first
        }
        if !known.contains(version), library.hasDialects(family) {
            // Competing drafts: no later one supersedes another, so the check takes the one the HDU fits best.
            findings.append(
                Finding(
                    severity: .warning, rule: "spec:version-unknown", file: file, hdu: hdu,
                    hduName: header[key: "EXTNAME"]?.stringValue,
                    target: "HDUVERS",
                    message:
                        "HDUVERS '\(version)' declares no \(family) dialect (\(known.map { "\(family)-\($0)" }.joined(separator: ", "))); checked against the one it fits best (the rule ids name it)",
                    reference: nil))
            version = known.first!
        }
        if !known.contains(version) {
            let latest = known.last!
            findings.append(
                Finding(
                    severity: .warning, rule: "spec:version-unknown", file: file, hdu: hdu,
                    hduName: header[key: "EXTNAME"]?.stringValue,
                    target: "HDUVERS",
                    message:
                        "HDUVERS '\(version)' is not a known \(family) version (\(known.joined(separator: ", "))); checked against \(latest)",
                    reference: nil))
            version = latest
        }
        return (family, version, library)
    }

    /// The kind of spec of `family`-`version` an HDU is: by its columns when a spec recognises
    /// them, by its class keywords (current or legacy values), or in a later version that defines
    /// the kind; each fallback is a finding.
    func kind(
        in library: SpecLibrary, family: String, version: String, header: [HeaderCard], columns: [ColumnInfo],
        file: String, hdu: Int,
        findings: inout [Finding]
    ) -> Spec? {
        let known = library.versions(family)
        func selects(_ select: [String: [String]]) -> Bool { Self.selects(select, header) }
        func match(_ version: String) -> Spec? {
            library.specs(family, version).first { selects($0.select) }
        }
        let name = header[key: "EXTNAME"]?.stringValue
        // A spec that recognises this HDU by its columns wins over mislabelled class keywords
        // (MAGIC's hdu-index.fits.gz says HDUCLAS2=OBS); the label itself is then the finding.
        let present = Set(columns.map { $0.spec.name.uppercased() })
        // This version's kinds first; then a kind that only a later version defines (RAD_MAX_2D under
        // HDUVERS 0.2, as MAGIC writes it), as the class fallback below does.
        func recognised(in v: String) -> Spec? {
            library.specs(family, v).first { $0.isRecognised(byColumns: present) }
        }
        let byColumns =
            recognised(in: version)
            ?? known.filter { $0.compare(version, options: .numeric) == .orderedDescending }.lazy.compactMap(recognised)
            .first
        // A spec with an empty `select` is found by its columns alone (VODF grouping tables carry no
        // HDUCLASn): no mismatch to report then.
        if let spec = byColumns, spec.select.isEmpty { return spec }
        let legacy = library.specs(family, version).filter({ !$0.legacySelect.isEmpty }).first(where: {
            selects($0.select.merging($0.legacySelect) { _, legacy in legacy })
        })
        // Mislabelled: the class keywords select another kind (or none); a kind of a later version
        // whose own class keywords are right goes on to the version fallback below.
        if let spec = byColumns, !selects(spec.select), legacy?.id != spec.id, match(version)?.id != spec.id {
            let expected = spec.select.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.joined(separator: "|"))" }
                .joined(separator: " ")
            findings.append(
                Finding(
                    severity: classSeverity(spec), rule: "spec:class-mismatch", file: file, hdu: hdu, hduName: name,
                    target: "HDUCLASn",
                    message:
                        "the columns make this a \(spec.id.split(separator: "/").last!) HDU, but its class keywords do not say so (expected \(expected)); checked as \(spec.id)"
                        + (spec.gammapy?.reads_by == "class" ? Self.classRoutes : ""),
                    reference: spec.reference))
            return spec
        }
        if let spec = match(version) { return spec }
        // Legacy class values: the legacy keys replace the same keys of `select`, the others still apply.
        if let spec = legacy {
            let used = spec.legacySelect.keys.sorted().compactMap { k in
                header[key: k]?.stringValue.map { "\(k)=\($0)" }
            }.joined(separator: " ")
            findings.append(
                Finding(
                    severity: .warning, rule: "spec:legacy-class", file: file, hdu: hdu, hduName: name,
                    target: "HDUCLASn",
                    message: "legacy class values (\(used)); checked as \(spec.id)", reference: spec.reference))
            return spec
        }
        // Real files label newer HDU kinds with an older HDUVERS (MAGIC's RAD_MAX_2D says 0.2, but the
        // kind exists from 0.3 on): check against the first version that defines the kind.
        if let later = known.first(where: {
            $0.compare(version, options: .numeric) == .orderedDescending && match($0) != nil
        }),
            let spec = match(later)
        {
            findings.append(
                Finding(
                    severity: .info, rule: "spec:version-fallback", file: file, hdu: hdu, hduName: name,
                    target: "HDUVERS",
                    message: "\(family) \(version) has no spec for this HDU class; checked against \(family)-\(later)",
                    reference: nil))
            return spec
        }
        findings.append(noMatch(family: family, version: version, header: header, file: file, hdu: hdu))
        return nil
    }

    /// Silence would read as a pass: the finding that says no spec of `family`-`version` checked an HDU.
    func noMatch(family: String, version: String, header: [HeaderCard], file: String, hdu: Int) -> Finding {
        let classes = ["HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4"].compactMap { k in
            header[key: k]?.stringValue.map { "\(k)=\($0)" }
        }
        return Finding(
            severity: profile == .strict ? .warning : .info, rule: "spec:no-match", file: file, hdu: hdu,
            hduName: header[key: "EXTNAME"]?.stringValue, target: nil,
            message: "no \(family)-\(version) spec selects this HDU (\(classes.joined(separator: " "))); not checked",
            reference: nil)
    }

}
