import Alerts
import ArgumentParser
import FITSIO
import Foundation
import GADF
import Model
import Publication
import Readers
import Validation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract:
            "Check FITS files against the versioned GADF/VODF specs (built in from Specs/, or --specs DIR), and alerts against their schemas.",
        discussion: """
            Each HDU is identified by its class keywords (HDUCLASS, HDUCLAS1-4), never by EXTNAME. \
            The version comes from HDUVERS unless --spec names one (e.g. gadf-0.3). \
            Every finding has a severity, a rule id, the file, the HDU, the keyword or column, and the spec reference.

            Profiles: strict (the spec as written), gammapy (what gammapy 2.1 accepts; default), \
            lenient (missing recommended keywords and type coercions are only informative).

            Exit codes: 0 no errors, 1 errors found, 2 usage error, 3 unreadable input.

            Alerts are checked too: a VOEvent (.xml) against the VOEvent 2.0 or 2.1 XSD \
            of its namespace, a GCN notice (.json) against the JSON Schema its $schema \
            names, then for what a schema cannot say: an error circle present and \
            positive, times that parse and are not in the future, coordinates in range, \
            a known coordinate system. Findings name the line and the element or JSON \
            pointer.

            Examples:
              vodf validate out/events.fits
              vodf validate hess_dl3_dr1_obs_id_020136.fits.gz --profile strict
              vodf validate events.fits --report json > report.json
              vodf validate alert.xml notice.json
              vodf validate out/*.fits --report junit > validate.xml
            """)

    @Argument(help: "FITS files or directories (every FITS file under them, index tables followed).")
    var paths: [String]

    @Option(help: "Spec version to check against, e.g. gadf-0.3 (default: each HDU's HDUVERS).")
    var spec: String?

    @Option(help: "Profile: strict (the spec as written), gammapy (what gammapy 2.1 accepts) or lenient.")
    var profile: Profile = .gammapy

    @Option(help: "Report syntax: text, json, junit (CI dashboards) or github (Actions annotations).")
    var report: ReportFormat = .text

    @Flag(
        name: .customLong("dialects"),
        help: ArgumentHelp(
            "Also show, for files without errors, which rules of the family's other dialects they break.",
            discussion:
                "A VODF file is checked against the dialect its HDUVERS names; the other drafts' verdicts (vodf-0.0.0 against vodf-mock-0.1) are shown for a file that has errors, and for every file with --dialects. The JSON report always has them."
        ))
    var showDialects = false

    /// The old name of --report (it clashed with convert's --format, the FITS flavour); kept for one release.
    @Option(name: .customLong("format"), help: .hidden)
    var deprecatedFormat: ReportFormat?

    @Option(
        name: .customLong("allow-outside"),
        help: ArgumentHelp(
            "A directory that index rows and grouping members may also point into (repeatable).",
            discussion:
                "Files named by other files (HDU index FILE_DIR/FILE_NAME/BASE_DIR, grouping-table members) are opened only inside the directories validated (for a file given on its own, its directory): a row pointing elsewhere, a symlink leading out, or a FIFO or device is reported and never opened.",
            valueName: "dir"))
    var allowOutside: [String] = []

    @Option(
        help: ArgumentHelp(
            "For alerts: a folder with voevent/VOEvent-v2.x.xsd and gcn/notices/ (default: --standards, $VODF_STANDARDS, or a standards/ or shared/standards/ folder beside the working directory or a parent).",
            valueName: "dir"))
    var standards: String?

    @OptionGroup var specOptions: SpecOptions

    @OptionGroup(title: "Limits") var limits: ReadOptions

    func run() throws {
        limits.apply()
        if deprecatedFormat != nil {
            warn("validate --format is deprecated; use --report (it will be removed in the next release)")
        }
        let report = deprecatedFormat ?? report
        // Specs are read per family when a file first needs them; --spec is checked against its own
        // family (read once, then reused), and all families are read only to list them in the error.
        let source: SpecSource
        do {
            source = SpecSource(tree: try SpecTree.locate(override: specOptions.specs))
            if let spec, let (family, _) = SpecVersionName.split(spec),
                try source.library(family: family).specs.keys.contains(where: {
                    $0.hasPrefix(SpecVersionName.key(spec) + "/")
                })
            {
                // known
            } else if let spec {
                let library = try SpecLibrary(tree: source.tree)
                throw Failure(
                    message:
                        "unknown spec '\(spec)'; known: \(Set(library.specs.keys.map { String($0.split(separator: "/")[0]) }).sorted().joined(separator: ", "))",
                    code: Exit.usage)
            }
        } catch let f as Failure { throw f } catch { throw Failure(message: "\(error)", code: Exit.usage) }
        var validator = Validator(source: source, profile: profile, forcedSpec: spec.map(SpecVersionName.key))
        let confinement = Confinement(roots: Self.roots(paths) + allowOutside)
        validator.confinement = confinement
        validator.standards = try? Standards.locate(standards)
        if let standards, validator.standards == nil {
            throw Failure(
                message: "\(standards): not a standards directory (no voevent/VOEvent-v2.0.xsd or gcn/notices/)",
                code: Exit.usage)
        }
        let (files, refused) = Self.expand(paths, confinement: confinement)
        // Many files: say where we are on stderr, which reports never use.
        let progress = ProgressLine(enabled: files.count > 20 && isatty(2) != 0)
        let results = validator.validate(paths: files) { done in progress.show("[\(done)/\(files.count)] files checked")
        }
        progress.clear()
        var all: [Finding] = refused.map {
            Finding(
                severity: .error, rule: "release:outside", file: $0.path, hdu: nil, hduName: nil, target: nil,
                message: $0.why, reference: nil)
        }
        var unreadable = false
        for (p, r) in zip(files, results) {
            switch r {
            case .success(let f): all += f
            case .failure(let error):
                unreadable = true
                all.append(.unreadable(p, error))
            }
        }
        var statements = validator.dialects.statements(for: files)
        if report != .json && !showDialects {
            // A file that passes its own dialect is not shown failing another one unless asked.
            let failing = Set(all.filter { $0.severity == .error }.map(\.file))
            for k in statements.indices where !failing.contains(statements[k].file) { statements[k].others = [] }
        }
        print(try report.render(findings: all, files: files, profile: profile, dialects: statements))
        if unreadable { throw ExitCode(Exit.badInput) }
        if all.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }
}

