import FITSIO
import Foundation
import Model

public enum Severity: String, Codable, Sendable, Comparable {
    case info, warning, error
    public static func < (a: Severity, b: Severity) -> Bool {
        let order: [Severity] = [.info, .warning, .error]
        return order.firstIndex(of: a)! < order.firstIndex(of: b)!
    }
}

/// `strict`: the spec as written; `lenient`: recommended keywords and type coercions only informative;
/// `gammapy`: like lenient (gammapy 2.1 accepts these), errors where the spec's requirements fail.
public enum Profile: String, CaseIterable, Sendable { case strict, gammapy, lenient }

/// One result: what, where, which rule, and the spec text behind it.
public struct Finding: Codable, Sendable, Equatable {
    public var severity: Severity
    public var rule: String
    public var file: String
    public var hdu: Int?
    public var hduName: String?
    public var target: String?
    public var message: String
    public var reference: String?

    public init(severity: Severity, rule: String, file: String, hdu: Int?, hduName: String?, target: String?, message: String, reference: String?) {
        self.severity = severity
        self.rule = rule
        self.file = file
        self.hdu = hdu
        self.hduName = hduName
        self.target = target
        self.message = message
        self.reference = reference
    }
}

/// Validates FITS files HDU by HDU against the spec whose class keywords match (never by EXTNAME).
public struct Validator: Sendable {
    /// Every spec, read up front; or nil, and then `source` reads a family when a file first needs it.
    public let library: SpecLibrary?
    let source: SpecSource?
    public let profile: Profile
    /// e.g. "gadf-0.3"; nil: take the version from each HDU's HDUVERS.
    public let forcedSpec: String?

    public init(library: SpecLibrary, profile: Profile = .gammapy, forcedSpec: String? = nil) {
        self.library = library
        self.source = nil
        self.profile = profile
        self.forcedSpec = forcedSpec
    }

    public init(source: SpecSource, profile: Profile = .gammapy, forcedSpec: String? = nil) {
        self.library = nil
        self.source = source
        self.profile = profile
        self.forcedSpec = forcedSpec
    }

    func library(for family: String) throws -> SpecLibrary {
        if let library { return library }
        return try source!.library(family: family)
    }

    public struct Unreadable: Error, CustomStringConvertible { public let description: String }

    /// Where files named by other files (index rows, grouping members) may be opened from; nil:
    /// each file's own directory.
    public var confinement: Confinement?

    /// The HDU names (EXTNAME#EXTVER, upper-case) of files already read in this run, so that an index
    /// table's rows are checked against them without opening (and inflating) each file again.
    public let seen = SeenHDUs()

