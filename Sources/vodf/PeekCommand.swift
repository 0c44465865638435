import ArgumentParser
import FITSIO
import FileOutput
import Foundation
import Pictures
import Release

extension EventPictures.Frame: ExpressibleByArgument {}

struct PeekCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peek",
        abstract: "Draw a FITS file's IRFs and event list: one multi-panel SVG or PNG.",
        discussion: """
            A panel for each drawable HDU, of any producer:
              AEFF     effective area against true energy, a curve per zenith or
                       offset bin (log axes)
              EDISP    the migration matrix of the spatial bin with the most
                       probability, mu = 1 marked
              PSF      68% and 95% containment radii against energy (PSF_TABLE from
                       the table, PSF_3GAUSS and PSF_KING from their parameters)
              BKG      the rate against energy per spatial bin (2D), or FoV maps at
                       up to 4 energies (3D)
              RAD_MAX  the cut against energy
              EVENTS   the sky (Hammer-Aitoff, --frame), the reconstructed-energy
                       histogram, and the events over time with the GTIs shaded

            Titles carry OBS_ID, the instrument and the format; axis labels carry \
            units. An HDU that cannot be read is skipped and named on stderr; the rest \
            is drawn. A file with nothing to draw is an error (exit 3).

            --data json prints the numbers the panels are drawn from (curves, maps, \
            bands) on stdout. Drawing uses PLplot (Debian's libplplot17; PNG needs \
            plplot-driver-cairo); SVG output carries no date, so the same file gives \
            the same picture.

            Examples:
              vodf peek hess_dl3_dr1_obs_id_020136.fits.gz -o run.svg
              vodf peek irfs.fits --hdu PSF -o psf.png
              vodf peek events.fits --frame galactic -o sky.svg
              vodf peek aeff.fits --data json > aeff.json
            """)

    @Argument(help: "A FITS file (GADF or VODF, any producer).")
    var file: String

    @Option(
        name: .shortAndLong,
        help:
            "Output picture, .svg or .png (no extension: SVG). Default: the file's name with .svg, in the working directory (none with --data json)."
    )
    var output: String?

    @Option(help: ArgumentHelp("Only these HDUs, by EXTNAME or number (repeatable).", valueName: "hdu"))
    var hdu: [String] = []

    @Option(help: "Sky frame of event maps.")
    var frame: EventPictures.Frame = .equatorial

    @Option(help: ArgumentHelp("Print the plotted numbers instead (or besides, with -o): json.", valueName: "json"))
    var data: DataFormat?

    enum DataFormat: String, ExpressibleByArgument { case json }

    @Flag(name: .shortAndLong, help: "Print nothing on success (skipped HDUs still go to stderr).")
    var quiet = false

    @OptionGroup(title: "Limits") var limits: ReadOptions

    func validate() throws {
        // A name without an extension (a pipe, /dev/stdout) gets SVG; another extension is a mistake.
        if let output, !(output.hasSuffix(".svg") || output.hasSuffix(".png")),
            !(output as NSString).pathExtension.isEmpty
        {
            throw ValidationError("--output must end in .svg or .png (or have no extension: SVG)")
        }
    }

    func run() throws {
        limits.apply()
        var options = Peek.Options()
        options.hdus = hdu
        options.frame = frame
        let figure: Figure
        do { figure = try Peek.figure(path: file, options: options) } catch { throw Failure(error) }
        for s in figure.skipped { warn("\(file): skipped \(s)") }
        if data == .json {
            FileHandle.standardOutput.write(try FITSSummary.reportEncoder().encode(figure) + Data("\n".utf8))
            if output == nil { return }
        }
        let target =
            output
            ?? (((file as NSString).lastPathComponent as NSString).deletingPathExtension.replacingOccurrences(
                of: ".fits", with: "") + ".svg")
        let bytes: Data
        do { bytes = try PLplotRenderer.render(figure, as: target.hasSuffix(".png") ? .png : .svg) } catch {
            throw Failure(message: "\(target): \(error)", code: Exit.outputFailed)
        }
        do { try AtomicOutput.write(bytes, to: target) } catch { throw Failure(error) }
        if !quiet && data == nil {
            print("\(target): \(figure.panels.count) panel(s): \(figure.panels.map(\.title).joined(separator: "; "))")
        }
    }
}