extension ValidateCommand {
    /// A directory stands for every FITS file under it (index tables included, whose rows are then
    /// checked against what is really there); files are taken as given.
    /// Found under a directory, a symlink that leads out of the tree or a FIFO is not opened
    /// (it is reported); a file named on the command line is the user's choice and is taken.
    static func expand(_ paths: [String], confinement: Confinement) -> (
        files: [String], refused: [(path: String, why: String)]
    ) {
        var out: [String] = []
        var refused: [(String, String)] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue,
                let walk = FileManager.default.enumerator(atPath: p)
            else {
                out.append(p)
                continue
            }
            let found = walk.compactMap { $0 as? String }.filter { f in
                FITSFile.isFITSName(f)
            }
            for f in found.sorted() {
                let path = (p as NSString).appendingPathComponent(f)
                if let why = confinement.refusal(path) { refused.append((path, "\(why)")) } else { out.append(path) }
            }
        }
        return (out, refused)
    }

    /// The validated directories: each directory given, and the directory of each file given.
    static func roots(_ paths: [String]) -> [String] {
        paths.map { p in
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), isDir.boolValue { return p }
            let d = (p as NSString).deletingLastPathComponent
            return d.isEmpty ? "." : d
        }
    }
}

struct SpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec",
        abstract: "List, show or check the format specs (built in from Specs/, or --specs DIR).",
        subcommands: [
            SpecList.self, SpecShow.self, SpecLint.self, SpecDocs.self, SpecDiffCommand.self, SpecTemplateCommand.self,
            SpecTestCommand.self,
        ])
}

struct SpecList: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the specs and what they select.")
    @OptionGroup var specOptions: SpecOptions
    func run() throws {
        let lib: SpecLibrary
        do { lib = try SpecLibrary.locate(override: specOptions.specs) } catch {
            throw Failure(message: "\(error)", code: Exit.usage)
        }
        for (id, s) in lib.specs.sorted(by: { $0.key < $1.key }) {
            let sel = s.select.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.joined(separator: "|"))" }.joined(
                separator: " ")
            print(
                "\(id)  [\(sel)]  \(s.keywords.count) keywords, \(s.columns.count) columns, \(s.conditions.count) conditions"
            )
        }
    }
}

struct SpecLint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract:
            "Check spec files against Specs/meta-schema.yaml: known and required fields, types, values, resolvable extends and groups.",
        discussion: "This is the CI check for the format specs. Exit code 1 when any problem is found.")

    @Argument(help: "Specs directory (default: --specs, VODF_SPECS, else the built-in specs).")
    var root: String?

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        do {
            let lib = try SpecLibrary.locate(override: root ?? specOptions.specs)
            // A spec tree may carry its own meta-schema; otherwise the built-in one applies.
            let meta = try MetaSchema(tree: lib.tree)
            let problems = SpecLinter.lint(lib, meta: meta)
            for p in problems { print(p) }
            print("\(lib.specs.count) specs, \(problems.count) problem(s)")
            if !problems.isEmpty { throw ExitCode(1) }
        } catch let e as SpecError {
            throw Failure(message: e.description, code: 1)
        }
    }
}