    /// Validates `paths` on all cores, each file's findings in the order given. Index tables (and
    /// grouping tables) go last, so the rows they list are checked against files already read.
    public func validate(paths: [String], progress: @Sendable (Int) -> Void = { _ in }) -> [Result<[Finding], Error>] {
        let order = paths.indices.sorted { a, b in
            let ia = Self.looksLikeIndex(paths[a]), ib = Self.looksLikeIndex(paths[b])
            return ia != ib ? !ia : a < b
        }
        let slots = ResultSlots(count: paths.count)
        let next = ResultSlots.Counter()
        let workers = min(paths.count, max(1, ProcessInfo.processInfo.activeProcessorCount))
        // The index tables wait for the files before them, so their links find them read.
        let firstIndex = order.firstIndex { Self.looksLikeIndex(paths[$0]) } ?? order.count
        let barrier = DispatchGroup()
        for _ in 0..<firstIndex { barrier.enter() }
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let k = next.take(below: order.count) {
                if k >= firstIndex { barrier.wait() }
                let i = order[k]
                slots.set(i, Result { try validate(path: paths[i]) })
                if k < firstIndex { barrier.leave() }
                progress(slots.filled)
            }
        }
        return slots.all
    }

    /// GADF index files and VODF grouping files are named so by convention; only the order depends on it.
    static func looksLikeIndex(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent.lowercased()
        return name.contains("index") || name.contains("grouping")
    }

    public func validate(path: String) throws -> [Finding] {
        let f: FITSFile
        do { f = try FITSFile.open(path: path) } catch { throw Unreadable(description: "\(error)") }
        var findings: [Finding] = []
        var headers: [(Int, [HeaderCard])] = []
        let mapped = MappedFile(path: path)          // plain FITS: checksums summed in place
        // Fixity: a CHECKSUM or DATASUM that is present must verify. In a plain file the sums are
        // taken after the checks, so that a check scanning a table's rows (event times) sums its
        // data unit in the same read.
        let sums = DeferredChecksums()
        var checksumFindings: [Finding] = []
        func checksumFinding(_ hdu: Int, _ h: [HeaderCard], _ state: (hdu: FITSFile.ChecksumState, data: FITSFile.ChecksumState)) {
            guard state.hdu == .invalid || state.data == .invalid else { return }
            // gammapy does not verify checksums (checksum=False is its default), so a stale one is an
            // error only where the spec is taken as written.
            checksumFindings.append(Finding(severity: profile == .gammapy ? .warning : .error, rule: "fits:checksum", file: path, hdu: hdu, hduName: h[key: "EXTNAME"]?.stringValue,
                                            target: "CHECKSUM", message: "CHECKSUM/DATASUM do not match the HDU's content (\(state.hdu)/\(state.data))",
                                            reference: "FITS 4.0 Appendix J"))
        }
        do {
            for i in 1...(try f.hduCount) {
                try f.moveTo(hdu: i)
                let h = try f.readHeader()
                headers.append((i - 1, h))
                if h[key: "CHECKSUM"] != nil || h[key: "DATASUM"] != nil {
                    if mapped != nil { sums.expect(hdu: i - 1, header: h, bytes: try f.byteRange()) } else { checksumFinding(i - 1, h, try f.verifyChecksum()) }
                }
            }
            // A truncated file (its last HDU's data or a header cut short) does not get this far:
            // FITSFile.open measures the headers against the file first (HDULayout).
        } catch let e as Unreadable { throw e } catch { throw Unreadable(description: "\(error)") }
        seen.record(path: path, headers: headers.map(\.1))
        let classes4 = Set(headers.compactMap { $0.1[key: "HDUCLAS4"]?.stringValue?.uppercased() })
        var checked = Set<Int>()
        for (index, header) in headers where index > 0 {
            try f.moveTo(hdu: index + 1)
            let rawColumns = (try? f.columns(header: header)) ?? []
            guard var spec = try spec(for: header, columns: rawColumns, file: path, hdu: index, findings: &findings) else { continue }
            if forcedSpec == nil, Self.versionText(header[key: "HDUVERS"]).isEmpty {
                spec = try bestFitting(spec, header: header, columns: rawColumns, file: path, hdu: index, classes4: [])
            }
            checked.insert(index)
            // A column under a legacy name (CTA-1DC's ETRUE_LO, BGD) is checked as the column it stands for.
            let (columns, legacy) = resolveAliases(spec, rawColumns)
            for (alias, name) in legacy {
                findings.append(Finding(severity: profile == .strict ? .error : .warning, rule: "\(spec.id):column:\(name):legacy-name", file: path, hdu: index,
                                        hduName: header[key: "EXTNAME"]?.stringValue, target: alias,
                                        message: "column \(alias) is the legacy name of \(name); checked as \(name)", reference: spec.columns[name]?.reference ?? spec.reference))
            }
            findings += check(spec, header: header, columns: columns, file: path, hdu: index, classes4: classes4)
            for rule in spec.axes {
                for (target, message) in AxisChecks.run(rule, file: f, columns: columns) {
                    findings.append(Finding(severity: .error, rule: "\(spec.id):axis:\(rule.lo)", file: path, hdu: index,
                                            hduName: header[key: "EXTNAME"]?.stringValue, target: target, message: message,
                                            reference: rule.reference ?? spec.reference))
                }
            }
            if let rule = spec.normalisation, let problem = AxisChecks.normalisation(rule, file: f, columns: columns) {
                // gammapy reads such a table without complaint (the numbers are off), so only strict
                // fails one above the bound. One far below it is a warning in every profile: gammapy
                // renormalises energy-dispersion kernels, and vodfkit's km3irf-compatible output is such a table.
                let severity: Severity
                switch problem {
                case .above: severity = profile == .strict ? .error : .warning
                case .below: severity = profile == .lenient ? .info : .warning
                }
                findings.append(Finding(severity: severity, rule: "\(spec.id):normalisation:\(rule.column)\(problem.isBelow ? ":low" : "")", file: path, hdu: index,
                                        hduName: header[key: "EXTNAME"]?.stringValue, target: rule.column, message: problem.message,
                                        reference: rule.reference ?? spec.reference))
            }
            for rule in spec.fileChecks {
                let sev = profile == .lenient ? Severity.info : (profile == .strict ? rule.strict_severity ?? rule.severity ?? .warning : rule.severity ?? .warning)
                for (target, message) in FileChecks.run(rule, path: path, file: f, hdu: index, header: header, headers: headers, mapped: mapped, sums: sums, seen: seen,
                                                                   confinement: confinement ?? Confinement(roots: [(path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent])) {
                    findings.append(Finding(severity: sev, rule: "\(spec.id):check:\(rule.id)", file: path, hdu: index,
                                            hduName: header[key: "EXTNAME"]?.stringValue, target: target, message: message,
                                            reference: rule.reference ?? spec.reference))
                }
            }
        }
        // Silence would read as a pass: say so when no HDU of the file matched any spec.
        if checked.isEmpty {
            let kinds = headers.dropFirst().map { h in
                ["HDUCLASS", "HDUCLAS1"].compactMap { h.1[key: $0]?.stringValue?.trimmedBlanks }.joined(separator: "/")
            }.map { $0.isEmpty ? "no class keywords" : $0 }
            let what = headers.count <= 1 ? "only a primary HDU" : "\(headers.count - 1) extension(s): \(kinds.joined(separator: ", "))"
            findings.append(Finding(severity: profile == .strict ? .error : .warning, rule: "spec:nothing-checked", file: path, hdu: nil, hduName: nil,
                                    target: nil, message: "no HDU matches a GADF or VODF spec (\(what)); nothing was checked", reference: nil))
        }
        // The sums no check took on the way.
        for p in sums.pending {
            let state: (hdu: FITSFile.ChecksumState, data: FITSFile.ChecksumState)
            if let s = mapped?.verifyChecksum(header: p.header, bytes: p.bytes, dataSum: sums.dataSum(hdu: p.hdu)) {
                state = s
            } else {
                do { try f.moveTo(hdu: p.hdu + 1); state = try f.verifyChecksum() } catch { throw Unreadable(description: "\(error)") }
            }
            checksumFinding(p.hdu, p.header, state)
        }
        findings = checksumFindings + findings
        if profile == .gammapy { findings += gammapyVerdicts(findings, headers: headers, checked: checked, file: path) }
        return findings
    }

    /// One verdict per checked HDU. The gammapy profile makes an error exactly of what gammapy 2.1
    /// fails on or misreads, so an HDU is readable when none of its own rules failed (checks that
    /// follow links to other files do not make the HDU itself unreadable).
    func gammapyVerdicts(_ findings: [Finding], headers: [(Int, [HeaderCard])], checked: Set<Int>, file: String) -> [Finding] {
        var out: [Finding] = []
        // Only HDUs a spec actually checked get a verdict.
        // gammapy 2.1 reads GADF (and OGIP) HDUs only; a VODF HDU gets no verdict rather than a wrong one.
        for (index, header) in headers where checked.contains(index) && header[key: "HDUCLASS"]?.stringValue?.uppercased() != "VODF" {
            let mine = findings.filter { $0.hdu == index }
            let blocking = mine.filter { $0.severity == .error && !$0.rule.contains(":check:") }
            let name = header[key: "EXTNAME"]?.stringValue
            if blocking.isEmpty {
                out.append(Finding(severity: .info, rule: "gammapy:verdict", file: file, hdu: index, hduName: name, target: nil,
                                   message: "readable by gammapy 2.1", reference: nil))
            } else {
                let rules = Array(Set(blocking.map(\.rule))).sorted().joined(separator: ", ")
                out.append(Finding(severity: .info, rule: "gammapy:verdict", file: file, hdu: index, hduName: name, target: nil,
                                   message: "not readable by gammapy 2.1 (it fails or misreads): \(rules)", reference: nil))
            }
        }
        return out
    }

    /// Without HDUVERS nothing says which version an HDU follows; readers that ignore HDUVERS
    /// (gammapy) read it as any of them. Checked against the version of its kind it fits best (fewest
    /// errors; the earliest on a tie), so that a DRIFT event list of GADF 0.3 is not held to 0.2's
    /// RA_PNT, nor a 0.2 one to 0.3's OBS_MODE.
    func bestFitting(_ spec: Spec, header: [HeaderCard], columns: [ColumnInfo], file: String, hdu: Int, classes4: Set<String>) throws -> Spec {
        let library = try self.library(for: spec.family)
        let name = spec.id.split(separator: "/").last.map(String.init) ?? spec.id
        let candidates = library.versions(spec.family).compactMap { library.specs["\(spec.family)-\($0)/\(name)"] }
        guard candidates.count > 1 else { return spec }
        func errors(_ s: Spec) -> Int { check(s, header: header, columns: resolveAliases(s, columns).0, file: file, hdu: hdu, classes4: classes4).filter { $0.severity == .error }.count }
        return candidates.min { errors($0) < errors($1) } ?? spec
    }

    /// Whether a spec's `select` (class keyword -> accepted values) holds for this header; values
    /// compare without case and surrounding blanks.
    static func selects(_ select: [String: [String]], _ header: [HeaderCard]) -> Bool {
        !select.isEmpty && select.allSatisfy { key, values in
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
    func classSeverity(_ spec: Spec) -> Severity {
        switch profile {
        case .strict: return .error
        case .gammapy: return spec.gammapy?.reads_by == "class" ? .error : .warning
        case .lenient: return .warning
        }
    }

    /// Whether some spec of `family`-`version` selects this header only through its legacy class values.
    func matchesLegacyClass(_ header: [HeaderCard], library: SpecLibrary, family: String, version: String) -> Bool {
        func selects(_ select: [String: [String]]) -> Bool { Self.selects(select, header) }
        return library.specs(family, version).contains { !$0.legacySelect.isEmpty
            && selects($0.select.merging($0.legacySelect) { _, l in l }) }
    }

    /// An HDU without HDUCLASS: the GADF index tables are recognised by their columns (gammapy reads
    /// them by name and needs no class keywords), so they are checked, and the missing class
    /// keywords are one finding. Anything else has no spec.
    func specByContent(header: [HeaderCard], columns: [ColumnInfo], file: String, hdu: Int, findings: inout [Finding]) throws -> Spec? {
        let family = forcedSpec.flatMap { f in f.lastIndex(of: "-").map { String(f[..<$0]) } } ?? "gadf"
        let library = try self.library(for: family)
        let known = library.versions(family)
        guard !known.isEmpty else { return nil }
        var version = forcedSpec.flatMap { f in f.lastIndex(of: "-").map { String(f[f.index(after: $0)...]) } }
            ?? Self.versionText(header[key: "HDUVERS"])
        // Without HDUVERS, the first version: 0.2 is what most real index tables follow (HESS, MAGIC,
        // gammapy's own writer), and 0.3 only adds requirements.
        if !known.contains(version) { version = known.first! }
        // HDUCLASS alone is missing: the other class keywords still say what it is (gammapy goes by
        // HDUCLAS1/2/4, not HDUCLASS).
        func selects(_ select: [String: [String]]) -> Bool { Self.selects(select, header) }
        let laterOrSame = known.filter { $0.compare(version, options: .numeric) != .orderedAscending }
        if let spec = laterOrSame.lazy.compactMap({ v in library.specs(family, v).first { selects($0.select) } }).first {
            findings.append(Finding(severity: profile == .strict ? .error : .warning, rule: "spec:class-missing", file: file, hdu: hdu,
                                    hduName: header[key: "EXTNAME"]?.stringValue, target: "HDUCLASS",
                                    message: "no HDUCLASS; its other class keywords make this a \(spec.id.split(separator: "/").last!) HDU; checked as \(spec.id)",
                                    reference: spec.reference))
            return spec
        }
        let present = Set(columns.map { $0.spec.name.uppercased() })
        guard let spec = laterOrSame.lazy.compactMap({ v in library.specs(family, v).filter({ !$0.recognizeByColumns.isEmpty })
            .first(where: { $0.recognizeByColumns.allSatisfy { present.contains($0.uppercased()) } }) }).first else { return nil }
        let expected = spec.select.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.joined(separator: "|"))" }.joined(separator: " ")
        findings.append(Finding(severity: classSeverity(spec), rule: "spec:class-missing", file: file, hdu: hdu,
                                hduName: header[key: "EXTNAME"]?.stringValue, target: "HDUCLASS",
                                message: "no HDUCLASS: the columns make this a \(spec.id.split(separator: "/").last!) HDU (expected HDUCLASS=\(family.uppercased()) \(expected)); checked as \(spec.id)",
                                reference: spec.reference))
        return spec
    }

    /// The spec for an HDU: family from HDUCLASS, version from HDUVERS (or --spec), kind from HDUCLASn.
    func spec(for header: [HeaderCard], columns: [ColumnInfo], file: String, hdu: Int, findings: inout [Finding]) throws -> Spec? {
        guard let hduclass = header[key: "HDUCLASS"]?.stringValue?.uppercased().trimmedBlanks else {
            return try specByContent(header: header, columns: columns, file: file, hdu: hdu, findings: &findings)
        }
        let family: String
        var version: String
        if let forced = forcedSpec, let dash = forced.lastIndex(of: "-") {
            family = String(forced[..<dash])
            version = String(forced[forced.index(after: dash)...])
        } else {
            family = hduclass == "VODF" ? "vodf" : "gadf"
            version = Self.versionText(header[key: "HDUVERS"])
            if version.lowercased().hasPrefix("v") { version.removeFirst() }
        }
        let library = try self.library(for: family)
        let known = library.versions(family)
        guard !known.isEmpty else {
            findings.append(Finding(severity: profile == .strict ? .warning : .info, rule: "spec:no-match", file: file, hdu: hdu,
                                    hduName: header[key: "EXTNAME"]?.stringValue, target: "HDUCLASS",
                                    message: "no \(family) specs exist yet in \(library.root); not checked", reference: nil))
            return nil
        }
        // OGIP HDUs (Fermi-LAT events, spectra, responses) are another format, not an unknown GADF
        // version. An OGIP HDU is taken as GADF when its HDUDOC points at GADF, or when it is one of the
        // legacy IRF layouts a GADF spec knows (CTA-1DC's HDUCLAS4 = '2D').
        let meantAsGADF = (header[key: "HDUDOC"]?.stringValue ?? "").lowercased().contains("gamma-astro-data-formats")
            || matchesLegacyClass(header, library: library, family: family, version: known.last ?? "")
        if hduclass == "OGIP", !known.contains(version), !meantAsGADF {
            // OGIP HDUs (Fermi-LAT events, spectra, responses) are another format, not an unknown GADF version.
            let classes = ["HDUCLAS1", "HDUCLAS2"].compactMap { k in header[key: k]?.stringValue.map { "\(k)=\($0)" } }.joined(separator: " ")
            findings.append(Finding(severity: .info, rule: "spec:not-gadf", file: file, hdu: hdu, hduName: header[key: "EXTNAME"]?.stringValue,
                                    target: "HDUCLASS", message: "an OGIP HDU (\(classes)), not GADF or VODF; not checked", reference: nil))
            return nil
        }
        // No usable HDUVERS (missing, blank, not text): the first version here, and the check then
        // takes the version the HDU fits best (bestFitting); an unknown version number: the latest.
        if version.isEmpty, forcedSpec == nil, let first = known.first {
            findings.append(Finding(severity: .warning, rule: "spec:version-unknown", file: file, hdu: hdu, hduName: header[key: "EXTNAME"]?.stringValue,
                                    target: "HDUVERS", message: "no HDUVERS; checked against the \(family) version it fits best (the rule ids name it)", reference: nil))
            version = first
        }
        if !known.contains(version) {
            let latest = known.last!
            findings.append(Finding(severity: .warning, rule: "spec:version-unknown", file: file, hdu: hdu, hduName: header[key: "EXTNAME"]?.stringValue,
                                    target: "HDUVERS", message: "HDUVERS '\(version)' is not a known \(family) version (\(known.joined(separator: ", "))); checked against \(latest)",
                                    reference: nil))
            version = latest
        }
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
            library.specs(family, v).filter { !$0.recognizeByColumns.isEmpty }.first { $0.recognizeByColumns.allSatisfy { present.contains($0.uppercased()) } }
        }
        let byColumns = recognised(in: version) ?? known.filter { $0.compare(version, options: .numeric) == .orderedDescending }.lazy.compactMap(recognised).first
        // A spec with an empty `select` is found by its columns alone (VODF grouping tables carry no
        // HDUCLASn): no mismatch to report then.
        if let spec = byColumns, spec.select.isEmpty { return spec }
        let legacy = library.specs(family, version).filter({ !$0.legacySelect.isEmpty }).first(where: { selects($0.select.merging($0.legacySelect) { _, legacy in legacy }) })
        // Mislabelled: the class keywords select another kind (or none); a kind of a later version
        // whose own class keywords are right goes on to the version fallback below.
        if let spec = byColumns, !selects(spec.select), legacy?.id != spec.id, match(version)?.id != spec.id {
            let expected = spec.select.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.joined(separator: "|"))" }.joined(separator: " ")
            findings.append(Finding(severity: classSeverity(spec), rule: "spec:class-mismatch", file: file, hdu: hdu, hduName: name, target: "HDUCLASn",
                                    message: "the columns make this a \(spec.id.split(separator: "/").last!) HDU, but its class keywords do not say so (expected \(expected)); checked as \(spec.id)",
                                    reference: spec.reference))
            return spec
        }
        if let spec = match(version) { return spec }
        // Legacy class values: the legacy keys replace the same keys of `select`, the others still apply.
        if let spec = legacy {
            let used = spec.legacySelect.keys.sorted().compactMap { k in header[key: k]?.stringValue.map { "\(k)=\($0)" } }.joined(separator: " ")
            findings.append(Finding(severity: .warning, rule: "spec:legacy-class", file: file, hdu: hdu, hduName: name, target: "HDUCLASn",
                                    message: "legacy class values (\(used)); checked as \(spec.id)", reference: spec.reference))
            return spec
        }
        // Real files label newer HDU kinds with an older HDUVERS (MAGIC's RAD_MAX_2D says 0.2, but the
        // kind exists from 0.3 on): check against the first version that defines the kind.
        if let later = known.first(where: { $0.compare(version, options: .numeric) == .orderedDescending && match($0) != nil }),
           let spec = match(later) {
            findings.append(Finding(severity: .info, rule: "spec:version-fallback", file: file, hdu: hdu, hduName: name, target: "HDUVERS",
                                    message: "\(family) \(version) has no spec for this HDU class; checked against \(family)-\(later)", reference: nil))
            return spec
        }
        let classes = ["HDUCLAS1", "HDUCLAS2", "HDUCLAS3", "HDUCLAS4"].compactMap { k in header[key: k]?.stringValue.map { "\(k)=\($0)" } }
        // Silence would read as a pass; say that nothing checked this HDU.
        findings.append(Finding(severity: profile == .strict ? .warning : .info, rule: "spec:no-match", file: file, hdu: hdu, hduName: name, target: nil,
                                message: "no \(family)-\(version) spec selects this HDU (\(classes.joined(separator: " "))); not checked", reference: nil))
        return nil
    }

    func check(_ spec: Spec, header: [HeaderCard], columns: [ColumnInfo], file: String, hdu: Int, classes4: Set<String>) -> [Finding] {
        var out: [Finding] = []
        let extname = header[key: "EXTNAME"]?.stringValue
        /// In the gammapy profile an error is what gammapy fails on: a problem with something it does
        /// not read (or, when missing, assumes) is a warning there.
        func add(_ sev: Severity, _ rule: String, _ target: String, _ msg: String, _ ref: String?, use: GammapyUse? = nil, missing: Bool = false) {
            var sev = sev
            if profile == .gammapy, sev == .error, use == .ignored || (use == .defaulted && missing) { sev = .warning }
            out.append(Finding(severity: sev, rule: "\(spec.id):\(rule)", file: file, hdu: hdu, hduName: extname, target: target,
                               message: msg, reference: ref ?? spec.reference))
        }
        // gammapy opens this kind by its EXTNAME (EventList.read(hdu="EVENTS")): another name is not found.
        if profile == .gammapy, spec.gammapy?.reads_by == "extname", let want = spec.gammapy?.extname,
           (extname ?? "").trimmedBlanks.uppercased() != want.uppercased() {
            out.append(Finding(severity: .error, rule: "\(spec.id):gammapy:extname", file: file, hdu: hdu, hduName: extname, target: "EXTNAME",
                               message: "gammapy 2.1 opens this HDU by EXTNAME '\(want)'; it is \(extname.map { "'\($0)'" } ?? "missing")", reference: spec.reference))
        }
        // An HDU found by its columns without HDUCLASS got one spec:class-missing finding for all of them.
        let classless = header[key: "HDUCLASS"] == nil
        for (name, rule) in spec.keywords.sorted(by: { $0.key < $1.key }) {
            guard let value = header[key: name] ?? rule.aliases?.lazy.compactMap({ header[key: $0] }).first else {
                if classless && (name.hasPrefix("HDUCLAS") || name == "HDUVERS" || name == "HDUDOC") { continue }
                switch rule.level {
                case .required: add(.error, "keyword:\(name):missing", name, "required keyword \(name) is missing", rule.reference, use: rule.gammapy, missing: true)
                case .recommended, .optional, .deprecated:
                    if profile == .gammapy, rule.gammapy == .required {
                        add(.error, "keyword:\(name):missing", name, "keyword \(name) is missing, and gammapy 2.1 fails without it", rule.reference)
                    } else if rule.level == .recommended {
                        add(profile == .strict ? .warning : .info, "keyword:\(name):missing", name,
                            "recommended keyword \(name) is missing" + (rule.default.map { " (default: \($0))" } ?? ""), rule.reference)
                    }
                }
                continue
            }
            if rule.level == .deprecated { add(.warning, "keyword:\(name):deprecated", name, "\(name) is deprecated", rule.reference) }
            if let t = rule.type, let problem = typeProblem(value, expected: t) {
                // gammapy converts numbers stored as strings, except where it computes with the stored value.
                let tolerated = problem.coercible && profile != .strict && !(profile == .gammapy && problem.isString && rule.gammapy == .typed)
                add(tolerated ? .warning : .error, "keyword:\(name):type", name, problem.message, rule.reference, use: rule.gammapy)
            }
            if let allowed = rule.values, let s = comparable(value) {
                let insensitive = rule.case == "insensitive"
                let ok = allowed.contains { insensitive ? $0.uppercased() == s.uppercased() : $0 == s }
                if !ok {
                    // A case-only difference is a warning, not a wrong value.
                    let caseOnly = allowed.contains { $0.uppercased() == s.uppercased() }
                    add(caseOnly ? .warning : .error, "keyword:\(name):value", name,
                        "\(name) = '\(s)' is not one of \(allowed.joined(separator: ", "))", rule.reference, use: rule.gammapy)
                }
            }
            if let range = rule.range, range.count == 2, let d = value.doubleValue {
                if let lo = range[0], d < lo { add(.error, "keyword:\(name):range", name, "\(name) = \(d) is below \(lo)", rule.reference, use: rule.gammapy) }
                if let hi = range[1], d > hi { add(.error, "keyword:\(name):range", name, "\(name) = \(d) is above \(hi)", rule.reference, use: rule.gammapy) }
            }
        }
        for c in spec.conditions {
            let applies = c.when.allSatisfy { key, values in
                guard let v = header[key: key]?.stringValue?.uppercased() else { return false }
                return values.map { $0.uppercased() }.contains(v)
            }
            guard applies else { continue }
            for k in c.require ?? [] where header[key: k] == nil {
                add(.error, "condition:\(c.id)", k, "\(k) is required when \(c.when.map { "\($0.key) = \($0.value.joined(separator: "|"))" }.joined(separator: ", "))", c.reference,
                    use: spec.keywords[k]?.gammapy, missing: true)
            }
            if let any = c.require_any, !any.contains(where: { header[key: $0] != nil }), !(c.or_hdu.map { classes4.contains($0.uppercased()) } ?? false) {
                add(.error, "condition:\(c.id)", any.joined(separator: "|"),
                    "one of \(any.joined(separator: ", "))\(c.or_hdu.map { " (or a \($0) HDU in the file)" } ?? "") is required", c.reference)
            }
        }
        let byName = Dictionary(columns.map { ($0.spec.name.uppercased(), $0.spec) }, uniquingKeysWith: { a, _ in a })
        for (name, rule) in spec.columns.sorted(by: { $0.key < $1.key }) {
            guard let col = byName[name.uppercased()] else {
                if rule.level != .required, profile == .gammapy, rule.gammapy == .required {
                    add(.error, "column:\(name):missing", name, "column \(name) is missing, and gammapy 2.1 fails without it", rule.reference)
                }
                if rule.level == .required { add(.error, "column:\(name):missing", name, "required column \(name) is missing", rule.reference, use: rule.gammapy, missing: true) }
                continue
            }
            if let t = rule.type, !columnTypeMatches(col.type, t) {
                add(.error, "column:\(name):type", name, "column \(name) is \(col.tform), expected \(t)", rule.reference, use: rule.gammapy)
            }
            let dims = col.dims ?? [col.repeatCount]
            if let shape = rule.shape {
                if let problem = shapeProblem(name, dims: dims, shape: shape, accepted: rule.accepted_shapes ?? [], byName: byName) {
                    add(problem.accepted ? (profile == .strict ? .error : profile == .gammapy ? .warning : .info) : .error,
                        "column:\(name):shape", name, problem.message, rule.reference)
                }
            } else if let n = rule.ndim, dims.count > n || trimmedDims(dims).count > n {
                // Fewer dimensions than ndim is fine when the missing ones are single bins.
                add(.error, "column:\(name):ndim", name, "column \(name) has \(dims.count) dimensions (TDIM \(dimText(dims))), expected \(n)", rule.reference)
            }
            if let expected = rule.unit {
                let unitText = col.unit ?? ""
                if unitText.isEmpty {
                    // An empty TUNIT is how FITS writes "dimensionless"; only a dimensioned column must say its unit.
                    if expected.trimmedBlanks.isEmpty { continue }
                    add(profile == .strict ? .warning : .info, "column:\(name):unit", name, "column \(name) has no unit (expected \(expected))", rule.reference)
                } else if let u = try? Model.Unit.parse(unitText), let e = try? Model.Unit.parse(expected) {
                    if !u.isConvertible(to: e) {
                        add(.error, "column:\(name):unit", name, "column \(name) unit '\(unitText)' does not convert to \(expected)", rule.reference, use: rule.gammapy)
                    }
                } else {
                    // gammapy (astropy) cannot parse it either: the column's quantity is unusable there.
                    add(profile == .gammapy ? .error : .warning, "column:\(name):unit", name, "column \(name) unit '\(unitText)' is not understood", rule.reference, use: rule.gammapy)
                }
            }
        }
        return out
    }

    struct TypeProblem {
        let message: String
        let coercible: Bool
        var isString = false
    }

    /// The columns with each legacy-named one renamed to the column it stands for (when that one is
    /// absent), and the (legacy name, spec name) pairs found. Reads go by column number, so the
    /// renamed entries read the same data.
    func resolveAliases(_ spec: Spec, _ columns: [ColumnInfo]) -> ([ColumnInfo], [(String, String)]) {
        var out = columns
        var found: [(String, String)] = []
        let present = Set(columns.map { $0.spec.name.uppercased() })
        for (name, rule) in spec.columns.sorted(by: { $0.key < $1.key }) where !present.contains(name.uppercased()) {
            for alias in rule.aliases ?? [] {
                if let i = out.firstIndex(where: { $0.spec.name.uppercased() == alias.uppercased() }) {
                    found.append((out[i].spec.name, name))
                    out[i].spec.name = name
                    break
                }
            }
        }
        return (out, found)
    }

    func dimText(_ dims: [Int]) -> String { "(" + dims.map(String.init).joined(separator: ",") + ")" }

    /// Dimensions without trailing single bins.
    func trimmedDims(_ d: [Int]) -> [Int] {
        var d = d
        while d.count > 1 && d.last == 1 { d.removeLast() }
        return d
    }

    /// Compares a column's TDIM with the lengths of the axes named by the spec (trailing
    /// single-bin axes may be left out: MAGIC writes RAD_MAX as (20, 1), others as (20)).
    func shapeProblem(_ name: String, dims: [Int], shape: [String], accepted: [[String]], byName: [String: ColumnSpec]) -> (message: String, accepted: Bool)? {
        func lengths(_ axes: [String]) -> [Int]? {
            let l = axes.map { byName["\($0.uppercased())_LO"]?.repeatCount }
            return l.contains(where: { $0 == nil }) ? nil : l.map { $0! }
        }
        let trimmed = trimmedDims
        // A missing axis column is reported by its own column rule.
        guard let expected = lengths(shape) else { return nil }
        if trimmed(dims) == trimmed(expected) { return nil }
        let names = "(" + shape.joined(separator: ", ") + ")"
        for alt in accepted {
            if let l = lengths(alt), trimmed(dims) == trimmed(l) {
                return ("column \(name) has TDIM \(dimText(dims)), axes in the order (\(alt.joined(separator: ", "))); gammapy 2.1 reads this order, the spec's is \(names)", true)
            }
        }
        if dims.count == expected.count, dims.sorted() == expected.sorted() {
            let order = dims.map { d in shape.indices.first { expected[$0] == d }.map { shape[$0] } ?? "?" }
            return ("column \(name) has TDIM \(dimText(dims)): the axes are in the order (\(order.joined(separator: ", "))), the spec's is \(names) \(dimText(expected))", false)
        }
        return ("column \(name) has TDIM \(dimText(dims)), but its axes \(names) have \(dimText(expected)) bins", false)
    }

    /// Type check with a coercion policy: an int where a float is expected is fine; an integral
    /// float for an int, or a numeric string, can be read but deserves a warning.
    func typeProblem(_ v: HeaderValue, expected: String) -> TypeProblem? {
        switch (expected, v) {
        case ("string", .string), ("int", .int), ("float", .double), ("float", .int), ("bool", .bool): return nil
        case ("int", .double(let d)) where d == d.rounded():
            return TypeProblem(message: "integer stored as a float (\(d))", coercible: true)
        case ("int", .string(let s)) where Int64(s.trimmedBlanks) != nil,
             ("float", .string(let s)) where Double(s.trimmedBlanks) != nil:
            return TypeProblem(message: "number stored as a string ('\(s)')", coercible: true, isString: true)
        default:
            return TypeProblem(message: "expected \(expected), found \(v)", coercible: false)
        }
    }

    func comparable(_ v: HeaderValue) -> String? {
        switch v {
        case .string(let s): return s.trimmedBlanks
        case .double(let d): return String(d)
        case .int(let i): return String(i) + ".0"          // so EQUINOX = 2000 compares as 2000.0
        case .bool: return nil
        }
    }

    func columnTypeMatches(_ t: ColumnType, _ expected: String) -> Bool {
        switch expected {
        case "float": return t == .float32 || t == .float64
        case "float64": return t == .float64
        case "int": return [.int16, .int32, .int64, .uint8].contains(t)
        case "string": return t == .string
        case "bits": return t == .bits
        default: return true
        }
    }
}

