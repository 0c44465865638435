import ArgumentParser
import Diagnostics
import Foundation
import GADF
import Release
import Validation

struct ReleaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release",
        abstract: "Build, index and check a whole data release (runs, channels, shared IRFs).",
        discussion: """
            A release manifest (YAML; docs/release-manifest.md) names the runs, the event channels (a reconstruction and cuts each) and, per channel and detector period, where the IRFs come from.
              vodf release build release.yaml -o out/ --jobs 2     convert, index, check
              vodf release build release.yaml -o out/ --shard 1/4   a quarter of the work (cluster jobs)
              vodf release index out/                              the index tables from the files present
              vodf release check out/                              validate the release as a whole
              vodf release upgrade hess-dl3-dr1/ -o dr1-vodf/ --to vodf   a published release, in another format
              vodf release obscore out/ -o obscore.vot --dachs dachs/rel    ObsCore rows and a DaCHS resource
            GADF has no event types: each GADF format gets one data store per channel (out/gadf-0.3/track/hdu-index.fits.gz). VODF holds every channel, with EVT_TYPE per event.
            A rerun redoes only runs whose inputs or settings changed, or that did not finish.
            """,
        subcommands: [
            ReleaseBuild.self, ReleaseIndexCommand.self, ReleaseCheckCommand.self, ReleaseUpgradeCommand.self,
            ReleaseObsCoreCommand.self, ReleaseReportCommand.self,
        ])
}

/// `--shard i/n`.
struct Shard: ExpressibleByArgument {
    let index: Int, count: Int
    init?(argument: String) {
        let parts = argument.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
            return nil
        }
        (index, count) = (i, n)
    }
}

struct ReleaseBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract:
            "Convert every run of a manifest, write the IRFs, index tables, README and release.json, then check the release."
    )

    @Argument(help: "Release manifest (YAML).")
    var manifest: String

    @Option(name: .shortAndLong, help: "Release directory (created; files in it are replaced atomically).")
    var output: String

    @Option(help: "Items converted at once (runs and IRF sets).")
    var jobs: Int = 1

    @Option(
        help: ArgumentHelp(
            "Convert only shard i of n (1-based, e.g. 2/4): every n-th item. Then run 'vodf release index'.",
            valueName: "i/n"))
    var shard: Shard?

    @Option(help: "Profile of the closing check.")
    var profile: Profile = .strict

    @Flag(name: .shortAndLong, help: "No progress line and no summary (warnings and errors still go to stderr).")
    var quiet = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        let plan: ReleasePlan
        do { plan = try ReleasePlan(manifest: try Manifest.load(path: manifest)) } catch { throw Failure(error) }
        var builder = ReleaseBuilder(plan: plan, output: output, creator: creatorName)
        builder.jobs = jobs
        builder.shard = shard.map { ($0.index, $0.count) }
        builder.diagnostics = DiagnosticLog(emit: warn)
        let display = ProgressLine(enabled: !quiet && isatty(2) != 0)
        builder.onProgress = { display.show($0) }
        let summary: ReleaseBuilder.Summary
        do { summary = try builder.build() } catch { throw Failure(error) }
        display.clear()
        for (item, reason) in summary.failed {
            FileHandle.standardError.write(Data("vodf: error: \(item): \(oneLine(reason))\n".utf8))
        }
        if !quiet {
            print(
                "\(output): \(summary.built.count) item(s) built, \(summary.reused.count) current (kept), \(summary.failed.count) failed; \(summary.events) events written"
            )
            for n in summary.notes { print("  \(n)") }
            if !summary.indexed.isEmpty { print("  indexed: \(summary.indexed.joined(separator: ", "))") }
            if shard != nil {
                print(
                    "  shard \(shard!.index)/\(shard!.count): run 'vodf release index \(output)' once every shard is done"
                )
            }
        }
        guard summary.failed.isEmpty else { throw ExitCode(Exit.badInput) }
        if shard == nil {
            try ReleaseCheckCommand.check(output, profile: profile, specs: specOptions, quiet: quiet, jobs: jobs)
        }
    }
}

struct ReleaseIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "index",
        abstract: "Write a release's index and grouping tables from the files present (after sharded builds).")

    @Argument(help: "Release directory (with the release.json a build wrote).")
    var directory: String

    @Flag(name: .shortAndLong, help: "Print nothing on success.")
    var quiet = false

    func run() throws {
        do {
            let written = try ReleaseIndex.rebuild(directory, creator: creatorName)
            if !quiet { print("\(directory): wrote \(written.joined(separator: ", "))") }
        } catch {
            throw Failure(error)
        }
    }
}

extension ProgressLine {
    /// Runs done, events/s and the time left of a release build.
    func show(_ p: ReleaseBuilder.Progress) {
        let rate = p.seconds > 0 ? Double(p.events) / p.seconds : 0
        let left = p.done > 0 ? p.seconds / Double(p.done) * Double(p.total - p.done) : 0
        show(String(format: "[%d/%d] items, %.0f events/s, about %.0f s left", p.done, p.total, rate, left))
    }
}