struct SpecShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print one resolved spec (extends and groups applied) as Markdown.",
        discussion: """
            --json prints the resolved rules for tools and tests.

            Examples:
              vodf spec show gadf-0.3/events
              vodf spec show vodf-0.0.0/event_list --json
            """)

    @Argument(help: "Spec id, e.g. gadf-0.3/events (see `vodf spec list`).")
    var id: String

    @Flag(help: "The resolved spec as JSON instead of Markdown.")
    var json = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let lib: SpecLibrary
        do { lib = try SpecLibrary.locate(override: specOptions.specs) } catch {
            throw Failure(message: "\(error)", code: Exit.usage)
        }
        guard let spec = lib.specs[id] else {
            let near = lib.specs.keys.filter {
                $0.hasSuffix("/" + (id.split(separator: "/").last.map(String.init) ?? id))
            }.sorted()
            throw Failure(
                message: "unknown spec '\(id)'"
                    + (near.isEmpty ? "; see `vodf spec list`" : "; did you mean \(near.joined(separator: ", "))?"),
                code: Exit.usage)
        }
        if json {
            try printJSON(spec)
        } else {
            print(Validation.SpecDocs.page(spec))
        }
    }
}

struct SpecDocs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "docs", abstract: "Generate Markdown pages from the specs (one per spec, plus an index).",
        discussion: "The committed pages live in docs/specs/; CI regenerates them and fails on any difference.")

    @Option(name: .shortAndLong, help: "Directory to write into.")
    var output: String = "docs/specs"

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let lib: SpecLibrary
        do { lib = try SpecLibrary.locate(override: specOptions.specs) } catch {
            throw Failure(message: "\(error)", code: Exit.usage)
        }
        let pages = Validation.SpecDocs.pages(lib)
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            // Pages of specs that no longer exist must go too, or the diff in CI would miss them.
            for old in (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
            where old.hasSuffix(".md") && pages[old] == nil {
                try FileManager.default.removeItem(atPath: output + "/" + old)
            }
            for (name, text) in pages { try text.write(toFile: output + "/" + name, atomically: true, encoding: .utf8) }
        } catch {
            throw Failure(
                message: "\(output): cannot write the pages: \(error.localizedDescription)", code: Exit.outputFailed)
        }
        print("\(pages.count) page(s) written to \(output)")
    }
}

struct SpecDiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "What changed between two spec versions: HDU kinds, keywords, columns, conditions.",
        discussion: """
            Kinds added and removed; per kind, keywords, columns and conditions added, removed or changed, with each changed field (level, type, unit, values, range, default, ndim).

            Examples:
              vodf spec diff gadf-0.2 gadf-0.3
              vodf spec diff gadf-0.3 vodf/0.0.0 --json
            """)

    @Argument(help: "The older spec version, e.g. gadf-0.2.")
    var from: String

    @Argument(help: "The newer spec version, e.g. gadf-0.3.")
    var to: String

    @Flag(help: "The changes as JSON.")
    var json = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let lib: SpecLibrary
        do { lib = try SpecLibrary.locate(override: specOptions.specs) } catch {
            throw Failure(message: "\(error)", code: Exit.usage)
        }
        let diff: SpecDiff
        do { diff = try SpecDiff.compare(lib, from, to) } catch { throw Failure(message: "\(error)", code: Exit.usage) }
        if json {
            try printJSON(diff)
        } else {
            print(diff.text)
        }
    }
}

