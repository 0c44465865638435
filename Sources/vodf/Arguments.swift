import ArgumentParser
import Astrometry
import Conversion
import Diagnostics
import Foundation
import GADF
import KM3NeT
import Model
import Readers
import Validation

// The library's enums as option values: ArgumentParser lists their cases in the help and in the
// error for a wrong value, so the CLI holds no second list of them.
extension OutputProfile: ExpressibleByArgument {}
extension Holding: ExpressibleByArgument {}
extension Reconstruction: ExpressibleByArgument {}
extension EquatorialConvention: ExpressibleByArgument {}
extension Profile: ExpressibleByArgument {}
extension ReportFormat: ExpressibleByArgument {}

/// `--site`: the detector sites the built-in table knows.
enum SiteName: String, CaseIterable, ExpressibleByArgument {
    case orca, arca, antares
    var location: DetectorLocation { DetectorSites.named(rawValue)! }
}

/// The output of a command that writes one FITS file.
struct OutputOptions: ParsableArguments {
    @Option(
        name: .shortAndLong, help: "Output FITS file (written to a temporary file beside it and renamed when complete)."
    )
    var output: String

    @Option(help: "Output format.")
    var format: OutputProfile = .gadf03

    @Flag(name: .shortAndLong, help: "Print no summary on success (warnings still go to stderr).")
    var quiet = false
}

/// The creator string written to every output.
let creatorName = "vodfkit \(vodfkitVersion)"

extension Failure {
    /// Any error, with the exit code of the category it declares (`Exit.code(for:)`): the one place
    /// where a failure becomes an exit code.
    init(_ error: Error) {
        let message = (error as? ConversionError)?.message ?? "\(error)"
        self.init(message: message, code: Exit.code(for: ErrorCategory.of(error)))
    }
}

extension Exit {
    static func code(for category: ErrorCategory) -> Int32 {
        switch category {
        case .usage: usage
        case .badInput: badInput
        case .output: outputFailed
        }
    }
}

/// Which specs to check against: the built-in ones unless a spec author points elsewhere.
struct SpecOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "A specs directory (FAMILY/VERSION/*.yaml) to use instead of the built-in specs.",
            discussion:
                "For people who edit specs: the built-in specs are Specs/ as it was when vodf was built. VODF_SPECS does the same.",
            valueName: "dir"))
    var specs: String?
}

/// Help lists: one "  - " item per entry, wrapped at 78 columns with the continuation indented
/// under the item's text (the argument parser would wrap them to column 0). Paragraphs of help
/// texts are single lines, which the parser wraps to the terminal.
func helpList(_ items: [String], width: Int = 78) -> String {
    items.map { item in
        var lines: [String] = []
        var line = "  -"
        for word in item.split(separator: " ") {
            if line.count + 1 + word.count > width, line.count > 4 {
                lines.append(line)
                line = "   "
            }
            line += " " + word
        }
        lines.append(line)
        return lines.joined(separator: "\n")
    }.joined(separator: "\n")
}

/// The one status line of long work, rewritten in place on a terminal's stderr (`\r`, then erase to
/// the end of the line); nothing when stderr is not a terminal or the command is quiet. Safe to call
/// from the worker threads that report progress.
final class ProgressLine: @unchecked Sendable {
    let enabled: Bool
    private let lock = NSLock()
    init(enabled: Bool) { self.enabled = enabled }
    /// On stderr when it is a terminal and the command is not quiet.
    convenience init(quiet: Bool = false) { self.init(enabled: !quiet && isatty(2) != 0) }

    func show(_ text: String) {
        guard enabled else { return }
        lock.withLock { FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8)) }
    }

    func clear() { show("") }
}

/// A command configuration whose help lists the input formats, made once per set of registered
/// formats: ArgumentParser reads `configuration` many times while it parses, and rebuilding the
/// help text each time cost every command about a millisecond at start.
final class FormatListedConfiguration: @unchecked Sendable {
    private let lock = NSLock()
    private var made: (formats: Int, configuration: CommandConfiguration)?
    private let make: @Sendable () -> CommandConfiguration
    init(_ make: @escaping @Sendable () -> CommandConfiguration) { self.make = make }

    var value: CommandConfiguration {
        let formats = InputFormats.all.count
        return lock.withLock {
            if let made, made.formats == formats { return made.configuration }
            let c = make()
            made = (formats, c)
            return c
        }
    }
}
