import Conversion
import Foundation
import GADF
import Validation

/// Converts an input file to GADF 0.3 through the library, validates the output against the
/// built-in specs in the strict profile, and prints one line per step. Exit 0 when the file was
/// written and has no error; 1 otherwise.
@main
struct Client {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count == 3 else {
            print("usage: vodfkit-client INPUT OUTPUT.fits")
            exit(2)
        }
        var options = ConversionOptions()
        options.format = .gadf03
        options.creator = "vodfkit-client"
        let conversion = try Converter.convert(args[1], options: options)
        try Converter.write(conversion, to: args[2])
        print("converted \(args[1]) -> \(args[2]): \(conversion.tables.map(\.name).joined(separator: ", "))")
        let validator = Validator(library: try SpecLibrary(tree: .builtIn), profile: .strict)
        let findings = try validator.validate(path: args[2])
        let errors = findings.filter { $0.severity == .error }
        print("validated \(args[2]): \(findings.count) finding(s), \(errors.count) error(s)")
        for e in errors { print("  \(e.rule): \(e.message)") }
        exit(errors.isEmpty ? 0 : 1)
    }
}
