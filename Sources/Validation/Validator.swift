import Alerts
import FITSIO
import Foundation
import Model
import Parallel
import Readers

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

    public init(
        severity: Severity, rule: String, file: String, hdu: Int?, hduName: String?, target: String?, message: String,
        reference: String?
    ) {
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
extension Finding {
    /// A file that cannot be read as FITS at all (truncated, a corrupt header): one error, before
    /// any spec is tried. `validate` and `release check` both report it so.
    public static func unreadable(_ file: String, _ error: Error) -> Finding {
        Finding(
            severity: .error, rule: "fits:unreadable", file: file, hdu: nil, hduName: nil, target: nil,
            message: MessageText.escaped(MessageText.withoutFilePrefix("\(error)", file: file), limit: 600),
            reference: "FITS 4.0")
    }
}

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

    /// Matches HDUs to specs with this validator's libraries, profile and forced version.
    var matcher: SpecMatcher { SpecMatcher(library: library(for:), profile: profile, forcedSpec: forcedSpec) }

    public struct Unreadable: Error, CustomStringConvertible { public let description: String }

    /// Where files named by other files (index rows, grouping members) may be opened from; nil:
    /// each file's own directory.
    public var confinement: Confinement?

    /// Where the VOEvent XSDs and GCN notice schemas are, for alert files (VOEvent XML, GCN JSON);
    /// nil: an alert is still checked for its meaning, and reported as not checked against its schema.
    public var standards: Standards?

    /// Files validated at once; nil: one per core (`release build --jobs N` checks with N).
    public var workers: Int?

    /// The HDU names (EXTNAME#EXTVER, upper-case) of files already read in this run, so that an index
    /// table's rows are checked against them without opening (and inflating) each file again.
    public let seen = SeenHDUs()

    /// Which dialect each file follows, for families with competing drafts (VODF).
    public let dialects = DialectLog()

    /// Validates `paths` on all cores, each file's findings in the order given. Index tables (and
    /// grouping tables) go last, so the rows they list are checked against files already read.
    public func validate(paths: [String], progress: @Sendable (Int) -> Void = { _ in }) -> [Result<[Finding], Error>] {
        let order = paths.indices.sorted { a, b in
            let ia = Self.looksLikeIndex(paths[a])
            let ib = Self.looksLikeIndex(paths[b])
            return ia != ib ? !ia : a < b
        }
        let slots = Slots<Result<[Finding], Error>>(count: paths.count)
        let run = RunProgress()
        let workers = min(paths.count, max(1, self.workers ?? ProcessInfo.processInfo.activeProcessorCount))
        // The index tables wait for the files before them, so their links find them read.
        let firstIndex = order.firstIndex { Self.looksLikeIndex(paths[$0]) } ?? order.count
        let barrier = DispatchGroup()
        for _ in 0..<firstIndex { barrier.enter() }
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while let k = run.take(below: order.count) {
                if k >= firstIndex { barrier.wait() }
                let i = order[k]
                slots[i] = Result { try validate(path: paths[i]) }
                if k < firstIndex { barrier.leave() }
                progress(run.finish())
            }
        }
        return slots.values.map { $0! }
    }

    /// GADF index files and VODF grouping files are named so by convention; only the order depends on it.
    static func looksLikeIndex(_ path: String) -> Bool {
        let name = (path as NSString).lastPathComponent.lowercased()
        return name.contains("index") || name.contains("grouping")
    }

    public func validate(path: String) throws -> [Finding] {
        if let kind = AlertChecks.kind(path) {
            return try AlertChecks(standards: standards, profile: profile).validate(path: path, kind: kind)
        }
        let f: FITSFile
        do { f = try FITSFile.open(path: path) } catch { throw Unreadable(description: "\(error)") }
        let mapped = MappedFile(path: path) // plain FITS: checksums summed in place
        var fixity = Fixity(path: path, profile: profile)
        let headers = try readHeaders(f, mapped: mapped, fixity: &fixity)
        seen.record(path: path, headers: headers.map(\.1))
        let classes4 = Set(headers.compactMap { $0.1[key: "HDUCLAS4"]?.stringValue?.uppercased() })
        var findings: [Finding] = []
        var checked = Set<Int>()
        let gti = GTICache()
        var dialect = DialectTally(file: path, library: library(for:), profile: profile)
        // First each HDU's spec, then (competing drafts, no HDUVERS naming one) the draft the whole
        // file fits best, so that one file is not read as two drafts; then the checks, HDU by HDU.
        var matched:
            [(index: Int, header: [HeaderCard], columns: [ColumnInfo], spec: Spec?, fitted: Bool, said: [Finding])] = []
        for (index, header) in headers where index > 0 {
            try f.moveTo(hdu: index + 1)
            let rawColumns = (try? f.columns(header: header)) ?? []
            var said: [Finding] = []
            let spec = try matcher.spec(for: header, columns: rawColumns, file: path, hdu: index, findings: &said)
            let fitted = try spec.map { try forcedSpec == nil && undeclaredVersion($0, header) } ?? false
            matched.append((index, header, rawColumns, spec, fitted, said))
        }
        let fileVersion = try matcher.bestFittingFileVersion(
            matched.filter(\.fitted).compactMap { m in m.spec.map { ($0, m.header, m.columns, m.index) } }, file: path)
        for m in matched {
            findings += m.said
            guard var spec = m.spec else { continue }
            if m.fitted {
                if let v = fileVersion,
                    let same = try library(for: spec.family).specs["\(spec.family)-\(v)/\(spec.kindName)"]
                {
                    spec = same
                } else {
                    spec = try matcher.bestFitting(
                        spec, header: m.header, columns: m.columns, file: path, hdu: m.index, classes4: [])
                }
            }
            dialect.add(spec, bestFit: m.fitted, header: m.header, columns: m.columns, hdu: m.index)
            checked.insert(m.index)
            try f.moveTo(hdu: m.index + 1)
            let hdu = HDUScan(
                file: f, path: path, index: m.index, header: m.header, headers: headers, mapped: mapped,
                sums: fixity.sums, gti: gti)
            findings += check(hdu, spec, rawColumns: m.columns, classes4: classes4)
        }
        if let statement = dialect.statement { dialects.record(statement) }
        if checked.isEmpty { findings.append(nothingChecked(path, headers)) }
        findings += ambiguousHDUs(path, headers)
        // The sums no check took on the way.
        try fixity.verifyPending(f, mapped: mapped)
        findings = fixity.findings + findings
        if profile == .gammapy { findings += gammapyVerdicts(findings, headers: headers, checked: checked, file: path) }
        return ProducerDialects.annotate(findings, headers: headers.map(\.1), file: path)
    }

    /// No HDUVERS, or (where drafts compete) one that declares none of them: the version the HDU fits
    /// best is then checked.
    func undeclaredVersion(_ spec: Spec, _ header: [HeaderCard]) throws -> Bool {
        let declared = SpecMatcher.versionText(header[key: "HDUVERS"])
        if declared.isEmpty { return true }
        let library = try library(for: spec.family)
        return library.hasDialects(spec.family) && library.version(spec.family, declaredBy: declared) == nil
    }

    /// Every header, with the checksums to verify noted (plain files: summed later, so that a check
    /// scanning a table's rows sums its data unit in the same read) or verified now.
    func readHeaders(_ f: FITSFile, mapped: MappedFile?, fixity: inout Fixity) throws -> [(Int, [HeaderCard])] {
        var headers: [(Int, [HeaderCard])] = []
        do {
            for i in 1...(try f.hduCount) {
                try f.moveTo(hdu: i)
                let h = try f.readHeader()
                headers.append((i - 1, h))
                if h[key: "CHECKSUM"] != nil || h[key: "DATASUM"] != nil {
                    if mapped != nil {
                        fixity.sums.expect(hdu: i - 1, header: h, bytes: try f.byteRange())
                    } else {
                        fixity.record(i - 1, h, try f.verifyChecksum())
                    }
                }
            }
            // A truncated file (its last HDU's data or a header cut short) does not get this far:
            // FITSFile.open measures the headers against the file first (HDULayout).
        } catch let e as Unreadable { throw e } catch { throw Unreadable(description: "\(error)") }
        return headers
    }

    /// One HDU as the data-reading checks see it: the open file positioned at it, and the file's context.
    struct HDUScan {
        let file: FITSFile
        let path: String
        let index: Int
        let header: [HeaderCard]
        let headers: [(Int, [HeaderCard])]
        let mapped: MappedFile?
        let sums: DeferredChecksums
        let gti: GTICache
        var extname: String? { header[key: "EXTNAME"]?.stringValue }
    }

    /// All of a spec's rules on one HDU: legacy column names, keywords, conditions and columns
    /// (`RuleChecks`), then the checks that read the data: axes, normalisation, file checks.
    func check(_ h: HDUScan, _ spec: Spec, rawColumns: [ColumnInfo], classes4: Set<String>) -> [Finding] {
        var findings: [Finding] = []
        func add(_ severity: Severity, _ rule: String, _ target: String?, _ message: String, _ reference: String?) {
            findings.append(
                Finding(
                    severity: severity, rule: rule, file: h.path, hdu: h.index, hduName: h.extname, target: target,
                    message: message, reference: reference ?? spec.reference))
        }
        // A column under a legacy name (CTA-1DC's ETRUE_LO, BGD) is checked as the column it stands for.
        let (columns, legacy) = RuleChecks.resolveAliases(spec, rawColumns)
        for (alias, name) in legacy {
            add(
                profile == .strict ? .error : .warning, "\(spec.id):column:\(name):legacy-name", alias,
                "column \(alias) is the legacy name of \(name); checked as \(name)", spec.columns[name]?.reference)
        }
        findings += RuleChecks.run(
            spec, profile: profile, header: h.header, columns: columns, file: h.path, hdu: h.index, classes4: classes4)
        // The data-reading checks share one read of each column.
        let data = HDUColumns(file: h.file, columns: columns)
        for rule in spec.axes {
            for (target, message) in AxisChecks.run(rule, columns: data) {
                add(.error, "\(spec.id):axis:\(rule.lo)", target, message, rule.reference)
            }
        }
        if let rule = spec.normalisation, let problem = AxisChecks.normalisation(rule, columns: data) {
            // gammapy reads such a table without complaint (the numbers are off), so only strict
            // fails one above the bound. One far below it is a warning in every profile: gammapy
            // renormalises energy-dispersion kernels, and vodfkit's km3irf-compatible output is such a table.
            let severity: Severity
            switch problem {
            case .above: severity = profile == .strict ? .error : .warning
            case .below: severity = profile == .lenient ? .info : .warning
            }
            add(
                severity, "\(spec.id):normalisation:\(rule.column)\(problem.isBelow ? ":low" : "")", rule.column,
                problem.message, rule.reference)
        }
        let dir = (h.path as NSString).deletingLastPathComponent
        let confinement = self.confinement ?? Confinement(roots: [dir.isEmpty ? "." : dir])
        for rule in spec.fileChecks {
            let sev =
                profile == .lenient
                ? Severity.info
                : (profile == .strict ? rule.strict_severity ?? rule.severity ?? .warning : rule.severity ?? .warning)
            for (target, message) in FileChecks.run(
                rule, path: h.path, file: h.file, hdu: h.index, header: h.header, headers: h.headers, mapped: h.mapped,
                sums: h.sums, seen: seen, gtiCache: h.gti, confinement: confinement)
            {
                add(sev, "\(spec.id):check:\(rule.id)", target, message, rule.reference)
            }
        }
        return findings
    }

    /// Silence would read as a pass: the finding that no HDU of the file matched any spec.
    func nothingChecked(_ path: String, _ headers: [(Int, [HeaderCard])]) -> Finding {
        let kinds = headers.dropFirst().map { h in
            ["HDUCLASS", "HDUCLAS1"].compactMap { h.1[key: $0]?.stringValue?.trimmedBlanks }.joined(separator: "/")
        }.map { $0.isEmpty ? "no class keywords" : $0 }
        let what =
            headers.count <= 1
            ? "only a primary HDU" : "\(headers.count - 1) extension(s): \(kinds.joined(separator: ", "))"
        return Finding(
            severity: profile == .strict ? .error : .warning, rule: "spec:nothing-checked", file: path, hdu: nil,
            hduName: nil,
            target: nil, message: "no HDU matches a GADF or VODF spec (\(what)); nothing was checked", reference: nil)
    }

    /// Two HDUs of one class with the same EXTNAME and EXTVER: a reader that takes HDUs by name
    /// gets the first and never sees the other (gammapy reads IRFs by name through the HDU index),
    /// so this is an error where gammapy is the consumer, and in strict.
    func ambiguousHDUs(_ path: String, _ headers: [(Int, [HeaderCard])]) -> [Finding] {
        var first: [String: Int] = [:]
        var out: [Finding] = []
        for (index, h) in headers where index > 0 {
            guard let name = h[key: "EXTNAME"]?.stringValue?.trimmedBlanks.uppercased(), !name.isEmpty,
                let nameVersion = SeenHDUs.nameAndVersion(h)
            else { continue }
            // Tables without class keywords (HAWC's per-event-type index HDUs) are read by number.
            let classes = (1...4).compactMap { h[key: "HDUCLAS\($0)"]?.stringValue?.trimmedBlanks.uppercased() }.joined(
                separator: "/")
            guard !classes.isEmpty else { continue }
            let key = "\(nameVersion)|\(classes)"
            guard let earlier = first[key] else {
                first[key] = index
                continue
            }
            out.append(
                Finding(
                    severity: profile == .lenient ? .warning : .error, rule: "file:ambiguous-hdu", file: path,
                    hdu: index,
                    hduName: name, target: "EXTNAME",
                    message:
                        "HDU \(index) has the class (\(classes)), EXTNAME and EXTVER of HDU \(earlier): a reader that takes HDUs by name gets HDU \(earlier) only; give each a distinct EXTNAME (e.g. with its event channel)",
                    reference: "https://fits.gsfc.nasa.gov/standard40/fits_standard40aa-le.pdf"))
        }
        return out
    }

    /// One verdict per checked HDU. The gammapy profile makes an error exactly of what gammapy 2.1
    /// fails on or misreads, so an HDU is readable when none of its own rules failed (checks that
    /// follow links to other files do not make the HDU itself unreadable).
    func gammapyVerdicts(_ findings: [Finding], headers: [(Int, [HeaderCard])], checked: Set<Int>, file: String)
        -> [Finding]
    {
        var out: [Finding] = []
        // Only HDUs a spec actually checked get a verdict.
        // gammapy 2.1 reads GADF (and OGIP) HDUs only; a VODF HDU gets no verdict rather than a wrong one.
        for (index, header) in headers
        where checked.contains(index) && header[key: "HDUCLASS"]?.stringValue?.uppercased() != "VODF" {
            let mine = findings.filter { $0.hdu == index }
            let blocking = mine.filter { $0.severity == .error && !$0.rule.contains(":check:") }
            let name = header[key: "EXTNAME"]?.stringValue
            if blocking.isEmpty {
                out.append(
                    Finding(
                        severity: .info, rule: "gammapy:verdict", file: file, hdu: index, hduName: name, target: nil,
                        message: "readable by gammapy 2.1", reference: nil))
            } else {
                let rules = Array(Set(blocking.map(\.rule))).sorted().joined(separator: ", ")
                out.append(
                    Finding(
                        severity: .info, rule: "gammapy:verdict", file: file, hdu: index, hduName: name, target: nil,
                        message: "not readable by gammapy 2.1 (it fails or misreads): \(rules)", reference: nil))
            }
        }
        if let p = prediction(out, findings: findings, file: file) { out.append(p) }
        return out
    }

    /// The file as a whole, as gammapy 2.1 will take it: which HDUs it reads, which it cannot, and what its
    /// readers leave out (an IRF without class keywords, which only its class reader by name finds).
    func prediction(_ verdicts: [Finding], findings: [Finding], file: String) -> Finding? {
        guard !verdicts.isEmpty else { return nil }
        func names(_ fs: [Finding]) -> String {
            fs.map { "HDU \($0.hdu ?? 0)\($0.hduName.map { " (\($0))" } ?? "")" }.joined(separator: ", ")
        }
        let unreadable = verdicts.filter { $0.message.hasPrefix("not readable") }
        let byNameOnly = findings.filter { $0.rule == "spec:class-missing" && $0.message.contains("leave it out") }
        var text =
            unreadable.isEmpty
            ? "gammapy 2.1 reads all \(verdicts.count) HDU(s) it has readers for"
            : "gammapy 2.1 fails on or misreads \(names(unreadable)); reads the other \(verdicts.count - unreadable.count)"
        if !byNameOnly.isEmpty {
            text += "; only by name (not through Observation.read or load_irf_dict_from_file): \(names(byNameOnly))"
        }
        return Finding(
            severity: .info, rule: "gammapy:prediction", file: file, hdu: nil, hduName: nil, target: nil,
            message: text, reference: nil)
    }

}