struct ReleaseCheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract:
            "Validate a release as a whole: every file against its spec, index links, events in GTIs, and every declared IRF for every observation."
    )

    @Argument(help: "Release directory.")
    var directory: String

    @Option(help: "Profile: strict (the spec as written), gammapy (what gammapy 2.1 accepts) or lenient.")
    var profile: Profile = .strict

    @Option(help: "Report syntax: text, json, junit (CI dashboards) or github (Actions annotations).")
    var report: ReportFormat = .text

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        try Self.check(directory, profile: profile, specs: specOptions, report: report, quiet: false)
    }

    /// `jobs`: files checked at once (nil: one per core).
    static func check(
        _ directory: String, profile: Profile, specs: SpecOptions, report: ReportFormat = .text, quiet: Bool,
        jobs: Int? = nil
    ) throws {
        let source: SpecSource
        do { source = SpecSource(tree: try SpecTree.locate(override: specs.specs)) } catch {
            throw Failure(message: "\(error)", code: Exit.usage)
        }
        var validator = Validator(source: source, profile: profile)
        validator.workers = jobs
        let outcome = ReleaseCheck(validator: validator).run(directory: directory)
        let text = try report.render(findings: outcome.findings, files: outcome.files, profile: profile)
        if !quiet || outcome.findings.contains(where: { $0.severity == .error }) { print(text) }
        if outcome.unreadable { throw ExitCode(Exit.badInput) }
        if outcome.findings.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
    }
}

struct ReleaseUpgradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract:
            "Rewrite a published release (a GADF data store, or a VODF release) in another format, listing what cannot be carried over.",
        discussion: """
            Every HDU the index names (events, GTI, IRFs) is read into vodfkit's model and written again in the target format, file for file under the same relative paths, with the target's index (GADF: hdu-index.fits.gz and obs-index.fits.gz; VODF: obs-grouping.fits). The producer's own keywords are carried as they are; the obs-index is carried column for column. What cannot be carried (a keyword the target has no place for, an HDU no observation uses, a column of the HDU index) is listed on stdout and in DIR/upgrade-report.txt.

            Examples:
              vodf release upgrade hess-dl3-dr1/ -o dr1-vodf/ --to vodf
              vodf release upgrade dr1-vodf/ -o dr1-gadf/ --to gadf-0.3
            """)

    @Argument(
        help: "The release directory: a GADF data store (hdu-index.fits[.gz]) or a VODF release (obs-grouping.fits).")
    var directory: String

    @Option(
        name: .shortAndLong, help: "Directory of the upgraded release (created; files in it are replaced atomically).")
    var output: String

    @Option(help: "Target format.")
    var to: OutputProfile

    @Option(help: "Files converted at once.")
    var jobs: Int = 1

    @Flag(
        help:
            "Upgrade the observations whose files are all present and list the others (an excerpt of a release whose index names every run). Without it, a missing file is an error."
    )
    var skipMissing = false

    @Option(help: "Profile of the closing check (vodf release check of the upgraded release).")
    var profile: Profile = .strict

    @Flag(name: .shortAndLong, help: "No progress line and no summary (errors still go to stderr).")
    var quiet = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard OutputProfile.releaseFormats.contains(to) else {
            throw ValidationError(
                "--to \(to.rawValue) cannot hold a release (its IRF HDUs are placeholders); use one of \(OutputProfile.releaseFormats.map(\.rawValue).joined(separator: ", "))"
            )
        }
        let source: UpgradeSource
        do { source = try UpgradeSource.load(directory) } catch { throw Failure(error) }
        var upgrade = ReleaseUpgrade(source: source, target: to, output: output, creator: creatorName)
        upgrade.jobs = jobs
        upgrade.skipMissing = skipMissing
        let display = ProgressLine(enabled: !quiet && isatty(2) != 0)
        upgrade.onProgress = { display.show($0) }
        let summary: ReleaseUpgrade.Summary
        do { summary = try upgrade.run() } catch {
            display.clear()
            throw Failure(error)
        }
        display.clear()
        if !quiet { printSummary(summary, source: source) }
        try ReleaseCheckCommand.check(output, profile: profile, specs: specOptions, quiet: quiet, jobs: jobs)
    }

    func printSummary(_ summary: ReleaseUpgrade.Summary, source: UpgradeSource) {
        print(
            "\(output): \(summary.observations) observations, \(summary.events) events and \(summary.irfs) IRF HDUs in \(summary.files) files (\(to.rawValue))"
        )
        print("Not carried over (\(summary.omissions.count)):")
        for line in ReleaseUpgrade.grouped(summary.omissions) { print(line) }
        print("  (each omission: \(output)/\(ReleaseUpgrade.reportName))")
    }
}
