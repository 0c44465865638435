import ArgumentParser
import Astrometry
import Conversion
import Diagnostics
import Foundation
import KM3NeT
import Model
import Readers

struct ConvertCommand: ParsableCommand {
    // Computed, not stored: the list of input formats is read when the help is shown, so a format
    // registered by a program that links VodfKit is listed too.
    static var configuration: CommandConfiguration { help.value }
    private static let help = FormatListedConfiguration {
        CommandConfiguration(
            commandName: "convert",
            abstract: "Convert an input file into a GADF or VODF FITS file.",
            discussion: """
                The input kind is detected from the file's content:
                \(helpList(InputFormats.all.map(\.help)))

                KM3NeT events: the best track of --reco per event (km3io's best_track rule), its direction turned into the source direction, the local horizon (UTM meridian convergence) and the sky. The site comes from the det_id (built-in table), --detx FILE, or --site orca|arca|antares.

                GADF and VODF files of any producer: every HDU the model holds is written (the event list, its GTI and each IRF), with the producer's keywords and comments; an HDU it cannot hold is named in a warning. --kind irf or --kind events keeps one part.

                Examples:
                  vodf convert PublicData_0717.dat -o antares.fits
                  vodf convert aeff_coszen_allnumuCC_track.csv -o aeff.fits --format gadf-0.2
                  vodf convert aeff_coszen_allnumuCC_track.csv -o aeff-vodf.fits --format vodf
                  vodf convert km3net-arca230-irf/ -o arca230-irf.fits --kind irf
                  vodf convert orca6_sample.root -o orca6.fits --reco jmuon
                  vodf convert mc.root -o mc.fits --site arca --astrometry icrs
                  vodf convert hess_dl3_dr1_obs_id_020136.fits.gz -o run.fits --format vodf

                IRF values are written as read: negative and NaN bins (real files have them; gammapy reads them) are counted in NEGBINS/NANBINS with one warning per HDU; --clip-negative sets negatives to 0.

                The output is written to a temporary file beside the target and renamed when complete, so a failed conversion never leaves a partial file.
                """)
    }

    @Argument(help: "Input file or directory of KM3NeT IRF tables; its kind is detected from its content (see above).")
    var input: String

    @OptionGroup var out: OutputOptions

    @Option(
        help: ArgumentHelp(
            "What the input must hold (default: what it holds).",
            discussion:
                "irf: a GADF or VODF IRF file (\(IRFKinds.names.joined(separator: ", "))), or a directory of KM3NeT IRF tables."
        ))
    var kind: Holding?

    @Option(
        help: "Observation id for event lists without one (integer for GADF). Default: a ROOT file's run id, else 1.")
    var obsID: String?

    @Option(
        help:
            "INSTRUME for IRF tables. Default: taken from the input path when it names a detector (e.g. ARCA230), else KM3NeT."
    )
    var instrument: String?

    @Option(
        help:
            "KM3NeT reconstruction whose best track is used. jmuon: rec_stages 0-99, jshower 100-199, dusjshower 200-299, aashower 300-399, first: trks[0]."
    )
    var reco: Reconstruction = .jmuon

    @Option(help: "detx file whose header (UTM WGS84 zone easting northing height) gives the detector site.")
    var detx: String?

    @Option(help: "Detector site when det_id is not in the built-in table.")
    var site: SiteName?

    @Option(help: "Equatorial coordinates: aanet (KM3NeT's convention) or icrs (full ERFA reduction).")
    var astrometry: EquatorialConvention = .aanet

    @Flag(
        help: ArgumentHelp(
            "Set negative IRF values to 0 (recorded as NEGCLIP in the header).",
            discussion:
                "By default IRF values are written as read, negative and NaN bins included (gammapy reads them); a warning names each HDU that has them and NEGBINS/NANBINS count them."
        ))
    var clipNegative = false

    @Flag(
        help: ArgumentHelp(
            "GADF/VODF IRF input: skip HDUs that cannot be read, and the tail of a truncated file, naming each in a warning.",
            discussion:
                "By default a file with any unreadable HDU is not converted, so that a damaged file never passes for a complete one."
        ))
    var skipDamaged = false

    @OptionGroup(title: "Limits") var limits: ReadOptions

    func validate() throws {
        if detx != nil, site != nil { throw ValidationError("give --detx or --site, not both") }
    }

    /// The command line as conversion options.
    func options() throws -> ConversionOptions {
        var o = ConversionOptions()
        o.format = out.format
        o.holding = kind
        o.obsID = obsID
        o.instrument = instrument
        o.reco = reco
        o.convention = astrometry
        o.clipNegative = clipNegative
        o.skipDamaged = skipDamaged
        o.creator = creatorName
        if let detx {
            do { o.location = try DetectorSites.fromDetx(path: detx) } catch {
                throw Failure(message: "\(error)", code: Exit.badInput)
            }
        }
        if let site { o.location = site.location }
        o.diagnostics = DiagnosticLog(emit: warn)
        // Progress for people at a terminal; logs and CI get only the summary.
        if !out.quiet, isatty(2) != 0 { o.onProgress = { FileHandle.standardError.write(Data("\($0)\n".utf8)) } }
        return o
    }

    func run() throws {
        limits.apply()
        do {
            let conversion = try Converter.convert(input, options: try options())
            try Converter.write(conversion, to: out.output)
            guard !out.quiet else { return }
            if let detected = conversion.detected {
                print("wrote \(out.output) (\(out.format.rawValue)) from \(input) [\(detected)]")
            } else {
                print("wrote \(out.output) (\(out.format.rawValue)) from the IRF tables in \(input)")
            }
            for s in conversion.summary { print("  \(s)") }
        } catch { throw Failure(error) }
    }
}
