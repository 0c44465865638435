import ArgumentParser
import FileOutput
import Foundation
import Pictures
import Release
import ReleaseReport
import Validation

struct ReleaseReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Write one self-contained HTML page of a release: metadata, validation, observations and their pictures.",
        discussion: """
            The page holds the release's metadata (release.json), the validation \
            summary with the findings grouped by rule (the checks of 'vodf release \
            check'), a sortable table of the observations, each observation's \
            pictures (sky map, energy histogram, events over time with the GTIs \
            shaded), the pictures of the IRF files (6 spread over them when there \
            are more), and the whole release's sky map and exposure over time. \
            Style, script and pictures (SVG) are inline: the page needs no network \
            and no file beside it.

            Examples:
              vodf release report out/release -o report.html
              vodf release report hess-dl3-dr1-full/ -o hess.html --profile gammapy
            """)

    @Argument(help: "Release directory.")
    var directory: String

    @Option(name: .shortAndLong, help: "Output HTML page (written all-or-nothing).")
    var output: String

    @Option(help: "Profile of the validation summary.")
    var profile: Profile = .strict

    @Option(help: "Sky frame of the maps.")
    var frame: EventPictures.Frame = .equatorial

    @Flag(name: .shortAndLong, help: "No progress and no summary.")
    var quiet = false

    @OptionGroup var specOptions: SpecOptions

    func run() throws {
        let source: SpecSource
        do { source = SpecSource(tree: try SpecTree.locate(override: specOptions.specs)) } catch {
            throw Failure(message: "\(error)", code: Exit.usage)
        }
        var report = ReleaseReport(validator: Validator(source: source, profile: profile))
        report.frame = frame
        let progress = ProgressLine(quiet: quiet)
        func show(_ s: String) { progress.show(s) }
        let page: ReleaseReport.Page
        do {
            page = try report.page(directory) { step in
                switch step {
                case .checking: show("checking the release ...")
                case .observation(let k, let n, let id): show("[\(k)/\(n)] observation \(id)")
                case .irfs(let file): show("IRFs \(file)")
                }
            }
        } catch {
            show("")
            throw Failure(error)
        }
        show("")
        do { try AtomicOutput.write(page.html, to: output) } catch { throw Failure(error) }
        if !quiet {
            let errors = page.findings.filter { $0.severity == .error }.count
            print(
                "\(output): \(page.observations) observation(s), \(page.irfFiles) IRF file(s), \(errors) validation error(s), \(page.html.count / 1024) kB"
            )
        }
    }
}
