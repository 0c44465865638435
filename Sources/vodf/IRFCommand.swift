import ArgumentParser
import Conversion
import FITSIO
import Foundation
import GADF
import MCIRF
import Model
import Readers

struct IRFCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "irf",
        abstract: "Build instrument response functions from KM3NeT Monte Carlo.",
        subcommands: [IRFBuild.self])
}

struct IRFBuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build AEFF_2D, PSF_TABLE, EDISP_2D and BKG_2D from Monte Carlo dst files (E + T trees).",
        discussion: """
            --km3irf-compatible computes exactly what km3irf 0.4.0 computes with the same settings: its bins (48 log energy bins from 1e2 to 1e8 GeV for the effective area and 24 for PSF and EDISP; 12 or 6 bins linear in cos zenith; 111 RAD bins; 56 log migration bins), trks[0] and mc_trks[0], the optional BDT cuts, N = events after cuts, T = 1 yr, the factor 2 for two building blocks, its smoothing, and EDISP written as per-bin probabilities. The differences from a corrected build are listed in docs/formats.md.

            Without the flag (corrected mode) two things change: the effective area is normalised by the number of generated events from each file's Head genvol, and EDISP is stored as the density dP/dmu that GADF asks for. Files without Head genvol need --km3irf-compatible.

            Examples:
              vodf irf build test_10events.dst.root --km3irf-compatible -o irf.fits
              vodf irf build mc.dst.root -o irf.fits
            """)

    @Argument(help: "Monte Carlo dst files.")
    var inputs: [String]

    @OptionGroup var out: OutputOptions

    @Option(
        help: ArgumentHelp(
            "IRFs to build, comma-separated: \(MCIRFBuilder.Kind.allCases.map(\.rawValue).joined(separator: ", ")).",
            discussion: "bkg: BKG_2D from atmospheric MC rate weights (w3).", valueName: "kinds"),
        transform: Self.kinds)
    var irf: [MCIRFBuilder.Kind] = [.aeff, .psf, .edisp]

    @Flag(help: "Reproduce km3irf 0.4.0 exactly (default: the corrected mode).")
    var km3irfCompatible = false

    @Flag(help: "Apply km3irf's BDT cuts (needs T/bdt).")
    var cuts = false

    @Option(help: "Spectral weight factor of the effective area (km3irf weight_factor; gamma = -factor).")
    var weightFactor: Double = -2.5

    /// "aeff,psf" -> [.aeff, .psf]; a wrong name is a usage error that lists the right ones.
    static func kinds(_ text: String) throws -> [MCIRFBuilder.Kind] {
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let kinds = names.compactMap { MCIRFBuilder.Kind(rawValue: $0) }
        guard !names.isEmpty, kinds.count == names.count else {
            throw ValidationError(
                "--irf takes \(MCIRFBuilder.Kind.allCases.map(\.rawValue).joined(separator: ", ")) (comma-separated), got '\(text)'"
            )
        }
        return kinds
    }

    @OptionGroup(title: "Limits") var limits: ReadOptions

    func run() throws {
        limits.apply()
        var settings = MonteCarloConversion.Settings()
        settings.kinds = irf
        settings.cuts = cuts
        settings.weightFactor = weightFactor
        settings.corrected = !km3irfCompatible
        var options = ConversionOptions()
        options.format = out.format
        options.creator = creatorName
        let tables: [Table]
        do {
            let built = try MonteCarloConversion.build(inputs, settings: settings, options: options)
            tables = built.tables
            if !out.quiet { print(built.summary) }
        } catch { throw Failure(error) }
        do {
            try FITSOutput.write(
                tables, primary: FITSOutput.primaryCards(creator: creatorName, origin: "KM3NeT", telescope: "KM3NeT"),
                to: out.output)
        } catch { throw Failure(error) }
        if !out.quiet { print("wrote \(out.output) (\(out.format.rawValue))") }
    }
}