/// The HDU checksums of one plain file still to verify, and the data sums that checks scanning a
/// table took on the way (one read of a large table instead of two).
final class DeferredChecksums: @unchecked Sendable {
    struct Pending { let hdu: Int; let header: [HeaderCard]; let bytes: (headerStart: Int, dataStart: Int, dataEnd: Int) }
    private(set) var pending: [Pending] = []
    private var dataSums: [Int: UInt32] = [:]
    /// The file's GTI, once a check has read it (nil intervals: the file has none).
    struct CachedGTI { let intervals: [(Double, Double)]? }
    var gti: CachedGTI?
    private let lock = NSLock()

    func expect(hdu: Int, header: [HeaderCard], bytes: (headerStart: Int, dataStart: Int, dataEnd: Int)) {
        pending.append(Pending(hdu: hdu, header: header, bytes: bytes))
    }
    /// The data unit of `hdu` if its sum is still wanted.
    func wantsData(hdu: Int) -> (dataStart: Int, dataEnd: Int)? {
        lock.lock(); defer { lock.unlock() }
        guard dataSums[hdu] == nil, let p = pending.first(where: { $0.hdu == hdu }) else { return nil }
        return (p.bytes.dataStart, p.bytes.dataEnd)
    }
    func setDataSum(hdu: Int, _ sum: UInt32) { lock.lock(); dataSums[hdu] = sum; lock.unlock() }
    func dataSum(hdu: Int) -> UInt32? { lock.lock(); defer { lock.unlock() }; return dataSums[hdu] }
}