struct SpecTemplateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Write a minimal valid FITS file for an HDU kind, rendered from its spec.",
        discussion: """
            The HDU has every required and recommended keyword and column of the spec, typed, with \
            units, axes of 2, 3 and 4 bins and densities that integrate to 1; it validates in the strict \
            profile with no finding. Give a version instead of a kind to write one file per kind \
            into the directory -o names.

            Examples:
              vodf spec template gadf-0.3/events -o events.fits
              vodf spec template vodf-mock-0.1/grouping -o grouping.fits
              vodf spec template gadf-0.3 -o templates/
            """)

    @Argument(help: "Spec id (gadf-0.3/aeff_2d) or version (gadf-0.3, vodf/mock-0.1); see `vodf spec list`.")
    var id: String

    @Option(name: .shortAndLong, help: "Output file (a kind) or directory (a version).")
    var output: String

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let lib: SpecLibrary
        do { lib = try SpecLibrary.locate(override: specOptions.specs) } catch {
            throw Failure(message: "\(error)", code: Exit.usage)
        }
        let parts = id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        // `vodf/mock-0.1` is a version, `vodf-mock-0.1/grouping` a kind.
        let key = SpecVersionName.key(id)
        if let spec = lib.specs[key] ?? lib.specs[parts.count == 3 ? "\(parts[0])-\(parts[1])/\(parts[2])" : id] {
            try write([spec], to: output, single: true)
        } else if let (family, version) = SpecVersionName.split(id), !lib.specs(family, version).isEmpty {
            do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
                throw Failure(
                    message: "\(output): cannot create the directory: \(error.localizedDescription)",
                    code: Exit.outputFailed)
            }
            try write(lib.specs(family, version), to: output, single: false)
        } else {
            throw Failure(message: "unknown spec or version '\(id)'; see `vodf spec list`", code: Exit.usage)
        }
    }

    func write(_ specs: [Spec], to output: String, single: Bool) throws {
        for spec in specs {
            let path = single ? output : (output as NSString).appendingPathComponent(spec.kindName + ".fits")
            do {
                let table = try SpecTemplate.table(spec)
                try FITSOutput.write(
                    [table],
                    primary: FITSOutput.primaryCards(
                        creator: "vodfkit \(vodfkitVersion) (spec template \(spec.id))", origin: nil, telescope: nil),
                    to: path)
            } catch {
                throw Failure(message: "\(path): \(error)", code: Exit.outputFailed)
            }
            print("wrote \(path) (\(spec.id))")
        }
    }
}

struct SpecTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Run every rule of a spec tree against its passing and failing fixtures.",
        discussion: """
            For spec authors. Each spec's passing fixture is its template (`vodf spec template`), which \
            must give no finding in strict. Each rule's failing fixture is that template broken in \
            the one way the rule forbids (a required keyword removed, a value not allowed, a unit that \
            does not convert, an axis reversed, a density ten times too large, an event outside the \
            GTI, an index row naming a missing file), and the rule must fire on it. Rules no fixture \
            can be made for are listed. Exit code 1 when a fixture fails or a rule has no failing \
            fixture.

            Examples:
              vodf spec test Specs
              vodf spec test Specs --only gadf-0.3/aeff_2d --verbose
              vodf spec test my-specs --json > spec-test.json
            """)

    @Argument(help: "Specs directory (default: --specs, VODF_SPECS, else the built-in specs).")
    var root: String?

    @Option(help: "Only the specs whose id starts with this (gadf-0.3, vodf-mock-0.1/grouping).")
    var only: String?

    @Option(help: "Keep the fixture files in this directory (default: a temporary one, removed after).")
    var keep: String?

    @Flag(help: "Print every fixture, not only the failing ones.")
    var verbose = false

    @Flag(help: "The outcomes as JSON.")
    var json = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let lib: SpecLibrary
        do { lib = try SpecLibrary.locate(override: root ?? specOptions.specs) } catch {
            throw Failure(message: "\(error)", code: Exit.usage)
        }
        let scratch =
            keep
            ?? (NSTemporaryDirectory() as NSString).appendingPathComponent(
                "vodf-spec-test-\(ProcessInfo.processInfo.processIdentifier)")
        defer { if keep == nil { try? FileManager.default.removeItem(atPath: scratch) } }
        let progress = ProgressLine()
        let result: SpecSelfTest.Result
        do {
            result = try SpecSelfTest.run(lib, scratch: scratch, only: only.map(SpecVersionName.key)) {
                progress.show($0)
            }
        } catch { throw Failure(message: "\(scratch): \(error)", code: Exit.outputFailed) }
        progress.clear()
        if result.outcomes.isEmpty {
            throw Failure(message: "no spec id starts with '\(only ?? "")'; see `vodf spec list`", code: Exit.usage)
        }
        if json {
            try printJSON(result)
        } else {
            for o in result.outcomes where verbose || !o.passed {
                print("\(o.passed ? "pass" : "FAIL") \(o.spec)\(o.rule.map { ":" + $0 } ?? " (template)"): \(o.detail)")
            }
            for u in result.uncovered { print("NO FAILING FIXTURE \(u)") }
            let failed = result.outcomes.filter { !$0.passed }.count
            let specs = Set(result.outcomes.map(\.spec)).count
            print(
                "\(specs) spec(s), \(result.rules) rule(s): \(result.outcomes.count - failed) fixture(s) passed, \(failed) failed, \(result.uncovered.count) rule(s) without a failing fixture"
            )
        }
        if !result.passed { throw ExitCode(1) }
    }
}

/// Pretty JSON with sorted keys on stdout: the `--json` of the spec commands.
func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
