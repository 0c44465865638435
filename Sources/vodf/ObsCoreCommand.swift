import ArgumentParser
import Diagnostics
import FileOutput
import Foundation
import Publication
import Release

struct ReleaseObsCoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "obscore",
        abstract:
            "Describe a release for the Virtual Observatory: ObsCore 1.1 and high-energy extension rows (VOTable 1.4), and a DaCHS resource.",
        discussion: """
            One ivoa.obscore row per observation (dataproduct_type hea-event-list) \
            and one per response-function HDU (response-function, with \
            dataproduct_subtype aeff, psf, edisp, bkgrate), every mandatory ObsCore \
            1.1 column with its type, unit and UCD; and the matching \
            ivoa.obscore_hea row (ev_xel, energy_min/max in eV, messenger_name and \
            its signed PDG id, event_type, analysis_mode, obs_mode), joined on \
            obs_publisher_did. em_min/em_max are hc/E (hc = 1.239841984332e-6 eV m). \
            A neutrino telescope's drift observation sees the whole sky: s_ra/s_dec \
            and s_region are NULL and s_fov is 360. Times are MJD (UTC).

            Any release the upgrade reader knows: vodfkit's (every GADF channel \
            store and the VODF tree) or a GADF data store such as H.E.S.S. DR1.

            --dachs DIR writes a DaCHS resource directory: q.rd (tables obscore, \
            obscore_hea and events, the last cone-searchable like the ANTARES \
            service) and data/*.vot. To publish it:
              ln -s $PWD/DIR /var/gavo/inputs/NAME && dachs imp NAME/q

            Examples:
              vodf release obscore out/release -o obscore.vot
              vodf release obscore out/release -o obscore.vot --dachs dachs/sample
              vodf release obscore dr1/ -o dr1.vot --authority ivo://example.org
            """)

    @Argument(help: "Release directory.")
    var directory: String

    @Option(name: .shortAndLong, help: "Output VOTable (written all-or-nothing).")
    var output: String

    @Option(help: ArgumentHelp("Also write a DaCHS resource directory here (q.rd and data/).", valueName: "dir"))
    var dachs: String?

    @Option(help: "obs_collection. Default: the release's name-version (release.json), else the directory's name.")
    var collection: String?

    @Option(help: "Publisher's IVOA authority: obs_publisher_did is AUTHORITY/COLLECTION?PATH.")
    var authority = "ivo://km3net.org"

    @Option(help: "access_url is BASE_URL/PATH. Default: file:// URLs of the files where they are.")
    var baseURL: String?

    @Option(help: "analysis_mode of every product.")
    var analysisMode = "pointsource"

    @Flag(name: .shortAndLong, help: "No progress line and no summary.")
    var quiet = false

    func run() throws {
        var o = ObsCoreOptions()
        o.collection = collection
        o.authority = authority
        o.baseURL = baseURL
        o.analysisMode = analysisMode
        let progress = ProgressLine(quiet: quiet)
        var n = 0
        let release: ObsCoreRelease
        do {
            release = try ObsCoreRelease.describe(directory, options: o, diagnostics: DiagnosticLog(emit: warn)) {
                file in
                n += 1
                progress.show("[\(n)] \(file)")
            }
        } catch {
            progress.clear()
            throw Failure(error)
        }
        progress.clear()
        do {
            try AtomicOutput.write(try release.votable(creator: creatorName).serialized(), to: output)
        } catch { throw Failure(error) }
        var dachsLine = ""
        if let dachs {
            do {
                let w = try DaCHSResource.write(
                    release, root: (directory as NSString).standardizingPath, to: dachs, creator: creatorName)
                dachsLine =
                    "; DaCHS resource \(dachs) (\(w.files.joined(separator: ", ")); \(w.events) events, schema \(DaCHSResource.schemaName(release.collection)))"
            } catch { throw Failure(error) }
        }
        if !quiet {
            let irfs = release.obscore.count - release.eventListCount
            print(
                "\(output): \(release.obscore.count) ObsCore row(s) for \(release.collection): \(release.eventListCount) event list(s), \(irfs) response function(s)"
                    + dachsLine)
        }
    }
}