/// HDU names of the files one validation run has read, keyed by their resolved path.
public final class SeenHDUs: @unchecked Sendable {
    private var names: [String: Set<String>] = [:]
    private let lock = NSLock()
    public init() {}

    static func key(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }

    func record(path: String, headers: [[HeaderCard]]) {
        let set = Set(headers.compactMap { h in
            h[key: "EXTNAME"]?.stringValue.map { "\($0.trimmedBlanks.uppercased())#\(h[key: "EXTVER"]?.doubleValue.map { Int($0) } ?? 1)" }
        })
        let k = Self.key(path)
        lock.lock(); names[k] = set; lock.unlock()
    }

    /// The EXTNAME#EXTVER set of `path` if this run read it.
    func hdus(_ path: String) -> Set<String>? {
        let k = Self.key(path)
        lock.lock(); defer { lock.unlock() }
        return names[k]
    }
}

/// One result per file of a parallel run, and the counter that hands files to the workers.
final class ResultSlots: @unchecked Sendable {
    private var slots: [Result<[Finding], Error>?]
    private let lock = NSLock()
    private(set) var filled = 0
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<[Finding], Error>) { lock.lock(); slots[i] = r; filled += 1; lock.unlock() }
    var all: [Result<[Finding], Error>] { lock.lock(); defer { lock.unlock() }; return slots.map { $0! } }

    final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func take(below n: Int) -> Int? {
            lock.lock(); defer { lock.unlock() }
            guard value < n else { return nil }
            value += 1
            return value - 1
        }
    }
}
