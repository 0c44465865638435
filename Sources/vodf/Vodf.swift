import ArgumentParser
import Conversion
import Diagnostics
import Foundation
import GADF
import Model

/// Exit codes, documented in the README.
enum Exit {
    static let ok: Int32 = 0
    static let usage: Int32 = 2
    static let badInput: Int32 = 3
    static let outputFailed: Int32 = 4
}

/// A failure already explained to the user in one line; carries the exit code.
struct Failure: Error {
    let message: String
    let code: Int32
}

/// One warning line on stderr; the run goes on.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("vodf: warning: \(oneLine(message))\n".utf8))
}

/// A message as one printable line: whatever a reader quoted from its input is escaped (the
/// readers quote cells with `MessageText.quoted`; this catches the rest), and very long ones are cut.
/// A message that starts by naming its file and then names it again ("f: f: reason", from an error
/// wrapped on its way up) names it once.
func oneLine(_ message: String) -> String {
    let text = MessageText.escaped(message, limit: 1200)
    guard let colon = text.range(of: ": ") else { return text }
    let file = String(text[..<colon.lowerBound])
    let rest = String(text[colon.upperBound...])
    let once = withoutFilePrefix(rest, file: file)
    return once != rest || rest.hasPrefix(file + ":") && rest.dropFirst(file.count + 1).first?.isNumber == true
        ? rest : text
}

func withoutFilePrefix(_ text: String, file: String) -> String { MessageText.withoutFilePrefix(text, file: file) }

@main
struct Vodf {
    static func main() {
        exit(execute { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
    }

    /// Runs one command line as `vodf` does and returns its exit code; error lines go to `report`
    /// (stderr in the binary). Tests call this in process with the arguments they want.
    static func execute(_ arguments: [String]? = nil, report: (String) -> Void) -> Int32 {
        do {
            var command = try VodfCommand.parseAsRoot(arguments)
            try command.run()
            return Exit.ok
        } catch let f as Failure {
            report("vodf: error: \(oneLine(f.message))")
            return f.code
        } catch let e as CategorizedError {
            // A library error that reached the top: its category is its exit code.
            let f = Failure(e)
            report("vodf: error: \(oneLine(f.message))")
            return f.code
        } catch let e as ExitCode {
            // A command that already reported (e.g. validate with findings) and only sets the code.
            return e.rawValue
        } catch {
            // ArgumentParser's own errors: help, version, usage mistakes.
            let code = VodfCommand.exitCode(for: error)
            let message = VodfCommand.fullMessage(for: error)
            if code == .success {
                print(message)
                return Exit.ok
            }
            // One line: the reason, then where to read more (ArgumentParser appends a usage block).
            let reason = Self.reason(message)
            let cleaned = reason.hasPrefix("Error: ") ? String(reason.dropFirst(7)) : reason
            report("vodf: error: \(oneLine(cleaned)) (see 'vodf --help')")
            return code == .validationFailure || code.rawValue == 64 ? Exit.usage : code.rawValue
        }
    }
}

extension Vodf {
    /// ArgumentParser's message as one line: its first line, with the "- value" list it puts below
    /// "Please provide one of the following:" joined in (the usage block after it is dropped).
    static func reason(_ message: String) -> String {
        let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard var first = lines.first else { return message }
        if first.hasSuffix("one of the following:") {
            let choices = lines.dropFirst().prefix { $0.trimmingCharacters(in: .whitespaces).hasPrefix("- ") }.map {
                "'\($0.trimmingCharacters(in: .whitespaces).dropFirst(2))'"
            }
            first = String(first.dropLast("the following:".count)) + choices.joined(separator: ", ") + "."
        }
        return first
    }
}

struct VodfCommand: ParsableCommand {
    // Computed: the input formats are listed as registered when the help is shown.
    static var configuration: CommandConfiguration { help.value }
    private static let help = FormatListedConfiguration {
        CommandConfiguration(
            commandName: "vodf",
            abstract:
                "Convert KM3NeT and ANTARES data to GADF/VODF FITS, build IRFs, and check FITS files against the format specs.",
            discussion: """
                Inputs are recognised by content (vodf convert --help says what each becomes):
                \(helpList(InputFormats.all.map(\.name)))
                IRF kinds read and written: \(IRFKinds.names.joined(separator: ", ")).
                Output formats: \(OutputProfile.allCases.map(\.rawValue).joined(separator: ", ")) (default \(OutputProfile.gadf03.rawValue)).

                Exit codes: 0 success, 1 validate found errors, 2 usage error, 3 unreadable or invalid input, 4 output could not be written.
                """,
            version: vodfkitVersion,
            subcommands: [
                ConvertCommand.self, InspectCommand.self, ValidateCommand.self, SpecCommand.self, RootCommand.self,
                IRFCommand.self, ReleaseCommand.self, AlertCommand.self, PeekCommand.self,
            ])
    }
}

let vodfkitVersion = "0.1.0"
